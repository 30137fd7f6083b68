/**
 * One header-only pass over an ONNX file: where each graph field, node and initializer sits in the file, with
 * node wiring and tensor metadata parsed, payloads left on disk. The writer then copies what it does not change
 * byte for byte and reads one tensor payload at a time.
 * Field numbers: onnx/onnx.proto (ModelProto 7 graph, 8 opset_import, 14 metadata_props; GraphProto 1 node,
 * 5 initializer, 11 input, 12 output; NodeProto 1 input, 2 output, 3 name, 4 op_type, 7 domain; TensorProto 1 dims,
 * 2 data_type, 4 float_data, 5 int32_data, 8 name, 9 raw_data, 13 external_data, 14 data_location).
 */
import { MessageReader, WireType, type ByteSource, type FieldHeader } from '../onnx/wire';

export const TensorType = { FLOAT: 1, UINT8: 2, FLOAT16: 10 } as const;

export interface Span {
  offset: number;
  length: number;
}

export type PayloadRef =
  | { kind: 'raw'; offset: number; length: number }
  /** Packed float_data (float32) or int32_data (float16 bit patterns as varints). */
  | { kind: 'float_data' | 'int32_data'; offset: number; length: number }
  | { kind: 'external'; location: string; offset: number; length: number | null };

export interface NodeEntry {
  /** The whole `node` field (tag, length and message). */
  span: Span;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Graph-valued attributes (If branches, Loop/Scan bodies), indexed the same way; empty for most nodes. */
  subgraphs: Subgraph[];
}

/** A control-flow body: its nodes, and the names it defines itself (which hide outer initializers of that name). */
export interface Subgraph {
  nodes: NodeEntry[];
  localNames: Set<string>;
}

/** Control flow nests rarely deeper than 2; a hostile file cannot make the index recurse without bound. */
const MAX_SUBGRAPH_DEPTH = 8;

export interface InitializerEntry {
  span: Span;
  name: string;
  dims: number[];
  dataType: number;
  payload: PayloadRef | null;
}

export interface ModelIndex {
  /** ModelProto fields other than graph and opset_import, copied verbatim. */
  modelFields: Span[];
  opsets: { domain: string; version: number }[];
  /** GraphProto fields other than node and initializer (name, inputs, outputs, value_info ...), verbatim. */
  graphFields: Span[];
  nodes: NodeEntry[];
  initializers: InitializerEntry[];
  graphInputs: string[];
  graphOutputs: string[];
}

export async function fields(
  reader: MessageReader,
  visit: (header: FieldHeader, span: Span) => Promise<void> | void,
): Promise<void> {
  let start = reader.start;
  for (let header = await reader.next(); header; header = await reader.next()) {
    const end = header.valueOffset + header.length;
    await visit(header, { offset: start, length: end - start });
    start = end;
  }
}

function expectLen(header: FieldHeader, what: string): void {
  if (header.wireType !== WireType.LengthDelimited) {
    throw new Error(`${what} has wire type ${header.wireType}, expected a message (not an ONNX model?)`);
  }
}

export async function indexModel(source: ByteSource): Promise<ModelIndex> {
  const index: ModelIndex = {
    modelFields: [],
    opsets: [],
    graphFields: [],
    nodes: [],
    initializers: [],
    graphInputs: [],
    graphOutputs: [],
  };
  let graph: FieldHeader | null = null;
  const root = new MessageReader(source, 0, source.size);
  await fields(root, async (header, span) => {
    if (header.field === 7) {
      expectLen(header, 'ModelProto.graph');
      graph = header;
    } else if (header.field === 8) {
      expectLen(header, 'ModelProto.opset_import');
      const opset = { domain: '', version: 0 };
      const opsetReader = root.sub(header);
      await fields(opsetReader, async (inner) => {
        if (inner.field === 1) opset.domain = await opsetReader.string(inner);
        if (inner.field === 2) opset.version = inner.varint ?? 0;
      });
      index.opsets.push(opset);
    } else {
      index.modelFields.push(span);
    }
  });
  if (!graph) throw new Error('no graph in the file (not an ONNX model?)');
  const graphReader = root.sub(graph);
  await fields(graphReader, async (header, span) => {
    if (header.field === 1) {
      expectLen(header, 'GraphProto.node');
      index.nodes.push(await readNode(graphReader.sub(header), span, 0));
    } else if (header.field === 5) {
      expectLen(header, 'GraphProto.initializer');
      index.initializers.push(await readTensor(graphReader.sub(header), span));
    } else {
      index.graphFields.push(span);
      if (header.field === 11 || header.field === 12) {
        const names = header.field === 11 ? index.graphInputs : index.graphOutputs;
        const info = graphReader.sub(header);
        await fields(info, async (inner) => {
          if (inner.field === 1) names.push(await info.string(inner));
        });
      }
    }
  });
  return index;
}

