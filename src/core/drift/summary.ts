/**
 * The report's summary and verdict: token-weighted drift statistics over all prompts, output-level rates
 * (identical outputs, JSON validity, length shift), and ok/warn/fail with the reasons that decided it.
 */
import { DriftSummary, PositionStats, kldGrowth, percentiles, summarize } from './metrics';
import { isTruncated } from '../../protocol/json-outcome';
import type {
  CompareSummary,
  DriftThresholds,
  GenerationSide,
  PromptResult,
  TeacherForced,
  Verdict,
} from '../../protocol/report';

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

/** JSON answers per side: how many expected JSON, how many were cut off at the limit, validity of those that ended. */
export interface JsonAccount {
  readonly prompts: number;
  readonly truncatedBase: number;
  readonly truncatedQuant: number;
  readonly validFinishedBase: number | null;
  readonly validFinishedQuant: number | null;
}

function validAmongFinished(sides: readonly GenerationSide[]): number | null {
  const finished = sides.filter((side) => !isTruncated(side));
  return finished.length ? finished.filter((side) => side.jsonValid?.strict === true).length / finished.length : null;
}

export function jsonAccount(results: readonly PromptResult[]): JsonAccount {
  const json = results.filter((r) => r.expectsJson && r.base.jsonValid && r.quant.jsonValid);
  return {
    prompts: json.length,
    truncatedBase: json.filter((r) => isTruncated(r.base)).length,
    truncatedQuant: json.filter((r) => isTruncated(r.quant)).length,
    validFinishedBase: validAmongFinished(json.map((r) => r.base)),
    validFinishedQuant: validAmongFinished(json.map((r) => r.quant)),
  };
}

/**
 * What truncation adds to the verdict. Most answers cut off means JSON validity was not measured: said first, with
 * the fix (a higher limit), but the drift statistics still stand, so it is a note, not a warning. INT4 running into
 * the limit clearly more often than the base is drift in itself (it fails to stop) and warns. A few cut-off answers
 * are only counted, so nobody reads them as invalid JSON.
 */
function truncationFindings(account: JsonAccount): { warn: boolean; reason: string }[] {
  const { prompts, truncatedBase: base, truncatedQuant: quant } = account;
  if (prompts === 0 || (base === 0 && quant === 0)) return [];
  const findings: { warn: boolean; reason: string }[] = [];
  const counts = `base ${base} of ${prompts}, quantized ${quant} of ${prompts}`;
  if (quant - base >= Math.max(2, Math.ceil(prompts * 0.1))) {
    findings.push({
      warn: true,
      reason: `the quantized model ran into the token limit on ${quant - base} more JSON answers than the base (it fails to stop)`,
    });
  }
  findings.push({
    warn: false,
    reason:
      Math.max(base, quant) * 2 > prompts
        ? `most JSON answers were truncated at the new-token limit (${counts}), so their JSON validity was not measured: rerun with a higher limit`
        : `${base + quant} JSON answer${base + quant === 1 ? ' was' : 's were'} truncated at the new-token limit (${counts}) and counted apart from invalid JSON`,
  });
  return findings;
}

export function decideVerdict(
  drift: Pick<DriftSummary, 'pplRatio' | 'meanKld' | 'tokens'>,
  json: {
    /** Validity shares, over the answers that ended (truncated ones are not judged). */
    base: number | null;
    quant: number | null;
    schemaBase?: number | null;
    schemaQuant?: number | null;
    account?: JsonAccount;
  },
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
  const notes: string[] = [];
  for (const finding of json.account ? truncationFindings(json.account) : []) {
    if (finding.warn) raise('warn');
    (finding.warn ? reasons : notes).push(finding.reason);
  }
  if (verdict === 'ok' && drift.tokens > 0) {
    reasons.push(
      `perplexity ratio ${ratio.toFixed(3)} is within ${thresholds.pplRatioWarn} and mean KL ${drift.meanKld.toFixed(4)} within ${thresholds.meanKldWarn}`,
    );
  }
  return { verdict, reasons: [...reasons, ...notes] };
}

