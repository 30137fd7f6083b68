/**
 * Reads what the drift engine needs from an ONNX file without loading it: graph input/output names, their
 * element types and shapes, and the external data files. Weight precision is not read here: the inspector's
 * reading (src/core/onnx/inspect.ts -> src/core/models/precision.ts) is the one every surface labels with.
 * Walks the protobuf wire format and skips every tensor payload, so a multi-GB model costs kilobytes of reads.
 * A truncated or corrupt file fails here, with the byte offset, before any runtime sees it.
 */
import { FileSource, MessageReader, WireFormatError } from '../onnx/wire';

export interface ValueInfo {
  readonly name: string;
  /** ONNX TensorProto.DataType: 1 float, 10 float16, 7 int64, ... (0 if unknown). */
  readonly elemType: number;
  /** Each dim: a number, or the symbolic name. */
  readonly shape: readonly (number | string)[];
}

export interface GraphScan {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Tensors stored in external data files (name of the file). */
  readonly externalDataFiles: readonly string[];
}

export const ONNX_FLOAT = 1;
export const ONNX_FLOAT16 = 10;

// Field numbers of onnx.proto3.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;
const INIT_DATA_TYPE = 2;
const INIT_DIMS = 1;
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

async function scanGraph(graph: MessageReader): Promise<GraphScan> {
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const external = new Set<string>();
  for (let field = await graph.next(); field; field = await graph.next()) {
    if (field.field === GRAPH_INPUT) inputs.push(await readValueInfo(graph.sub(field)));
    else if (field.field === GRAPH_OUTPUT) outputs.push(await readValueInfo(graph.sub(field)));
    else if (field.field === GRAPH_INITIALIZER) {
      const init = await readInitializer(graph.sub(field));
      if (init.externalFile) external.add(init.externalFile);
    }
  }
  return {
    inputs,
    outputs,
    externalDataFiles: [...external],
  };
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

async function readInitializer(
  reader: MessageReader,
): Promise<{ dataType: number; elements: number; externalFile?: string }> {
  let dataType = 0;
  let elements = 1;
  let externalFile: string | undefined;
  for (let field = await reader.next(); field; field = await reader.next()) {
    if (field.field === INIT_DATA_TYPE) dataType = field.varint ?? 0;
    else if (field.field === INIT_DIMS) {
      // dims are packed (proto3) or one varint per field (older writers).
      if (field.varint !== undefined) elements *= field.varint;
      else for (const dim of await reader.packedVarints(field)) elements *= dim;
    } else if (field.field === INIT_EXTERNAL_DATA) {
      const entry = reader.sub(field);
      let key = '';
      let value = '';
      for (let f = await entry.next(); f; f = await entry.next()) {
        if (f.field === ENTRY_KEY) key = await entry.string(f);
        else if (f.field === ENTRY_VALUE) value = await entry.string(f);
      }
      if (key === 'location') externalFile = value;
    }
  }
  return externalFile === undefined ? { dataType, elements } : { dataType, elements, externalFile };
}
