/**
 * The precision a model really has, read from its files: NNCF rt_info and IR element types, MatMulNBits
 * attributes and zero points, QDQ initializer types, GGUF file type, safetensors dtypes and the
 * `quantization_config` of openvino_config.json / config.json (DOMAIN-REFERENCE.md §1.4, §3.1, §3.2, §5).
 */
import type { OnnxSummary, WeightMatMul } from '../onnx/inspect';
import type { IrSummary } from './openvino';
import type { SafetensorsSummary } from './safetensors';
import { safetensorsDtypeName } from './safetensors';
import type { ModelInfo, WeightsInfo } from '../../protocol/models';

const UNKNOWN: WeightsInfo = { dtype: 'unknown', bits: null, sym: null, groupSize: null };

function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) if (count > bestCount) [best, bestCount] = [value, count];
  return best;
}

function dominant(elements: Readonly<Record<string, number>>, among: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const dtype of among)
    if ((elements[dtype] ?? 0) > 0 && (best === undefined || elements[dtype] > elements[best])) best = dtype;
  return best;
}

const FLOAT_NAMES: Record<string, string> = { float32: 'fp32', float16: 'fp16', bfloat16: 'bf16', float64: 'fp64' };

/**
 * ORT's CPU MatMulNBits kernel accepts block sizes up to 256, so a channel-wise quantizer (ours, `--channel-wise`)
 * stores one scale per column repeated in 256-wide blocks. The block size alone then reads as g256; the recipe the
 * quantizer records in the model's metadata_props says what the numbers really are.
 */
function recordedChannelWise(summary: OnnxSummary): boolean {
  const recorded = summary.metadata['quant_drift.recipe'];
  if (!recorded) return false;
  try {
    const recipe = JSON.parse(recorded) as { channelWise?: unknown };
    return recipe.channelWise === true;
  } catch {
    return false;
  }
}

const FLOAT_DTYPES = ['float32', 'float16', 'bfloat16', 'float64'];

/** How many MatMuls of each (dtype, group) kind; the largest group is the model's precision. */
function groupsOf(matMuls: readonly WeightMatMul[]): { key: string; members: WeightMatMul[] }[] {
  const groups = new Map<string, WeightMatMul[]>();
  for (const m of matMuls) {
    const key = `${m.dtype}|${m.groupSize}`;
    const members = groups.get(key) ?? [];
    members.push(m);
    groups.set(key, members);
  }
  return [...groups].map(([key, members]) => ({ key, members })).sort((a, b) => b.members.length - a.members.length);
}

function agreedSym(matMuls: readonly WeightMatMul[]): boolean | null {
  // One asymmetric node is enough to hit the NPU compiler failure, so "mixed" counts as asymmetric.
  if (matMuls.some((m) => m.sym === false)) return false;
  return matMuls.every((m) => m.sym === true) ? true : null;
}

/**
 * The precision of an ONNX file from its weight MatMuls (MatMulNBits 2/4/8-bit, QDQ blocked/per-channel,
 * MatMulBnb4, MatMulInteger, float), top-level and inside If/Loop bodies alike. The one reading used by
 * inspect, the model tree, pairing and the drift report (describePrecision turns it into their label).
 */
export function onnxPrecision(summary: OnnxSummary): WeightsInfo {
  const matMuls = summary.weightMatMuls;
  const quantized = matMuls.filter((m) => m.kind !== 'float');
  const floatType = dominant(summary.elementsByDtype, FLOAT_DTYPES);
  const activations = floatType ? FLOAT_NAMES[floatType] : null;
  const counts = { total: matMuls.length, quantized: quantized.length };
  if (quantized.length > 0) {
    const groups = groupsOf(quantized);
    const primary = groups[0].members;
    const first = primary[0];
    const secondary = groups.find((group) => group.members[0].dtype !== first.dtype);
    const sameDtype = quantized.filter((m) => m.dtype === first.dtype);
    const levels = sameDtype.map((m) => m.accuracyLevel).filter((level): level is number => level !== null);
    // Channel-wise when every node's one block spans its K (a block size that only covers a narrow layer's K is
    // still a block size), or when our quantizer recorded it (it stores channel-wise as 256-wide blocks).
    const nbits = sameDtype.filter((m) => m.kind === 'MatMulNBits');
    const channelWise =
      first.groupSize === -1 ||
      (nbits.length > 0 && (nbits.every((m) => m.wholeK) || recordedChannelWise(summary)));
    return {
      dtype: first.dtype,
      bits: first.bits,
      sym: first.kind === 'MatMulBnb4' ? null : agreedSym(sameDtype),
      groupSize: channelWise ? -1 : first.groupSize,
      accuracyLevel: levels.length > 0 ? (mostCommon(levels) ?? null) : null,
      source: first.kind,
      matMuls: counts,
      secondary: secondary
        ? {
            dtype: secondary.members[0].dtype,
            bits: secondary.members[0].bits,
            groupSize: secondary.members[0].groupSize,
            count: secondary.members.length,
          }
        : null,
      activations,
      ...(quantized.some((m) => m.gIdx) ? { actOrder: true } : {}),
      ...(quantized.some((m) => m.inSubgraph) ? { inSubgraphs: true } : {}),
    };
  }
  const { qdq } = summary;
  if (qdq.int4Nodes > 0 || qdq.int8Nodes > 0) {
    const bits = qdq.int4Nodes > 0 ? 4 : 8;
    return {
      dtype: `int${bits}`,
      bits,
      sym: qdq.withZeroPoint === 0 && qdq.signedTypes > 0,
      groupSize: qdq.blockSizes[0] ?? -1,
      source: 'QDQ',
    };
  }
  if (!floatType) return { ...UNKNOWN, source: 'initializers' };
  return {
    dtype: activations!,
    bits: activations === 'fp32' ? 32 : activations === 'fp64' ? 64 : 16,
    sym: null,
    groupSize: null,
    source: 'initializers',
    matMuls: counts,
  };
}

