/**
 * `quant-drift compare BASE QUANT`: paired greedy runs + teacher-forced drift metrics over a prompt suite, or
 * corpus perplexity/KL over a text file. Models run in the runner child process. Exit 1 on a failed verdict.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { formatReport, ReportFormat } from '../core/drift/format';
import { writeFileAtomic } from '../core/fs/atomic-write';
import { loadPromptsFile, loadSuite, PromptSpec } from '../core/drift/prompts';
import { quantizeModelFolder } from '../core/quantize';
import type { CompareReport, DriftThresholds, SamplingSettings, TaskThresholds } from '../protocol/report';
import { loadChoiceFile } from '../core/tasks/choice/load';
import { formatDelta } from '../core/tasks/deltas';
import { modelRefusal } from '../core/drift/model-folder';
import { RunnerClient } from '../core/drift/runner-client';
import type { CliIo } from './io';

const HELP = `Usage: quant-drift compare BASE QUANT [options]

Runs both models (ONNX folders in the optimum or ORT GenAI layout, or .onnx files such as an onnx-community
repo's onnx/model_fp16.onnx and onnx/model_q4f16.onnx) on the same prompts and reports how far QUANT
drifted from BASE: greedy outputs, first divergence, KL(base||quant), same top-1, delta-p, perplexity ratio,
JSON validity. Exit code 1 when the verdict is fail.

Prompts (default: --suite quick)
  --prompts FILE          JSONL, one {"prompt", "id"?, "expectsJson"?, "schema"?} per line
  --suite NAME            a shipped suite: quick, structured-json, code, rare-tokens, long-decode, instructions,
                          instruction-following
  --max-new-tokens N      greedy tokens per prompt and model (default 64)
  --json-max-new-tokens N limit for JSON prompts, which stop at EOS before it (default: --max-new-tokens)
Tasks (reported as base, quant and the paired delta with a 95% interval and McNemar's p)
  --choices FILE          multiple choice by log-likelihood: MMLU CSV, the Hub's MMLU JSONL, or our JSONL
                          ({"context", "choices", "answer", "prompt"?}); prompts may carry instruction checks
                          (IFEval's instruction_id_list/kwargs, or "checks": [{"type": "max-words", ...}])
  --samples K             sampling mode: K seeded samples per prompt and side, besides the greedy run
  --temperature T         default 0.7 (with --samples)
  --top-p P               default 0.95 (with --samples)
  --seed N                default 1
  --task-delta-warn PP    a task drop of PP points whose 95% interval excludes zero warns (default 2)
  --task-delta-fail PP    ... and fails (default 5)
Corpus mode
  --text FILE             score both models over this text instead of prompts
  --context N             window length in tokens (default 512); the second half of each window is scored
  --max-windows N         stop after N windows
Runtime
  --threads N             intra-op threads (default 0: ORT decides)
  --ep cpu|webgpu         execution provider (default cpu)
  --one-at-a-time         never load both models at once
Verdict thresholds
  --ppl-ratio-warn X      default 1.03
  --ppl-ratio-fail X      default 1.05
  --mean-kld-warn X       default 0.05
Output
  --format json|md|html   default md, or the format named by each --out file's extension
  --out FILE              write the report to FILE instead of stdout; repeat it to write several
                          formats from one run (--out r.json --out r.html)
Make the quantized side (when QUANT does not exist yet)
  --make-quant sym|asym   write an INT4 twin of BASE into QUANT first
  --block-size N          default 128
  --accuracy-level 0|4    default 4
`;

interface Options {
  base: string;
  quant: string;
  prompts?: string;
  suite?: string;
  text?: string;
  context: number;
  maxWindows: number;
  maxNewTokens: number;
  jsonMaxNewTokens?: number;
  threads: number;
  ep: string;
  oneAtATime: boolean;
  format: ReportFormat;
  /** Files to write the report to, each in its own format; none: stdout in `format`. */
  outs: { path: string; format: ReportFormat }[];
  thresholds: Partial<DriftThresholds>;
  makeQuant?: 'sym' | 'asym';
  blockSize: number;
  accuracyLevel: 0 | 4;
  choices?: string;
  sampling?: SamplingSettings;
  taskThresholds: Partial<TaskThresholds>;
}

class UsageError extends Error {}

/** The report format a file name asks for (`r.json`, `r.html`, `r.md`), if its extension names one. */
function formatOfExtension(file: string): ReportFormat | undefined {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.html' || extension === '.htm') return 'html';
  if (extension === '.md' || extension === '.markdown') return 'md';
  return undefined;
}

