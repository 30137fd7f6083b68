/**
 * Rewrites a tiny Llama's weight MatMuls (every MatMul whose B is a 2-D float32 initializer, lm_head included) into
 * the weight formats other quantizers write, with real encodings of the same weights, so a run of the fp32 model
 * against the rewrite measures quantization error only. weight-formats.ts builds graphs in the same formats for
 * the inspector with meaningless payloads; here every payload dequantizes to the weight it replaces:
 * - MatMulNBits bits 8 (com.microsoft, onnxruntime docs/ContribOperators.md): B uint8 [N, nBlocks, blockSize],
 *   scales float [N * nBlocks], no zero_points (the default 2^(bits-1) = 128 applies). Symmetric with the convention
 *   src/core/quantize/int4.ts follows for 4 bits, carried to 8: scale = m / -128, m the block value of largest
 *   magnitude (sign kept).
 * - QDQ (ONNX DequantizeLinear, opset 21): signed symmetric int4/int8 weights [K, N], y = x * scale; blocked along
 *   K (axis 0, `block_size`, scale [ceil(K / block), N]) or per output channel (axis 1, scale [N]). int4 packs two
 *   values a byte in the flattened order, the first in the low nibble (onnx/docs/IR.md "4 bit integer types").
 * - MatMulBnb4 (com.microsoft; onnxruntime contrib_ops/cpu/quantization/blockwise_quant_block_bnb4.h): the
 *   transposed weight [N, K] flattened, cut in blocks of block_size, absmax float per block, each value the index
 *   of the nearest entry of the FP4 / NF4 table after dividing by absmax, two a byte, the first in the HIGH nibble.
 * - MatMulInteger with DynamicQuantizeLinear (onnxruntime's IntegerOps quantizer as transformers.js
 *   scripts/quantize.py runs it for `_int8` / `_uint8` / `_quantized`): the activation quantized per call to uint8; the weight per tensor, int8 symmetric (scale = absmax / 127, zero
 *   point 0) or uint8 asymmetric (range widened to 0, scale = (max - min) / 255); MatMulInteger -> Cast ->
 *   Mul by (activation scale * weight scale), the last Mul writing the original MatMul output.
 */
import { rename, readFile, writeFile } from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { writeLlamaModelFolder, type LlamaConfig, type WeightMap } from './llama';
import { decodeModel, encode, graphOf, int64Initializer, type Model, type Node } from './graph-edit';

// onnx-proto predates the 4-bit types: int4 = 22 (onnx/onnx.proto TensorProto.DataType).
const T = { ...onnx.TensorProto.DataType, INT4: 22 } as const;

export type LlamaWeightFormat =
  | { kind: 'MatMulNBits'; bits: 8; blockSize: number }
  | { kind: 'QDQ'; bits: 4 | 8; blockSize: number | 'per-channel' }
  | { kind: 'MatMulBnb4'; quantType: 'nf4' | 'fp4'; blockSize: number }
  | { kind: 'MatMulInteger'; signed: boolean };

/** A MatMul's B operand: row-major [K, N]. */
interface Weight {
  readonly name: string;
  readonly K: number;
  readonly N: number;
  readonly data: Float32Array;
}

interface Replacement {
  nodes: Node[];
  initializers: onnx.ITensorProto[];
  /** [K, N]: what the stored weight dequantizes to, by the op's spec. */
  dequantized: Float32Array;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const raw = (a: Float32Array | Int8Array | Uint8Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const attr = (name: string, i: number): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i,
});

function contrib(opType: string, inputs: string[], output: string, name: string, attrs: Record<string, number>): Node {
  const attribute = Object.entries(attrs).map(([key, value]) => attr(key, value));
  return { opType, domain: 'com.microsoft', input: inputs, output: [output], name, attribute };
}

