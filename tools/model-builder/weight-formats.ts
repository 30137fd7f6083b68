/**
 * Small ONNX graphs whose MatMul weights are stored the way each quantizer stores them, for the precision
 * inspector's tests: a chain of square Linear layers, each in its own format, optionally inside the branches of
 * an `If` on `use_cache_branch` (optimum's merged decoder). Each format follows the op it imitates:
 * - MatMulNBits (com.microsoft, onnxruntime docs/ContribOperators.md): B uint8 [N, blocks, block*bits/8],
 *   scales [N*blocks], zero_points packed uint8 (asymmetric), g_idx int32 [K] (act-order); onnxruntime's
 *   MatMulNBitsQuantizer / the transformers.js `_q4` files.
 * - QDQ (ONNX DequantizeLinear, opset 21 `block_size`): int4/uint4/int8/uint8 weights with blocked or per-channel
 *   scales, as Olive's and the QNN flow's QDQ models store them.
 * - MatMulBnb4 (com.microsoft): packed 4-bit [ceil(K*N/2)], absmax [ceil(K*N/block)], quant_type 0 FP4 / 1 NF4
 *   (onnxruntime/python/tools/quantization/matmul_bnb4_quantizer.py; the transformers.js `_bnb4` files).
 * - MatMulInteger with DynamicQuantizeLinear (onnxruntime quantize_dynamic; transformers.js `_quantized`,
 *   `_int8`, `_uint8`, see its scripts/quantize.py).
 * - bf16: a bfloat16 initializer cast to float before the MatMul (CPU kernels have no bf16 MatMul).
 * Payload bytes are deterministic but meaningless: these graphs are for reading, and for onnxruntime to accept.
 */
import { onnx } from 'onnx-proto';

// onnx-proto predates the 4-bit types: uint4 = 21, int4 = 22 (onnx/onnx.proto TensorProto.DataType).
const T = { ...onnx.TensorProto.DataType, UINT4: 21, INT4: 22 } as const;

export type LinearFormat =
  | { kind: 'float'; dtype: 'fp32' | 'fp16' | 'bf16' }
  | { kind: 'MatMulNBits'; bits: 2 | 4 | 8; blockSize: number; sym: boolean; gIdx?: boolean; accuracyLevel?: number }
  | { kind: 'QDQ'; bits: 4 | 8; signed: boolean; blockSize: number | 'per-channel'; zeroPoint?: boolean }
  | { kind: 'MatMulBnb4'; quantType: 'nf4' | 'fp4'; blockSize: number }
  | { kind: 'MatMulInteger'; signed: boolean };

export interface WeightFormatModelOptions {
  /** Width of every Linear (K = N). A multiple of every block size used. */
  readonly width?: number;
  /** Put the chain in both branches of an If on `use_cache_branch`, as optimum's merged decoder does. */
  readonly insideIf?: boolean;
}

interface Builder {
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
  count: number;
  /** Prefix of node and weight names, so the two If branches never share a name. */
  prefix: string;
}

