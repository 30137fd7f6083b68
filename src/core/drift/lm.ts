/**
 * A decoder-only language model over onnxruntime-node: prefill once, reuse the KV cache, greedy decode, and a
 * teacher-forced scoring pass. Imported only by code that runs in the runner process (it loads the native addon).
 *
 * Why the buffers: each decode step would otherwise allocate new present.* and logits tensors (MBs per step on a
 * 150M model), and the garbage collector then takes one of the cores. Here the KV cache lives in two preallocated
 * buffers per layer and side (ping-pong: step t reads past from one and ORT writes present into the other), and
 * logits go into one preallocated row, so a step allocates only a few small JS objects.
 *
 * Layouts (decoder-io.ts reads what each graph needs): the KV cache has one entry per graph KV layer (not per
 * config layer); other `past_*` state is fed zeros at the first pass and each `present_*` is fed back next step;
 * an optimum merged decoder gets `use_cache_branch` false on the first pass (with empty past) and true after, as
 * optimum's ORTModelForCausalLM does (huggingface/optimum-onnx: optimum/onnxruntime/modeling_decoder.py); an
 * unmerged pair runs decoder_model.onnx for the first pass and decoder_with_past_model.onnx after;
 * `num_logits_to_keep`/`logits_to_keep` is 0 when scoring (every position) and 1 when generating, as
 * transformers' generate() sets it (huggingface/transformers: src/transformers/generation/utils.py).
 */
import * as ort from 'onnxruntime-node';
import { argmax, logSoftmax } from './metrics';
import type { StateTensor } from './decoder-io';
import type { ModelLayout } from './model-folder';

export interface LmOptions {
  readonly executionProvider: string;
  /** Intra-op threads; 0 lets ORT choose. */
  readonly threads: number;
}

export type StopReason = 'eos' | 'length' | 'cancelled';

export interface GenerateResult {
  /** Generated ids, without the EOS id that ended the run. */
  readonly tokens: number[];
  readonly finishReason: StopReason;
  /** The EOS id that ended generation, when finishReason is 'eos'. */
  readonly eosToken: number | null;
  readonly prefillMs: number;
  readonly decodeMs: number;
}

type KvArray = Float32Array | Uint16Array;

let halfTable: Float32Array | null = null;

/** fp16 bit patterns to float32, by a 64K-entry table (Node 20 has no Float16Array). */
export function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) table[h] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) table[h] = fraction ? NaN : sign * Infinity;
    else table[h] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  halfTable = table;
  return table;
}

/** A state tensor's first value: zeros, symbolic dims resolved as transformers.js does (batch 1, others 0). */
function initialState(state: StateTensor): ort.Tensor {
  const dims = state.shape.map((dim) => (typeof dim === 'number' ? dim : /batch/i.test(dim) ? 1 : 0));
  const size = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor(state.dtype, state.dtype === 'float16' ? new Uint16Array(size) : new Float32Array(size), dims);
}

/** How many trailing positions' logits a pass asks for (when the graph takes logits_to_keep): 0 means all. */
type KeepLogits = 0 | 1;

/** Continuations per batched pass: bounds the replicated past (batch x the context's KV cache). */
const CONTINUATION_BATCH = 8;

export class LanguageModel {
  private kv: { key: [KvArray, KvArray]; value: [KvArray, KvArray] }[] = [];
  /** Recurrent state other than the KV cache, by past input name: what the next pass is fed. */
  private state = new Map<string, ort.Tensor>();
  private readonly branch = {
    first: new ort.Tensor('bool', Uint8Array.of(0), [1]),
    cached: new ort.Tensor('bool', Uint8Array.of(1), [1]),
  };
  private readonly keep = {
    0: new ort.Tensor('int64', BigInt64Array.of(0n), []),
    1: new ort.Tensor('int64', BigInt64Array.of(1n), []),
  };
  private kvCapacity = 0;
  private mask = new BigInt64Array(0);
  private readonly stepIds = new BigInt64Array(1);
  private readonly stepPosition = new BigInt64Array(1);
  private readonly logitsRow: KvArray;
  private readonly logitsTensor: ort.Tensor;
  private readonly rowFloat: Float32Array;
  private readonly dtype: 'float32' | 'float16';
  /** Preallocated outputs work on the CPU EP; other EPs get ORT-allocated outputs. */
  private readonly preallocate: boolean;
  /** Multiple choice scores continuations in one batched pass until the graph refuses a batch > 1. */
  private batchContinuations = true;