async function readNode(reader: MessageReader, span: Span, depth: number): Promise<NodeEntry> {
  const node: NodeEntry = { span, name: '', opType: '', domain: '', inputs: [], outputs: [], subgraphs: [] };
  await fields(reader, async (header) => {
    if (header.wireType !== WireType.LengthDelimited) return;
    if (header.field === 1) node.inputs.push(await reader.string(header));
    else if (header.field === 2) node.outputs.push(await reader.string(header));
    else if (header.field === 3) node.name = await reader.string(header);
    else if (header.field === 4) node.opType = await reader.string(header);
    else if (header.field === 7) node.domain = await reader.string(header);
    else if (header.field === 5) {
      // AttributeProto: 6 g, 11 graphs.
      const attribute = reader.sub(header);
      await fields(attribute, async (inner) => {
        if ((inner.field === 6 || inner.field === 11) && inner.wireType === WireType.LengthDelimited) {
          node.subgraphs.push(await readSubgraph(attribute.sub(inner), depth + 1));
        }
      });
    }
  });
  return node;
}

async function readSubgraph(reader: MessageReader, depth: number): Promise<Subgraph> {
  if (depth > MAX_SUBGRAPH_DEPTH) throw new Error(`control-flow subgraphs nested deeper than ${MAX_SUBGRAPH_DEPTH}`);
  const subgraph: Subgraph = { nodes: [], localNames: new Set() };
  await fields(reader, async (header, span) => {
    if (header.wireType !== WireType.LengthDelimited) return;
    if (header.field === 1) {
      const child = await readNode(reader.sub(header), span, depth);
      subgraph.nodes.push(child);
      for (const output of child.outputs) subgraph.localNames.add(output);
    } else if (header.field === 5 || header.field === 11) {
      // A body's own initializers (TensorProto 8 name) and inputs (ValueInfoProto 1 name) hide outer names.
      const inner = reader.sub(header);
      const nameField = header.field === 5 ? 8 : 1;
      await fields(inner, async (field) => {
        if (field.field === nameField) subgraph.localNames.add(await inner.string(field));
      });
    }
  });
  return subgraph;
}

/**
 * Every node inside `node`'s subgraphs (any depth) with the names hidden there, for callers that look for uses
 * of top-level initializers.
 */
export function* subgraphNodes(
  node: NodeEntry,
  hidden: ReadonlySet<string> = new Set(),
): Generator<{ node: NodeEntry; hidden: ReadonlySet<string> }> {
  for (const subgraph of node.subgraphs) {
    const inner = new Set([...hidden, ...subgraph.localNames]);
    for (const child of subgraph.nodes) {
      yield { node: child, hidden: inner };
      yield* subgraphNodes(child, inner);
    }
  }
}

async function readTensor(reader: MessageReader, span: Span): Promise<InitializerEntry> {
  const tensor: InitializerEntry = { span, name: '', dims: [], dataType: 0, payload: null };
  const external: Record<string, string> = {};
  let dataLocation = 0;
  await fields(reader, async (header) => {
    switch (header.field) {
      case 1:
        if (header.wireType === WireType.LengthDelimited) tensor.dims.push(...(await reader.packedVarints(header)));
        else tensor.dims.push(header.varint ?? 0);
        break;
      case 2:
        tensor.dataType = header.varint ?? 0;
        break;
      case 8:
        tensor.name = await reader.string(header);
        break;
      case 9:
        tensor.payload = { kind: 'raw', offset: header.valueOffset, length: header.length };
        break;
      case 4:
      case 5:
        if (header.wireType === WireType.LengthDelimited) {
          tensor.payload = {
            kind: header.field === 4 ? 'float_data' : 'int32_data',
            offset: header.valueOffset,
            length: header.length,
          };
        }
        break;
      case 13: {
        const entry = reader.sub(header);
        let key = '';
        let value = '';
        await fields(entry, async (inner) => {
          if (inner.field === 1) key = await entry.string(inner);
          if (inner.field === 2) value = await entry.string(inner);
        });
        external[key] = value;
        break;
      }
      case 14:
        dataLocation = header.varint ?? 0;
        break;
    }
  });
  if (dataLocation === 1) {
    if (!external.location) throw new Error(`initializer ${tensor.name} is external but names no location`);
    tensor.payload = {
      kind: 'external',
      location: external.location,
      offset: external.offset ? Number(external.offset) : 0,
      length: external.length ? Number(external.length) : null,
    };
  }
  return tensor;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

export function bytesPerElement(dataType: number): number {
  return dataType === TensorType.FLOAT ? 4 : dataType === TensorType.FLOAT16 ? 2 : 0;
}
