/**
 * safetensors header reader (huggingface/safetensors README "Format"): 8-byte little-endian header length,
 * then a JSON object `{name: {dtype, shape, data_offsets}, __metadata__?}`. The tensor bytes are never read.
 */
import { promises as fs } from 'node:fs';

export interface SafetensorsSummary {
  readonly tensors: number;
  readonly elementsByDtype: Readonly<Record<string, number>>;
  /** GPTQ/AWQ checkpoints keep packed int32 `qweight` tensors; counted per dtype like the rest. */
  readonly packedTensors: number;
  readonly bytesRead: number;
}

/** A header bigger than this is corrupt (real ones are a few MB at most). */
const MAX_HEADER = 100 * 1024 * 1024;

export async function inspectSafetensors(path: string): Promise<SafetensorsSummary> {
  const handle = await fs.open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new Error('the file is empty (0 bytes)');
    if (size < 8) throw new Error(`truncated safetensors file (${size} bytes)`);
    const lengthBytes = Buffer.alloc(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength > MAX_HEADER || headerLength < 2)
      throw new Error(`corrupted safetensors file: header length ${headerLength}`);
    if (8 + headerLength > size)
      throw new Error(`truncated safetensors file: header of ${headerLength} bytes, file of ${size}`);
    const header = Buffer.alloc(headerLength);
    await handle.read(header, 0, headerLength, 8);
    let parsed: unknown;
    try {
      parsed = JSON.parse(header.toString('utf8'));
    } catch (error) {
      throw new Error(`corrupted safetensors header: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('corrupted safetensors header: not a JSON object');
    const elementsByDtype: Record<string, number> = {};
    let tensors = 0;
    let packedTensors = 0;
    for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
      if (name === '__metadata__') continue;
      const tensor = entry as { dtype?: unknown; shape?: unknown };
      if (typeof tensor.dtype !== 'string' || !Array.isArray(tensor.shape))
        throw new Error(`corrupted safetensors header: tensor '${name}' has no dtype/shape`);
      const elements = (tensor.shape as unknown[]).reduce<number>(
        (product, dim) => product * (typeof dim === 'number' ? dim : 0),
        1,
      );
      elementsByDtype[tensor.dtype] = (elementsByDtype[tensor.dtype] ?? 0) + elements;
      tensors++;
      if (/\.(qweight|qzeros)$/.test(name)) packedTensors++;
    }
    return { tensors, elementsByDtype, packedTensors, bytesRead: 8 + headerLength };
  } finally {
    await handle.close();
  }
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
