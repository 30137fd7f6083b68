/**
 * Small edits on an encoded ONNX model (decode with onnx-proto, change, encode), used to turn the builder's
 * optimum decoder-with-past graph into the other layouts exporters write. Each edit keeps the weights, so a
 * layout's greedy tokens can be checked against the plain layout's.
 */
import { onnx } from 'onnx-proto';

export type Model = onnx.ModelProto;
export type Node = onnx.INodeProto;

export function decodeModel(bytes: Uint8Array): Model {
  return onnx.ModelProto.decode(bytes);
}

export function encode(model: Model): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function graphOf(model: Model): onnx.IGraphProto {
  if (!model.graph) throw new Error('model without a graph');
  return model.graph;
}

export function nodeNamed(model: Model, name: string): Node {
  const node = graphOf(model).node?.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  return node;
}

/** The node that writes `output`. */
export function producerOf(model: Model, output: string): Node {
  const node = graphOf(model).node?.find((n) => n.output?.includes(output));
  if (!node) throw new Error(`no node writes ${output}`);
  return node;
}

/** Every node input reading `from` reads `to` instead (except in the nodes listed). */
export function rewireInputs(model: Model, from: string, to: string, except: readonly Node[] = []): void {
  for (const node of graphOf(model).node ?? []) {
    if (except.includes(node) || !node.input) continue;
    node.input = node.input.map((input) => (input === from ? to : input));
  }
}

export function valueInfo(name: string, elemType: number, shape: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

export function tensorType(info: onnx.IValueInfoProto): onnx.TypeProto.ITensor {
  const tensor = info.type?.tensorType;
  if (!tensor) throw new Error(`${info.name} is not a tensor`);
  return tensor;
}

export function int64Initializer(
  name: string,
  values: readonly number[],
  dims: number[] = [values.length],
): onnx.ITensorProto {
  const data = BigInt64Array.from(values.map(BigInt));
  return { name, dataType: onnx.TensorProto.DataType.INT64, dims, rawData: new Uint8Array(data.buffer) };
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attribute: onnx.IAttributeProto[] = [],
): Node {
  return { opType, input: inputs, output: outputs, name, domain: '', attribute };
}

export const INT64_MAX = Number.MAX_SAFE_INTEGER;
