/**
 * Header-only ONNX inspection: walks ModelProto -> GraphProto with the wire-format reader and skips every
 * tensor payload by its length prefix, so a multi-GB model costs kilobytes of reads (bench/inspect).
 *
 * Field numbers: onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto). Operator semantics: DOMAIN-REFERENCE.md §5.1 (MatMulNBits) and §5.2 (QDQ).
 */
import type { ReadBudget } from '../models/bounds';
import { Tally } from '../models/tally';
import { SyncHeaderSource } from './inspect-source';
import { MemorySource, MessageReader, WireFormatError, WireType, type ByteSource, type FieldHeader } from './wire';

/** TensorProto.DataType names, as ONNX spells them (onnx.proto). */
export const ONNX_DTYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

export interface OnnxInitializer {
  readonly name: string;
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly elements: number;
  /** Stored in an external data file (TensorProto.data_location = EXTERNAL). */
  readonly external: boolean;
  /** Where the payload is inside this file, for the rare small payload we do read (QDQ zero points). */
  readonly rawData?: { offset: number; length: number };
}

export interface MatMulNBitsInfo {
  readonly name: string;
  readonly bits: number;
  readonly blockSize: number;
  readonly accuracyLevel: number;
  readonly K: number;
  readonly N: number;
  /** A zero_points input is wired: asymmetric (absent means the fixed 2^(bits-1), i.e. symmetric). */
  readonly hasZeroPoints: boolean;
  readonly inputs: readonly string[];
}

/**
 * One MatMul-like node with a constant weight, and how that weight is stored. Every weight format the inspector
 * knows ends up here, so precision (src/core/models/precision.ts) is decided from one list:
 * - `MatMulNBits` (com.microsoft): `bits` 2/4/8, `block_size`, zero points as input 3, `g_idx` as input 4.
 * - `QDQ`: a DequantizeLinear of an int4/uint4/int8/uint8 initializer feeding the MatMul; `block_size` set means
 *   blocked (opset 21), a 1-D scale means per-channel, a scalar scale per-tensor.
 * - `MatMulBnb4` (com.microsoft): `quant_type` 0 FP4, 1 NF4 (onnxruntime
 *   onnxruntime/python/tools/quantization/matmul_bnb4_quantizer.py), `block_size`.
 * - `MatMulInteger`: int8/uint8 weights with activations quantized at run time by DynamicQuantizeLinear
 *   (onnxruntime's quantize_dynamic, the transformers.js `_quantized`/`_int8`/`_uint8` files).
 * - `float`: a MatMul or Gemm whose B is a float initializer.
 */
export interface WeightMatMul {
  readonly kind: 'float' | 'MatMulNBits' | 'QDQ' | 'MatMulBnb4' | 'MatMulInteger';
  /** `fp32`, `fp16`, `bf16`, `int2`, `int4`, `int8`, `nf4`, `fp4`. */
  readonly dtype: string;
  readonly bits: number;
  /** Block size; -1 per-channel (one scale per output column); 0 per-tensor; null for float weights. */
  readonly groupSize: number | null;
  /** null where it does not apply (float, bnb4) or cannot be told. */
  readonly sym: boolean | null;
  readonly accuracyLevel: number | null;
  /** One block spans all of K (MatMulNBits block_size >= K): per-column scales for this node. */
  readonly wholeK?: boolean;
  /** MatMulNBits with a g_idx input (act-order GPTQ): groups are not contiguous along K. */
  readonly gIdx: boolean;
  /** Inside an If/Loop/Scan body (a merged decoder's branches), not the top-level graph. */
  readonly inSubgraph: boolean;
}

export interface ValueInfo {
  readonly name: string;
  readonly dtype: string | null;
  /** Dimension values or symbolic names (`batch_size`), null where unset. */
  readonly shape: readonly (number | string | null)[] | null;
}