  private constructor(
    readonly layout: ModelLayout,
    private readonly session: ort.InferenceSession,
    /** decoder_model.onnx of an unmerged pair: the first pass (no past); null for single-file layouts. */
    private readonly prefillSession: ort.InferenceSession | null,
    readonly executionProvider: string,
  ) {
    this.dtype = layout.ioDtype;
    this.preallocate = executionProvider === 'cpu';
    const logitsDtype = layout.io.logitsDtype;
    this.logitsRow = logitsDtype === 'float16' ? new Uint16Array(layout.vocabSize) : new Float32Array(layout.vocabSize);
    this.logitsTensor = new ort.Tensor(logitsDtype, this.logitsRow, [1, 1, layout.vocabSize]);
    this.rowFloat = new Float32Array(layout.vocabSize);
  }

  static async load(layout: ModelLayout, options: LmOptions): Promise<LanguageModel> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [options.executionProvider],
      graphOptimizationLevel: 'all',
      ...(options.threads > 0 ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    };
    const create = async (file: string): Promise<ort.InferenceSession> => {
      try {
        return await ort.InferenceSession.create(file, sessionOptions);
      } catch (error) {
        throw new Error(
          `onnxruntime could not load ${file} on '${options.executionProvider}': ${(error as Error).message}`,
        );
      }
    };
    const session = await create(layout.onnxPath);
    let prefill: ort.InferenceSession | null = null;
    try {
      if (layout.prefillOnnxPath) prefill = await create(layout.prefillOnnxPath);
    } catch (error) {
      await session.release();
      throw error;
    }
    return new LanguageModel(layout, session, prefill, options.executionProvider);
  }

  async release(): Promise<void> {
    this.kv = [];
    this.kvCapacity = 0;
    this.state.clear();
    await this.session.release();
    await this.prefillSession?.release();
  }

  private ensureCapacity(sequence: number): void {
    if (sequence <= this.kvCapacity) return;
    const { numKvHeads, headSize } = this.layout;
    const capacity = Math.max(sequence, 64, Math.ceil(this.kvCapacity * 1.5));
    const size = numKvHeads * capacity * headSize;
    const make = (): KvArray => (this.dtype === 'float16' ? new Uint16Array(size) : new Float32Array(size));
    this.kv = Array.from({ length: this.layout.io.kv.length }, () => ({
      key: [make(), make()],
      value: [make(), make()],
    }));
    this.kvCapacity = capacity;
    this.mask = new BigInt64Array(capacity).fill(1n);
  }

  private kvTensor(buffer: KvArray, length: number): ort.Tensor {
    const { numKvHeads, headSize } = this.layout;
    return new ort.Tensor(this.dtype, buffer.subarray(0, numKvHeads * length * headSize), [
      1,
      numKvHeads,
      length,
      headSize,
    ]);
  }

  /**
   * One forward pass of `ids` (int64 view) at positions past..past+n-1 over a cache of `past` entries held in
   * buffer `side` of each pair; presents are written into the other buffer, other state is carried over in
   * `this.state` (reset to zeros when past is 0). Returns ORT's outputs.
   */
  private async forward(
    ids: BigInt64Array,
    positions: BigInt64Array,
    past: number,
    side: 0 | 1,
    logitsOut: ort.Tensor | null,
    keep: KeepLogits,
  ) {
    const io = this.layout.io;
    const n = ids.length;
    const first = past === 0;
    const session = first && this.prefillSession ? this.prefillSession : this.session;
    const feeds: Record<string, ort.Tensor> = { [io.inputIds]: new ort.Tensor('int64', ids, [1, n]) };
    if (io.attentionMask)
      feeds[io.attentionMask] = new ort.Tensor('int64', this.mask.subarray(0, past + n), [1, past + n]);
    if (io.positionIds) feeds[io.positionIds] = new ort.Tensor('int64', positions, [1, n]);
    if (io.useCacheBranch) feeds[io.useCacheBranch] = first ? this.branch.first : this.branch.cached;
    if (io.logitsToKeep) feeds[io.logitsToKeep] = this.keep[keep];
    if (first) this.state = new Map(io.state.map((s) => [s.past, initialState(s)]));
    for (const s of io.state) feeds[s.past] = this.state.get(s.past)!;
    const fetches: Record<string, ort.Tensor | null> = { [io.logits]: this.preallocate ? logitsOut : null };
    const other = side === 0 ? 1 : 0;
    const feedPast = session === this.session;
    for (let slot = 0; slot < this.kv.length; slot++) {
      const { key, value } = this.kv[slot];
      const names = io.kv[slot];
      if (feedPast) {
        feeds[names.pastKey] = this.kvTensor(key[side], past);
        feeds[names.pastValue] = this.kvTensor(value[side], past);
      }
      fetches[names.presentKey] = this.preallocate ? this.kvTensor(key[other], past + n) : null;
      fetches[names.presentValue] = this.preallocate ? this.kvTensor(value[other], past + n) : null;
    }
    for (const s of io.state) fetches[s.present] = null;
    const outputs = await session.run(feeds, fetches);
    for (const s of io.state) this.state.set(s.past, outputs[s.present]);
    if (!this.preallocate) {
      // Copy ORT-allocated presents into the next side so the loop below is the same for every EP.
      for (let slot = 0; slot < this.kv.length; slot++) {
        const { key, value } = this.kv[slot];
        key[other].set(outputs[io.kv[slot].presentKey].data as KvArray);
        value[other].set(outputs[io.kv[slot].presentValue].data as KvArray);
      }
    }
    return outputs;
  }

  /** The last row of a pass's logits as float32 (the only row when logits_to_keep was 1). */
  private lastLogitsRow(output: ort.Tensor): Float32Array {
    const rows = output.dims[1] ?? 1;
    return this.logitsRowAt(output.data as KvArray, rows - 1);
  }

  /** Row `row` of a [1, n, vocab] logits output as float32 (a view for fp32, converted into a shared row for fp16). */
  private logitsRowAt(data: KvArray, row: number): Float32Array {
    const vocab = this.layout.vocabSize;
    if (data instanceof Float32Array) return data.subarray(row * vocab, (row + 1) * vocab);
    const table = halfToFloatTable();
    for (let i = 0; i < vocab; i++) this.rowFloat[i] = table[data[row * vocab + i]]!;
    return this.rowFloat;
  }

  /**
   * Decoding with the KV cache: greedy, unless `choose` picks the next id from each logits row (sampling mode).
   * `shouldStop` is checked between steps (cancel).
   */
  async generate(
    promptIds: readonly number[],
    maxNewTokens: number,
    shouldStop: () => boolean = () => false,
    eosIds: readonly number[] = this.layout.eosTokenIds,
    choose: (logits: Float32Array) => number = argmax,
  ): Promise<GenerateResult> {
    if (!promptIds.length) throw new Error('empty prompt: nothing to condition on');
    const promptLength = promptIds.length;
    // Positions past max_position_embeddings index outside the RoPE tables (ORT fails with an opaque Gather
    // error), so generation stops at the context length with finish reason 'length'.
    const context = this.layout.maxPositions;
    if (context !== null && promptLength >= context) {
      throw new Error(`the prompt has ${promptLength} tokens but the model's context is ${context} positions`);
    }
    if (context !== null) maxNewTokens = Math.min(maxNewTokens, context - promptLength);
    this.ensureCapacity(promptLength + maxNewTokens + 1);
    const eos = new Set(eosIds);
    const tokens: number[] = [];
    const started = performance.now();
    const ids = BigInt64Array.from(promptIds, (id) => BigInt(id));
    const positions = BigInt64Array.from(promptIds, (_, i) => BigInt(i));
    // Prefill: ORT allocates the [1, n, vocab] logits once; only the last row is read.
    const prefill = await this.forward(ids, positions, 0, 0, null, 1);
    let side: 0 | 1 = 1;
    let next = choose(this.lastLogitsRow(prefill[this.layout.io.logits]));
    const prefillMs = performance.now() - started;
    let finishReason: StopReason = 'length';
    let eosToken: number | null = null;
    let past = promptLength;
    for (let step = 0; step < maxNewTokens; step++) {
      if (eos.has(next)) {
        finishReason = 'eos';
        eosToken = next;
        break;
      }
      tokens.push(next);
      if (step === maxNewTokens - 1) break;
      if (shouldStop()) {
        finishReason = 'cancelled';
        break;
      }
      this.stepIds[0] = BigInt(next);
      this.stepPosition[0] = BigInt(past);
      const out = await this.forward(this.stepIds, this.stepPosition, past, side, this.logitsTensor, 1);
      side = side === 0 ? 1 : 0;
      past++;
      const data = this.preallocate ? this.logitsRow : (out[this.layout.io.logits].data as KvArray);
      next = choose(this.logitsRowAt(data, 0));
    }
    return { tokens, finishReason, eosToken, prefillMs, decodeMs: performance.now() - started - prefillMs };
  }

  /**
   * Teacher-forced scoring in ONE forward pass without cache: returns the float32 logits rows that predict
   * ids[from..end-1] (rows from-1 .. end-2 of the pass), row-major [rows, vocab].
   */
  async score(sequence: readonly number[], from: number): Promise<Float32Array> {
    if (from < 1 || from >= sequence.length + 1)
      throw new Error(`score: 'from' ${from} out of range for ${sequence.length} tokens`);
    const context = this.layout.maxPositions;
    if (context !== null && sequence.length > context) {
      throw new Error(`cannot score ${sequence.length} tokens: the model's context is ${context} positions`);
    }
    this.ensureCapacity(sequence.length);
    const ids = BigInt64Array.from(sequence, (id) => BigInt(id));
    const positions = BigInt64Array.from(sequence, (_, i) => BigInt(i));
    const out = await this.forward(ids, positions, 0, 0, null, 0);
    const data = out[this.layout.io.logits].data as KvArray;
    const vocab = this.layout.vocabSize;
    const rows = sequence.length - from;
    if (data instanceof Float32Array) return data.slice((from - 1) * vocab, (from - 1 + rows) * vocab);
    const result = new Float32Array(rows * vocab);
    const table = halfToFloatTable();
    const offset = (from - 1) * vocab;
    for (let i = 0; i < result.length; i++) result[i] = table[data[offset + i]]!;
    return result;
  }

  /**
   * Log-probability of every token of each continuation after a shared context (multiple choice). The context
   * runs once; its last logits row scores each continuation's first token, and its KV cache (left in buffer side
   * 1) is the past of one batched pass over the continuations' remaining tokens: batch row b holds continuation b
   * (right-padded to the longest; causal attention keeps padding from reaching real positions), each row's past
   * a copy of the context's cache. One batched pass instead of one pass per choice matters on the CPU EP: a pass
   * over a few dozen tokens costs about one read of all the weights, whatever its length. Graphs that take no
   * batch > 1, or carry recurrent state besides the KV cache, get one pass per continuation over the same cache
   * (and the context's state). Returns per-token log-probs per continuation.
   */
  async continuationLogProbs(
    context: readonly number[],
    continuations: readonly (readonly number[])[],
  ): Promise<Float64Array[]> {
    if (!context.length) throw new Error('continuationLogProbs: empty context');
    if (continuations.some((c) => !c.length)) throw new Error('continuationLogProbs: empty continuation');
    const longest = Math.max(...continuations.map((c) => c.length));
    const limit = this.layout.maxPositions;
    if (limit !== null && context.length + longest - 1 > limit) {
      throw new Error(`cannot score ${context.length + longest - 1} tokens: the model's context is ${limit} positions`);
    }
    this.ensureCapacity(context.length + longest);
    const logProbs = new Float64Array(this.layout.vocabSize);
    const ids = BigInt64Array.from(context, (id) => BigInt(id));
    const positions = BigInt64Array.from(context, (_, i) => BigInt(i));
    const prefill = await this.forward(ids, positions, 0, 0, null, 1);
    logSoftmax(this.lastLogitsRow(prefill[this.layout.io.logits]), logProbs);
    const contextState = new Map(this.state);
    const results = continuations.map((c) => {
      const out = new Float64Array(c.length);
      out[0] = logProbs[c[0]];
      return out;
    });
    const rest = continuations.map((_, k) => k).filter((k) => continuations[k].length > 1);
    const canBatch = this.layout.io.state.length === 0;
    for (let start = 0; start < rest.length; start += CONTINUATION_BATCH) {
      const chunk = rest.slice(start, start + CONTINUATION_BATCH);
      if (this.batchContinuations && canBatch) {
        try {
          await this.scoreBatch(context.length, chunk, continuations, results);
          continue;
        } catch {
          this.batchContinuations = false; // a graph with a fixed batch of 1: one pass per continuation from now on
        }
      }
      for (const k of chunk) {
        this.state = new Map(contextState);
        await this.scoreOne(context.length, continuations[k], results[k]);
      }
    }
    return results;
  }

  /** One pass over continuation[0..n-2] with the context cache (side 1) as past; presents go to side 0. */
  private async scoreOne(past: number, tokens: readonly number[], out: Float64Array): Promise<void> {
    const logProbs = new Float64Array(this.layout.vocabSize);
    const feed = BigInt64Array.from(tokens.slice(0, -1), (id) => BigInt(id));
    const feedPositions = BigInt64Array.from(feed, (_, i) => BigInt(past + i));
    const result = await this.forward(feed, feedPositions, past, 1, null, 0);
    const data = result[this.layout.io.logits].data as KvArray;
    for (let r = 0; r < feed.length; r++) {
      logSoftmax(this.logitsRowAt(data, r), logProbs);
      out[r + 1] = logProbs[tokens[r + 1]];
    }
  }

  /** One batched pass over the continuations `chunk`, each row's past a copy of the context cache (side 1). */
  private async scoreBatch(
    past: number,
    chunk: readonly number[],
    continuations: readonly (readonly number[])[],
    results: Float64Array[],
  ): Promise<void> {
    const { io, numKvHeads, headSize, vocabSize } = this.layout;
    const batch = chunk.length;
    const n = Math.max(...chunk.map((k) => continuations[k].length)) - 1;
    const ids = new BigInt64Array(batch * n);
    const positions = new BigInt64Array(batch * n);
    chunk.forEach((k, b) => {
      const tokens = continuations[k];
      for (let i = 0; i < n; i++) {
        ids[b * n + i] = BigInt(tokens[Math.min(i, tokens.length - 2)]);
        positions[b * n + i] = BigInt(past + i);
      }
    });
    const feeds: Record<string, ort.Tensor> = { [io.inputIds]: new ort.Tensor('int64', ids, [batch, n]) };
    if (io.attentionMask)
      feeds[io.attentionMask] = new ort.Tensor('int64', new BigInt64Array(batch * (past + n)).fill(1n), [
        batch,
        past + n,
      ]);
    if (io.positionIds) feeds[io.positionIds] = new ort.Tensor('int64', positions, [batch, n]);
    if (io.useCacheBranch) feeds[io.useCacheBranch] = this.branch.cached;
    if (io.logitsToKeep) feeds[io.logitsToKeep] = this.keep[0];
    const size = numKvHeads * past * headSize;
    const replicate = (source: KvArray): ort.Tensor => {
      const data = this.dtype === 'float16' ? new Uint16Array(batch * size) : new Float32Array(batch * size);
      for (let b = 0; b < batch; b++) data.set(source.subarray(0, size), b * size);
      return new ort.Tensor(this.dtype, data, [batch, numKvHeads, past, headSize]);
    };
    for (let slot = 0; slot < this.kv.length; slot++) {
      feeds[io.kv[slot].pastKey] = replicate(this.kv[slot].key[1]);
      feeds[io.kv[slot].pastValue] = replicate(this.kv[slot].value[1]);
    }
    const output = await this.session.run(feeds, [io.logits]);
    const data = output[io.logits].data as KvArray;
    const logProbs = new Float64Array(vocabSize);
    chunk.forEach((k, b) => {
      const tokens = continuations[k];
      for (let r = 0; r < tokens.length - 1; r++) {
        logSoftmax(this.logitsRowAt(data, b * n + r), logProbs);
        results[k][r + 1] = logProbs[tokens[r + 1]];
      }
    });
  }

  /** Logits of every position of `sequence` computed step by step through the KV cache (for tests). */
  async logitsWithCache(sequence: readonly number[]): Promise<Float32Array> {
    this.ensureCapacity(sequence.length + 1);
    const vocab = this.layout.vocabSize;
    const result = new Float32Array(sequence.length * vocab);
    let side: 0 | 1 = 0;
    for (let t = 0; t < sequence.length; t++) {
      this.stepIds[0] = BigInt(sequence[t]);
      this.stepPosition[0] = BigInt(t);
      const out = await this.forward(this.stepIds, this.stepPosition, t, side, this.logitsTensor, 1);
      side = side === 0 ? 1 : 0;
      const data = this.preallocate ? this.logitsRow : (out[this.layout.io.logits].data as KvArray);
      result.set(this.logitsRowAt(data, 0), t * vocab);
    }
    return result;
  }
}