export function buildSummary(
  results: readonly PromptResult[],
  positions: readonly PositionStats[],
  thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
): CompareSummary {
  return summaryOf(results, summarize(positions), thresholds);
}

/** Schema validity over the answers that ended: a truncated answer is not judged against the schema either. */
const schemaShare = (results: readonly PromptResult[], side: 'base' | 'quant'): number | null =>
  share(results, (r) => (isTruncated(r[side]) ? undefined : r[side].jsonValid?.schemaValid));

function summaryOf(
  results: readonly PromptResult[],
  drift: DriftSummary,
  thresholds: DriftThresholds,
  partial = false,
): CompareSummary {
  const jsonBase = share(results, (r) => (r.expectsJson ? (r.base.jsonValid?.strict ?? false) : undefined));
  const jsonQuant = share(results, (r) => (r.expectsJson ? (r.quant.jsonValid?.strict ?? false) : undefined));
  const schemaBase = schemaShare(results, 'base');
  const schemaQuant = schemaShare(results, 'quant');
  const account = jsonAccount(results);
  const growths = results.map((r) => r.teacherForced.kldGrowth).filter((g): g is number => g !== undefined);
  const { verdict, reasons } = decideVerdict(
    drift,
    { base: account.validFinishedBase, quant: account.validFinishedQuant, schemaBase, schemaQuant, account },
    thresholds,
  );
  if (partial) reasons.unshift(`partial: the run was cancelled after ${results.length} prompts`);
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
    jsonPrompts: account.prompts,
    jsonTruncatedBase: account.truncatedBase,
    jsonTruncatedQuant: account.truncatedQuant,
    jsonValidFinishedBase: account.validFinishedBase,
    jsonValidFinishedQuant: account.validFinishedQuant,
    ...(partial ? { partial: true } : {}),
  };
}

/**
 * The drift statistics rebuilt from the per-prompt blocks alone, for a cancelled run whose runner never sent a
 * summary: token-weighted means, NLL sums from each prompt's perplexities (ppl = exp(mean NLL)), Δp RMS from each
 * prompt's mean square, KL percentiles over the per-token KL. Only the Δp percentiles cannot be rebuilt.
 */
export function driftFromResults(results: readonly PromptResult[]): DriftSummary {
  let tokens = 0;
  let kldSum = 0;
  let same = 0;
  let nllBase = 0;
  let nllQuant = 0;
  let squares = 0;
  let deltaSum = 0;
  let max = 0;
  const kld: number[] = [];
  for (const { teacherForced: tf } of results) {
    if (tf.tokens === 0) continue;
    tokens += tf.tokens;
    kldSum += tf.meanKld * tf.tokens;
    same += tf.sameTop1 * tf.tokens;
    nllBase += Math.log(tf.pplBase) * tf.tokens;
    nllQuant += Math.log(tf.pplQuant) * tf.tokens;
    squares += tf.deltaPRms * tf.deltaPRms * tf.tokens;
    deltaSum += (tf.deltaPMean ?? 0) * tf.tokens;
    max = Math.max(max, tf.maxKld);
    if (tf.kldPerToken) kld.push(...tf.kldPerToken);
  }
  const none = percentiles([]);
  return {
    tokens,
    meanKld: tokens ? kldSum / tokens : 0,
    maxKld: max,
    kld: percentiles(kld),
    sameTop1: tokens ? same / tokens : 1,
    deltaPMean: tokens ? deltaSum / tokens : 0,
    deltaPRms: tokens ? Math.sqrt(squares / tokens) : 0,
    deltaP: none,
    pplBase: tokens ? Math.exp(nllBase / tokens) : NaN,
    pplQuant: tokens ? Math.exp(nllQuant / tokens) : NaN,
    pplRatio: tokens ? Math.exp((nllQuant - nllBase) / tokens) : 1,
  };
}

/** The summary of the prompts a cancelled run finished, marked partial. */
export function partialSummary(
  results: readonly PromptResult[],
  thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
): CompareSummary {
  const summary = summaryOf(results, driftFromResults(results), thresholds, true);
  // Δp percentiles need the per-token Δp, which the prompt results do not carry.
  const { deltaPPercentiles: _dropped, ...rest } = summary;
  return rest;
}