function filler(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

function floats(count: number, value: number): Uint8Array {
  return new Uint8Array(new Float32Array(count).fill(value).buffer);
}

function tensor(b: Builder, name: string, dataType: number, dims: number[], rawData: Uint8Array): string {
  b.initializers.push({ name, dataType, dims, rawData });
  return name;
}

function node(
  b: Builder,
  opType: string,
  inputs: string[],
  attributes: Record<string, number> = {},
  domain = '',
  outputs = 1,
): string[] {
  const name = `/${b.prefix}${opType}_${b.count++}`;
  const out = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
  b.nodes.push({
    name,
    opType,
    domain,
    input: inputs,
    output: out,
    attribute: Object.entries(attributes).map(([key, i]) => ({
      name: key,
      type: onnx.AttributeProto.AttributeType.INT,
      i,
    })),
  });
  return out;
}

/** One Linear: x [1, K] float -> [1, K] float, its weight stored in `format`. */
function linear(b: Builder, x: string, format: LinearFormat, K: number, index: number): string {
  const w = `${b.prefix}layers.${index}.weight`;
  switch (format.kind) {
    case 'float': {
      if (format.dtype === 'fp32')
        return node(b, 'MatMul', [x, tensor(b, w, T.FLOAT, [K, K], filler(K * K * 4, index))])[0];
      const dataType = format.dtype === 'fp16' ? T.FLOAT16 : T.BFLOAT16;
      const cast = node(b, 'Cast', [tensor(b, w, dataType, [K, K], filler(K * K * 2, index))], { to: T.FLOAT })[0];
      return node(b, 'MatMul', [x, cast])[0];
    }
    case 'MatMulNBits': {
      const { bits, blockSize } = format;
      const blocks = Math.ceil(K / blockSize);
      const inputs = [
        x,
        tensor(b, w, T.UINT8, [K, blocks, (blockSize * bits) / 8], filler((K * blocks * blockSize * bits) / 8, index)),
        tensor(b, `${w}_scales`, T.FLOAT, [K * blocks], floats(K * blocks, 0.01)),
      ];
      const zeroPointBytes = K * Math.ceil((blocks * bits) / 8);
      inputs.push(
        format.sym ? '' : tensor(b, `${w}_zp`, T.UINT8, [zeroPointBytes], filler(zeroPointBytes, index + 99)),
      );
      if (format.gIdx) {
        const gIdx = Int32Array.from({ length: K }, (_, k) => Math.floor(k / blockSize));
        inputs.push(tensor(b, `${w}_g_idx`, T.INT32, [K], new Uint8Array(gIdx.buffer)));
      }
      while (inputs[inputs.length - 1] === '') inputs.pop();
      return node(
        b,
        'MatMulNBits',
        inputs,
        { K, N: K, bits, block_size: blockSize, accuracy_level: format.accuracyLevel ?? 0 },
        'com.microsoft',
      )[0];
    }
    case 'QDQ': {
      const type = format.bits === 4 ? (format.signed ? T.INT4 : T.UINT4) : format.signed ? T.INT8 : T.UINT8;
      const bytes = format.bits === 4 ? Math.ceil((K * K) / 2) : K * K;
      const blocked = format.blockSize !== 'per-channel';
      const scaleDims = blocked ? [K / (format.blockSize as number), K] : [K];
      const scaleCount = scaleDims.reduce((a, c) => a * c, 1);
      const zeroType = format.bits === 4 ? (format.signed ? T.INT4 : T.UINT4) : format.signed ? T.INT8 : T.UINT8;
      const zeroBytes = format.bits === 4 ? Math.ceil(scaleCount / 2) : scaleCount;
      const inputs = [
        tensor(b, w, type, [K, K], filler(bytes, index)),
        tensor(b, `${w}_scale`, T.FLOAT, scaleDims, floats(scaleCount, 0.01)),
      ];
      if (format.zeroPoint) inputs.push(tensor(b, `${w}_zp`, zeroType, scaleDims, filler(zeroBytes, index + 7)));
      const attributes: Record<string, number> = blocked
        ? { axis: 0, block_size: format.blockSize as number }
        : { axis: 1 };
      const dq = node(b, 'DequantizeLinear', inputs, attributes)[0];
      return node(b, 'MatMul', [x, dq])[0];
    }
    case 'MatMulBnb4': {
      const packed = Math.ceil((K * K) / 2);
      const blocks = Math.ceil((K * K) / format.blockSize);
      return node(
        b,
        'MatMulBnb4',
        [
          x,
          tensor(b, w, T.UINT8, [packed], filler(packed, index)),
          tensor(b, `${w}_absmax`, T.FLOAT, [blocks], floats(blocks, 0.5)),
        ],
        { K, N: K, block_size: format.blockSize, quant_type: format.quantType === 'fp4' ? 0 : 1 },
        'com.microsoft',
      )[0];
    }
    case 'MatMulInteger': {
      const [q, scale, zero] = node(b, 'DynamicQuantizeLinear', [x], {}, '', 3) as [string, string, string];
      const weightType = format.signed ? T.INT8 : T.UINT8;
      const inputs = [q, tensor(b, w, weightType, [K, K], filler(K * K, index)), zero];
      if (!format.signed) inputs.push(tensor(b, `${w}_zp`, T.UINT8, [], Uint8Array.of(128)));
      const product = node(b, 'MatMulInteger', inputs)[0];
      const asFloat = node(b, 'Cast', [product], { to: T.FLOAT })[0];
      const weightScale = tensor(b, `${w}_scale`, T.FLOAT, [], floats(1, 0.01));
      const combined = node(b, 'Mul', [scale, weightScale])[0];
      return node(b, 'Mul', [asFloat, combined])[0];
    }
  }
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function chain(formats: readonly LinearFormat[], K: number, output: string, prefix = ''): Builder {
  const b: Builder = { nodes: [], initializers: [], count: 0, prefix };
  let x = 'x';
  formats.forEach((format, index) => {
    x = linear(b, x, format, K, index);
  });
  b.nodes.push({ name: `/${prefix}Identity_out`, opType: 'Identity', input: [x], output: [output] });
  return b;
}

/** Encodes a model whose Linears are stored as `formats` say (opset 21 for blocked QDQ, com.microsoft v1). */
export function buildWeightFormatModel(
  formats: readonly LinearFormat[],
  options: WeightFormatModelOptions = {},
): Uint8Array {
  const K = options.width ?? 64;
  let graph: onnx.IGraphProto;
  if (!options.insideIf) {
    const body = chain(formats, K, 'y');
    graph = { name: 'main_graph', node: body.nodes, initializer: body.initializers };
  } else {
    // Both branches run the same Linears with their weights inside the branch, as after a quantizer rewrote the
    // branch MatMuls in place (onnxruntime's quantizers recurse into If bodies).
    const branch = (label: string): onnx.IGraphProto => {
      const body = chain(formats, K, `y_${label}`, `${label}.`);
      return {
        name: `${label}_branch`,
        node: body.nodes,
        initializer: body.initializers,
        output: [valueInfo(`y_${label}`, T.FLOAT, [1, K])],
      };
    };
    const graphAttribute = (name: string, g: onnx.IGraphProto): onnx.IAttributeProto => ({
      name,
      type: onnx.AttributeProto.AttributeType.GRAPH,
      g,
    });
    graph = {
      name: 'main_graph',
      node: [
        {
          name: '/If_merged',
          opType: 'If',
          input: ['use_cache_branch'],
          output: ['y'],
          attribute: [graphAttribute('then_branch', branch('then')), graphAttribute('else_branch', branch('else'))],
        },
      ],
      initializer: [],
    };
  }
  graph.input = [
    valueInfo('x', T.FLOAT, [1, K]),
    ...(options.insideIf ? [valueInfo('use_cache_branch', T.BOOL, [1])] : []),
  ];
  graph.output = [valueInfo('y', T.FLOAT, [1, K])];
  return onnx.ModelProto.encode({
    irVersion: 10,
    producerName: 'quant-drift-model-builder',
    producerVersion: '0.1.0',
    opsetImport: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph,
  }).finish();
}