function parseArgs(argv: string[], cwd: string): Options | 'help' {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const outs: string[] = [];
  const valued = new Set([
    '--prompts',
    '--suite',
    '--text',
    '--context',
    '--max-windows',
    '--max-new-tokens',
    '--json-max-new-tokens',
    '--threads',
    '--ep',
    '--format',
    '--out',
    '--ppl-ratio-warn',
    '--ppl-ratio-fail',
    '--mean-kld-warn',
    '--make-quant',
    '--block-size',
    '--accuracy-level',
    '--choices',
    '--samples',
    '--temperature',
    '--top-p',
    '--seed',
    '--task-delta-warn',
    '--task-delta-fail',
  ]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (name === '--one-at-a-time') flags.set(name, true);
    else if (valued.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      if (name === '--out') outs.push(value);
      else flags.set(name, value);
    } else throw new UsageError(`unknown option ${name}`);
  }
  if (positional.length !== 2)
    throw new UsageError(
      `expected BASE and QUANT model folders, got ${positional.length} argument${positional.length === 1 ? '' : 's'}`,
    );
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const int = (name: string, fallback: number, min: number): number => {
    const v = str(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const real = (name: string): number | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${v}'`);
    return n;
  };
  const format = str('--format') ?? 'md';
  if (format !== 'json' && format !== 'md' && format !== 'html')
    throw new UsageError(`--format must be json, md or html, got '${format}'`);
  const explicitFormat = flags.has('--format');
  const makeQuant = str('--make-quant');
  if (makeQuant !== undefined && makeQuant !== 'sym' && makeQuant !== 'asym')
    throw new UsageError(`--make-quant must be sym or asym`);
  const accuracyLevel = int('--accuracy-level', 4, 0);
  if (accuracyLevel !== 0 && accuracyLevel !== 4) throw new UsageError('--accuracy-level must be 0 or 4');
  const sources = ['--prompts', '--suite', '--text'].filter((f) => flags.has(f));
  if (sources.length > 1) throw new UsageError(`use only one of ${sources.join(', ')}`);
  const thresholds: Partial<DriftThresholds> = {};
  const warn = real('--ppl-ratio-warn');
  const fail = real('--ppl-ratio-fail');
  const kld = real('--mean-kld-warn');
  if (warn !== undefined) Object.assign(thresholds, { pplRatioWarn: warn });
  if (fail !== undefined) Object.assign(thresholds, { pplRatioFail: fail });
  if (kld !== undefined) Object.assign(thresholds, { meanKldWarn: kld });
  const resolve = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(cwd, p));
  const taskThresholds: Partial<TaskThresholds> = {};
  const taskWarn = real('--task-delta-warn');
  const taskFail = real('--task-delta-fail');
  if (taskWarn !== undefined) Object.assign(taskThresholds, { deltaWarnPp: taskWarn });
  if (taskFail !== undefined) Object.assign(taskThresholds, { deltaFailPp: taskFail });
  const topP = real('--top-p') ?? 0.95;
  if (topP > 1) throw new UsageError('--top-p must be in (0, 1]');
  const temperature = str('--temperature') === undefined ? 0.7 : Number(str('--temperature'));
  if (!Number.isFinite(temperature) || temperature < 0) throw new UsageError('--temperature must be ≥ 0');
  const sampling: SamplingSettings | undefined = flags.has('--samples')
    ? { k: int('--samples', 5, 1), temperature, topP, seed: int('--seed', 1, 0) }
    : undefined;
  if (flags.has('--text') && (flags.has('--choices') || flags.has('--samples')))
    throw new UsageError('--choices and --samples work with prompts, not --text');
  return {
    ...(str('--choices') ? { choices: resolve(str('--choices')) } : {}),
    ...(sampling ? { sampling } : {}),
    taskThresholds,
    base: resolve(positional[0])!,
    quant: resolve(positional[1])!,
    ...(str('--prompts') ? { prompts: resolve(str('--prompts')) } : {}),
    ...(str('--suite') ? { suite: str('--suite') } : {}),
    ...(str('--text') ? { text: resolve(str('--text')) } : {}),
    context: int('--context', 512, 4),
    maxWindows: int('--max-windows', 0, 0),
    maxNewTokens: int('--max-new-tokens', 64, 1),
    ...(flags.has('--json-max-new-tokens') ? { jsonMaxNewTokens: int('--json-max-new-tokens', 0, 1) } : {}),
    threads: int('--threads', 0, 0),
    ep: str('--ep') ?? 'cpu',
    oneAtATime: flags.has('--one-at-a-time'),
    format,
    outs: outs.map((out) => ({
      path: resolve(out)!,
      format: explicitFormat ? format : (formatOfExtension(out) ?? format),
    })),
    thresholds,
    ...(makeQuant ? { makeQuant } : {}),
    blockSize: int('--block-size', 128, 16),
    accuracyLevel,
  };
}

