/**
 * Streams an ONNX model into its INT4 twin: every MatMul whose B is a 2-D float initializer becomes a
 * com.microsoft MatMulNBits. The input is walked header-only (model-index.ts); everything not changed is copied
 * byte for byte; initializers are read, quantized and written one at a time, so peak memory is about one tensor
 * (plus its 1/8-size INT4 form and an 8 MiB copy buffer), whatever the model size.
 * Because every output size is known before any payload is read, the protobuf length prefixes are written first
 * and the file is produced front to back, with external data (model.onnx.data) appended alongside.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodeLengthPrefix, FileSource } from '../onnx/wire';
import { quantizeInt4, relativeQuantizationError, type Int4Tensor } from './int4';
import {
  indexModel,
  subgraphNodes,
  TensorType,
  type InitializerEntry,
  type ModelIndex,
  type NodeEntry,
  type Span,
} from './model-index';
import { PayloadReader } from './payload';
import { bodiesChange, rewriteControlFlowNode, type NodeReplacement } from './subgraph-rewrite';
import { concatBytes, externalDataFields, nodeField, opsetField, stringEntry, tensorHeader } from './proto-encode';

export interface OnnxQuantizeOptions {
  symmetric: boolean;
  blockSize: number;
  channelWise?: boolean;
  accuracyLevel: 0 | 1 | 2 | 3 | 4;
  /** Fraction of MatMul weights (by element count) to make INT4, least sensitive first; the rest stay float. */
  ratio?: number;
  /** Keep the lm_head MatMul in float (it is quantized by default, as ORT's quantizer and GenAI builder do). */
  keepLmHeadFloat?: boolean;
  /** 'auto': external data when the input has it or the output would pass 1.5 GB. */
  externalData?: 'auto' | 'always' | 'never';
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Extra metadata_props written into the model. */
  metadata?: Record<string, string>;
}

export interface QuantizedMatMul {
  node: string;
  weight: string;
  K: number;
  N: number;
  /** Relative squared weight error, measured when a ratio below 1 asked for a sensitivity order. */
  relativeError?: number;
}

export interface OnnxQuantizeReport {
  quantized: QuantizedMatMul[];
  keptFloat: QuantizedMatMul[];
  /** Element share of candidate MatMul weights that became INT4. */
  achievedRatio: number;
  inputWeightBytes: number;
  outputModelBytes: number;
  outputDataBytes: number;
  externalData: string | null;
  scaleDtype: 'float32' | 'float16';
  /** Files the model was read from: the model and its external data files. */
  inputFiles: string[];
}

export class QuantizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantizeError';
  }
}

const SMALL_TENSOR_BYTES = 1024;
const DATA_ALIGNMENT = 4096;
const AUTO_EXTERNAL_BYTES = 1.5e9;

interface Candidate {
  tensor: InitializerEntry;
  K: number;
  N: number;
  nodes: NodeEntry[];
  lmHead: boolean;
  relativeError?: number;
}

/** A payload of known length, produced when the writer reaches it. */
interface Payload {
  length: number;
  write(sink: (bytes: Uint8Array) => Promise<void>): Promise<void>;
}

type OutTensor =
  | { kind: 'verbatim'; span: Span; payloadBytes: number }
  | { kind: 'new'; header: Uint8Array; payload: Payload; external: boolean; dataOffset?: number; payloadBytes: number };

function abortError(): Error {
  const error = new Error('quantization cancelled');
  error.name = 'AbortError';
  return error;
}

