/**
 * Quantizer benchmark: throughput (MB/s of input weights) and peak memory on a ~155M-parameter Llama-style model
 * built with tools/model-builder into bench/.work (gitignored; built once, reused).
 *
 *   npx tsc -p . ; node out/bench/quantize/run.js [--quick]
 *
 * Each configuration runs in a fresh child process, so its peak RSS (getrusage maxrss) is its own. Memory is reported
 * as the rise of peak RSS over the child's RSS before quantizing, against the largest single tensor of the input:
 * goal under 1.5x that tensor plus a fixed buffer (the writer's 4 MiB buffer and 8 MiB copy chunks). Throughput goal:
 * at least 200 MB/s. Both goals are printed beside the measured figures in one table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { FileSource } from '../../src/core/onnx/wire';
import { quantizeModelFolder } from '../../src/core/quantize';
import { indexModel } from '../../src/core/quantize/model-index';
import { PayloadReader } from '../../src/core/quantize/payload';
import {
  benchLlamaConfig,
  randomLlamaWeights,
  type LlamaConfig,
  writeLlamaModelFolder,
} from '../../tools/model-builder/llama';

/** The repository root: the nearest folder above this script with a tsconfig.json (works from out/ or out/.q/). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'tsconfig.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ROOT = repositoryRoot();
const WORK = join(ROOT, 'bench/.work/quantize');
const MiB = 1024 * 1024;

const FULL = benchLlamaConfig();
const QUICK: LlamaConfig = {
  ...FULL,
  numLayers: 2,
  hiddenSize: 512,
  intermediateSize: 1408,
  numHeads: 8,
  numKvHeads: 2,
  vocabSize: 8000,
};

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  inputWeightBytes: number;
  largestTensorBytes: number;
  baselineRss: number;
  peakRss: number;
  outputBytes: number;
}

interface Variant {
  name: string;
  model: 'fp32' | 'fp16-ext';
  args: { symmetric: boolean; blockSize: number; channelWise?: boolean; ratio?: number };
}

const VARIANTS: Variant[] = [
  { name: 'fp32 sym g32', model: 'fp32', args: { symmetric: true, blockSize: 32 } },
  { name: 'fp32 asym g128', model: 'fp32', args: { symmetric: false, blockSize: 128 } },
  { name: 'fp32 sym channel-wise', model: 'fp32', args: { symmetric: true, blockSize: 128, channelWise: true } },
  { name: 'fp32 sym g32 ratio 0.8', model: 'fp32', args: { symmetric: true, blockSize: 32, ratio: 0.8 } },
  { name: 'fp16 external-data sym g32', model: 'fp16-ext', args: { symmetric: true, blockSize: 32 } },
];

async function buildModels(cfg: LlamaConfig, tag: string): Promise<Record<Variant['model'], string>> {
  const dirs = { fp32: join(WORK, `${tag}-fp32`), 'fp16-ext': join(WORK, `${tag}-fp16-ext`) };
  const marker = join(WORK, `${tag}.config.json`);
  const canonical = (config: object): string => JSON.stringify(config, Object.keys(config).sort());
  const wanted = canonical(cfg);
  if (
    existsSync(marker) &&
    canonical(JSON.parse(await readFile(marker, 'utf8')) as object) === wanted &&
    existsSync(join(dirs.fp32, 'model.onnx')) &&
    existsSync(join(dirs['fp16-ext'], 'model.onnx'))
  ) {
    return dirs;
  }
  await mkdir(WORK, { recursive: true });
  const started = Date.now();
  const weights = randomLlamaWeights(cfg, 2026);
  await writeLlamaModelFolder(dirs.fp32, cfg, weights, { dtype: 'float32' });
  await writeLlamaModelFolder(dirs['fp16-ext'], cfg, weights, { dtype: 'float16', externalData: true });
  await writeFile(marker, wanted);
  const params = [...weights.values()].reduce((sum, tensor) => sum + tensor.data.length, 0);
  console.log(
    `built ${(params / 1e6).toFixed(1)}M-parameter models in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return dirs;
}

async function largestTensorBytes(modelPath: string): Promise<number> {
  const source = await FileSource.open(modelPath);
  const reader = new PayloadReader(modelPath);
  try {
    const index = await indexModel(source);
    return Math.max(...index.initializers.map((tensor) => reader.payloadLength(tensor)));
  } finally {
    await reader.close();
    await source.close();
  }
}

/** Child mode: one quantization, measured. */
async function child(inDir: string, outDir: string, argsJson: string): Promise<void> {
  const args = JSON.parse(argsJson) as Variant['args'];
  const largest = await largestTensorBytes(join(inDir, 'model.onnx'));
  const baselineRss = process.memoryUsage.rss();
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await quantizeModelFolder(inDir, outDir, { ...args, accuracyLevel: 4 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuUsed = process.cpuUsage(cpu);
  const out: ChildResult = {
    seconds,
    cpuSeconds: (cpuUsed.user + cpuUsed.system) / 1e6,
    inputWeightBytes: result.report.inputWeightBytes,
    largestTensorBytes: largest,
    baselineRss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    outputBytes: result.report.outputModelBytes + result.report.outputDataBytes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const cfg = quick ? QUICK : FULL;
  const dirs = await buildModels(cfg, quick ? 'quick' : 'full');
  const rows: string[][] = [
    [
      'variant',
      'input MB',
      'wall s',
      'wall MB/s',
      'CPU s',
      'CPU MB/s',
      'CPU vs 200',
      'largest MiB',
      'peak rise MiB',
      'rise/largest',
      'output MB',
    ],
  ];
  for (const variant of VARIANTS) {
    const outDir = join(WORK, `out-${variant.name.replace(/[^a-z0-9]+/gi, '-')}`);
    await rm(outDir, { recursive: true, force: true });
    const stdout = execFileSync(
      process.execPath,
      [__filename, '--child', dirs[variant.model], outDir, JSON.stringify(variant.args)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
    const wallRate = result.inputWeightBytes / 1e6 / result.seconds;
    const cpuRate = result.inputWeightBytes / 1e6 / result.cpuSeconds;
    const rise = result.peakRss - result.baselineRss;
    rows.push([
      variant.name,
      (result.inputWeightBytes / 1e6).toFixed(0),
      result.seconds.toFixed(2),
      wallRate.toFixed(0),
      result.cpuSeconds.toFixed(2),
      cpuRate.toFixed(0),
      `${(cpuRate / 200).toFixed(2)}x`,
      (result.largestTensorBytes / MiB).toFixed(0),
      (rise / MiB).toFixed(0),
      (rise / result.largestTensorBytes).toFixed(2),
      (result.outputBytes / 1e6).toFixed(0),
    ]);
    await rm(outDir, { recursive: true, force: true });
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
        .join('  '),
    );
  console.log(
    '\ngoals: >= 200 MB/s of input weights; peak RSS rise <= 1.5x the largest tensor + a fixed part (12 MiB of I/O buffers, plus code and heap)',
  );
  console.log(
    `load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(
        ' ',
      )} on this machine: wall MB/s shrinks with the load; CPU MB/s (input bytes per CPU-second of the single-threaded quantizer) does not`,
  );
}

if (process.argv[2] === '--child') {
  void child(process.argv[3], process.argv[4], process.argv[5]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
