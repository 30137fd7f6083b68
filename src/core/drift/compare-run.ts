/**
 * The paired run, inside the runner process: greedy outputs of both models per prompt, then one teacher-forced
 * pass per model over prompt + base continuation, then the metrics and the report. Streams a progress event per
 * phase and a prompt-result per prompt. Checks `cancelled()` between decode steps and phases.
 */
import * as os from 'node:os';
import type { CompareEvent, CompareRequest } from '../../protocol/runner';
import { checkJson } from './json-check';
import { GenerateResult, LanguageModel, LmOptions } from './lm';
import { PositionStats, comparePositions, firstDivergence, topK } from './metrics';
import { PairInfo, PairMode, openPair, planPairMemory } from './pair';
import type { PromptSpec } from './prompts';
import type {
  ChoiceScores,
  CompareReport,
  DriftThresholds,
  GenerationSide,
  PromptResult,
  SampleRates,
  TopKCandidate,
} from '../../protocol/report';
import { DEFAULT_THRESHOLDS, buildSummary, teacherForcedBlock } from './summary';
import { tokenPieces } from './tokenizer';
import { CancelledTask, TaskRun } from '../tasks/run';

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface RunHooks {
  readonly emit: (event: CompareEvent) => void;
  readonly cancelled: () => boolean;
  readonly freeMemory?: () => number;
}

const TOP_K = 5;

interface SideRun {
  readonly gen: GenerateResult;
  /** Logits rows of the teacher-forced pass over the base sequence. */
  readonly logits: Float32Array;
  /** Sampling mode: rates over this side's k samples. */
  readonly samples?: SampleRates;
}

export function thresholdsOf(partial?: Partial<DriftThresholds>): DriftThresholds {
  return { ...DEFAULT_THRESHOLDS, ...(partial ?? {}) };
}

const expectsJson = (spec: PromptSpec): boolean => spec.expectsJson ?? spec.schema !== undefined;

/**
 * A JSON answer is judged only whole, so JSON prompts get their own (generous) limit and stop at EOS before it;
 * other prompts keep maxNewTokens. The model's context bounds both (LanguageModel.generate).
 */
export function newTokenLimit(
  request: Pick<CompareRequest, 'maxNewTokens' | 'jsonMaxNewTokens'>,
  spec: PromptSpec,
): number {
  return expectsJson(spec) && request.jsonMaxNewTokens !== undefined ? request.jsonMaxNewTokens : request.maxNewTokens;
}

/** The generated sequence as compared and scored: the EOS id is part of it when generation ended on EOS. */
const withEos = (gen: GenerateResult): number[] => (gen.eosToken === null ? gen.tokens : [...gen.tokens, gen.eosToken]);

