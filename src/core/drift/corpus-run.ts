/**
 * Corpus mode, like llama.cpp's `llama-perplexity --kl-divergence`: the user's text is cut into windows of
 * `context` tokens (BOS first when the model has one), each window is scored by both models in one pass, and
 * only the second half of each window is counted, so every scored token has at least context/2 of history.
 */
import * as os from 'node:os';
import type { CorpusRequest } from '../../protocol/runner';
import { CancelledError, RunHooks, thresholdsOf } from './compare-run';
import { LanguageModel, LmOptions } from './lm';
import { PositionStats, comparePositions, summarize } from './metrics';
import { openPair, planPairMemory } from './pair';
import type { CompareReport, CorpusResult } from '../../protocol/report';
import { decideVerdict } from './summary';

/** Memory for base logits kept while the quant model is not loaded (one-at-a-time mode). */
const BATCH_BUDGET_BYTES = 1024 * 1024 * 1024;

export function corpusWindows(
  tokens: readonly number[],
  context: number,
  bos: number | null,
  maxWindows = 0,
): number[][] {
  const body = bos === null ? context : context - 1;
  if (body < 2) throw new Error(`--context ${context} is too small`);
  const windows: number[][] = [];
  for (let start = 0; start + body <= tokens.length; start += body) {
    const chunk = tokens.slice(start, start + body);
    windows.push(bos === null ? chunk : [bos, ...chunk]);
    if (maxWindows > 0 && windows.length >= maxWindows) break;
  }
  return windows;
}

export async function runCorpus(request: CorpusRequest, hooks: RunHooks): Promise<CompareReport> {
  const started = performance.now();
  const thresholds = thresholdsOf(request.thresholds);
  const pair = await openPair(request.basePath, request.quantPath);
  const tokens = pair.tokenizer.encodeText(request.text);
  const windows = corpusWindows(
    tokens,
    request.context,
    pair.tokenizer.bosTokenId ?? pair.base.bosTokenId,
    request.maxWindows,
  );
  if (!windows.length) {
    throw new Error(
      `${request.file} has ${tokens.length} tokens, fewer than one window of --context ${request.context}`,
    );
  }
  const first = Math.floor(request.context / 2);
  const vocab = pair.base.vocabSize;
  const options: LmOptions = { executionProvider: request.executionProvider, threads: request.threads };
  const mode = planPairMemory(pair.base.sizeBytes, pair.quant.sizeBytes, (hooks.freeMemory ?? os.freemem)());
  const windowBytes = (request.context - first) * vocab * 4;
  const batchSize = mode === 'together' ? windows.length : Math.max(1, Math.floor(BATCH_BUDGET_BYTES / windowBytes));
  const stats: PositionStats[] = [];
  const check = (index: number, phase: string): void => {
    if (hooks.cancelled()) throw new CancelledError();
    hooks.emit({ type: 'progress', promptIndex: index, total: windows.length, phase });
  };
  let baseLm: LanguageModel | null = null;
  let quantLm: LanguageModel | null = null;
  try {
    for (let start = 0; start < windows.length; start += batchSize) {
      const batch = windows.slice(start, start + batchSize);
      baseLm ??= await LanguageModel.load(pair.base, options);
      const baseLogits: Float32Array[] = [];
      for (const [offset, window] of batch.entries()) {
        check(start + offset, 'base: scoring window');
        baseLogits.push(await baseLm.score(window, first));
      }
      if (mode !== 'together') {
        await baseLm.release();
        baseLm = null;
      }
      quantLm ??= await LanguageModel.load(pair.quant, options);
      for (const [offset, window] of batch.entries()) {
        check(start + offset, 'quant: scoring window');
        const quantLogits = await quantLm.score(window, first);
        stats.push(comparePositions(baseLogits[offset], quantLogits, vocab, window.slice(first)));
      }
      if (mode !== 'together') {
        await quantLm.release();
        quantLm = null;
      }
    }
  } finally {
    await baseLm?.release();
    await quantLm?.release();
  }
  const s = summarize(stats);
  const corpus: CorpusResult = {
    file: request.file,
    context: request.context,
    windows: windows.length,
    tokens: s.tokens,
    pplBase: s.pplBase,
    pplQuant: s.pplQuant,
    pplRatio: s.pplRatio,
    meanKld: s.meanKld,
    maxKld: s.maxKld,
    kldPercentiles: s.kld,
    sameTop1: s.sameTop1,
    deltaPMean: s.deltaPMean,
    deltaPRms: s.deltaPRms,
    deltaPPercentiles: s.deltaP,
  };
  const { verdict, reasons } = decideVerdict(s, { base: null, quant: null }, thresholds);
  return {
    base: { path: pair.base.source, weights: pair.base.weights },
    quant: { path: pair.quant.source, weights: pair.quant.weights },
    settings: {
      maxNewTokens: 0,
      executionProvider: request.executionProvider,
      accuracyLevel: pair.quant.accuracyLevel,
      threads: request.threads,
      pairMode: mode,
      thresholds,
    },
    prompts: [],
    summary: {
      prompts: 0,
      identicalOutputs: 0,
      meanKld: s.meanKld,
      kldP99: s.kld.p99,
      sameTop1: s.sameTop1,
      pplRatio: s.pplRatio,
      deltaPRms: s.deltaPRms,
      jsonValidBase: null,
      jsonValidQuant: null,
      eosShift: 0,
      verdict,
      reasons,
      tokensScored: s.tokens,
      pplBase: s.pplBase,
      pplQuant: s.pplQuant,
      maxKld: s.maxKld,
      kldPercentiles: s.kld,
      deltaPMean: s.deltaPMean,
      deltaPPercentiles: s.deltaP,
    },
    corpus,
    durationMs: Math.round(performance.now() - started),
  };
}
