/**
 * Drift statistics, pure functions over logits (the ones llama.cpp's `--kl-divergence` prints, DOMAIN-REFERENCE 4a):
 * KL(base||quant) per position, same top-1, delta-p of the scored token, perplexities; and the free-running
 * comparisons (first divergence, top-k at that point). Sums run in float64.
 */
import type { PercentileSet } from '../../protocol/report';

/** Per-position results of one teacher-forced comparison. */
export interface PositionStats {
  readonly kld: Float64Array;
  /** 1 where both models' argmax agree. */
  readonly sameTop1: Uint8Array;
  /** Probability each model gives the scored (target) token. */
  readonly pBase: Float64Array;
  readonly pQuant: Float64Array;
  /** Negative log-likelihood of the target token under each model. */
  readonly nllBase: Float64Array;
  readonly nllQuant: Float64Array;
}

/** log-softmax of `row` (length vocab) into `out`; returns the argmax. */
export function logSoftmax(row: ArrayLike<number>, out: Float64Array): number {
  const n = out.length;
  let max = -Infinity;
  let arg = 0;
  for (let i = 0; i < n; i++) {
    const v = row[i];
    if (v > max) {
      max = v;
      arg = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(row[i] - max);
  const logZ = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = row[i] - logZ;
  return arg;
}

/**
 * Compares two logit matrices row by row. Row r of each (length vocab, row-major) predicts targets[r].
 * Rows can be given as subarray views; logits are read once.
 */
export function comparePositions(
  baseLogits: Float32Array,
  quantLogits: Float32Array,
  vocab: number,
  targets: ArrayLike<number>,
): PositionStats {
  const rows = targets.length;
  if (baseLogits.length < rows * vocab || quantLogits.length < rows * vocab) {
    throw new Error(`logits hold fewer than ${rows} rows of ${vocab}`);
  }
  const stats = {
    kld: new Float64Array(rows),
    sameTop1: new Uint8Array(rows),
    pBase: new Float64Array(rows),
    pQuant: new Float64Array(rows),
    nllBase: new Float64Array(rows),
    nllQuant: new Float64Array(rows),
  };
  const lpBase = new Float64Array(vocab);
  const lpQuant = new Float64Array(vocab);
  for (let r = 0; r < rows; r++) {
    const argBase = logSoftmax(baseLogits.subarray(r * vocab, (r + 1) * vocab), lpBase);
    const argQuant = logSoftmax(quantLogits.subarray(r * vocab, (r + 1) * vocab), lpQuant);
    let kl = 0;
    for (let i = 0; i < vocab; i++) {
      const lp = lpBase[i];
      kl += Math.exp(lp) * (lp - lpQuant[i]);
    }
    const target = targets[r];
    stats.kld[r] = Math.max(0, kl);
    stats.sameTop1[r] = argBase === argQuant ? 1 : 0;
    stats.nllBase[r] = -lpBase[target];
    stats.nllQuant[r] = -lpQuant[target];
    stats.pBase[r] = Math.exp(lpBase[target]);
    stats.pQuant[r] = Math.exp(lpQuant[target]);
  }
  return stats;
}

/** Percentile with linear interpolation between closest ranks (numpy's default); NaN for no values. */
export function percentile(sortedValues: ArrayLike<number>, fraction: number): number {
  const n = sortedValues.length;
  if (n === 0) return NaN;
  const rank = Math.min(Math.max(fraction, 0), 1) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sortedValues[lo] + (sortedValues[hi] - sortedValues[lo]) * (rank - lo);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

const mean = (values: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : NaN;
};

export type Percentiles = PercentileSet;

export function percentiles(values: ArrayLike<number>): Percentiles {
  const s = sortedCopy(values);
  return {
    p1: percentile(s, 0.01),
    p5: percentile(s, 0.05),
    p10: percentile(s, 0.1),
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    p999: percentile(s, 0.999),
  };
}

/**
 * Mean KL of the last quarter of positions over the first quarter: above 1 means the drift grows along the
 * continuation. Undefined with fewer than 4 positions or when the first quarter has no drift at all.
 */
export function kldGrowth(kld: ArrayLike<number>): number | undefined {
  const quarter = Math.floor(kld.length / 4);
  if (quarter < 1) return undefined;
  const values = Array.from(kld);
  const first = mean(values.slice(0, quarter));
  const last = mean(values.slice(values.length - quarter));
  if (!(first > 0)) return undefined;
  return last / first;
}

export interface DriftSummary {
  readonly tokens: number;
  readonly meanKld: number;
  readonly maxKld: number;
  readonly kld: Percentiles;
  readonly sameTop1: number;
  /** Mean of p(quant) - p(base) for the scored token. */
  readonly deltaPMean: number;
  readonly deltaPRms: number;
  readonly deltaP: Percentiles;
  readonly pplBase: number;
  readonly pplQuant: number;
  /** PPL(quant) / PPL(base) = exp(mean NLL difference). */
  readonly pplRatio: number;
}

/** Aggregates one or more PositionStats (token-weighted, like llama.cpp over chunks). */
export function summarize(parts: readonly PositionStats[]): DriftSummary {
  const kld: number[] = [];
  const deltaP: number[] = [];
  let same = 0;
  let nllBase = 0;
  let nllQuant = 0;
  let sumSquares = 0;
  let max = 0;
  for (const part of parts) {
    for (let i = 0; i < part.kld.length; i++) {
      const k = part.kld[i];
      kld.push(k);
      if (k > max) max = k;
      const d = part.pQuant[i] - part.pBase[i];
      deltaP.push(d);
      sumSquares += d * d;
      same += part.sameTop1[i];
      nllBase += part.nllBase[i];
      nllQuant += part.nllQuant[i];
    }
  }
  const n = kld.length;
  return {
    tokens: n,
    meanKld: n ? mean(kld) : 0,
    maxKld: max,
    kld: percentiles(kld),
    sameTop1: n ? same / n : 1,
    deltaPMean: n ? mean(deltaP) : 0,
    deltaPRms: n ? Math.sqrt(sumSquares / n) : 0,
    deltaP: percentiles(deltaP),
    pplBase: n ? Math.exp(nllBase / n) : NaN,
    pplQuant: n ? Math.exp(nllQuant / n) : NaN,
    pplRatio: n ? Math.exp((nllQuant - nllBase) / n) : 1,
  };
}

/** Index of the first differing token of two greedy outputs; a prefix ends where the shorter one ends; null if equal. */
export function firstDivergence(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

/** The k most probable tokens of one logits row, with probabilities. */
export function topK(row: ArrayLike<number>, k: number): { id: number; prob: number }[] {
  const lp = new Float64Array(row.length);
  logSoftmax(row, lp);
  const best: { id: number; prob: number }[] = [];
  for (let i = 0; i < lp.length; i++) {
    const value = lp[i];
    if (best.length < k || value > Math.log(best[best.length - 1].prob)) {
      best.push({ id: i, prob: Math.exp(value) });
      best.sort((x, y) => y.prob - x.prob);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

export function argmax(row: ArrayLike<number>, offset = 0, length = row.length - offset): number {
  let best = offset;
  let max = -Infinity;
  for (let i = offset; i < offset + length; i++) {
    if (row[i] > max) {
      max = row[i]!;
      best = i;
    }
  }
  return best - offset;
}