function matMulNBits8(w: Weight, x: string, out: string, name: string, blockSize: number): Replacement {
  const { K, N, data } = w;
  const nBlocks = Math.ceil(K / blockSize);
  const packed = new Uint8Array(N * nBlocks * blockSize);
  const scales = new Float32Array(N * nBlocks);
  const dequantized = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < nBlocks; b++) {
      let m = 0;
      for (let k = b * blockSize; k < Math.min(K, (b + 1) * blockSize); k++)
        if (Math.abs(data[k * N + n]) > Math.abs(m)) m = data[k * N + n];
      const scale = Math.fround(m / -128);
      const inverse = scale === 0 ? 0 : 1 / scale;
      scales[n * nBlocks + b] = scale;
      for (let j = 0; j < blockSize; j++) {
        const k = b * blockSize + j;
        const v = k < K ? data[k * N + n] : 0;
        const q = clamp(Math.round(v * inverse + 128), 0, 255);
        packed[(n * nBlocks + b) * blockSize + j] = q;
        if (k < K) dequantized[k * N + n] = (q - 128) * scale;
      }
    }
  }
  return {
    nodes: [
      contrib('MatMulNBits', [x, w.name, `${w.name}_scales`], out, name, { K, N, bits: 8, block_size: blockSize }),
    ],
    initializers: [
      { name: w.name, dataType: T.UINT8, dims: [N, nBlocks, blockSize], rawData: packed },
      { name: `${w.name}_scales`, dataType: T.FLOAT, dims: [N * nBlocks], rawData: raw(scales) },
    ],
    dequantized,
  };
}

function qdq(
  w: Weight,
  x: string,
  out: string,
  name: string,
  bits: 4 | 8,
  blockSize: number | 'per-channel',
): Replacement {
  const { K, N, data } = w;
  const qmax = bits === 4 ? 7 : 127;
  const rows = blockSize === 'per-channel' ? 1 : Math.ceil(K / blockSize);
  const rowOf = (k: number): number => (blockSize === 'per-channel' ? 0 : Math.floor(k / blockSize));
  const absmax = new Float32Array(rows * N);
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++)
      absmax[rowOf(k) * N + n] = Math.max(absmax[rowOf(k) * N + n], Math.abs(data[k * N + n]));
  const scales = absmax.map((m) => m / qmax);
  const q = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const scale = scales[rowOf(k) * N + n];
      q[k * N + n] = scale === 0 ? 0 : clamp(Math.round(data[k * N + n] / scale), -qmax - 1, qmax);
    }
  }
  const dequantized = Float32Array.from(q, (v, i) => v * scales[rowOf(Math.floor(i / N)) * N + (i % N)]);
  let payload = raw(q);
  if (bits === 4) {
    payload = new Uint8Array(Math.ceil((K * N) / 2));
    for (let i = 0; i < q.length; i++) payload[i >> 1] |= (q[i] & 0xf) << (i % 2 === 0 ? 0 : 4);
  }
  const blocked = blockSize !== 'per-channel';
  const dq = `${w.name}_DequantizeLinear`;
  return {
    nodes: [
      {
        opType: 'DequantizeLinear',
        input: [w.name, `${w.name}_scale`],
        output: [`${dq}_output_0`],
        name: `${name}_DequantizeLinear`,
        attribute: blocked ? [attr('axis', 0), attr('block_size', blockSize)] : [attr('axis', 1)],
      },
      { opType: 'MatMul', input: [x, `${dq}_output_0`], output: [out], name },
    ],
    initializers: [
      { name: w.name, dataType: bits === 4 ? T.INT4 : T.INT8, dims: [K, N], rawData: payload },
      { name: `${w.name}_scale`, dataType: T.FLOAT, dims: blocked ? [rows, N] : [N], rawData: raw(scales) },
    ],
    dequantized,
  };
}

// blockwise_quant_block_bnb4.h fp4_qaunt_map / nf4_qaunt_map (index = stored 4-bit code).
const FP4 = [
  0, 5.208333333e-3, 0.66666667, 1, 0.33333333, 0.5, 0.16666667, 0.25, -0, -5.208333333e-3, -0.66666667, -1,
  -0.33333333, -0.5, -0.16666667, -0.25,
];
const NF4 = [
  -1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
  -0.09105003625154495, 0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1,
];

function nearestCode(table: readonly number[], v: number): number {
  let best = 0;
  for (let i = 1; i < table.length; i++) if (Math.abs(table[i] - v) < Math.abs(table[best] - v)) best = i;
  return best;
}

