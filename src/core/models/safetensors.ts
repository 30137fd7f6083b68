/**
 * safetensors header reader (huggingface/safetensors README "Format"): 8-byte little-endian header length,
 * then a JSON object `{name: {dtype, shape, data_offsets}, __metadata__?}`. The tensor bytes are never read.
 */
import { openRegular, type ReadBudget } from './bounds';
import { Tally } from './tally';

export interface SafetensorsSummary {
  readonly tensors: number;
  readonly elementsByDtype: Readonly<Record<string, number>>;
  /** GPTQ/AWQ checkpoints keep packed int32 `qweight` tensors; counted per dtype like the rest. */
  readonly packedTensors: number;
  readonly bytesRead: number;
}

/** A header bigger than this is corrupt: the same cap as huggingface/safetensors (`MAX_HEADER_SIZE`, tensor.rs). */
const MAX_HEADER = 100_000_000;
/**
 * A real header is `{name: {dtype, shape: [..], data_offsets: [..]}, __metadata__: {str: str}}`: 3 levels.
 * JSON.parse of a deeply nested 100 MB header costs seconds and gigabytes, so nesting is checked first.
 */
const MAX_HEADER_DEPTH = 8;

/** The deepest `{`/`[` nesting in JSON text, counted outside strings; stops early past `limit`. */
export function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (inString) {
      if (byte === 0x5c)
        index++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return deepest;
}

export async function inspectSafetensors(path: string, budget?: ReadBudget): Promise<SafetensorsSummary> {
  const { handle, size } = await openRegular(path);
  try {
    if (size === 0) throw new Error('the file is empty (0 bytes)');
    if (size < 8) throw new Error(`truncated safetensors file (${size} bytes)`);
    const lengthBytes = Buffer.alloc(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength > MAX_HEADER || headerLength < 2)
      throw new Error(`corrupted safetensors file: header length ${headerLength}`);
    if (8 + headerLength > size)
      throw new Error(`truncated safetensors file: header of ${headerLength} bytes, file of ${size}`);
    budget?.charge(8 + headerLength);
    const header = Buffer.alloc(headerLength);
    await handle.read(header, 0, headerLength, 8);
    return summariseHeader(header);
  } finally {
    await handle.close();
  }
}

/** The header's JSON (the bytes after the length), summarised; throws a clear message for anything else. */
export function summariseHeader(header: Uint8Array): SafetensorsSummary {
  if (jsonDepth(header, MAX_HEADER_DEPTH) > MAX_HEADER_DEPTH)
    throw new Error(`corrupted safetensors header: nested deeper than ${MAX_HEADER_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header.buffer, header.byteOffset, header.length).toString('utf8'));
  } catch (error) {
    throw new Error(`corrupted safetensors header: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('corrupted safetensors header: not a JSON object');
  const elementsByDtype = new Tally();
  let tensors = 0;
  let packedTensors = 0;
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const tensor = typeof entry === 'object' && entry !== null ? (entry as { dtype?: unknown; shape?: unknown }) : {};
    if (typeof tensor.dtype !== 'string' || !Array.isArray(tensor.shape))
      throw new Error(`corrupted safetensors header: tensor '${name.slice(0, 200)}' has no dtype/shape`);
    const elements = (tensor.shape as unknown[]).reduce<number>(
      (product, dim) => product * (typeof dim === 'number' && dim >= 0 ? dim : 0),
      1,
    );
    elementsByDtype.add(tensor.dtype, elements);
    tensors++;
    if (/\.(qweight|qzeros)$/.test(name)) packedTensors++;
  }
  return { tensors, elementsByDtype: elementsByDtype.toObject(), packedTensors, bytesRead: 8 + header.length };
}

/** safetensors dtype -> our dtype names. */
export function safetensorsDtypeName(dtype: string): string {
  const names: Record<string, string> = {
    F32: 'fp32',
    F16: 'fp16',
    BF16: 'bf16',
    F64: 'fp64',
    I8: 'int8',
    U8: 'uint8',
    I32: 'int32',
    I64: 'int64',
    F8_E4M3: 'fp8_e4m3',
    F8_E5M2: 'fp8_e5m2',
    BOOL: 'bool',
  };
  return names[dtype] ?? dtype.toLowerCase();
}
