/**
 * One measurement in a fresh process (so peak RSS belongs to this variant alone). Prints one JSON line.
 *   node worker.js ours DIR THREADS REPS   our LanguageModel: decode tok/s, teacher-forced scoring tok/s
 *   node worker.js tjs DIR THREADS REPS    @huggingface/transformers generate() on the same folder
 *   node worker.js bandwidth THREADS       memory read bandwidth through ORT (ReduceSum over 1 GiB)
 */
import { basename, dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { LanguageModel } from '../../src/core/drift/lm';
import { loadModelLayout } from '../../src/core/drift/model-folder';
import { DataType, encodeModel, GraphBuilder } from '../../tools/model-builder/graph';

export const PROMPT_TOKENS = 64;
export const NEW_TOKENS = 64;

/** A fixed pseudo-random prompt inside the vocabulary. */
export function benchPrompt(vocab: number): number[] {
  let state = 12345;
  return Array.from({ length: PROMPT_TOKENS }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 3 + (state % (Math.min(vocab, 300) - 3));
  });
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/** Decode tok/s as (time of prompt + 1 + NEW_TOKENS) - (time of prompt + 1), the same way for both engines. */
async function decodeRate(run: (newTokens: number) => Promise<void>, reps: number): Promise<number> {
  await run(8); // warm-up: first-run allocations and kernel selection
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    await run(1);
    const short = performance.now() - t;
    t = performance.now();
    await run(NEW_TOKENS + 1);
    const long = performance.now() - t;
    rates.push(NEW_TOKENS / ((long - short) / 1000));
  }
  return median(rates);
}

async function ours(dir: string, threads: number, reps: number): Promise<object> {
  const layout = await loadModelLayout(dir);
  const lm = await LanguageModel.load(layout, { executionProvider: 'cpu', threads });
  const prompt = benchPrompt(layout.vocabSize);
  const decode = await decodeRate(async (n) => {
    const result = await lm.generate(prompt, n, () => false, []);
    if (result.tokens.length !== n) throw new Error(`generated ${result.tokens.length} of ${n}`);
  }, reps);
  const sequence = [...prompt, ...(await lm.generate(prompt, NEW_TOKENS, () => false, [])).tokens];
  await lm.score(sequence, PROMPT_TOKENS);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await lm.score(sequence, PROMPT_TOKENS);
    times.push(performance.now() - t);
  }
  await lm.release();
  return {
    decodeTokPerS: decode,
    scoreTokPerS: sequence.length / (median(times) / 1000),
    peakRss: peakRss(),
    weights: layout.weights,
  };
}

async function transformersJs(dir: string, threads: number, reps: number): Promise<object> {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = `${dirname(dir)}/`;
  const model = await t.AutoModelForCausalLM.from_pretrained(basename(dir), {
    subfolder: '',
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  const prompt = benchPrompt((model.config as unknown as { vocab_size: number }).vocab_size);
  const inputIds = new t.Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const mask = new t.Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
  const decode = await decodeRate(async (n) => {
    const out = (await model.generate({
      input_ids: inputIds,
      attention_mask: mask,
      max_new_tokens: n,
      min_new_tokens: n,
      do_sample: false,
    })) as {
      dims: number[];
    };
    if (out.dims[1] !== prompt.length + n)
      throw new Error(`transformers.js generated ${out.dims[1] - prompt.length} of ${n}`);
  }, reps);
  await model.dispose();
  return { decodeTokPerS: decode, peakRss: peakRss() };
}

/** Best-of-N read bandwidth: ReduceSum over rows of a 1 GiB float tensor (row-parallel in ORT's thread pool). */
async function bandwidth(threads: number): Promise<object> {
  const rows = 1024;
  const cols = 256 * 1024;
  const g = new GraphBuilder();
  g.node('ReduceSum', ['x', g.int64('axes', [1])], { keepdims: 0 }, { outputs: ['y'] });
  const model = encodeModel(g, {
    name: 'bandwidth',
    opsetVersion: 17,
    inputs: [{ name: 'x', dataType: DataType.FLOAT, shape: [rows, cols] }],
    outputs: [{ name: 'y', dataType: DataType.FLOAT, shape: [rows] }],
  });
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const data = new Float32Array(rows * cols).fill(1);
  const x = new ort.Tensor('float32', data, [rows, cols]);
  let best = 0;
  for (let r = 0; r < 12; r++) {
    const t = performance.now();
    await session.run({ x });
    best = Math.max(best, data.byteLength / ((performance.now() - t) / 1000));
  }
  await session.release();
  return { bytesPerS: best };
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  let result: object;
  if (mode === 'ours') result = await ours(a, Number(b), Number(c));
  else if (mode === 'tjs') result = await transformersJs(a, Number(b), Number(c));
  else if (mode === 'bandwidth') result = await bandwidth(Number(a));
  else throw new Error(`unknown mode ${mode}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