function bnb4(
  w: Weight,
  x: string,
  out: string,
  name: string,
  quantType: 'nf4' | 'fp4',
  blockSize: number,
): Replacement {
  const { K, N, data } = w;
  const numel = K * N;
  const transposed = new Float32Array(numel);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) transposed[n * K + k] = data[k * N + n];
  const blocks = Math.ceil(numel / blockSize);
  const absmax = new Float32Array(blocks);
  for (let i = 0; i < numel; i++)
    absmax[Math.floor(i / blockSize)] = Math.max(absmax[Math.floor(i / blockSize)], Math.abs(transposed[i]));
  const table = quantType === 'nf4' ? NF4 : FP4;
  const packed = new Uint8Array(Math.ceil(numel / 2));
  const dequantized = new Float32Array(numel);
  for (let i = 0; i < numel; i++) {
    const m = absmax[Math.floor(i / blockSize)];
    const code = nearestCode(table, m === 0 ? 0 : transposed[i] / m);
    packed[i >> 1] |= i % 2 === 0 ? code << 4 : code;
    dequantized[(i % K) * N + Math.floor(i / K)] = Math.fround(table[code]) * m;
  }
  const attrs = { K, N, block_size: blockSize, quant_type: quantType === 'fp4' ? 0 : 1 };
  return {
    nodes: [contrib('MatMulBnb4', [x, w.name, `${w.name}_absmax`], out, name, attrs)],
    initializers: [
      { name: w.name, dataType: T.UINT8, dims: [packed.length], rawData: packed },
      { name: `${w.name}_absmax`, dataType: T.FLOAT, dims: [blocks], rawData: raw(absmax) },
    ],
    dequantized,
  };
}

function matMulInteger(w: Weight, x: string, out: string, name: string, signed: boolean): Replacement {
  const { data } = w;
  let scale: number;
  let zeroPoint: number;
  if (signed) {
    scale = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127;
    zeroPoint = 0;
  } else {
    const lo = data.reduce((m, v) => Math.min(m, v), 0);
    const hi = data.reduce((m, v) => Math.max(m, v), 0);
    scale = (hi - lo) / 255;
    zeroPoint = scale === 0 ? 0 : clamp(Math.round(-lo / scale), 0, 255);
  }
  const q = signed ? new Int8Array(data.length) : new Uint8Array(data.length);
  const [qmin, qmax] = signed ? [-127, 127] : [0, 255];
  for (let i = 0; i < data.length; i++)
    q[i] = scale === 0 ? zeroPoint : clamp(Math.round(data[i] / scale) + zeroPoint, qmin, qmax);
  const dequantized = Float32Array.from(q, (v) => (v - zeroPoint) * scale);
  const p = name;
  const type = signed ? T.INT8 : T.UINT8;
  return {
    nodes: [
      { opType: 'DynamicQuantizeLinear', input: [x], output: [`${p}_xq`, `${p}_xs`, `${p}_xzp`], name: `${p}_quant` },
      {
        opType: 'MatMulInteger',
        input: [`${p}_xq`, w.name, `${p}_xzp`, `${w.name}_zero_point`],
        output: [`${p}_int32`],
        name: `${p}_MatMulInteger`,
      },
      {
        opType: 'Cast',
        input: [`${p}_int32`],
        output: [`${p}_float`],
        name: `${p}_cast`,
        attribute: [attr('to', T.FLOAT)],
      },
      { opType: 'Mul', input: [`${p}_xs`, `${w.name}_scale`], output: [`${p}_scale`], name: `${p}_scales_mul` },
      { opType: 'Mul', input: [`${p}_float`, `${p}_scale`], output: [out], name: `${p}_output_scale_mul` },
    ],
    initializers: [
      { name: w.name, dataType: type, dims: [w.K, w.N], rawData: raw(q) },
      { name: `${w.name}_scale`, dataType: T.FLOAT, dims: [], rawData: raw(Float32Array.of(scale)) },
      {
        name: `${w.name}_zero_point`,
        dataType: type,
        dims: [],
        rawData: raw(signed ? Int8Array.of(0) : Uint8Array.of(zeroPoint)),
      },
    ],
    dequantized,
  };
}

