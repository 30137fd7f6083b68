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
  CompareReport,
  DriftThresholds,
  GenerationSide,
  PromptResult,
  TopKCandidate,
} from '../../protocol/report';
import { DEFAULT_THRESHOLDS, buildSummary, teacherForcedBlock } from './summary';
import { tokenPieces } from './tokenizer';

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
}

export function thresholdsOf(partial?: Partial<DriftThresholds>): DriftThresholds {
  return { ...DEFAULT_THRESHOLDS, ...(partial ?? {}) };
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
    const gen = await lm.generate(encoded[index], request.maxNewTokens, hooks.cancelled, pair.eosIds);
    if (gen.finishReason === 'cancelled') throw new CancelledError();
    progress(index, `${side}: scoring`);
    const sequence = baseTokens ?? withEos(gen);
    const logits = sequence.length
      ? await lm.score([...encoded[index], ...sequence], encoded[index].length)
      : new Float32Array(0);
    return { gen, logits };
  };

  const results: PromptResult[] = [];
  const positions: PositionStats[] = [];
  const finish = (index: number, base: SideRun, quant: SideRun): void => {
    const { result, stats } = promptResult(prompts[index], pair, base, quant);
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
    } else {
      progress(0, 'loading base model (one model at a time: both do not fit in free memory)');
      baseLm = await LanguageModel.load(pair.base, options);
      const baseRuns: SideRun[] = [];
      for (let i = 0; i < total; i++) baseRuns.push(await runSide(baseLm, i, null, 'base'));
      await baseLm.release();
      baseLm = null;
      progress(0, 'loading quantized model');
      quantLm = await LanguageModel.load(pair.quant, options);
      for (let i = 0; i < total; i++)
        finish(i, baseRuns[i], await runSide(quantLm, i, withEos(baseRuns[i].gen), 'quant'));
    }
  } finally {
    await baseLm?.release();
    await quantLm?.release();
  }
  return {
    base: { path: pair.base.source, weights: pair.base.weights },
    quant: { path: pair.quant.source, weights: pair.quant.weights },
    settings: {
      maxNewTokens: request.maxNewTokens,
      executionProvider: request.executionProvider,
      accuracyLevel: pair.quant.accuracyLevel,
      threads: request.threads,
      pairMode: mode,
      thresholds,
    },
    prompts: results,
    summary: buildSummary(results, positions, thresholds),
    durationMs: Math.round(performance.now() - started),
  };
}

function generationSide(pair: PairInfo, spec: PromptSpec, gen: GenerateResult): GenerationSide {
  const text = pair.tokenizer.decode(gen.tokens);
  const expectsJson = spec.expectsJson ?? spec.schema !== undefined;
  return {
    text,
    tokens: gen.tokens.length,
    tokenIds: gen.tokens,
    tokenTexts: tokenPieces(pair.tokenizer, gen.tokens),
    finishReason: gen.finishReason,
    jsonValid: expectsJson ? checkJson(text, spec.schema) : null,
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
      expectsJson: spec.expectsJson ?? spec.schema !== undefined,
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
