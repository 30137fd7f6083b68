/**
 * Reads tensor payloads (inline raw_data, packed float_data/int32_data, or ONNX external data files) one tensor
 * at a time, and turns float payloads into row sources for the quantizer.
 */
import { isAbsolute, join, normalize, sep } from 'node:path';
import { decodeVarint, FileSource, type ByteSource } from '../onnx/wire';
import { float16BitsToFloat32 } from './float16';
import type { WeightRows } from './int4';
import { bytesPerElement, elementCount, TensorType, type InitializerEntry, type PayloadRef } from './model-index';

export class PayloadReader {
  private readonly externalSources = new Map<string, FileSource>();
  constructor(
    private readonly model: ByteSource,
    private readonly modelDir: string,
  ) {}

  /** Byte length of a raw/external payload (external data may omit its length). */
  payloadLength(tensor: InitializerEntry): number {
    const payload = tensor.payload;
    if (!payload) return 0;
    if (payload.kind === 'external' && payload.length === null) {
      return elementCount(tensor.dims) * (bytesPerElement(tensor.dataType) || 1);
    }
    return payload.length ?? 0;
  }

  async source(ref: PayloadRef): Promise<{ source: ByteSource; offset: number }> {
    if (ref.kind !== 'external') return { source: this.model, offset: ref.offset };
    const path = safeExternalPath(this.modelDir, ref.location);
    let source = this.externalSources.get(path);
    if (!source) {
      try {
        source = await FileSource.open(path);
      } catch (error) {
        throw new Error(`external data file ${ref.location} cannot be opened: ${(error as Error).message}`);
      }
      this.externalSources.set(path, source);
    }
    return { source, offset: ref.offset };
  }

  async read(tensor: InitializerEntry): Promise<Uint8Array> {
    const payload = tensor.payload!;
    const length = this.payloadLength(tensor);
    const { source, offset } = await this.source(payload);
    if (offset + length > source.size) {
      throw new Error(
        `initializer ${tensor.name} needs bytes ${offset}..${offset + length} but its file has ${source.size} (truncated file?)`,
      );
    }
    const bytes = await source.read(offset, length);
    return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  }

  /** Streams a payload in chunks (for tensors copied unchanged). */
  async *chunks(tensor: InitializerEntry, chunkSize = 8 * 1024 * 1024): AsyncGenerator<Uint8Array> {
    const length = this.payloadLength(tensor);
    const { source, offset } = await this.source(tensor.payload!);
    if (offset + length > source.size) {
      throw new Error(
        `initializer ${tensor.name} needs bytes ${offset}..${offset + length} but its file has ${source.size} (truncated file?)`,
      );
    }
    for (let done = 0; done < length; done += chunkSize) {
      yield await source.read(offset + done, Math.min(chunkSize, length - done));
    }
  }

  /** A float32/float16 [K, N] initializer as a row source; fp16 rows are converted one block at a time. */
  async rows(tensor: InitializerEntry, maxRows: number): Promise<WeightRows> {
    const [K, N] = tensor.dims as [number, number];
    const bytes = await this.read(tensor);
    const payload = tensor.payload!;
    if (tensor.dataType === TensorType.FLOAT) {
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      if (values.length !== K * N) {
        throw new Error(`initializer ${tensor.name} has ${values.length} values for [${K}, ${N}]`);
      }
      return (start, end) => values.subarray(start * N, end * N);
    }
    let bits: Uint16Array;
    if (payload.kind === 'int32_data') {
      bits = new Uint16Array(K * N);
      for (let offset = 0, index = 0; offset < bytes.length; index++) {
        const [value, used] = decodeVarint(bytes, offset);
        bits[index] = value;
        offset += used;
      }
    } else {
      bits = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
    }
    if (bits.length !== K * N) throw new Error(`initializer ${tensor.name} has ${bits.length} values for [${K}, ${N}]`);
    const scratch = new Float32Array(maxRows * N);
    return (start, end) => {
      const count = (end - start) * N;
      const base = start * N;
      for (let index = 0; index < count; index++) scratch[index] = float16BitsToFloat32(bits[base + index]);
      return scratch.subarray(0, count);
    };
  }

  async close(): Promise<void> {
    for (const source of this.externalSources.values()) await source.close();
    this.externalSources.clear();
  }
}

/** External data must live beside the model: no absolute paths, no climbing out with `..`. */
export function safeExternalPath(modelDir: string, location: string): string {
  const normalized = normalize(location);
  if (isAbsolute(normalized) || normalized === '..' || normalized.startsWith(`..${sep}`)) {
    throw new Error(`external data location ${location} points outside the model folder`);
  }
  return join(modelDir, normalized);
}