function replace(format: LlamaWeightFormat, w: Weight, node: Node): Replacement {
  const [x, out, name] = [node.input![0], node.output![0], node.name ?? w.name];
  switch (format.kind) {
    case 'MatMulNBits':
      return matMulNBits8(w, x, out, name, format.blockSize);
    case 'QDQ':
      return qdq(w, x, out, name, format.bits, format.blockSize);
    case 'MatMulBnb4':
      return bnb4(w, x, out, name, format.quantType, format.blockSize);
    case 'MatMulInteger':
      return matMulInteger(w, x, out, name, format.signed);
  }
}

/**
 * Opset 21 for DequantizeLinear's block_size and int4 (IR version 10). ReduceMean (RMSNorm) is the op of the
 * opset-17 Llama graph to rewrite: its axes moved from an attribute to an input at opset 18.
 */
function toOpset21(model: Model): void {
  model.irVersion = 10;
  model.opsetImport = (model.opsetImport ?? []).map((o) => (o.domain ? o : { domain: '', version: 21 }));
  const graph = graphOf(model);
  for (const node of graph.node ?? []) {
    const axes = node.attribute?.find((a) => a.name === 'axes');
    if (node.opType !== 'ReduceMean' || !axes) continue;
    const input = `${node.name}_axes`;
    graph.initializer!.push(int64Initializer(input, (axes.ints ?? []).map(Number)));
    node.input = [...(node.input ?? []), input];
    node.attribute = node.attribute!.filter((a) => a !== axes);
  }
}

/**
 * The encoded fp32 Llama with every weight MatMul stored in `format`. With `fakeQuant`, the graph stays fp32 and
 * each weight becomes the float values its encoding dequantizes to (by the op's spec), the reference a run of the
 * encoded model must reproduce: a wrong byte layout or a misread spec shows up as drift between the two.
 */
export function rewriteLlamaWeights(
  bytes: Uint8Array,
  format: LlamaWeightFormat,
  options: { fakeQuant?: boolean } = {},
): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const nodes: Node[] = [];
  const replaced = new Set<string>();
  for (const node of graph.node ?? []) {
    const b = node.opType === 'MatMul' ? initializers.get(node.input?.[1] ?? '') : undefined;
    if (!b || b.dims?.length !== 2 || b.dataType !== T.FLOAT || !b.rawData) {
      nodes.push(node);
      continue;
    }
    const copy = new Uint8Array(b.rawData);
    const [K, N] = b.dims.map(Number);
    const weight = { name: b.name!, K, N, data: new Float32Array(copy.buffer, 0, K * N) };
    const replacement = replace(format, weight, node);
    replaced.add(weight.name);
    if (options.fakeQuant) {
      nodes.push(node);
      initializers.set(weight.name, { ...b, rawData: raw(replacement.dequantized) });
      continue;
    }
    nodes.push(...replacement.nodes);
    for (const tensor of replacement.initializers) initializers.set(tensor.name!, tensor);
  }
  if (replaced.size === 0) throw new Error('no MatMul with a 2-D float32 initializer weight');
  graph.node = nodes;
  graph.initializer = [...initializers.values()];
  if (options.fakeQuant) return encode(model);
  if (format.kind === 'QDQ' && (format.bits === 4 || format.blockSize !== 'per-channel')) toOpset21(model);
  if (format.kind === 'MatMulNBits' || format.kind === 'MatMulBnb4') {
    model.opsetImport = [...(model.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  return encode(model);
}

/** An optimum-layout folder (configs, tokenizer, model.onnx) whose model.onnx stores its weights in `format`. */
export async function writeLlamaWeightFormatFolder(
  dir: string,
  cfg: LlamaConfig,
  weights: WeightMap,
  format: LlamaWeightFormat,
  options: { fakeQuant?: boolean } = {},
): Promise<string> {
  const folder = await writeLlamaModelFolder(dir, cfg, weights, { dtype: 'float32' });
  await writeLlamaWeightFormat(folder.modelPath, folder.modelPath, format, options);
  return dir;
}

/** Reads the fp32 Llama at `source` and writes its rewrite to `target` (a temporary name, then a rename). */
export async function writeLlamaWeightFormat(
  source: string,
  target: string,
  format: LlamaWeightFormat,
  options: { fakeQuant?: boolean } = {},
): Promise<void> {
  const bytes = rewriteLlamaWeights(await readFile(source), format, options);
  const partial = `${target}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, target);
}
