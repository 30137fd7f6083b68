/**
 * The report's summary and verdict: token-weighted drift statistics over all prompts, output-level rates
 * (identical outputs, JSON validity, length shift), and ok/warn/fail with the reasons that decided it.
 */
import { DriftSummary, PositionStats, kldGrowth, percentiles, summarize } from './metrics';
import type { CompareSummary, DriftThresholds, PromptResult, TeacherForced, Verdict } from '../../protocol/report';

export const DEFAULT_THRESHOLDS: DriftThresholds = { pplRatioWarn: 1.03, pplRatioFail: 1.05, meanKldWarn: 0.05 };

/** The per-prompt teacher-forced block of the report. */
export function teacherForcedBlock(stats: PositionStats): TeacherForced {
  const s = summarize([stats]);
  const growth = kldGrowth(stats.kld);
  return {
    tokens: s.tokens,
    meanKld: s.meanKld,
    maxKld: s.maxKld,
    sameTop1: s.sameTop1,
    deltaPRms: s.deltaPRms,
    pplBase: s.pplBase,
    pplQuant: s.pplQuant,
    kldPerToken: Array.from(stats.kld),
    ...(growth === undefined ? {} : { kldGrowth: growth }),
    kldPercentiles: percentiles(stats.kld),
    deltaPMean: s.deltaPMean,
  };
}

function share(results: readonly PromptResult[], pick: (r: PromptResult) => boolean | undefined): number | null {
  const relevant = results.map(pick).filter((v): v is boolean => v !== undefined);
  return relevant.length ? relevant.filter(Boolean).length / relevant.length : null;
}

const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;

export function decideVerdict(
  drift: Pick<DriftSummary, 'pplRatio' | 'meanKld' | 'tokens'>,
  json: { base: number | null; quant: number | null; schemaBase?: number | null; schemaQuant?: number | null },
  thresholds: DriftThresholds,
): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  let verdict: Verdict = 'ok';
  const raise = (level: Verdict): void => {
    if (level === 'fail' || (level === 'warn' && verdict === 'ok')) verdict = level;
  };
  const ratio = drift.pplRatio;
  if (drift.tokens === 0) {
    raise('warn');
    reasons.push('no tokens were scored, so drift could not be measured');
  } else if (ratio > thresholds.pplRatioFail) {
    raise('fail');
    reasons.push(
      `perplexity ratio ${ratio.toFixed(3)} is above ${thresholds.pplRatioFail} (over ${pct(thresholds.pplRatioFail - 1)} worse: reconsider the recipe)`,
    );
  } else if (ratio > thresholds.pplRatioWarn) {
    raise('warn');
    reasons.push(`perplexity ratio ${ratio.toFixed(3)} is above ${thresholds.pplRatioWarn}`);
  }
  if (drift.tokens > 0 && drift.meanKld > thresholds.meanKldWarn) {
    raise('warn');
    reasons.push(`mean KL divergence ${drift.meanKld.toFixed(4)} is above ${thresholds.meanKldWarn}`);
  }
  if (json.base !== null && json.quant !== null && json.quant < json.base) {
    raise('warn');
    reasons.push(`JSON validity dropped from ${pct(json.base)} to ${pct(json.quant)}`);
  }
  if (json.schemaBase != null && json.schemaQuant != null && json.schemaQuant < json.schemaBase) {
    raise('warn');
    reasons.push(`schema validity dropped from ${pct(json.schemaBase)} to ${pct(json.schemaQuant)}`);
  }
  if (verdict === 'ok' && drift.tokens > 0) {
    reasons.push(
      `perplexity ratio ${ratio.toFixed(3)} is within ${thresholds.pplRatioWarn} and mean KL ${drift.meanKld.toFixed(4)} within ${thresholds.meanKldWarn}`,
    );
  }
  return { verdict, reasons };
}

export function buildSummary(
  results: readonly PromptResult[],
  positions: readonly PositionStats[],
  thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
): CompareSummary {
  const drift = summarize(positions);
  const jsonBase = share(results, (r) => (r.expectsJson ? (r.base.jsonValid?.strict ?? false) : undefined));
  const jsonQuant = share(results, (r) => (r.expectsJson ? (r.quant.jsonValid?.strict ?? false) : undefined));
  const schemaBase = share(results, (r) => r.base.jsonValid?.schemaValid);
  const schemaQuant = share(results, (r) => r.quant.jsonValid?.schemaValid);
  const growths = results.map((r) => r.teacherForced.kldGrowth).filter((g): g is number => g !== undefined);
  const { verdict, reasons } = decideVerdict(
    drift,
    { base: jsonBase, quant: jsonQuant, schemaBase, schemaQuant },
    thresholds,
  );
  return {
    prompts: results.length,
    identicalOutputs: results.filter((r) => r.firstDivergence === null).length,
    meanKld: drift.meanKld,
    kldP99: Number.isNaN(drift.kld.p99) ? 0 : drift.kld.p99,
    sameTop1: drift.sameTop1,
    pplRatio: drift.pplRatio,
    deltaPRms: drift.deltaPRms,
    jsonValidBase: jsonBase,
    jsonValidQuant: jsonQuant,
    eosShift: results.length
      ? results.reduce((sum, r) => sum + (r.quant.tokens - r.base.tokens), 0) / results.length
      : 0,
    verdict,
    reasons,
    tokensScored: drift.tokens,
    pplBase: drift.pplBase,
    pplQuant: drift.pplQuant,
    maxKld: drift.maxKld,
    kldPercentiles: drift.kld,
    deltaPMean: drift.deltaPMean,
    deltaPPercentiles: drift.deltaP,
    kldGrowth: growths.length ? growths.reduce((a, b) => a + b, 0) / growths.length : null,
    jsonExtractedBase: share(results, (r) => (r.expectsJson ? (r.base.jsonValid?.extracted ?? false) : undefined)),
    jsonExtractedQuant: share(results, (r) => (r.expectsJson ? (r.quant.jsonValid?.extracted ?? false) : undefined)),
    schemaValidBase: schemaBase,
    schemaValidQuant: schemaQuant,
  };
}
