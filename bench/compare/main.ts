/**
 * bench/compare: our decode loop against @huggingface/transformers generate(), side by side in one run, on a
 * ~155M-parameter Llama-style model it builds (fp32) and quantizes (INT4 sym block 32, accuracy_level 0 and 4).
 * Every engine runs in its own child process (peak RSS is that variant's alone); all of them stay loaded and are
 * measured round by round, and each ratio is taken within a round: the machine's speed and memory bandwidth swing
 * from moment to moment (and other work on a shared machine swings them more), so only same-round ratios mean anything.
 *
 *   node bench/compare/run.mjs [--threads 2] [--rounds 5] [--rebuild]
 * Models are kept in bench/.work/compare (gitignored).
 */
import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadModelLayout } from '../../src/core/drift/model-folder';
import { quantizeModelFolder } from '../../src/core/quantize';
import {
  randomLlamaWeights,
  benchLlamaConfig,
  writeLlamaModelFolder,
  type LlamaConfig,
} from '../../tools/model-builder/llama';

/** The repository root: the nearest folder above this file with a package.json (works from out/ and bench/.work/bin). */
function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}
const ROOT = findRoot(__dirname);
const WORK = join(ROOT, 'bench', '.work', 'compare');
const WORKER = join(__dirname, 'worker.js');

/** ~156M parameters: the size ENVIRONMENT.md's decode measurements used (the builder's bench shape). */
const CONFIG: LlamaConfig = benchLlamaConfig({ maxPositionEmbeddings: 512 });

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Measurement {
  decodeTokPerS?: number;
  scoreTokPerS?: number;
  bytesPerS?: number;
}

