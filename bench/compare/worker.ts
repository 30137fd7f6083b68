/**
 * One engine in its own process (so peak RSS is this variant's alone), driven round by round over IPC by
 * main.ts so that every engine is measured in the same stretch of time as the others (the machine's speed
 * and memory bandwidth swing from moment to moment; ratios are taken per round).
 *   worker.js ours DIR THREADS        our LanguageModel: decode tok/s and teacher-forced scoring tok/s
 *   worker.js tjs DIR THREADS         @huggingface/transformers generate() on the same folder
 *   worker.js bandwidth - THREADS     read bandwidth through ORT (ReduceSum over 1 GiB, best of 3)
 * Messages in: 'measure' | 'done'. Out: { ready } | { result } | { peakRss }.
 */
import { basename, dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { LanguageModel } from '../../src/core/drift/lm';
import { loadModelLayout } from '../../src/core/drift/model-folder';
import { DataType, encodeModel, GraphBuilder } from '../../tools/model-builder/graph';

export const PROMPT_TOKENS = 64;
export const NEW_TOKENS = 64;

export interface Measurement {
  decodeTokPerS?: number;
  scoreTokPerS?: number;
  bytesPerS?: number;
}

interface Engine {
  measure(): Promise<Measurement>;
}

/** A fixed pseudo-random prompt inside the test tokenizer's range. */
function benchPrompt(): number[] {
  let state = 12345;
  return Array.from({ length: PROMPT_TOKENS }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 3 + (state % 297);
  });
}

/** Decode tok/s as time(prompt + 1 + NEW_TOKENS) - time(prompt + 1): the same prefill cancels out for both engines. */
async function decodeRate(run: (newTokens: number) => Promise<void>): Promise<number> {
  let t = performance.now();
  await run(1);
  const short = performance.now() - t;
  t = performance.now();
  await run(NEW_TOKENS + 1);
  return NEW_TOKENS / ((performance.now() - t - short) / 1000);
}

async function ours(dir: string, threads: number): Promise<Engine> {
  const lm = await LanguageModel.load(await loadModelLayout(dir), { executionProvider: 'cpu', threads });
  const prompt = benchPrompt();
  const run = async (n: number): Promise<void> => {
    const result = await lm.generate(prompt, n, () => false, []);
    if (result.tokens.length !== n) throw new Error(`generated ${result.tokens.length} of ${n}`);
  };
  await run(8); // warm-up: first-run allocations and kernel selection
  const sequence = [...prompt, ...(await lm.generate(prompt, NEW_TOKENS, () => false, [])).tokens];
  return {
    async measure() {
      const decodeTokPerS = await decodeRate(run);
      const t = performance.now();
      await lm.score(sequence, PROMPT_TOKENS);
      return { decodeTokPerS, scoreTokPerS: sequence.length / ((performance.now() - t) / 1000) };
    },
  };
}

async function transformersJs(dir: string, threads: number): Promise<Engine> {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = `${dirname(dir)}/`;
  const model = await t.AutoModelForCausalLM.from_pretrained(basename(dir), {
    subfolder: '',
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  const prompt = benchPrompt();
  const inputIds = new t.Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const mask = new t.Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
  const run = async (n: number): Promise<void> => {
    const out = (await model.generate({
      input_ids: inputIds,
      attention_mask: mask,
      max_new_tokens: n,
      min_new_tokens: n,
      do_sample: false,
    })) as { dims: number[] };
    if (out.dims[1] !== prompt.length + n)
      throw new Error(`transformers.js generated ${out.dims[1] - prompt.length} of ${n}`);
  };
  await run(8);
  return { measure: async () => ({ decodeTokPerS: await decodeRate(run) }) };
}

/** ReduceSum over rows of a 1 GiB float tensor (row-parallel in ORT's thread pool). */
async function bandwidth(threads: number): Promise<Engine> {
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
  await session.run({ x });
  return {
    async measure() {
      let best = 0;
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        await session.run({ x });
        best = Math.max(best, data.byteLength / ((performance.now() - t) / 1000));
      }
      return { bytesPerS: best };
    },
  };
}

async function main(): Promise<void> {
  const [mode, dir, threadsArg] = process.argv.slice(2);
  const threads = Number(threadsArg);
  const engine =
    mode === 'ours'
      ? await ours(dir, threads)
      : mode === 'tjs'
        ? await transformersJs(dir, threads)
        : await bandwidth(threads);
  process.on('message', (message: unknown) => {
    if (message === 'measure') {
      engine.measure().then(
        (result) => process.send?.({ result }),
        (error: unknown) => process.send?.({ error: String(error) }),
      );
    } else if (message === 'done') {
      process.send?.({ peakRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0));
    }
  });
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
