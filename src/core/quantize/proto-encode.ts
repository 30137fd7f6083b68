/** Encoders for the few ONNX messages the quantizer writes anew (the rest is copied byte for byte). */
import { encodeLengthPrefix, encodeTag, encodeVarint, WireType } from '../onnx/wire';

const utf8 = new TextEncoder();

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function lenField(field: number, payload: Uint8Array): Uint8Array {
  return concatBytes([encodeLengthPrefix(field, payload.length), payload]);
}

export function stringField(field: number, value: string): Uint8Array {
  return lenField(field, utf8.encode(value));
}

export function varintField(field: number, value: number): Uint8Array {
  return concatBytes([encodeTag(field, WireType.Varint), encodeVarint(value)]);
}

/** StringStringEntryProto (external_data entries, metadata_props). */
export function stringEntry(field: number, key: string, value: string): Uint8Array {
  return lenField(field, concatBytes([stringField(1, key), stringField(2, value)]));
}

/** OperatorSetIdProto as ModelProto.opset_import (field 8). */
export function opsetField(domain: string, version: number): Uint8Array {
  return lenField(8, concatBytes([stringField(1, domain), varintField(2, version)]));
}

/** AttributeProto of type INT (20 = type, 3 = i; AttributeType.INT = 2). */
function intAttribute(name: string, value: number): Uint8Array {
  return lenField(5, concatBytes([stringField(1, name), varintField(3, value), varintField(20, 2)]));
}

/** A NodeProto as GraphProto.node (field 1). */
export function nodeField(node: {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  intAttributes: Record<string, number>;
}): Uint8Array {
  const parts = [
    ...node.inputs.map((input) => stringField(1, input)),
    ...node.outputs.map((output) => stringField(2, output)),
    stringField(3, node.name),
    stringField(4, node.opType),
    ...Object.entries(node.intAttributes).map(([name, value]) => intAttribute(name, value)),
    stringField(7, node.domain),
  ];
  return lenField(1, concatBytes(parts));
}

/** TensorProto fields before the payload: dims (packed), data_type, name. */
export function tensorHeader(name: string, dims: readonly number[], dataType: number): Uint8Array {
  return concatBytes([
    lenField(1, concatBytes(dims.map((dim) => encodeVarint(dim)))),
    varintField(2, dataType),
    stringField(8, name),
  ]);
}

/** Fields that point a tensor at external data (13 external_data entries, 14 data_location = EXTERNAL). */
export function externalDataFields(location: string, offset: number, length: number): Uint8Array {
  return concatBytes([
    stringEntry(13, 'location', location),
    stringEntry(13, 'offset', String(offset)),
    stringEntry(13, 'length', String(length)),
    varintField(14, 1),
  ]);
}

/** Byte length of a varint, for sizing length prefixes before the payload exists. */
export function varintLength(value: number): number {
  return encodeVarint(value).length;
}