/** dist/cli.js sits next to dist/runner.js; the tsc build keeps src/ layout under out/. */
export function findRunner(): string {
  const candidates = [
    process.env.QUANT_DRIFT_RUNNER,
    path.join(__dirname, 'runner.js'),
    path.join(__dirname, '..', 'runner', 'main.js'),
  ];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new Error(`cannot find the model runner (looked for ${candidates.filter(Boolean).join(', ')})`);
}

async function makeQuant(options: Options, io: CliIo): Promise<void> {
  io.err(
    `quant-drift compare: writing an INT4 ${options.makeQuant} block ${options.blockSize} twin of BASE to ${options.quant}`,
  );
  let last = -1;
  await quantizeModelFolder(options.base, options.quant, {
    symmetric: options.makeQuant === 'sym',
    blockSize: options.blockSize,
    accuracyLevel: options.accuracyLevel,
    onProgress: (done, total) => {
      const pct = Math.floor((done / Math.max(total, 1)) * 10) * 10;
      if (pct !== last) io.err(`  quantized ${pct}%`);
      last = pct;
    },
  });
}

export async function runCompare(argv: string[], io: CliIo): Promise<number> {
  let options: Options;
  try {
    const parsed = parseArgs(argv, io.cwd);
    if (parsed === 'help') {
      io.out(HELP);
      return 0;
    }
    options = parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`quant-drift compare: ${error.message}\n\n${HELP}`);
    return 2;
  }
  for (const folder of [options.base, ...(options.makeQuant ? [] : [options.quant])]) {
    if (!existsSync(folder)) {
      const hint = folder === options.quant ? ' (add --make-quant sym|asym to create it from BASE)' : '';
      io.err(`quant-drift compare: ${folder} does not exist${hint}`);
      return 2;
    }
  }
  if (options.makeQuant && !existsSync(options.quant)) await makeQuant(options, io);
  // Layouts the runner cannot drive are named here, from their headers, before onnxruntime starts.
  for (const folder of [options.base, options.quant]) {
    const refusal = await modelRefusal(folder);
    if (refusal) {
      io.err(`quant-drift compare: ${refusal}`);
      return 2;
    }
  }

  const client = RunnerClient.start({ runnerPath: findRunner() });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  const progress = (e: { type: string; promptIndex?: number; total?: number; phase?: string }): void => {
    if (e.type === 'progress') io.err(`[${(e.promptIndex ?? 0) + 1}/${e.total}] ${e.phase}`);
  };
  let report: CompareReport;
  try {
    if (options.text) {
      const text = await fs.readFile(options.text, 'utf8');
      report = await client.scoreCorpus(
        {
          basePath: options.base,
          quantPath: options.quant,
          text,
          file: options.text,
          context: options.context,
          maxWindows: options.maxWindows,
          executionProvider: options.ep,
          threads: options.threads,
          thresholds: options.thresholds,
        },
        progress,
        abort.signal,
      );
    } else {
      const prompts: PromptSpec[] = options.prompts
        ? await loadPromptsFile(options.prompts)
        : await loadSuite(options.suite ?? 'quick');
      const choiceItems = options.choices ? await loadChoiceFile(options.choices) : undefined;
      report = await client.compare(
        {
          basePath: options.base,
          quantPath: options.quant,
          prompts,
          maxNewTokens: options.maxNewTokens,
          ...(options.jsonMaxNewTokens === undefined ? {} : { jsonMaxNewTokens: options.jsonMaxNewTokens }),
          executionProvider: options.ep,
          threads: options.threads,
          thresholds: options.thresholds,
          oneAtATime: options.oneAtATime,
          ...(choiceItems ? { choiceItems, choiceFile: options.choices } : {}),
          ...(options.sampling ? { sampling: options.sampling } : {}),
          taskThresholds: options.taskThresholds,
        },
        (e) => {
          progress(e);
          if (e.type === 'prompt-result') {
            const r = e.result;
            io.err(
              `  ${r.id}: ${r.firstDivergence === null ? 'identical' : `diverges at token ${r.firstDivergence}`}, mean KL ${r.teacherForced.meanKld.toFixed(4)}`,
            );
          }
        },
        abort.signal,
      );
    }
  } catch (error) {
    io.err(`quant-drift compare: ${(error as Error).message}`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSignal);
    client.dispose();
  }
  for (const delta of report.tasks?.deltas ?? []) io.err(`  ${formatDelta(delta)}`);
  if (options.outs.length === 0) io.out(formatReport(report, options.format));
  for (const out of options.outs) {
    await writeFileAtomic(out.path, formatReport(report, out.format));
    io.err(`quant-drift compare: ${report.summary.verdict} — ${out.format} report written to ${out.path}`);
  }
  return report.summary.verdict === 'fail' ? 1 : 0;
}