export interface OnnxSummary {
  readonly irVersion: number | null;
  readonly producer: string | null;
  readonly opsets: Readonly<Record<string, number>>;
  readonly opCounts: Readonly<Record<string, number>>;
  readonly matMulNBits: readonly MatMulNBitsInfo[];
  /** DequantizeLinear nodes whose quantized input is an int4/uint4 initializer (QDQ INT4). */
  readonly qdq: {
    readonly int4Nodes: number;
    readonly int8Nodes: number;
    readonly blockSizes: readonly number[];
    readonly withZeroPoint: number;
    readonly signedTypes: number;
  };
  readonly initializers: readonly OnnxInitializer[];
  /** Every MatMul with a constant weight, top-level graph and If/Loop bodies alike. */
  readonly weightMatMuls: readonly WeightMatMul[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly externalDataFiles: readonly string[];
  /** Count of initializer elements by dtype, for the dominant precision. */
  readonly elementsByDtype: Readonly<Record<string, number>>;
  /** Logical parameters: float/int weights plus N*K per MatMulNBits, not counting scales and zero points. */
  readonly params: number;
  readonly bytesRead: number;
  readonly fileSize: number;
  /** ModelProto.metadata_props (small key/value strings, e.g. the recipe a quantizer recorded). */
  readonly metadata: Readonly<Record<string, string>>;
}

interface RawNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  ints: ReadonlyMap<string, number>;
  inSubgraph: boolean;
}

