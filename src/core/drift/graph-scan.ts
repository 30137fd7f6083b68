/**
 * Reads what the drift engine needs from an ONNX file without loading it: graph input/output names, their
 * element types and shapes, the op types present (EPContext, GroupQueryAttention...) and the attention attributes that decide whether the runner
 * can drive the graph. Nodes inside control-flow subgraphs (the `If` of an optimum merged decoder, `Loop`,
 * `Scan`) are read too, to a bounded depth. Walks the protobuf wire format and skips every tensor payload, so a
 * multi-GB model costs kilobytes of reads. A truncated or corrupt file fails here, with the byte offset, before
 * any runtime sees it.
 */
import { FileSource, MessageReader, WireFormatError, type FieldHeader } from '../onnx/wire';

export interface ValueInfo {
  readonly name: string;
  /** ONNX TensorProto.DataType: 1 float, 10 float16, 7 int64, ... (0 if unknown). */
  readonly elemType: number;
  /** Each dim: a number, or the symbolic name. */
  readonly shape: readonly (number | string)[];
}

/** Attributes of the fused attention ops (GroupQueryAttention, PagedAttention) that change how the KV cache is fed. */
export interface AttentionSummary {
  /** Distinct local_window_size values (sliding-window attention; -1 or absent means none). */
  readonly localWindowSizes: readonly number[];
  /** Nodes with sliding_window_cache=1: the past/present buffers are window-sized rings. */
  readonly slidingWindowCache: number;
  /** Nodes that store the KV cache quantized (k_quant_type / v_quant_type / kv_cache_bit_width set). */
  readonly quantizedCache: number;
}

export interface GraphScan {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Node count per op type, subgraphs included. */
  readonly opCounts: ReadonlyMap<string, number>;
  /** Nodes that live inside control-flow subgraphs (If/Loop/Scan bodies). */
  readonly subgraphNodes: number;
  readonly attention: AttentionSummary;
  /** The `source` attribute of EPContext nodes (e.g. QNNExecutionProvider, OpenVINOExecutionProvider). */
  readonly epContextSources: readonly string[];
  /** Tensors stored in external data files (name of the file). */
  readonly externalDataFiles: readonly string[];
}

export const ONNX_FLOAT = 1;
export const ONNX_FLOAT16 = 10;

// Field numbers of onnx.proto3.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_I = 3;
const ATTR_S = 4;
const ATTR_G = 6;
const ATTR_GRAPHS = 11;
/** Control flow nests rarely deeper than 2; a hostile file cannot make the walk recurse without bound. */
const MAX_SUBGRAPH_DEPTH = 8;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;
const INIT_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