function findCandidates(index: ModelIndex, keepLmHeadFloat: boolean): Candidate[] {
  const initializers = new Map(index.initializers.map((tensor) => [tensor.name, tensor]));
  const uses = new Map<string, { node: NodeEntry; slot: number }[]>();
  const addUses = (node: NodeEntry, hidden: ReadonlySet<string>): void => {
    node.inputs.forEach((input, slot) => {
      if (!initializers.has(input) || hidden.has(input)) return;
      const list = uses.get(input) ?? [];
      list.push({ node, slot });
      uses.set(input, list);
    });
  };
  // Uses inside If/Loop/Scan bodies count too (an optimum merged decoder's MatMuls all live in its If branches).
  for (const node of index.nodes) {
    addUses(node, new Set());
    for (const { node: child, hidden } of subgraphNodes(node)) addUses(child, hidden);
  }
  const graphNames = new Set([...index.graphInputs, ...index.graphOutputs]);
  const candidates: Candidate[] = [];
  for (const tensor of index.initializers) {
    const tensorUses = uses.get(tensor.name);
    if (!tensorUses || graphNames.has(tensor.name)) continue;
    if (tensor.dims.length !== 2 || !tensor.payload) continue;
    if (tensor.dataType !== TensorType.FLOAT && tensor.dataType !== TensorType.FLOAT16) continue;
    const allMatMulB = tensorUses.every(
      ({ node, slot }) =>
        node.opType === 'MatMul' &&
        (node.domain === '' || node.domain === 'ai.onnx') &&
        slot === 1 &&
        node.inputs.length === 2,
    );
    if (!allMatMulB) continue;
    const [K, N] = tensor.dims as [number, number];
    if (K < 1 || N < 1) continue;
    const nodes = tensorUses.map(({ node }) => node);
    const lmHead =
      /lm_head/i.test(tensor.name) ||
      nodes.some((node) => /lm_head/i.test(node.name) || node.outputs.includes('logits'));
    if (lmHead && keepLmHeadFloat) continue;
    candidates.push({ tensor, K, N, nodes, lmHead });
  }
  return candidates;
}

/** Least sensitive first until the INT4 share is nearest to `ratio`. */
function selectByRatio(candidates: Candidate[], ratio: number): Set<Candidate> {
  const total = candidates.reduce((sum, c) => sum + c.K * c.N, 0);
  const target = ratio * total;
  const chosen = new Set<Candidate>();
  let done = 0;
  for (const candidate of [...candidates].sort((a, b) => (a.relativeError ?? 0) - (b.relativeError ?? 0))) {
    const size = candidate.K * candidate.N;
    if (done + size / 2 <= target) {
      chosen.add(candidate);
      done += size;
    }
  }
  return chosen;
}

function uniqueName(taken: Set<string>, wanted: string): string {
  let name = wanted;
  for (let suffix = 1; taken.has(name); suffix++) name = `${wanted}_${suffix}`;
  taken.add(name);
  return name;
}

class SequentialFile {
  private buffer = new Uint8Array(4 * 1024 * 1024);
  private used = 0;
  position = 0;
  private constructor(private readonly handle: FileHandle) {}

  /** A new file: 'wx' fails rather than truncate or follow whatever is already at the path. */
  static async create(path: string): Promise<SequentialFile> {
    return new SequentialFile(await open(path, 'wx'));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length > this.buffer.length / 2) {
      await this.flush();
      await this.writeAll(bytes);
    } else {
      if (this.used + bytes.length > this.buffer.length) await this.flush();
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.position += bytes.length;
  }

