/**
 * GGUF header reader (ggml-org/ggml docs/gguf.md): magic, version, tensor count, metadata key/values and
 * the tensor infos (name, dims, type, offset). Tensor data, which follows the infos, is never read.
 */
import { SyncHeaderSource } from '../onnx/inspect-source';
import type { ByteSource } from '../onnx/wire';
import type { ReadBudget } from './bounds';

/** llama_ftype (llama.cpp include/llama.h): what `general.file_type` means. */
export const GGUF_FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
};

export type GgufValue = number | bigint | boolean | string | GgufValue[] | { arrayOf: string; length: number };

export interface GgufSummary {
  readonly version: number;
  readonly tensorCount: number;
  readonly metadata: Readonly<Record<string, GgufValue>>;
  readonly architecture: string | null;
  readonly fileType: string | null;
  readonly params: number;
  readonly bytesRead: number;
}

const enum T {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  Str = 8,
  Arr = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
}
const TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];
const FIXED_SIZES: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
/** Arrays longer than this (token lists) are summarised, not materialised; so are arrays inside arrays. */
const ARRAY_KEEP = 64;
const MAX_STRING = 16 * 1024 * 1024;
/**
 * Bounds a real file stays far below: llama.cpp's metadata keys are a few dozen flat values and arrays, and a
 * model has thousands of tensors. Nested arrays are legal GGUF but deeper than this is only ever hostile
 * (each level is a recursive call here, and skipping them costs time per element).
 */
export const GGUF_LIMITS = { keys: 100_000, tensors: 1_000_000, arrayDepth: 4 } as const;

/** Sequential little-endian reads over a ByteSource, through a window so short fields cost no syscall. */
class Cursor {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  constructor(
    private readonly source: ByteSource,
    public offset = 0,
  ) {}

  private async need(length: number): Promise<DataView> {
    if (this.offset + length > this.source.size) {
      throw new Error(`truncated GGUF: needs ${length} bytes at offset ${this.offset}, file has ${this.source.size}`);
    }
    const end = this.windowStart + this.window.length;
    if (this.offset < this.windowStart || this.offset + length > end) {
      this.window = await this.source.read(this.offset, Math.max(length, 64 * 1024));
      this.windowStart = this.offset;
    }
    const view = new DataView(this.window.buffer, this.window.byteOffset + (this.offset - this.windowStart), length);
    this.offset += length;
    return view;
  }