export async function runCompare(request: CompareRequest, hooks: RunHooks): Promise<CompareReport> {
  const started = performance.now();
  const thresholds = thresholdsOf(request.thresholds);
  const pair = await openPair(request.basePath, request.quantPath);
  const prompts = request.prompts;
  if (!prompts.length) throw new Error('no prompts to compare');
  const encoded = prompts.map((p) => pair.tokenizer.encodePrompt(p.prompt));
  const free = (hooks.freeMemory ?? os.freemem)();
  const mode: PairMode = request.oneAtATime
    ? 'one-at-a-time'
    : planPairMemory(pair.base.sizeBytes, pair.quant.sizeBytes, free);
  const options: LmOptions = { executionProvider: request.executionProvider, threads: request.threads };
  const tasks = new TaskRun(request, pair.tokenizer);
  let baseChoices: ChoiceScores[] = [];
  let quantChoices: ChoiceScores[] = [];
  const total = prompts.length;
  const progress = (promptIndex: number, phase: string): void => {
    if (hooks.cancelled()) throw new CancelledError();
    hooks.emit({ type: 'progress', promptIndex, total, phase });
  };
  const runSide = async (
    lm: LanguageModel,
    index: number,
    baseTokens: readonly number[] | null,
    side: string,
  ): Promise<SideRun> => {
    progress(index, `${side}: generating`);
    const gen = await lm.generate(encoded[index], newTokenLimit(request, prompts[index]), hooks.cancelled, pair.eosIds);
    if (gen.finishReason === 'cancelled') throw new CancelledError();
    progress(index, `${side}: scoring`);
    const sequence = baseTokens ?? withEos(gen);
    const logits = sequence.length
      ? await lm.score([...encoded[index], ...sequence], encoded[index].length)
      : new Float32Array(0);
    if (request.sampling) progress(index, `${side}: sampling ${request.sampling.k}`);
    const samples = await tasks.sample(lm, index, encoded[index], pair.eosIds, hooks.cancelled);
    return { gen, logits, samples };
  };
  const scoreChoices = (lm: LanguageModel, side: string): Promise<ChoiceScores[]> =>
    tasks.scoreChoices(lm, (i, n) => progress(0, `${side}: multiple choice ${i + 1}/${n}`));

  const results: PromptResult[] = [];
  const positions: PositionStats[] = [];
  const finish = (index: number, base: SideRun, quant: SideRun): void => {
    const scored = promptResult(prompts[index], pair, base, quant);
    const stats = scored.stats;
    const result = tasks.decorate(scored.result, index, { base: base.samples, quant: quant.samples });
    results.push(result);
    positions.push(stats);
    hooks.emit({ type: 'prompt-result', result });
  };

  let baseLm: LanguageModel | null = null;
  let quantLm: LanguageModel | null = null;
  try {
    if (mode === 'together') {
      progress(0, 'loading both models');
      baseLm = await LanguageModel.load(pair.base, options);
      quantLm = await LanguageModel.load(pair.quant, options);
      for (let i = 0; i < total; i++) {
        const base = await runSide(baseLm, i, null, 'base');
        const quant = await runSide(quantLm, i, withEos(base.gen), 'quant');
        finish(i, base, quant);
      }
      baseChoices = await scoreChoices(baseLm, 'base');
      quantChoices = await scoreChoices(quantLm, 'quant');
    } else {
      progress(0, 'loading base model (one model at a time: both do not fit in free memory)');
      baseLm = await LanguageModel.load(pair.base, options);
      const baseRuns: SideRun[] = [];
      for (let i = 0; i < total; i++) baseRuns.push(await runSide(baseLm, i, null, 'base'));
      baseChoices = await scoreChoices(baseLm, 'base');
      await baseLm.release();
      baseLm = null;
      progress(0, 'loading quantized model');
      quantLm = await LanguageModel.load(pair.quant, options);
      for (let i = 0; i < total; i++)
        finish(i, baseRuns[i], await runSide(quantLm, i, withEos(baseRuns[i].gen), 'quant'));
      quantChoices = await scoreChoices(quantLm, 'quant');
    }
  } catch (error) {
    throw error instanceof CancelledTask ? new CancelledError() : error;
  } finally {
    await baseLm?.release();
    await quantLm?.release();
  }
  const summary = buildSummary(results, positions, thresholds);
  // Task deltas join the verdict (and the report gains its task section) only when the run had tasks.
  const withTasks = tasks.finish(results, summary, baseChoices, quantChoices);
  return {
    base: { path: pair.base.source, weights: pair.base.weights },
    quant: { path: pair.quant.source, weights: pair.quant.weights },
    settings: {
      maxNewTokens: request.maxNewTokens,
      ...(request.jsonMaxNewTokens === undefined ? {} : { jsonMaxNewTokens: request.jsonMaxNewTokens }),
      executionProvider: request.executionProvider,
      accuracyLevel: pair.quant.accuracyLevel,
      threads: request.threads,
      pairMode: mode,
      thresholds,
    },
    prompts: results,
    summary: withTasks?.summary ?? summary,
    ...(withTasks ? { tasks: withTasks.tasks } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}

function generationSide(pair: PairInfo, spec: PromptSpec, gen: GenerateResult): GenerationSide {
  const text = pair.tokenizer.decode(gen.tokens);
  return {
    text,
    tokens: gen.tokens.length,
    tokenIds: gen.tokens,
    tokenTexts: tokenPieces(pair.tokenizer, gen.tokens),
    finishReason: gen.finishReason,
    jsonValid: expectsJson(spec) ? checkJson(text, spec.schema) : null,
  };
}

function promptResult(
  spec: PromptSpec,
  pair: PairInfo,
  base: SideRun,
  quant: SideRun,
): { result: PromptResult; stats: PositionStats } {
  const vocab = pair.base.vocabSize;
  const targets = withEos(base.gen);
  const stats = comparePositions(base.logits, quant.logits, vocab, targets);
  const divergence = firstDivergence(targets, withEos(quant.gen));
  const candidates = (logits: Float32Array, row: number): TopKCandidate[] =>
    topK(logits.subarray(row * vocab, (row + 1) * vocab), TOP_K).map(({ id, prob }) => ({
      id,
      prob,
      token: pair.tokenizer.tokenText(id),
    }));
  const hasRow = divergence !== null && divergence < targets.length;
  return {
    stats,
    result: {
      id: spec.id,
      prompt: spec.prompt,
      expectsJson: expectsJson(spec),
      base: generationSide(pair, spec, base.gen),
      quant: generationSide(pair, spec, quant.gen),
      firstDivergence: divergence,
      teacherForced: teacherForcedBlock(stats),
      ...(hasRow
        ? {
            topKAtDivergence: {
              base: candidates(base.logits, divergence),
              quant: candidates(quant.logits, divergence),
            },
          }
        : {}),
    },
  };
}