  async padTo(offset: number): Promise<void> {
    if (offset > this.position) await this.write(new Uint8Array(offset - this.position));
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  /** Flushes, fsyncs (the folder is renamed into place next: its files must be on disk first) and closes. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }
}

/**
 * Quantizes `inputPath` into `outputPath` (+ `<outputPath>.data` when external). Throws QuantizeError for input
 * that cannot be quantized, AbortError when the signal fires (partial files are the caller's to remove).
 */
export async function quantizeOnnxFile(
  inputPath: string,
  outputPath: string,
  options: OnnxQuantizeOptions,
): Promise<OnnxQuantizeReport> {
  const source = await FileSource.open(inputPath);
  const reader = new PayloadReader(inputPath);
  try {
    return await quantizeIndexed(inputPath, source, reader, outputPath, options);
  } finally {
    await reader.close();
    await source.close();
  }
}

async function quantizeIndexed(
  inputPath: string,
  source: FileSource,
  reader: PayloadReader,
  outputPath: string,
  options: OnnxQuantizeOptions,
): Promise<OnnxQuantizeReport> {
  const { signal } = options;
  let index: ModelIndex;
  try {
    index = await indexModel(source);
  } catch (error) {
    throw new QuantizeError(`${basename(inputPath)} is not a readable ONNX model: ${(error as Error).message}`);
  }
  if (index.nodes.length === 0) throw new QuantizeError('the file has no graph nodes (not an ONNX model?)');
  const candidates = findCandidates(index, options.keepLmHeadFloat ?? false);
  if (candidates.length === 0) {
    const allNodes = index.nodes.flatMap((node) => [node, ...[...subgraphNodes(node)].map((entry) => entry.node)]);
    const already = allNodes.some((node) => node.opType === 'MatMulNBits');
    throw new QuantizeError(
      already
        ? 'the model is already quantized (it has MatMulNBits nodes and no float MatMul weights)'
        : 'no MatMul with a 2-D float32/float16 initializer weight to quantize',
    );
  }
  const scaleDtype = candidates[0].tensor.dataType === TensorType.FLOAT16 ? 'float16' : 'float32';
  const int4Options = {
    symmetric: options.symmetric,
    blockSize: options.blockSize,
    channelWise: options.channelWise ?? false,
    scaleDtype,
  } as const;
  const ratio = options.ratio ?? 1;
  if (!(ratio > 0 && ratio <= 1)) throw new QuantizeError(`ratio must be in (0, 1], got ${ratio}`);

  const initializerBytes = index.initializers.reduce((sum, tensor) => sum + reader.payloadLength(tensor), 0);
  const candidateBytes = candidates.reduce((sum, c) => sum + reader.payloadLength(c.tensor), 0);
  const total = initializerBytes + (ratio < 1 ? candidateBytes : 0);
  let done = 0;
  const progress = (bytes: number): void => {
    done += bytes;
    options.onProgress?.(done, total);
  };
  const checkAbort = (): void => {
    if (signal?.aborted) throw abortError();
  };

  // Sensitivity pass: only when a ratio asks which MatMuls to keep in float.
  if (ratio < 1) {
    for (const candidate of candidates) {
      checkAbort();
      const rows = await reader.rows(candidate.tensor, options.blockSize);
      const quantized = quantizeInt4(rows, candidate.K, candidate.N, int4Options);
      candidate.relativeError = relativeQuantizationError(rows, quantized);
      progress(reader.payloadLength(candidate.tensor));
    }
  }
  const chosen = ratio < 1 ? selectByRatio(candidates, ratio) : new Set(candidates);
  const chosenByName = new Map([...chosen].map((c) => [c.tensor.name, c]));

  // ---- plan the output ----
  const everyNode = index.nodes.flatMap((node) => [node, ...[...subgraphNodes(node)].map((entry) => entry.node)]);
  const taken = new Set([
    ...index.initializers.map((t) => t.name),
    ...everyNode.flatMap((n) => [...n.inputs, ...n.outputs]),
  ]);
  const nBlocksOf = (c: Candidate): number => Math.ceil(c.K / options.blockSize);
  const names = new Map<Candidate, { q: string; scales: string; zp: string | null }>();
  for (const c of chosen) {
    names.set(c, {
      q: uniqueName(taken, `${c.tensor.name}_Q4`),
      scales: uniqueName(taken, `${c.tensor.name}_scales`),
      zp: options.symmetric ? null : uniqueName(taken, `${c.tensor.name}_zero_points`),
    });
  }
  const scaleBytes = scaleDtype === 'float16' ? 2 : 4;
  const outputBytesEstimate = index.initializers.reduce((sum, tensor) => {
    const c = chosenByName.get(tensor.name);
    if (!c) return sum + reader.payloadLength(tensor);
    const blocks = nBlocksOf(c);
    return sum + c.N * blocks * (options.blockSize / 2 + scaleBytes + (options.symmetric ? 0 : 0.5));
  }, 0);
  const inputHasExternal = index.initializers.some((tensor) => tensor.payload?.kind === 'external');
  const mode = options.externalData ?? 'auto';
  const external =
    mode === 'always' || (mode === 'auto' && (inputHasExternal || outputBytesEstimate > AUTO_EXTERNAL_BYTES));
  if (mode === 'never' && inputHasExternal) {
    throw new QuantizeError('the input uses external data; the output must too');
  }
  const dataName = `${basename(outputPath)}.data`;

  let dataOffset = 0;
  const place = (header: Uint8Array, payload: Payload): OutTensor => {
    if (!external || payload.length < SMALL_TENSOR_BYTES) {
      return { kind: 'new', header, payload, external: false, payloadBytes: payload.length };
    }
    const offset = Math.ceil(dataOffset / DATA_ALIGNMENT) * DATA_ALIGNMENT;
    dataOffset = offset + payload.length;
    return { kind: 'new', header, payload, external: true, dataOffset: offset, payloadBytes: payload.length };
  };
  const copyPayload = (tensor: InitializerEntry): Payload => ({
    length: reader.payloadLength(tensor),
    async write(sink) {
      for await (const chunk of reader.chunks(tensor)) {
        checkAbort();
        await sink(chunk);
        progress(chunk.length);
      }
    },
  });

  const outTensors: OutTensor[] = [];
  for (const tensor of index.initializers) {
    const c = chosenByName.get(tensor.name);
    if (!c) {
      const inlineRaw = tensor.payload?.kind !== 'external';
      const length = reader.payloadLength(tensor);
      if (inlineRaw && (!external || length < SMALL_TENSOR_BYTES || tensor.payload?.kind !== 'raw')) {
        outTensors.push({ kind: 'verbatim', span: tensor.span, payloadBytes: length });
      } else {
        outTensors.push(place(tensorHeader(tensor.name, tensor.dims, tensor.dataType), copyPayload(tensor)));
      }
      continue;
    }
    // One quantization feeds two or three output tensors; it is computed when the first is written.
    const blocks = nBlocksOf(c);
    let result: Int4Tensor | null = null;
    let pending = options.symmetric ? 2 : 3;
    const get = async (): Promise<Int4Tensor> => {
      if (!result) {
        checkAbort();
        result = quantizeInt4(await reader.rows(c.tensor, options.blockSize), c.K, c.N, int4Options);
        progress(reader.payloadLength(c.tensor));
      }
      return result;
    };
    const part = (length: number, pick: (q: Int4Tensor) => Uint8Array): Payload => ({
      length,
      async write(sink) {
        const bytes = pick(await get());
        if (bytes.length !== length) {
          throw new Error(`internal: ${c.tensor.name} produced ${bytes.length} bytes, planned ${length}`);
        }
        await sink(bytes);
        if (--pending === 0) result = null;
      },
    });
    const n = names.get(c)!;
    outTensors.push(
      place(
        tensorHeader(n.q, [c.N, blocks, options.blockSize / 2], TensorType.UINT8),
        part(c.N * blocks * (options.blockSize / 2), (q) => q.packed),
      ),
    );
    const scaleType = scaleDtype === 'float16' ? 10 : TensorType.FLOAT;
    outTensors.push(
      place(
        tensorHeader(n.scales, [c.N, blocks], scaleType),
        part(c.N * blocks * scaleBytes, (q) => {
          const view = q.scaleBits ?? q.scales;
          return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        }),
      ),
    );
    if (n.zp) {
      outTensors.push(
        place(
          tensorHeader(n.zp, [c.N, Math.ceil(blocks / 2)], TensorType.UINT8),
          part(c.N * Math.ceil(blocks / 2), (q) => q.zeroPoints!),
        ),
      );
    }
  }

  const tensorField = (
    t: OutTensor & { kind: 'new' },
  ): { prefix: Uint8Array; body: Uint8Array; payloadPrefix: Uint8Array | null; length: number } => {
    if (t.external) {
      const body = concatBytes([t.header, externalDataFields(dataName, t.dataOffset!, t.payload.length)]);
      const prefix = encodeLengthPrefix(5, body.length);
      return { prefix, body, payloadPrefix: null, length: prefix.length + body.length };
    }
    const payloadPrefix = encodeLengthPrefix(9, t.payload.length);
    const messageLength = t.header.length + payloadPrefix.length + t.payload.length;
    const prefix = encodeLengthPrefix(5, messageLength);
    return { prefix, body: t.header, payloadPrefix, length: prefix.length + messageLength };
  };

  let position = 0;
  const replacement: NodeReplacement = (node, hidden) => {
    const weightName = node.inputs[1] ?? '';
    const weight = node.opType === 'MatMul' && !hidden.has(weightName) ? chosenByName.get(weightName) : undefined;
    if (!weight || !weight.nodes.includes(node)) return null;
    const n = names.get(weight)!;
    return nodeField({
      name: `${node.name || `MatMul_${position}`}_Q4`,
      opType: 'MatMulNBits',
      domain: 'com.microsoft',
      inputs: [node.inputs[0], n.q, n.scales, ...(n.zp ? [n.zp] : [])],
      outputs: node.outputs,
      intAttributes: {
        K: weight.K,
        N: weight.N,
        bits: 4,
        block_size: options.blockSize,
        accuracy_level: options.accuracyLevel,
      },
    });
  };
  const nodePieces: (Span | Uint8Array)[] = [];
  for (const node of index.nodes) {
    const replaced = replacement(node, new Set());
    if (replaced) nodePieces.push(replaced);
    else if (node.subgraphs.length && bodiesChange(node, replacement)) {
      try {
        nodePieces.push(await rewriteControlFlowNode(source, node, replacement));
      } catch (error) {
        throw new QuantizeError((error as Error).message);
      }
    } else nodePieces.push(node.span);
    position++;
  }
  const pieceLength = (piece: Span | Uint8Array): number => (piece instanceof Uint8Array ? piece.length : piece.length);
  let graphLength = 0;
  for (const piece of nodePieces) graphLength += pieceLength(piece);
  for (const span of index.graphFields) graphLength += span.length;
  for (const t of outTensors) graphLength += t.kind === 'verbatim' ? t.span.length : tensorField(t).length;

  const opsets = index.opsets.filter((opset) => opset.domain !== 'com.microsoft');
  const msOpset = index.opsets.find((opset) => opset.domain === 'com.microsoft');
  const header = concatBytes([
    ...opsets.map((opset) => opsetField(opset.domain, opset.version)),
    opsetField('com.microsoft', Math.max(1, msOpset?.version ?? 1)),
    ...Object.entries(options.metadata ?? {}).map(([key, value]) => stringEntry(14, key, value)),
    encodeLengthPrefix(7, graphLength),
  ]);

  // ---- write ----
  const model = await SequentialFile.create(outputPath);
  const data = external ? await SequentialFile.create(join(dirname(outputPath), dataName)) : null;
  const copySpan = async (span: Span): Promise<void> => {
    for await (const chunk of reader.modelRange(span.offset, span.length)) await model.write(chunk);
  };
  try {
    for (const span of index.modelFields) await copySpan(span);
    await model.write(header);
    const graphStart = model.position;
    for (const piece of nodePieces) await (piece instanceof Uint8Array ? model.write(piece) : copySpan(piece));
    for (const t of outTensors) {
      checkAbort();
      if (t.kind === 'verbatim') {
        await copySpan(t.span);
        progress(t.payloadBytes);
        continue;
      }
      const field = tensorField(t);
      await model.write(field.prefix);
      await model.write(field.body);
      if (t.external) {
        await data!.padTo(t.dataOffset!);
        await t.payload.write((bytes) => data!.write(bytes));
      } else {
        await model.write(field.payloadPrefix!);
        await t.payload.write((bytes) => model.write(bytes));
      }
    }
    for (const span of index.graphFields) await copySpan(span);
    if (model.position - graphStart !== graphLength) {
      throw new Error(`internal: graph is ${model.position - graphStart} bytes, planned ${graphLength}`);
    }
  } finally {
    await model.close();
    await data?.close();
  }

  const describe = (c: Candidate): QuantizedMatMul => ({
    node: c.nodes.map((node) => node.name).join(', '),
    weight: c.tensor.name,
    K: c.K,
    N: c.N,
    ...(c.relativeError !== undefined ? { relativeError: c.relativeError } : {}),
  });
  const totalElements = candidates.reduce((sum, c) => sum + c.K * c.N, 0);
  const int4Elements = [...chosen].reduce((sum, c) => sum + c.K * c.N, 0);
  return {
    quantized: [...chosen].map(describe),
    keptFloat: candidates.filter((c) => !chosen.has(c)).map(describe),
    achievedRatio: int4Elements / totalElements,
    inputWeightBytes: initializerBytes,
    outputModelBytes: model.position,
    outputDataBytes: data?.position ?? 0,
    externalData: data ? dataName : null,
    scaleDtype,
    inputFiles: reader.paths(),
  };
}