/** One engine process driven over IPC: 'measure' runs one round, 'done' returns its peak RSS. */
class Worker {
  private readonly child: ChildProcess;
  private waiting: ((message: Record<string, unknown>) => void) | null = null;
  private constructor(
    readonly label: string,
    args: string[],
  ) {
    this.child = fork(WORKER, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: Record<string, unknown>) => {
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.(message);
    });
    this.child.on('exit', (code) => {
      if (code) this.waiting?.({ error: `${label} exited with code ${code}` });
    });
  }

  static async start(label: string, args: string[]): Promise<Worker> {
    console.error(`  loading ${label} ...`);
    const worker = new Worker(label, args);
    await worker.next();
    return worker;
  }

  private next(send?: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.waiting = (message) =>
        message.error
          ? reject(
              new Error(
                `${this.label}: ${typeof message.error === 'string' ? message.error : JSON.stringify(message.error)}`,
              ),
            )
          : resolve(message);
      if (send) this.child.send(send);
    });
  }

  async measure(): Promise<Measurement> {
    return (await this.next('measure')).result as Measurement;
  }

  async finish(): Promise<number> {
    return (await this.next('done')).peakRss as number;
  }
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Bytes a decode step reads from weights: every MatMul operand (the embedding is a Gather of one row). */
function weightBytesPerToken(cfg: LlamaConfig, bytesPerWeight: number): number {
  const head = cfg.hiddenSize / cfg.numHeads;
  const attention = cfg.hiddenSize * (cfg.hiddenSize + 2 * cfg.numKvHeads * head) + cfg.hiddenSize * cfg.hiddenSize;
  const mlp = 3 * cfg.hiddenSize * cfg.intermediateSize;
  return (cfg.numLayers * (attention + mlp) + cfg.hiddenSize * cfg.vocabSize) * bytesPerWeight;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const x = (value: number): string => `${value.toFixed(2)}x`;
const goal = (ok: boolean): string => (ok ? 'met' : 'MISSED');

async function prepare(rebuild: boolean): Promise<Record<string, string>> {
  const dirs = { fp32: join(WORK, 'fp32'), 'int4 al0': join(WORK, 'int4-al0'), 'int4 al4': join(WORK, 'int4-al4') };
  if (rebuild) await rm(WORK, { recursive: true, force: true });
  if (!existsSync(join(dirs.fp32, 'model.onnx'))) {
    const started = performance.now();
    await writeLlamaModelFolder(dirs.fp32, CONFIG, randomLlamaWeights(CONFIG, 1), { dtype: 'float32' });
    console.error(`built the fp32 model in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const [name, level] of [
    ['int4 al0', 0],
    ['int4 al4', 4],
  ] as const) {
    if (existsSync(join(dirs[name], 'model.onnx'))) continue;
    await quantizeModelFolder(dirs.fp32, dirs[name], { symmetric: true, blockSize: 32, accuracyLevel: level });
    console.error(`quantized ${name}`);
  }
  return dirs;
}

async function main(): Promise<void> {
  const threads = arg('--threads', 2);
  const rounds = arg('--rounds', 5);
  const dirs = await prepare(process.argv.includes('--rebuild'));
  const params = (weightBytesPerToken(CONFIG, 1) + CONFIG.vocabSize * CONFIG.hiddenSize) / 1e6;
  console.log(
    `bench/compare: Llama-style ${params.toFixed(0)}M parameters, prompt 64 + 64 new tokens, ${threads} threads, ` +
      `${rounds} rounds (every engine measured once per round, ratios per round, medians shown)`,
  );
  const variants = Object.entries(dirs);
  const workers: { name: string; ours: Worker; tjs: Worker }[] = [];
  for (const [name, dir] of variants) {
    workers.push({
      name,
      ours: await Worker.start(`ours ${name}`, ['ours', dir, String(threads)]),
      tjs: await Worker.start(`transformers.js ${name}`, ['tjs', dir, String(threads)]),
    });
  }
  const bandwidthWorker = await Worker.start('bandwidth', ['bandwidth', '-', String(threads)]);
  const bytes = weightBytesPerToken(CONFIG, 4);
  const perRound = new Map<string, number[]>();
  const add = (key: string, value: number): void => {
    perRound.set(key, [...(perRound.get(key) ?? []), value]);
  };
  for (let round = 0; round < rounds; round++) {
    const decode = new Map<string, number>();
    const bandwidth = (await bandwidthWorker.measure()).bytesPerS!;
    for (const { name, ours, tjs } of workers) {
      const mine = await ours.measure();
      const theirs = await tjs.measure();
      decode.set(name, mine.decodeTokPerS!);
      add(`${name} ours`, mine.decodeTokPerS!);
      add(`${name} tjs`, theirs.decodeTokPerS!);
      add(`${name} speed`, mine.decodeTokPerS! / theirs.decodeTokPerS!);
      add(`${name} score`, mine.scoreTokPerS!);
      add(`${name} scoring/decode`, mine.scoreTokPerS! / mine.decodeTokPerS!);
    }
    add('bandwidth', bandwidth);
    add('roofline', bandwidth / bytes);
    add('fp32/roofline', decode.get('fp32')! / (bandwidth / bytes));
    add('al4/fp32', decode.get('int4 al4')! / decode.get('fp32')!);
    console.error(`  round ${round + 1}/${rounds} done`);
  }
  const rss = new Map<string, number>();
  for (const { name, ours, tjs } of workers) {
    rss.set(`${name} ours`, await ours.finish());
    rss.set(`${name} tjs`, await tjs.finish());
  }
  await bandwidthWorker.finish();
  const m = (key: string): number => median(perRound.get(key)!);

  console.log('');
  console.log(
    'variant    | ours tok/s | transformers.js tok/s | speed (goal ≥1.25x) | peak RSS ours / tjs   | RSS (goal ≤0.8x) | scoring tok/s | scoring/decode (goal ≥5x)',
  );
  for (const { name } of workers) {
    const speed = m(`${name} speed`);
    const rssRatio = rss.get(`${name} ours`)! / rss.get(`${name} tjs`)!;
    const scoring = m(`${name} scoring/decode`);
    console.log(
      `${name.padEnd(10)} | ${m(`${name} ours`).toFixed(1).padStart(10)} | ${m(`${name} tjs`).toFixed(1).padStart(21)} | ` +
        `${`${x(speed)} ${goal(speed >= 1.25)}`.padEnd(19)} | ${`${mib(rss.get(`${name} ours`)!)} / ${mib(rss.get(`${name} tjs`)!)}`.padEnd(21)} | ` +
        `${`${x(rssRatio)} ${goal(rssRatio <= 0.8)}`.padEnd(16)} | ${m(`${name} score`).toFixed(0).padStart(13)} | ${x(scoring)} ${goal(scoring >= 5)}`,
    );
  }
  const fraction = m('fp32/roofline');
  const int4Speedup = m('al4/fp32');
  console.log('');
  console.log(
    `read bandwidth (ReduceSum over 1 GiB): median ${(m('bandwidth') / 1e9).toFixed(1)} GB/s ` +
      `(rounds: ${perRound
        .get('bandwidth')!
        .map((b) => (b / 1e9).toFixed(1))
        .join(', ')}); ` +
      `fp32 weights read per token ${mib(bytes)} -> roofline ${m('roofline').toFixed(1)} tok/s`,
  );
  console.log(`fp32 decode / roofline: ${fraction.toFixed(2)} (goal ≥0.8: ${goal(fraction >= 0.8)})`);
  console.log(`INT4 al4 decode / fp32 decode: ${x(int4Speedup)} (goal ≥3x: ${goal(int4Speedup >= 3)})`);
  const layout = await loadModelLayout(dirs['int4 al4']);
  console.log(`(int4 model: ${layout.weights}, ${mib(layout.sizeBytes)} on disk)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
