/**
 * Protocol-buffer wire format, read field by field over a random-access byte source.
 *
 * Why not a generated decoder: an ONNX file of several GB is mostly tensor payloads. Walking the
 * wire format lets the inspector read names, op types and attributes while skipping every payload by
 * its length prefix, so inspecting a 1 GB model reads kilobytes, not the gigabyte. The quantizer uses
 * the same walker to stream one tensor at a time.
 */
import { promises as fs } from 'node:fs';

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

export class WireFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'WireFormatError';
  }
}

/** Random access to bytes; `bytesRead` counts what really came off the disk. */
export interface ByteSource {
  readonly size: number;
  readonly bytesRead: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export class MemorySource implements ByteSource {
  bytesRead = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.bytes.length);
    this.bytesRead += Math.max(0, end - offset);
    return Promise.resolve(this.bytes.subarray(offset, end));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A file read in aligned chunks with a small cache, so field-header walks do few syscalls. */
export class FileSource implements ByteSource {
  bytesRead = 0;
  private readonly cache = new Map<number, Uint8Array>();
  private constructor(
    private readonly handle: fs.FileHandle,
    readonly size: number,
    private readonly chunkSize: number,
    private readonly maxCachedChunks: number,
  ) {}

  static async open(path: string, chunkSize = 16 * 1024, maxCachedChunks = 64): Promise<FileSource> {
    const handle = await fs.open(path, 'r');
    try {
      const stat = await handle.stat();
      return new FileSource(handle, stat.size, chunkSize, maxCachedChunks);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    // Large reads (tensor payloads the caller asked for) bypass the chunk cache.
    if (end - offset > this.chunkSize * 4) {
      const out = new Uint8Array(end - offset);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await this.handle.read(out, done, out.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      this.bytesRead += done;
      return out.subarray(0, done);
    }
    const first = Math.floor(offset / this.chunkSize);
    const last = Math.floor((end - 1) / this.chunkSize);
    if (first === last) {
      const chunk = await this.chunk(first);
      const base = first * this.chunkSize;
      return chunk.subarray(offset - base, end - base);
    }
    const out = new Uint8Array(end - offset);
    for (let index = first; index <= last; index++) {
      const chunk = await this.chunk(index);
      const base = index * this.chunkSize;
      const from = Math.max(offset, base);
      const to = Math.min(end, base + chunk.length);
      out.set(chunk.subarray(from - base, to - base), from - offset);
    }
    return out;
  }

  private async chunk(index: number): Promise<Uint8Array> {
    const cached = this.cache.get(index);
    if (cached) return cached;
    const start = index * this.chunkSize;
    const length = Math.min(this.chunkSize, this.size - start);
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.bytesRead += done;
    if (this.cache.size >= this.maxCachedChunks) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    const chunk = buffer.subarray(0, done);
    this.cache.set(index, chunk);
    return chunk;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export interface FieldHeader {
  readonly field: number;
  readonly wireType: WireType;
  /** Offset of the first byte of the value (after the tag, and after the length for LEN fields). */
  readonly valueOffset: number;
  /** Byte length of the value for LEN fields; 8/4 for fixed; varint byte count for varints. */
  readonly length: number;
  /** Decoded varint value (as a JS number; exact up to 2^53) for varint fields. */
  readonly varint?: number;
}

/** Longest varint is 10 bytes. */
const MAX_VARINT_BYTES = 10;
/** Longest text field decoded (names, op types, producer, metadata values). */
export const MAX_STRING_BYTES = 1024 * 1024;
/** Longest packed field decoded (tensor dims: a rank-8 shape takes at most 80 bytes). */
export const MAX_PACKED_BYTES = 4096;

/**
 * Iterates the fields of one message that occupies [start, end) of the source. Never reads
 * a LEN payload unless asked (`bytes`, `sub`).
 */
export class MessageReader {
  private position: number;
  constructor(
    readonly source: ByteSource,
    readonly start: number,
    readonly end: number,
  ) {
    if (end > source.size)
      throw new WireFormatError(`message ends past the end of the file (${end} > ${source.size})`, start);
    this.position = start;
  }

  async next(): Promise<FieldHeader | null> {
    if (this.position >= this.end) return null;
    const tagStart = this.position;
    const tag = await this.varint();
    const field = Math.floor(tag / 8);
    const wireType = (tag & 7) as WireType;
    if (field === 0) throw new WireFormatError('field number 0 is invalid', tagStart);
    switch (wireType) {
      case WireType.Varint: {
        const valueOffset = this.position;
        const value = await this.varint();
        return { field, wireType, valueOffset, length: this.position - valueOffset, varint: value };
      }
      case WireType.Fixed64:
        return this.fixed(field, wireType, 8);
      case WireType.Fixed32:
        return this.fixed(field, wireType, 4);
      case WireType.LengthDelimited: {
        const length = await this.varint();
        const valueOffset = this.position;
        if (valueOffset + length > this.end) {
          throw new WireFormatError(
            `field ${field} claims ${length} bytes but the message has ${this.end - valueOffset} left (truncated file?)`,
            valueOffset,
          );
        }
        this.position = valueOffset + length;
        return { field, wireType, valueOffset, length };
      }
      default:
        throw new WireFormatError(`unsupported wire type ${wireType as number} for field ${field}`, tagStart);
    }
  }

  /** The payload of a LEN field. */
  bytes(header: FieldHeader): Promise<Uint8Array> {
    return this.source.read(header.valueOffset, header.length);
  }

  /** A LEN field as text; longer than `maxBytes` is refused (names are short; a 600 MB "name" is hostile). */
  async string(header: FieldHeader, maxBytes = MAX_STRING_BYTES): Promise<string> {
    if (header.length > maxBytes)
      throw new WireFormatError(
        `a text field of ${header.length} bytes (field ${header.field}; at most ${maxBytes} are read)`,
        header.valueOffset,
      );
    return new TextDecoder().decode(await this.bytes(header));
  }

  /** A reader over a nested message (a LEN field). */
  sub(header: FieldHeader): MessageReader {
    return new MessageReader(this.source, header.valueOffset, header.valueOffset + header.length);
  }

  /** Packed repeated varints (e.g. TensorProto.dims), read in one go since they are small; at most `maxBytes`. */
  async packedVarints(header: FieldHeader, maxBytes = MAX_PACKED_BYTES): Promise<number[]> {
    if (header.length > maxBytes)
      throw new WireFormatError(
        `a packed field of ${header.length} bytes (field ${header.field}; at most ${maxBytes} are read)`,
        header.valueOffset,
      );
    const bytes = await this.bytes(header);
    const values: number[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const [value, used] = decodeVarint(bytes, offset, header.valueOffset);
      values.push(value);
      offset += used;
    }
    return values;
  }

  private async fixed(field: number, wireType: WireType, size: number): Promise<FieldHeader> {
    const valueOffset = this.position;
    if (valueOffset + size > this.end)
      throw new WireFormatError(`fixed field ${field} runs past the message end`, valueOffset);
    this.position += size;
    return { field, wireType, valueOffset, length: size };
  }

  private async varint(): Promise<number> {
    const available = Math.min(MAX_VARINT_BYTES, this.end - this.position);
    if (available <= 0) throw new WireFormatError('unexpected end of message in varint', this.position);
    const bytes = await this.source.read(this.position, available);
    const [value, used] = decodeVarint(bytes, 0, this.position);
    this.position += used;
    return value;
  }
}

/**
 * Decodes a varint at `offset`; returns [value, bytesUsed]. A 10-byte varint is a negative int64 and comes back
 * signed (ONNX's int64 fields); other values above 2^53 lose precision.
 */
export function decodeVarint(bytes: Uint8Array, offset: number, absoluteOffset = offset): [number, number] {
  let value = 0;
  let multiplier = 1;
  for (let index = 0; index < MAX_VARINT_BYTES; index++) {
    const at = offset + index;
    if (at >= bytes.length) throw new WireFormatError('truncated varint', absoluteOffset + index);
    const byte = bytes[at]!;
    value += (byte & 0x7f) * multiplier;
    // A 10-byte varint is a negative int64 (e.g. axis=-1): doubles cannot hold 2^64-1, so decode it exactly.
    if ((byte & 0x80) === 0)
      return index === MAX_VARINT_BYTES - 1 ? [exactInt64(bytes, offset), index + 1] : [value, index + 1];
    multiplier *= 128;
  }
  throw new WireFormatError('varint longer than 10 bytes', absoluteOffset);
}

function exactInt64(bytes: Uint8Array, offset: number): number {
  let big = 0n;
  for (let index = MAX_VARINT_BYTES - 1; index >= 0; index--) big = (big << 7n) | BigInt(bytes[offset + index]! & 0x7f);
  return Number(BigInt.asIntN(64, big));
}

// ---- Writing ------------------------------------------------------------------------------------

export function encodeVarint(value: number): Uint8Array {
  if (value < 0) {
    // int64 two's complement: BigInt keeps the 64-bit arithmetic exact.
    let big = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (big >= 0x80n) {
      out.push(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    out.push(Number(big));
    return Uint8Array.from(out);
  }
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

export function encodeTag(field: number, wireType: WireType): Uint8Array {
  return encodeVarint(field * 8 + wireType);
}

/** Tag + length prefix for a LEN field whose payload of `length` bytes follows. */
export function encodeLengthPrefix(field: number, length: number): Uint8Array {
  const tag = encodeTag(field, WireType.LengthDelimited);
  const len = encodeVarint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  return out;
}