  async u32(): Promise<number> {
    return (await this.need(4)).getUint32(0, true);
  }
  async u64(): Promise<number> {
    const value = (await this.need(8)).getBigUint64(0, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(`GGUF value ${value} too large at offset ${this.offset - 8}`);
    return Number(value);
  }
  async string(): Promise<string> {
    const length = await this.u64();
    if (length > MAX_STRING) throw new Error(`corrupted GGUF: string of ${length} bytes at offset ${this.offset - 8}`);
    const view = await this.need(length);
    return new TextDecoder().decode(new Uint8Array(view.buffer, view.byteOffset, length));
  }
  async scalar(type: number): Promise<GgufValue> {
    if (type === T.Str) return this.string();
    const size = FIXED_SIZES[type];
    if (size === undefined) throw new Error(`corrupted GGUF: unknown value type ${type} at offset ${this.offset}`);
    const view = await this.need(size);
    switch (type) {
      case T.U8:
        return view.getUint8(0);
      case T.I8:
        return view.getInt8(0);
      case T.U16:
        return view.getUint16(0, true);
      case T.I16:
        return view.getInt16(0, true);
      case T.U32:
        return view.getUint32(0, true);
      case T.I32:
        return view.getInt32(0, true);
      case T.F32:
        return view.getFloat32(0, true);
      case T.Bool:
        return view.getUint8(0) !== 0;
      case T.U64:
        return view.getBigUint64(0, true);
      case T.I64:
        return view.getBigInt64(0, true);
      default:
        return view.getFloat64(0, true);
    }
  }
  async skip(type: number, count: number, depth: number): Promise<void> {
    const size = FIXED_SIZES[type];
    if (size !== undefined) {
      this.offset += size * count;
      if (this.offset > this.source.size) throw new Error('truncated GGUF: an array runs past the end of the file');
      return;
    }
    for (let index = 0; index < count; index++) {
      if (type === T.Str) {
        const length = await this.u64();
        this.offset += length;
        if (this.offset > this.source.size) throw new Error('truncated GGUF: a string runs past the end of the file');
      } else await this.value(type, depth);
    }
  }
  async value(type: number, depth = 0): Promise<GgufValue> {
    if (type !== T.Arr) return this.scalar(type);
    if (depth >= GGUF_LIMITS.arrayDepth)
      throw new Error(
        `corrupted GGUF: arrays nested more than ${GGUF_LIMITS.arrayDepth} deep at offset ${this.offset}`,
      );
    const itemType = await this.u32();
    const length = await this.u64();
    if (length > ARRAY_KEEP || itemType === T.Arr) {
      await this.skip(itemType, length, depth + 1);
      return { arrayOf: TYPE_NAMES[itemType] ?? `type${itemType}`, length };
    }
    const items: GgufValue[] = [];
    for (let index = 0; index < length; index++) items.push(await this.value(itemType, depth + 1));
    return items;
  }
}

export async function inspectGgufFile(
  path: string,
  opts: { signal?: AbortSignal; budget?: ReadBudget } = {},
): Promise<GgufSummary> {
  return SyncHeaderSource.inspect(path, 64 * 1024, 8, (source) => inspectGguf(source, opts), opts.budget);
}

export async function inspectGguf(source: ByteSource, opts: { signal?: AbortSignal } = {}): Promise<GgufSummary> {
  if (source.size === 0) throw new Error('the file is empty (0 bytes)');
  const magic = new TextDecoder().decode(await source.read(0, 4));
  if (magic !== 'GGUF') throw new Error(`not a GGUF file (magic '${magic.replace(/[^\x20-\x7e]/g, '?')}')`);
  const cursor = new Cursor(source, 4);
  const version = await cursor.u32();
  if (version < 2 || version > 3) throw new Error(`unsupported GGUF version ${version}`);
  const tensorCount = await cursor.u64();
  const kvCount = await cursor.u64();
  if (tensorCount > GGUF_LIMITS.tensors || kvCount > GGUF_LIMITS.keys)
    throw new Error(`corrupted GGUF: ${tensorCount} tensors and ${kvCount} metadata keys claimed`);
  // A Map, then own properties: a key named __proto__ or constructor is just a key.
  const entries = new Map<string, GgufValue>();
  for (let index = 0; index < kvCount; index++) {
    opts.signal?.throwIfAborted();
    const key = await cursor.string();
    entries.set(key, await cursor.value(await cursor.u32()));
  }
  const metadata: Record<string, GgufValue> = Object.fromEntries(entries);
  let params = 0;
  for (let index = 0; index < tensorCount; index++) {
    if (index % 256 === 0) opts.signal?.throwIfAborted();
    await cursor.string();
    const dims = await cursor.u32();
    if (dims > 8) throw new Error(`corrupted GGUF: tensor ${index} claims ${dims} dimensions`);
    let elements = 1;
    for (let d = 0; d < dims; d++) elements *= await cursor.u64();
    await cursor.u32(); // ggml type
    await cursor.u64(); // data offset
    params += elements;
  }
  const architectureValue = entries.get('general.architecture');
  const architecture = typeof architectureValue === 'string' ? architectureValue : null;
  const fileTypeCode = entries.get('general.file_type');
  const fileType = typeof fileTypeCode === 'number' ? (GGUF_FILE_TYPES[fileTypeCode] ?? `type ${fileTypeCode}`) : null;
  return { version, tensorCount, metadata, architecture, fileType, params, bytesRead: source.bytesRead };
}

/** Precision a GGUF file type stands for: bits, and symmetric where the block format has no minimum. */
export function ggufPrecision(fileType: string | null): {
  dtype: string;
  bits: number | null;
  sym: boolean | null;
  groupSize: number | null;
} {
  if (!fileType) return { dtype: 'unknown', bits: null, sym: null, groupSize: null };
  if (fileType === 'F32') return { dtype: 'fp32', bits: 32, sym: null, groupSize: null };
  if (fileType === 'F16') return { dtype: 'fp16', bits: 16, sym: null, groupSize: null };
  if (fileType === 'BF16') return { dtype: 'bf16', bits: 16, sym: null, groupSize: null };
  const bits = /^(?:I?Q|TQ)(\d)/.exec(fileType);
  // Q4_0/Q5_0/Q8_0 store a scale per 32 values (symmetric); Q4_1/Q5_1 add a minimum (asymmetric).
  const legacy = /^Q\d_([01])$/.exec(fileType);
  return {
    dtype: fileType,
    bits: bits ? Number(bits[1]) : null,
    sym: legacy ? legacy[1] === '0' : null,
    groupSize: legacy ? 32 : null,
  };
}