export async function scanOnnxGraph(path: string): Promise<GraphScan> {
  const source = await FileSource.open(path);
  try {
    const model = new MessageReader(source, 0, source.size);
    for (let field = await model.next(); field; field = await model.next()) {
      if (field.field === MODEL_GRAPH) return await scanGraph(model.sub(field));
    }
    throw new Error('no graph in the file');
  } catch (error) {
    const detail = error instanceof WireFormatError || error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read ${path} as an ONNX model: ${detail}`);
  } finally {
    await source.close();
  }
}

/** What one walk over a graph and its subgraphs accumulates. */
class ScanState {
  readonly external = new Set<string>();
  readonly opCounts = new Map<string, number>();
  subgraphNodes = 0;
  readonly windows = new Set<number>();
  slidingWindowCache = 0;
  quantizedCache = 0;
  readonly epContextSources = new Set<string>();

  addNode(node: NodeInfo, depth: number): void {
    this.opCounts.set(node.opType, (this.opCounts.get(node.opType) ?? 0) + 1);
    if (depth > 0) this.subgraphNodes++;
    if (node.opType === 'GroupQueryAttention' || node.opType === 'PagedAttention') {
      const window = node.ints.get('local_window_size');
      if (window !== undefined && window > 0) this.windows.add(window);
      if (node.ints.get('sliding_window_cache') === 1) this.slidingWindowCache++;
      // onnxruntime's GroupQueryAttention stores the cache quantized when k_quant_type is set
      // (microsoft/onnxruntime-genai: src/python/py/models/builders/base.py, get_attention_op_attributes).
      const kQuant = node.strings.get('k_quant_type');
      if ((kQuant && kQuant !== 'NONE') || (node.ints.get('kv_cache_bit_width') ?? 0) > 0) this.quantizedCache++;
    } else if (node.opType === 'EPContext') {
      this.epContextSources.add(node.strings.get('source') ?? 'unknown');
    }
  }
}

async function scanGraph(graph: MessageReader): Promise<GraphScan> {
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const state = new ScanState();
  for (let field = await graph.next(); field; field = await graph.next()) {
    if (field.field === GRAPH_INPUT) inputs.push(await readValueInfo(graph.sub(field)));
    else if (field.field === GRAPH_OUTPUT) outputs.push(await readValueInfo(graph.sub(field)));
    else await scanGraphField(graph, field, state, 0);
  }
  const sorted = (values: Set<number>): number[] => [...values].sort((a, b) => a - b);
  return {
    inputs,
    outputs,
    opCounts: state.opCounts,
    subgraphNodes: state.subgraphNodes,
    attention: {
      localWindowSizes: sorted(state.windows),
      slidingWindowCache: state.slidingWindowCache,
      quantizedCache: state.quantizedCache,
    },
    epContextSources: [...state.epContextSources],
    externalDataFiles: [...state.external],
  };
}

/** Nodes and initializers of a graph at any depth (the top graph's inputs/outputs are read by scanGraph). */
async function scanGraphField(
  graph: MessageReader,
  field: FieldHeader,
  state: ScanState,
  depth: number,
): Promise<void> {
  if (field.field === GRAPH_NODE) {
    const node = await readNode(graph.sub(field), state, depth);
    state.addNode(node, depth);
  } else if (field.field === GRAPH_INITIALIZER) {
    const externalFile = await readExternalDataFile(graph.sub(field));
    if (externalFile) state.external.add(externalFile);
  }
}

async function scanSubgraph(graph: MessageReader, state: ScanState, depth: number): Promise<void> {
  if (depth > MAX_SUBGRAPH_DEPTH) throw new Error(`control-flow subgraphs nested deeper than ${MAX_SUBGRAPH_DEPTH}`);
  for (let field = await graph.next(); field; field = await graph.next()) {
    await scanGraphField(graph, field, state, depth);
  }
}

interface NodeInfo {
  opType: string;
  inputs: string[];
  ints: Map<string, number>;
  strings: Map<string, string>;
}

/** Reads a node; its graph-valued attributes (If branches, Loop/Scan bodies) are scanned into `state`. */
async function readNode(reader: MessageReader, state: ScanState, depth: number): Promise<NodeInfo> {
  let opType = '';
  const inputs: string[] = [];
  const ints = new Map<string, number>();
  const strings = new Map<string, string>();
  for (let field = await reader.next(); field; field = await reader.next()) {
    if (field.field === NODE_OP_TYPE) opType = await reader.string(field);
    else if (field.field === NODE_INPUT) inputs.push(await reader.string(field));
    else if (field.field === NODE_ATTRIBUTE) {
      const attr = reader.sub(field);
      let name = '';
      let value: number | undefined;
      let text: string | undefined;
      for (let f = await attr.next(); f; f = await attr.next()) {
        if (f.field === ATTR_NAME) name = await attr.string(f);
        else if (f.field === ATTR_I) value = f.varint;
        else if (f.field === ATTR_S) text = await attr.string(f);
        else if (f.field === ATTR_G || f.field === ATTR_GRAPHS) await scanSubgraph(attr.sub(f), state, depth + 1);
      }
      if (value !== undefined) ints.set(name, value);
      if (text !== undefined) strings.set(name, text);
    }
  }
  return { opType, inputs, ints, strings };
}

async function readValueInfo(reader: MessageReader): Promise<ValueInfo> {
  let name = '';
  let elemType = 0;
  let shape: (number | string)[] = [];
  for (let field = await reader.next(); field; field = await reader.next()) {
    if (field.field === VALUE_NAME) name = await reader.string(field);
    else if (field.field === VALUE_TYPE) {
      const type = reader.sub(field);
      for (let t = await type.next(); t; t = await type.next()) {
        if (t.field !== TYPE_TENSOR) continue;
        const tensor = type.sub(t);
        for (let f = await tensor.next(); f; f = await tensor.next()) {
          if (f.field === TENSOR_ELEM_TYPE) elemType = f.varint ?? 0;
          else if (f.field === TENSOR_SHAPE) shape = await readShape(tensor.sub(f));
        }
      }
    }
  }
  return { name, elemType, shape };
}

async function readShape(reader: MessageReader): Promise<(number | string)[]> {
  const dims: (number | string)[] = [];
  for (let field = await reader.next(); field; field = await reader.next()) {
    if (field.field !== SHAPE_DIM) continue;
    const dim = reader.sub(field);
    let value: number | string = '?';
    for (let f = await dim.next(); f; f = await dim.next()) {
      if (f.field === DIM_VALUE) value = f.varint ?? 0;
      else if (f.field === DIM_PARAM) value = await dim.string(f);
    }
    dims.push(value);
  }
  return dims;
}

/** The external data file an initializer is stored in, if any (its payload is never read). */
async function readExternalDataFile(reader: MessageReader): Promise<string | undefined> {
  let externalFile: string | undefined;
  for (let field = await reader.next(); field; field = await reader.next()) {
    if (field.field !== INIT_EXTERNAL_DATA) continue;
    const entry = reader.sub(field);
    let key = '';
    let value = '';
    for (let f = await entry.next(); f; f = await entry.next()) {
      if (f.field === ENTRY_KEY) key = await entry.string(f);
      else if (f.field === ENTRY_VALUE) value = await entry.string(f);
    }
    if (key === 'location') externalFile = value;
  }
  return externalFile;
}
