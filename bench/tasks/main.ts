/**
 * bench/tasks: the cost of multiple-choice scoring with the shared context's KV cache reused
 * (LanguageModel.continuationLogProbs: the context runs once, each choice runs over it as past) against scoring
 * each full context + choice in its own pass (what a harness without KV reuse does), side by side in one run.
 * Goal: at most 0.5x for 4 choices and a context 4x longer than a choice.
 *
 * Both methods run on the same model in the same process, alternating item by item within each round, and the
 * ratio is taken per round (a shared machine's speed swings from moment to moment); the median ratio is printed.
 * Models: the committed demo model (3.0M parameters, fp16) and a 133M-parameter builder model (6 layers, width 1024, vocabulary 32000) (fp32, random
 * weights: cost does not depend on what the weights learned), kept in bench/.work/tasks (gitignored).
 *
 *   npx tsc -p . && node out/bench/tasks/main.js [--rounds 5] [--items 12] [--threads 2]
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LanguageModel } from '../../src/core/drift/lm';
import { logSoftmax } from '../../src/core/drift/metrics';
import { loadModelLayout } from '../../src/core/drift/model-folder';
import { mulberry32 } from '../../src/core/tasks/stats';
import { benchLlamaConfig, randomLlamaWeights, writeLlamaModelFolder } from '../../tools/model-builder/llama';

/** The repository root: the nearest folder above this file with demo/ (out/ also holds a package.json copy). */
function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'demo', 'models'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}
const ROOT = findRoot(__dirname);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function builderModel(): Promise<string> {
  const dir = join(ROOT, 'bench', '.work', 'tasks', 'llama-133m');
  if (!existsSync(join(dir, 'model.onnx'))) {
    const cfg = benchLlamaConfig({ numLayers: 6, maxPositionEmbeddings: 512 });
    process.stderr.write(`building ${dir} ...\n`);
    await writeLlamaModelFolder(dir, cfg, randomLlamaWeights(cfg, 3), { dtype: 'float32' });
  }
  return dir;
}

interface Item {
  readonly context: number[];
  readonly choices: number[][];
}

function makeItems(count: number, contextLength: number, choiceLength: number, vocab: number): Item[] {
  const random = mulberry32(5);
  const ids = (n: number): number[] => Array.from({ length: n }, () => 1 + Math.floor(random() * (vocab - 2)));
  return Array.from({ length: count }, () => ({
    context: ids(contextLength),
    choices: Array.from({ length: 4 }, () => ids(choiceLength)),
  }));
}

/** Without KV reuse: one teacher-forced pass over context + choice per choice. */
async function scoreFull(lm: LanguageModel, item: Item, vocab: number): Promise<number[]> {
  const row = new Float64Array(vocab);
  const out: number[] = [];
  for (const choice of item.choices) {
    const logits = await lm.score([...item.context, ...choice], item.context.length);
    let sum = 0;
    choice.forEach((token, r) => {
      logSoftmax(logits.subarray(r * vocab, (r + 1) * vocab), row);
      sum += row[token];
    });
    out.push(sum);
  }
  return out;
}

async function scoreReused(lm: LanguageModel, item: Item): Promise<number[]> {
  const perToken = await lm.continuationLogProbs(item.context, item.choices);
  return perToken.map((t) => t.reduce((a, b) => a + b, 0));
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function bench(label: string, folder: string, choiceLength: number): Promise<void> {
  const threads = arg('--threads', 2);
  const rounds = arg('--rounds', 5);
  const layout = await loadModelLayout(folder);
  const lm = await LanguageModel.load(layout, { executionProvider: 'cpu', threads });
  try {
    const items = makeItems(arg('--items', 12), 4 * choiceLength, choiceLength, layout.vocabSize);
    let maxDiff = 0;
    for (const item of items.slice(0, 2)) {
      // warm-up, and the check that both methods give the same numbers
      const [a, b] = [await scoreReused(lm, item), await scoreFull(lm, item, layout.vocabSize)];
      a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i]))));
    }
    const ratios: number[] = [];
    const reusedMs: number[] = [];
    const fullMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let reused = 0;
      let full = 0;
      for (const item of items) {
        let t = performance.now();
        await scoreReused(lm, item);
        reused += performance.now() - t;
        t = performance.now();
        await scoreFull(lm, item, layout.vocabSize);
        full += performance.now() - t;
      }
      ratios.push(reused / full);
      reusedMs.push(reused / items.length);
      fullMs.push(full / items.length);
    }
    process.stdout.write(
      `${label.padEnd(30)} context ${String(4 * choiceLength).padStart(3)} + 4 x ${String(choiceLength).padStart(2)} tokens: ` +
        `KV reuse ${median(reusedMs).toFixed(1)} ms/item, full passes ${median(fullMs).toFixed(1)} ms/item, ` +
        `ratio ${median(ratios).toFixed(2)}x (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')}; goal ≤ 0.50x); ` +
        `max |Δll| ${maxDiff.toExponential(1)}\n`,
    );
  } finally {
    await lm.release();
  }
}

async function main(): Promise<void> {
  const demo = join(ROOT, 'demo', 'models', 'fp16');
  for (const choiceLength of [8, 32]) await bench('demo model (3.0M, fp16)', demo, choiceLength);
  const big = await builderModel();
  for (const choiceLength of [8, 32]) await bench('builder model (133M, fp32)', big, choiceLength);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