interface GraphSink {
  nodes: RawNode[];
  initializers: OnnxInitializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** If/Loop bodies nest; a hostile file could nest them without end. Real merged decoders use one level. */
const MAX_SUBGRAPH_DEPTH = 8;

/** Messages below this size are read in one go and walked in memory: fewer awaits, same bytes. */
const SMALL_MESSAGE = 64 * 1024;

/**
 * Counts a real graph stays far below (a 70B decoder exports to tens of thousands of nodes), so a file of millions of
 * empty messages costs a bounded amount of memory and time before it is called corrupt.
 */
export const ONNX_LIMITS = {
  nodes: 200_000,
  initializers: 200_000,
  valueInfos: 100_000,
  /** Inputs and attributes of one node. */
  perNode: 10_000,
  /** Tensor rank (dims entries). */
  dims: 64,
  /** Opset imports and metadata entries. */
  entries: 10_000,
} as const;

function tooMany(what: string, limit: number, offset: number): WireFormatError {
  return new WireFormatError(`more than ${limit} ${what}: not a real model (corrupt or hostile file)`, offset);
}

export async function inspectOnnxFile(
  path: string,
  opts: { signal?: AbortSignal; budget?: ReadBudget } = {},
): Promise<OnnxSummary> {
  // Small chunks: every initializer header sits in a different part of the file, and a 16 KB chunk per
  // header would make a 64-tensor model cost 1 MB of reads for a few hundred bytes of headers.
  return SyncHeaderSource.inspect(path, 1024, 512, (source) => inspectOnnx(source, opts), opts.budget);
}

export async function inspectOnnx(source: ByteSource, opts: { signal?: AbortSignal } = {}): Promise<OnnxSummary> {
  if (source.size === 0) throw new Error('the file is empty (0 bytes)');
  const model = new MessageReader(source, 0, source.size);
  let irVersion: number | null = null;
  let producer: string | null = null;
  const opsets = new Map<string, number>();
  const nodes: RawNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const metadata = new Map<string, string>();
  let sawGraph = false;

  for (let field = await model.next(); field; field = await model.next()) {
    opts.signal?.throwIfAborted();
    if (opsets.size + metadata.size > ONNX_LIMITS.entries)
      throw tooMany('opset imports and metadata entries', ONNX_LIMITS.entries, field.valueOffset);
    if (field.field === 1 && field.wireType === WireType.Varint) irVersion = field.varint ?? null;
    else if (field.field === 2 && field.wireType === WireType.LengthDelimited) producer = await model.string(field);
    else if (field.field === 8 && field.wireType === WireType.LengthDelimited) {
      const opset = await small(model, field);
      let domain = '';
      let version = 0;
      for (let f = await opset.next(); f; f = await opset.next()) {
        if (f.field === 1 && f.wireType === WireType.LengthDelimited) domain = await opset.string(f);
        else if (f.field === 2 && f.wireType === WireType.Varint) version = f.varint ?? 0;
      }
      opsets.set(domain || 'ai.onnx', version);
    } else if (field.field === 14 && field.wireType === WireType.LengthDelimited) {
      // metadata_props: StringStringEntryProto { key = 1; value = 2 }
      const entry = await small(model, field);
      let key = '';
      let value = '';
      for (let f = await entry.next(); f; f = await entry.next()) {
        if (f.field === 1 && f.wireType === WireType.LengthDelimited) key = await entry.string(f);
        else if (f.field === 2 && f.wireType === WireType.LengthDelimited) value = await entry.string(f);
      }
      if (key) metadata.set(key, value);
    } else if (field.field === 7 && field.wireType === WireType.LengthDelimited) {
      sawGraph = true;
      await readGraph(model.sub(field), { nodes, initializers, inputs, outputs }, opts.signal);
    }
  }
  if (!sawGraph) throw new Error('no graph in this file: not an ONNX model, or truncated before the graph');
  return summarise(
    {
      irVersion,
      producer,
      opsets: Object.fromEntries(opsets),
      nodes,
      initializers,
      inputs,
      outputs,
      metadata: Object.fromEntries(metadata),
    },
    source,
  );
}

async function small(parent: MessageReader, field: FieldHeader): Promise<MessageReader> {
  if (field.length > SMALL_MESSAGE) return parent.sub(field);
  const bytes = await parent.bytes(field);
  return new MessageReader(new MemorySource(bytes), 0, bytes.length);
}

async function readGraph(
  graph: MessageReader,
  out: GraphSink,
  signal: AbortSignal | undefined,
  depth = 0,
): Promise<void> {
  for (let field = await graph.next(); field; field = await graph.next()) {
    signal?.throwIfAborted();
    if (field.wireType !== WireType.LengthDelimited) continue;
    if (field.field === 1) {
      if (out.nodes.length >= ONNX_LIMITS.nodes) throw tooMany('nodes', ONNX_LIMITS.nodes, field.valueOffset);
      out.nodes.push(await readNode(await small(graph, field), out, signal, depth));
    } else if (field.field === 5) {
      if (out.initializers.length >= ONNX_LIMITS.initializers)
        throw tooMany('initializers', ONNX_LIMITS.initializers, field.valueOffset);
      out.initializers.push(await readTensor(graph.sub(field)));
    } else if (field.field === 11 || field.field === 12) {
      const list = field.field === 11 ? out.inputs : out.outputs;
      if (list.length >= ONNX_LIMITS.valueInfos)
        throw tooMany('graph inputs or outputs', ONNX_LIMITS.valueInfos, field.valueOffset);
      list.push(await readValueInfo(await small(graph, field)));
    }
  }
}

/** Shared by the nodes without integer attributes (most of a graph): one Map less per node. */
const NO_INTS: ReadonlyMap<string, number> = new Map();

async function readNode(
  node: MessageReader,
  graph: GraphSink,
  signal: AbortSignal | undefined,
  depth: number,
): Promise<RawNode> {
  const raw: RawNode = {
    opType: '',
    domain: '',
    name: '',
    inputs: [],
    outputs: [],
    ints: NO_INTS,
    inSubgraph: depth > 0,
  };
  let entries = 0;
  for (let field = await node.next(); field; field = await node.next()) {
    if (field.wireType !== WireType.LengthDelimited) continue;
    if (++entries > ONNX_LIMITS.perNode)
      throw tooMany('inputs and attributes in one node', ONNX_LIMITS.perNode, field.valueOffset);
    if (field.field === 1) raw.inputs.push(await node.string(field));
    else if (field.field === 2) raw.outputs.push(await node.string(field));
    else if (field.field === 3) raw.name = await node.string(field);
    else if (field.field === 4) raw.opType = await node.string(field);
    else if (field.field === 7) raw.domain = await node.string(field);
    else if (field.field === 5) {
      // AttributeProto: name = 1, i = 3, g = 6, graphs = 11. Integer attributes (bits, block_size, K, N, ...)
      // and the bodies of If/Loop/Scan, whose nodes and initializers join the graph's (merged decoders keep
      // their MatMuls in the If branches).
      const attribute = node.sub(field);
      let name = '';
      let value: number | undefined;
      for (let f = await attribute.next(); f; f = await attribute.next()) {
        if (f.field === 1 && f.wireType === WireType.LengthDelimited) name = await attribute.string(f);
        else if (f.field === 3 && f.wireType === WireType.Varint) value = f.varint ?? 0;
        else if ((f.field === 6 || f.field === 11) && f.wireType === WireType.LengthDelimited) {
          if (depth + 1 > MAX_SUBGRAPH_DEPTH) throw new Error(`subgraphs nested deeper than ${MAX_SUBGRAPH_DEPTH}`);
          const body: GraphSink = { nodes: graph.nodes, initializers: graph.initializers, inputs: [], outputs: [] };
          await readGraph(attribute.sub(f), body, signal, depth + 1);
        }
      }
      if (name && value !== undefined) {
        const ints = raw.ints === NO_INTS ? new Map<string, number>() : (raw.ints as Map<string, number>);
        raw.ints = ints.set(name, value);
      }
    }
  }
  return raw;
}

async function readTensor(tensor: MessageReader): Promise<OnnxInitializer> {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let external = false;
  let rawData: { offset: number; length: number } | undefined;
  for (let field = await tensor.next(); field; field = await tensor.next()) {
    if (field.field === 1) {
      // Pushed one by one: spreading a long packed field into push() overflows the call stack.
      if (field.wireType === WireType.Varint) dims.push(field.varint ?? 0);
      else if (field.wireType === WireType.LengthDelimited)
        for (const dim of await tensor.packedVarints(field)) dims.push(dim);
      if (dims.length > ONNX_LIMITS.dims) throw tooMany('tensor dimensions', ONNX_LIMITS.dims, field.valueOffset);
    } else if (field.field === 2 && field.wireType === WireType.Varint) dataType = field.varint ?? 0;
    else if (field.field === 8 && field.wireType === WireType.LengthDelimited) name = await tensor.string(field);
    else if (field.field === 9 && field.wireType === WireType.LengthDelimited)
      rawData = { offset: field.valueOffset, length: field.length };
    else if (field.field === 14 && field.wireType === WireType.Varint) external = field.varint === 1;
    else if (field.field === 13 && field.wireType === WireType.LengthDelimited) external = true;
  }
  const elements = dims.reduce((product, dim) => product * Math.max(dim, 0), 1);
  const initializer: OnnxInitializer = {
    name,
    dtype: ONNX_DTYPE_NAMES[dataType] ?? `type${dataType}`,
    dims,
    elements,
    external,
  };
  return rawData ? { ...initializer, rawData } : initializer;
}

/** The external data file of each EXTERNAL initializer is in its external_data entry `location`. */
export async function externalLocations(source: ByteSource): Promise<string[]> {
  // Kept separate from readTensor: only models with external data pay for reading the key/value strings.
  const locations = new Set<string>();
  const model = new MessageReader(source, 0, source.size);
  for (let field = await model.next(); field; field = await model.next()) {
    if (field.field !== 7 || field.wireType !== WireType.LengthDelimited) continue;
    const graph = model.sub(field);
    for (let g = await graph.next(); g; g = await graph.next()) {
      if (g.field !== 5 || g.wireType !== WireType.LengthDelimited) continue;
      const tensor = graph.sub(g);
      for (let t = await tensor.next(); t; t = await tensor.next()) {
        if (t.field !== 13 || t.wireType !== WireType.LengthDelimited) continue;
        const entry = await small(tensor, t);
        let key = '';
        let value = '';
        for (let e = await entry.next(); e; e = await entry.next()) {
          if (e.field === 1 && e.wireType === WireType.LengthDelimited) key = await entry.string(e);
          else if (e.field === 2 && e.wireType === WireType.LengthDelimited) value = await entry.string(e);
        }
        if (key === 'location' && value) locations.add(value);
      }
    }
  }
  return [...locations];
}

async function readValueInfo(info: MessageReader): Promise<ValueInfo> {
  let name = '';
  let dtype: string | null = null;
  let shape: (number | string | null)[] | null = null;
  for (let field = await info.next(); field; field = await info.next()) {
    if (field.field === 1 && field.wireType === WireType.LengthDelimited) name = await info.string(field);
    else if (field.field === 2 && field.wireType === WireType.LengthDelimited) {
      // TypeProto.tensor_type (1) -> elem_type (1), shape (2) -> dim (1) -> dim_value (1) | dim_param (2).
      const type = info.sub(field);
      for (let t = await type.next(); t; t = await type.next()) {
        if (t.field !== 1 || t.wireType !== WireType.LengthDelimited) continue;
        const tensorType = type.sub(t);
        for (let tt = await tensorType.next(); tt; tt = await tensorType.next()) {
          if (tt.field === 1 && tt.wireType === WireType.Varint) dtype = ONNX_DTYPE_NAMES[tt.varint ?? 0] ?? null;
          else if (tt.field === 2 && tt.wireType === WireType.LengthDelimited) {
            shape = [];
            const shapeReader = tensorType.sub(tt);
            for (let d = await shapeReader.next(); d; d = await shapeReader.next()) {
              if (d.field !== 1 || d.wireType !== WireType.LengthDelimited) continue;
              if (shape.length >= ONNX_LIMITS.dims) throw tooMany('shape dimensions', ONNX_LIMITS.dims, d.valueOffset);
              const dim = shapeReader.sub(d);
              let value: number | string | null = null;
              for (let dv = await dim.next(); dv; dv = await dim.next()) {
                if (dv.field === 1 && dv.wireType === WireType.Varint) value = dv.varint ?? 0;
                else if (dv.field === 2 && dv.wireType === WireType.LengthDelimited) value = await dim.string(dv);
              }
              shape.push(value);
            }
          }
        }
      }
    }
  }
  return { name, dtype, shape };
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'bfloat16', 'float64']);
const QUANT_TYPES = new Set(['int4', 'uint4', 'int8', 'uint8']);

