/**
 * A small ONNX graph builder over onnx-proto: nodes get unique names and outputs, initializers are
 * raw little-endian bytes. Enough to write decoder-only LMs from JavaScript for tests and benches.
 */
import { onnx } from 'onnx-proto';

export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

export type AttributeValue =
  number | number[] | string | { float: number } | { floats: number[] } | { tensor: onnx.ITensorProto };

export interface ValueInfo {
  name: string;
  dataType: DataTypeId;
  /** Numbers are fixed dims, strings are symbolic (e.g. 'batch_size'). */
  shape: (number | string)[];
}

/** An initializer payload: bytes plus element type and dims. */
export interface TensorData {
  dataType: DataTypeId;
  dims: number[];
  bytes: Uint8Array;
}

export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: { name: string; tensor: TensorData }[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  /** Adds a node and returns its output names (one per `outputs` count or given names). */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    options: { name?: string; outputs?: number | string[]; domain?: string } = {},
  ): string[] {
    const base = this.unique(options.name ?? `/${opType}`);
    const outputs = Array.isArray(options.outputs)
      ? options.outputs
      : Array.from({ length: options.outputs ?? 1 }, (_, index) => `${base}_output_${index}`);
    this.nodes.push({
      name: base,
      opType,
      domain: options.domain ?? '',
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** Single-output shorthand. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, name?: string): string {
    return this.node(opType, inputs, attributes, name === undefined ? {} : { name })[0];
  }

  initializer(name: string, tensor: TensorData): string {
    this.initializers.push({ name, tensor });
    return name;
  }

  int64(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.initializer(this.unique(name), {
      dataType: DataType.INT64,
      dims,
      bytes: bytesOf(BigInt64Array.from(values.map(BigInt))),
    });
  }

  private unique(name: string): string {
    let candidate = name;
    while (this.usedNames.has(candidate)) candidate = `${name}_${++this.counter}`;
    this.usedNames.add(candidate);
    return candidate;
  }
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: value.tensor };
}

function valueInfo(info: ValueInfo): onnx.IValueInfoProto {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: info.dataType,
        shape: { dim: info.shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

export interface ExternalDataPlan {
  /** File name relative to the model, e.g. 'model.onnx.data'. */
  location: string;
  /** Called with each payload in order; returns the offset it was written at. */
  write(bytes: Uint8Array): number;
}

/** Serializes the model. With `external`, initializer payloads go to the data file instead. */
export function encodeModel(
  graph: GraphBuilder,
  io: { inputs: ValueInfo[]; outputs: ValueInfo[]; name: string; opsetVersion: number; extraDomains?: string[] },
  external?: ExternalDataPlan,
): Uint8Array {
  const initializer: onnx.ITensorProto[] = graph.initializers.map(({ name, tensor }) => {
    const proto: onnx.ITensorProto = { name, dataType: tensor.dataType, dims: tensor.dims };
    if (external && tensor.bytes.length >= 1024) {
      const offset = external.write(tensor.bytes);
      proto.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      proto.externalData = [
        { key: 'location', value: external.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(tensor.bytes.length) },
      ];
    } else {
      proto.rawData = tensor.bytes;
    }
    return proto;
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'quant-drift-model-builder',
    producerVersion: '0.1.0',
    opsetImport: [
      { domain: '', version: io.opsetVersion },
      ...(io.extraDomains ?? []).map((domain) => ({ domain, version: 1 })),
    ],
    graph: {
      name: io.name,
      node: graph.nodes,
      initializer,
      input: io.inputs.map(valueInfo),
      output: io.outputs.map(valueInfo),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
