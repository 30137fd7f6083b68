/**
 * Reads tensor payloads (inline raw_data, packed float_data/int32_data, or ONNX external data files) one tensor
 * at a time, and turns float payloads into row sources for the quantizer.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { decodeVarint } from '../onnx/wire';
import { float16BitsToFloat32 } from './float16';
import type { WeightRows } from './int4';
import { bytesPerElement, elementCount, TensorType, type InitializerEntry, type PayloadRef } from './model-index';

/**
 * Payload reads go through one grow-only buffer, reused tensor after tensor: the previous tensor's bytes are dead
 * by the time the next is read, and reusing the buffer keeps peak memory at one tensor instead of however many
 * the garbage collector has not reclaimed yet.
 */
const COPY_CHUNK_BYTES = 8 * 1024 * 1024;

export class PayloadReader {
  private readonly files = new Map<string, { handle: FileHandle; size: number }>();
  private shared = new Uint8Array(0);
  private readonly modelDir: string;
  constructor(private readonly modelPath: string) {
    this.modelDir = dirname(modelPath);
  }

  /** Every file opened so far: the model and the external data files its tensors named. */
  paths(): string[] {
    return [...this.files.keys()];
  }

  /** Byte length of a raw/external payload (external data may omit its length). */
  payloadLength(tensor: InitializerEntry): number {
    const payload = tensor.payload;
    if (!payload) return 0;
    if (payload.kind === 'external' && payload.length === null)
      return elementCount(tensor.dims) * (bytesPerElement(tensor.dataType) || 1);
    return payload.length ?? 0;
  }

  private async file(ref: PayloadRef): Promise<{ handle: FileHandle; size: number }> {
    const path = ref.kind === 'external' ? safeExternalPath(this.modelDir, ref.location) : this.modelPath;
    let file = this.files.get(path);
    if (!file) {
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        throw new Error(
          `${ref.kind === 'external' ? `external data file ${ref.location}` : path} cannot be opened: ${(error as Error).message}`,
        );
      }
      file = { handle, size: (await handle.stat()).size };
      this.files.set(path, file);
    }
    return file;
  }

  private async readInto(tensor: InitializerEntry, target: Uint8Array, at: number, length: number): Promise<void> {
    const payload = tensor.payload!;
    const { handle, size } = await this.file(payload);
    const total = this.payloadLength(tensor);
    if (payload.offset + total > size) {
      throw new Error(
        `initializer ${tensor.name} needs bytes ${payload.offset}..${payload.offset + total} but its file has ${size} (truncated file?)`,
      );
    }
    for (let done = 0; done < length;) {
      const { bytesRead } = await handle.read(target, done, length - done, payload.offset + at + done);
      if (bytesRead === 0) throw new Error(`initializer ${tensor.name}: unexpected end of file (truncated file?)`);
      done += bytesRead;
    }
  }

  /** The whole payload in the shared buffer: valid until the next read. */
  private async readShared(tensor: InitializerEntry): Promise<Uint8Array> {
    const length = this.payloadLength(tensor);
    if (this.shared.length < length) this.shared = new Uint8Array(length);
    const view = this.shared.subarray(0, length);
    await this.readInto(tensor, view, 0, length);
    return view;
  }

  /** The payload in a buffer of its own. */
  async read(tensor: InitializerEntry): Promise<Uint8Array> {
    const bytes = new Uint8Array(this.payloadLength(tensor));
    await this.readInto(tensor, bytes, 0, bytes.length);
    return bytes;
  }

  private chunkBuffer: Uint8Array | null = null;

  /** One copy buffer for every streamed copy: copies run one after another, never interleaved. */
  private chunk(length: number): Uint8Array {
    this.chunkBuffer ??= new Uint8Array(COPY_CHUNK_BYTES);
    return this.chunkBuffer.subarray(0, length);
  }

  /** Streams a payload in chunks (for tensors copied unchanged); each chunk is valid until the next. */
  async *chunks(tensor: InitializerEntry): AsyncGenerator<Uint8Array> {
    const length = this.payloadLength(tensor);
    for (let done = 0; done < length; done += COPY_CHUNK_BYTES) {
      const view = this.chunk(Math.min(COPY_CHUNK_BYTES, length - done));
      await this.readInto(tensor, view, done, view.length);
      yield view;
    }
  }

  /** Streams bytes [offset, offset + length) of the model file itself (fields copied verbatim). */
  async *modelRange(offset: number, length: number): AsyncGenerator<Uint8Array> {
    const { handle, size } = await this.file({ kind: 'raw', offset, length });
    if (offset + length > size)
      throw new Error(`the model needs bytes ${offset}..${offset + length} but the file has ${size} (truncated file?)`);
    for (let done = 0; done < length;) {
      const view = this.chunk(Math.min(COPY_CHUNK_BYTES, length - done));
      const { bytesRead } = await handle.read(view, 0, view.length, offset + done);
      if (bytesRead === 0) throw new Error('unexpected end of the model file (truncated file?)');
      done += bytesRead;
      yield view.subarray(0, bytesRead);
    }
  }

  /** A float32/float16 [K, N] initializer as a row source; fp16 rows are converted one block at a time. */
  async rows(tensor: InitializerEntry, maxRows: number): Promise<WeightRows> {
    const [K, N] = tensor.dims as [number, number];
    const bytes = await this.readShared(tensor);
    const payload = tensor.payload!;
    if (tensor.dataType === TensorType.FLOAT) {
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      if (values.length !== K * N) {
        throw new Error(`initializer ${tensor.name} has ${values.length} values for [${K}, ${N}]`);
      }
      return (start, end) => values.subarray(start * N, end * N);
    }
    let bits: Uint16Array;
    if (payload.kind === 'int32_data') {
      bits = new Uint16Array(K * N);
      for (let offset = 0, index = 0; offset < bytes.length; index++) {
        const [value, used] = decodeVarint(bytes, offset);
        bits[index] = value;
        offset += used;
      }
    } else {
      bits = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
    }
    if (bits.length !== K * N) throw new Error(`initializer ${tensor.name} has ${bits.length} values for [${K}, ${N}]`);
    const scratch = new Float32Array(maxRows * N);
    return (start, end) => {
      const count = (end - start) * N;
      const base = start * N;
      for (let index = 0; index < count; index++) scratch[index] = float16BitsToFloat32(bits[base + index]);
      return scratch.subarray(0, count);
    };
  }

  async close(): Promise<void> {
    for (const { handle } of this.files.values()) await handle.close();
    this.files.clear();
    this.shared = new Uint8Array(0);
  }
}

/** External data must live beside the model: no absolute paths, no climbing out with `..`. */
export function safeExternalPath(modelDir: string, location: string): string {
  const normalized = normalize(location);
  if (isAbsolute(normalized) || normalized === '..' || normalized.startsWith(`..${sep}`)) {
    throw new Error(`external data location ${location} points outside the model folder`);
  }
  return join(modelDir, normalized);
}