async function summarise(
  parts: {
    irVersion: number | null;
    producer: string | null;
    opsets: Record<string, number>;
    nodes: RawNode[];
    initializers: OnnxInitializer[];
    inputs: ValueInfo[];
    outputs: ValueInfo[];
    metadata: Record<string, string>;
  },
  source: ByteSource,
): Promise<OnnxSummary> {
  const opCounts = new Tally();
  const byName = new Map(parts.initializers.map((init) => [init.name, init]));
  const notWeights = new Set<string>(); // scales, zero points, packed blobs counted another way
  const matMulNBits: MatMulNBitsInfo[] = [];
  const qdq = { int4Nodes: 0, int8Nodes: 0, blockSizes: [] as number[], withZeroPoint: 0, signedTypes: 0 };
  const blockSizes = new Set<number>();
  const zeroChecked = new Map<string, boolean>();
  let params = 0;

  for (const node of parts.nodes) {
    const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::${node.opType}` : node.opType;
    opCounts.add(key);
    if (node.opType === 'MatMulNBits') {
      const K = node.ints.get('K') ?? 0;
      const N = node.ints.get('N') ?? 0;
      matMulNBits.push({
        name: node.name,
        bits: node.ints.get('bits') ?? 4,
        blockSize: node.ints.get('block_size') ?? 0,
        accuracyLevel: node.ints.get('accuracy_level') ?? 0,
        K,
        N,
        hasZeroPoints: Boolean(node.inputs[3]),
        inputs: node.inputs,
      });
      params += K * N;
      for (const input of node.inputs.slice(1, 4)) if (input) notWeights.add(input);
    } else if (node.opType === 'DequantizeLinear') {
      const quantized = byName.get(node.inputs[0] ?? '');
      for (const input of node.inputs.slice(1, 3)) if (input) notWeights.add(input);
      if (!quantized || !QUANT_TYPES.has(quantized.dtype)) continue;
      if (quantized.dtype.endsWith('4')) qdq.int4Nodes++;
      else qdq.int8Nodes++;
      if (quantized.dtype.startsWith('int')) qdq.signedTypes++;
      const blockSize = node.ints.get('block_size');
      if (blockSize) blockSizes.add(blockSize);
      const zeroPoint = byName.get(node.inputs[2] ?? '');
      if (!zeroPoint) continue;
      // Read each zero point once, however many nodes share it.
      let zero = zeroChecked.get(zeroPoint.name);
      if (zero === undefined) zeroChecked.set(zeroPoint.name, (zero = await allZero(zeroPoint, source)));
      if (!zero) qdq.withZeroPoint++;
    }
  }

  const weightMatMuls = await weightMatMulsOf(parts.nodes, byName, source);
  const elementsByDtype = new Tally();
  const externalDataFiles = new Set<string>();
  let anyExternal = false;
  for (const init of parts.initializers) {
    elementsByDtype.add(init.dtype, init.elements);
    if (init.external) anyExternal = true;
    if (notWeights.has(init.name)) continue;
    if (FLOAT_TYPES.has(init.dtype) || QUANT_TYPES.has(init.dtype)) params += init.elements;
  }
  if (anyExternal) for (const location of await externalLocations(source)) externalDataFiles.add(location);
  for (const size of blockSizes) qdq.blockSizes.push(size);

  return {
    irVersion: parts.irVersion,
    producer: parts.producer,
    opsets: parts.opsets,
    opCounts: opCounts.toObject(),
    matMulNBits,
    qdq,
    initializers: parts.initializers,
    weightMatMuls,
    inputs: parts.inputs,
    outputs: parts.outputs,
    externalDataFiles: [...externalDataFiles],
    elementsByDtype: elementsByDtype.toObject(),
    params,
    bytesRead: source.bytesRead,
    fileSize: source.size,
    metadata: parts.metadata,
  };
}

const FLOAT_NAMES: Readonly<Record<string, string>> = { float32: 'fp32', float16: 'fp16', bfloat16: 'bf16' };
/** Ops a DequantizeLinear output may pass through on its way to the MatMul (QNN/Olive QDQ graphs). */
const PASS_THROUGH = new Set(['Transpose', 'Reshape', 'Cast', 'Identity']);

async function weightMatMulsOf(
  nodes: readonly RawNode[],
  byName: ReadonlyMap<string, OnnxInitializer>,
  source: ByteSource,
): Promise<WeightMatMul[]> {
  const producer = new Map<string, RawNode>();
  for (const node of nodes) for (const output of node.outputs) producer.set(output, node);
  const dequantizerOf = (name: string): RawNode | undefined => {
    let node = producer.get(name);
    for (let hops = 0; node && PASS_THROUGH.has(node.opType) && hops < 3; hops++)
      node = producer.get(node.inputs[0] ?? '');
    return node?.opType === 'DequantizeLinear' ? node : undefined;
  };
  const zeroPointSym = async (zeroPointName: string | undefined, signed: boolean): Promise<boolean | null> => {
    if (!zeroPointName) return signed ? true : null;
    const zeroPoint = byName.get(zeroPointName);
    if (!zeroPoint) return false;
    return signed && (await allZero(zeroPoint, source));
  };
  const common = (node: RawNode) => ({ accuracyLevel: null, gIdx: false, inSubgraph: node.inSubgraph });
  const found: WeightMatMul[] = [];
  for (const node of nodes) {
    if (node.opType === 'MatMulNBits') {
      const bits = node.ints.get('bits') ?? 4;
      const K = node.ints.get('K') ?? 0;
      const blockSize = node.ints.get('block_size') ?? 0;
      found.push({
        kind: 'MatMulNBits',
        dtype: `int${bits}`,
        bits,
        groupSize: blockSize,
        wholeK: K > 0 && blockSize >= K,
        sym: !node.inputs[3],
        accuracyLevel: node.ints.get('accuracy_level') ?? 0,
        gIdx: Boolean(node.inputs[4]),
        inSubgraph: node.inSubgraph,
      });
    } else if (node.opType === 'MatMulBnb4') {
      found.push({
        ...common(node),
        kind: 'MatMulBnb4',
        dtype: node.ints.get('quant_type') === 0 ? 'fp4' : 'nf4',
        bits: 4,
        groupSize: node.ints.get('block_size') ?? null,
        sym: null,
      });
    } else if (node.opType === 'MatMulInteger') {
      const weight = byName.get(node.inputs[1] ?? '');
      if (!weight) continue;
      const signed = weight.dtype === 'int8';
      const zeroPoint = byName.get(node.inputs[3] ?? '');
      found.push({
        ...common(node),
        kind: 'MatMulInteger',
        dtype: 'int8',
        bits: 8,
        groupSize: zeroPoint && zeroPoint.elements > 1 ? -1 : 0,
        sym: await zeroPointSym(node.inputs[3], signed),
      });
    } else if (node.opType === 'MatMul' || node.opType === 'Gemm') {
      const weightName = node.inputs[1] ?? '';
      const float = byName.get(weightName);
      if (float && FLOAT_NAMES[float.dtype] && float.dims.length === 2) {
        const dtype = FLOAT_NAMES[float.dtype];
        found.push({
          ...common(node),
          kind: 'float',
          dtype,
          bits: dtype === 'fp32' ? 32 : 16,
          groupSize: null,
          sym: null,
        });
        continue;
      }
      const dq = dequantizerOf(weightName);
      const quantized = dq && byName.get(dq.inputs[0] ?? '');
      if (!dq || !quantized || !QUANT_TYPES.has(quantized.dtype)) continue;
      const bits = quantized.dtype.endsWith('4') ? 4 : 8;
      const scale = byName.get(dq.inputs[1] ?? '');
      const blockSize = dq.ints.get('block_size');
      found.push({
        ...common(node),
        kind: 'QDQ',
        dtype: `int${bits}`,
        bits,
        groupSize: blockSize ? blockSize : scale && scale.elements > 1 ? -1 : 0,
        sym: await zeroPointSym(dq.inputs[2], quantized.dtype.startsWith('int')),
      });
    }
  }
  return found;
}

/**
 * A zero point that is all zeros (signed int4/int8) is symmetric. Zero points are tiny next to the weights;
 * read them only when they sit in this file and are small, otherwise count them as asymmetric.
 */
async function allZero(zeroPoint: OnnxInitializer, source: ByteSource): Promise<boolean> {
  if (!zeroPoint.rawData || zeroPoint.rawData.length > SMALL_MESSAGE) return false;
  const bytes = await source.read(zeroPoint.rawData.offset, zeroPoint.rawData.length);
  return bytes.every((byte) => byte === 0);
}

/** `past_key_values.N.key` inputs: how many layers carry a KV cache, and the shape of one. */
export function pastKeyValuesLayout(
  inputs: readonly ValueInfo[],
): { layers: number; shape: ValueInfo['shape'] } | null {
  const keys = inputs.filter(
    (input) => /^past_key_values\.\d+\.key$/.test(input.name) || /^past\.\d+\.key$/.test(input.name),
  );
  if (keys.length === 0) return null;
  return { layers: keys.length, shape: keys[0].shape };
}
