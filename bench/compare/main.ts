/**
 * bench/compare: our decode loop against @huggingface/transformers generate(), side by side in one run, on a
 * ~155M-parameter Llama-style model it builds (fp32) and quantizes (INT4 sym block 32, accuracy_level 0 and 4).
 * Every measurement runs in its own child process, so peak RSS is that variant's alone. Only ratios taken in this
 * run mean anything: the machine's memory bandwidth swings from moment to moment.
 *
 *   node bench/compare/run.mjs [--threads 2] [--reps 3] [--rebuild]
 * Models are kept in bench/.work/compare (gitignored).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { loadModelLayout } from '../../src/core/drift/model-folder';
import { quantizeModelFolder } from '../../src/core/quantize';
import {
  randomLlamaWeights,
  tinyLlamaConfig,
  writeLlamaModelFolder,
  type LlamaConfig,
} from '../../tools/model-builder/llama';

const run = promisify(execFile);
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

/** ~156M parameters: the size ENVIRONMENT.md's decode measurements used. */
const CONFIG: LlamaConfig = tinyLlamaConfig({
  vocabSize: 32000,
  hiddenSize: 1024,
  intermediateSize: 2816,
  numLayers: 8,
  numHeads: 16,
  numKvHeads: 4,
  maxPositionEmbeddings: 512,
});

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function measure(args: string[]): Promise<Record<string, number | string>> {
  console.error(
    `  measuring ${args
      .slice(0, 2)
      .map((a) => a.replace(WORK, ''))
      .join(' ')} ...`,
  );
  const { stdout } = await run(process.execPath, [WORKER, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number | string>;
}

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
  const reps = arg('--reps', 3);
  const dirs = await prepare(process.argv.includes('--rebuild'));
  const params = (weightBytesPerToken(CONFIG, 1) + CONFIG.vocabSize * CONFIG.hiddenSize) / 1e6;
  console.log(
    `bench/compare: Llama-style ${params.toFixed(0)}M parameters, prompt 64 + 64 new tokens, ${threads} threads, median of ${reps}`,
  );

  const bandwidths = [Number((await measure(['bandwidth', String(threads)])).bytesPerS)];
  const rows: { name: string; ours: Record<string, number | string>; tjs: Record<string, number | string> }[] = [];
  for (const [name, dir] of Object.entries(dirs)) {
    const ours = await measure(['ours', dir, String(threads), String(reps)]);
    const tjs = await measure(['tjs', dir, String(threads), String(reps)]);
    rows.push({ name, ours, tjs });
  }
  bandwidths.push(Number((await measure(['bandwidth', String(threads)])).bytesPerS));
  const bandwidth = Math.max(...bandwidths);

  console.log('');
  console.log(
    'variant    | ours tok/s | transformers.js tok/s | speed (goal ≥1.25x) | peak RSS ours / tjs   | RSS (goal ≤0.8x) | scoring tok/s | scoring/decode (goal ≥5x)',
  );
  for (const { name, ours, tjs } of rows) {
    const speed = Number(ours.decodeTokPerS) / Number(tjs.decodeTokPerS);
    const rss = Number(ours.peakRss) / Number(tjs.peakRss);
    const scoring = Number(ours.scoreTokPerS) / Number(ours.decodeTokPerS);
    console.log(
      `${name.padEnd(10)} | ${Number(ours.decodeTokPerS).toFixed(1).padStart(10)} | ${Number(tjs.decodeTokPerS).toFixed(1).padStart(21)} | ` +
        `${`${x(speed)} ${goal(speed >= 1.25)}`.padEnd(19)} | ${`${mib(Number(ours.peakRss))} / ${mib(Number(tjs.peakRss))}`.padEnd(21)} | ` +
        `${`${x(rss)} ${goal(rss <= 0.8)}`.padEnd(16)} | ${Number(ours.scoreTokPerS).toFixed(0).padStart(13)} | ${x(scoring)} ${goal(scoring >= 5)}`,
    );
  }
  const fp32 = rows.find((r) => r.name === 'fp32')!;
  const al4 = rows.find((r) => r.name === 'int4 al4')!;
  const bytes = weightBytesPerToken(CONFIG, 4);
  const roofline = bandwidth / bytes;
  const fraction = Number(fp32.ours.decodeTokPerS) / roofline;
  const int4Speedup = Number(al4.ours.decodeTokPerS) / Number(fp32.ours.decodeTokPerS);
  console.log('');
  console.log(
    `read bandwidth (best of ReduceSum over 1 GiB, before/after): ${bandwidths.map((b) => (b / 1e9).toFixed(1)).join(' / ')} GB/s; ` +
      `fp32 weights read per token ${mib(bytes)} -> roofline ${roofline.toFixed(1)} tok/s`,
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