/** `int4_asym` -> int4, asymmetric; `nf4`; `int8_sym`; `mxfp4` ... (nncf CompressWeightsMode values). */
export function parseNncfMode(mode: string): { dtype: string; bits: number | null; sym: boolean | null } {
  const match = /^(u?int)(\d+)(?:_(sym|asym))?$/.exec(mode);
  if (match) return { dtype: `int${match[2]}`, bits: Number(match[2]), sym: match[3] ? match[3] === 'sym' : null };
  if (/4/.test(mode)) return { dtype: mode, bits: 4, sym: mode === 'nf4' ? true : null };
  if (/8/.test(mode)) return { dtype: mode, bits: 8, sym: null };
  return { dtype: mode, bits: null, sym: null };
}

function toNumber(value: string | undefined | null): number | null {
  if (value === undefined || value === null || value === '' || value === 'None') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

export function irPrecision(summary: IrSummary): WeightsInfo {
  const rt = summary.rtInfo;
  const mode = rt['nncf/weight_compression/mode'];
  if (mode) {
    const parsed = parseNncfMode(mode);
    return {
      ...parsed,
      groupSize: toNumber(rt['nncf/weight_compression/group_size']),
      ratio: toNumber(rt['nncf/weight_compression/ratio']),
      backupPrecision: rt['nncf/weight_compression/backup_mode'] ?? null,
      source: 'rt_info',
    };
  }
  const types = summary.weightElementsByType;
  if ((types.nf4 ?? 0) > 0) return { dtype: 'nf4', bits: 4, sym: true, groupSize: null, source: 'element types' };
  // Symmetric NNCF int4 stores signed i4 without a zero point; asymmetric stores u4 plus u4 zero points.
  if ((types.i4 ?? 0) > 0) return { dtype: 'int4', bits: 4, sym: true, groupSize: null, source: 'element types' };
  if ((types.u4 ?? 0) > 0) return { dtype: 'int4', bits: 4, sym: null, groupSize: null, source: 'element types' };
  const top = dominant(types, ['f32', 'f16', 'bf16', 'u8', 'i8']);
  if (!top) return { ...UNKNOWN, source: 'element types' };
  const names: Record<string, WeightsInfo> = {
    f32: { dtype: 'fp32', bits: 32, sym: null, groupSize: null },
    f16: { dtype: 'fp16', bits: 16, sym: null, groupSize: null },
    bf16: { dtype: 'bf16', bits: 16, sym: null, groupSize: null },
    u8: { dtype: 'int8', bits: 8, sym: false, groupSize: -1 },
    i8: { dtype: 'int8', bits: 8, sym: true, groupSize: -1 },
  };
  return { ...names[top], source: 'element types' };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const bool = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);

/** openvino_config.json `quantization_config` (OVWeightQuantizationConfig keys, §3.2). */
export function openvinoConfigPrecision(config: unknown): WeightsInfo | null {
  if (!isObject(config)) return null;
  let q = config.quantization_config;
  if (isObject(q) && isObject(q.weight_quantization_config)) q = q.weight_quantization_config;
  if (!isObject(q)) return null;
  const dtype = typeof q.dtype === 'string' ? q.dtype : typeof q.weight_format === 'string' ? q.weight_format : null;
  const bits = num(q.bits) ?? (dtype && /4/.test(dtype) ? 4 : dtype === 'int8' ? 8 : null);
  return {
    dtype: dtype ?? (bits ? `int${bits}` : 'unknown'),
    bits,
    // OVWeightQuantizationConfig defaults: sym False, ratio 1.0 (§1.3).
    sym: bool(q.sym) ?? false,
    groupSize: num(q.group_size),
    ratio: num(q.ratio) ?? 1,
    backupPrecision: typeof q.backup_precision === 'string' ? q.backup_precision : null,
    source: 'openvino_config.json',
  };
}

/** config.json `quantization_config` of a pre-quantized checkpoint (§3.1). */
export function hfQuantizationPrecision(config: unknown): WeightsInfo | null {
  if (!isObject(config) || !isObject(config.quantization_config)) return null;
  const q = config.quantization_config;
  const method = typeof q.quant_method === 'string' ? q.quant_method : 'unknown';
  const source = `config.json quantization_config (${method})`;
  if (method === 'bitsandbytes') {
    const fourBit = q.load_in_4bit === true;
    const type = typeof q.bnb_4bit_quant_type === 'string' ? q.bnb_4bit_quant_type : 'fp4';
    return { dtype: fourBit ? `bnb-${type}` : 'int8', bits: fourBit ? 4 : 8, sym: null, groupSize: null, source };
  }
  const bits = num(q.bits) ?? num(q.w_bit);
  // AWQ: zero_point true means asymmetric; GPTQ and auto-round: sym (default true).
  const sym = method === 'awq' ? (bool(q.zero_point) === null ? false : !q.zero_point) : (bool(q.sym) ?? true);
  return {
    dtype: bits ? `int${bits}` : method,
    bits,
    sym,
    groupSize: num(q.group_size) ?? num(q.q_group_size),
    source,
  };
}

export function safetensorsPrecision(summary: SafetensorsSummary, config: unknown): WeightsInfo {
  const fromConfig = hfQuantizationPrecision(config);
  if (fromConfig) return fromConfig;
  const top = dominant(summary.elementsByDtype, Object.keys(summary.elementsByDtype));
  if (!top) return { ...UNKNOWN, source: 'safetensors header' };
  const dtype = safetensorsDtypeName(top);
  const bits = /(\d+)$/.exec(dtype);
  return { dtype, bits: bits ? Number(bits[1]) : null, sym: null, groupSize: null, source: 'safetensors header' };
}

function groupLabel(groupSize: number | null): string | null {
  if (groupSize === null) return null;
  return groupSize === -1 ? 'channel-wise' : groupSize === 0 ? 'per-tensor' : `g${groupSize}`;
}

/**
 * The precision label every surface shows (inspect, the model tree, the pairing quick pick, the drift report):
 * "fp16", "int4 sym g128", "int4 asym channel-wise", "int4 sym g32 al4 (fp16 activations)", "nf4 g64",
 * "int8 sym per-tensor dynamic", "int4 sym g128 + int8 on 12 of 169 MatMuls", "Q4_K_M", "int4 (symmetry unknown)".
 */
export function describePrecision(info: Pick<ModelInfo, 'weights' | 'error'>): string {
  const { weights } = info;
  if (weights.dtype === 'unknown') return info.error ? 'unreadable' : 'unknown precision';
  const parts = [weights.dtype];
  const quantized = /^(u?int|nf|fp4|mxfp|cb|bnb-)/.test(weights.dtype);
  if (quantized && weights.dtype.startsWith('int'))
    parts.push(weights.sym === null ? '(symmetry unknown)' : weights.sym ? 'sym' : 'asym');
  const group = quantized ? groupLabel(weights.groupSize) : null;
  if (group) parts.push(group);
  if (weights.actOrder) parts.push('act-order');
  if (quantized && weights.accuracyLevel) parts.push(`al${weights.accuracyLevel}`);
  if (weights.source === 'MatMulInteger') parts.push('dynamic');
  if (weights.ratio !== undefined && weights.ratio !== null && weights.ratio < 1) parts.push(`ratio ${weights.ratio}`);
  const { secondary, matMuls } = weights;
  if (secondary && matMuls) {
    const other = [secondary.dtype, groupLabel(secondary.groupSize)].filter(Boolean).join(' ');
    parts.push(`+ ${other} on ${secondary.count} of ${matMuls.total} MatMuls`);
  } else if (quantized && matMuls && matMuls.quantized < matMuls.total) {
    parts.push(`on ${matMuls.quantized} of ${matMuls.total} MatMuls`);
  }
  if (quantized && weights.activations && weights.activations !== 'fp32')
    parts.push(`(${weights.activations} activations)`);
  return parts.join(' ');
}
