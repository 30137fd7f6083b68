/**
 * Paired statistics for task deltas: both models answer the same items, so the quantity of interest is the mean of
 * the per-item differences, and its uncertainty comes from resampling ITEMS (a paired bootstrap), not from two
 * independent binomials (which would ignore that most items are answered the same way by both and overstate the
 * noise). For binary outcomes McNemar's exact test looks only at the discordant pairs.
 *
 * Textbook references: Efron & Tibshirani, "An Introduction to the Bootstrap" (1993), ch. 13 (percentile interval);
 * McNemar (1947) with the exact conditional binomial form as in Fagerland, Lydersen & Laake, BMC Med Res Methodol
 * 13:91 (2013).
 */

/** Deterministic 32-bit PRNG (mulberry32): the same seed gives the same interval on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One item of a paired comparison: the score of each side (0/1 for a pass, or a rate) and its weight (1 for a
 * prompt; the number of instructions for instruction-level accuracy, which is a ratio of sums over prompts).
 */
export interface PairedItem {
  readonly base: number;
  readonly quant: number;
  readonly weight?: number;
}

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly seed?: number;
  /** Two-sided level, default 0.95. */
  readonly level?: number;
}

export interface PairedDelta {
  readonly n: number;
  /** Weighted means of each side, 0..1 for pass rates. */
  readonly base: number;
  readonly quant: number;
  /** quant - base. */
  readonly delta: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}

const weightOf = (item: PairedItem): number => item.weight ?? 1;

function weightedMeans(items: readonly PairedItem[], counts?: Uint32Array): { base: number; quant: number } {
  let base = 0;
  let quant = 0;
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const times = counts ? counts[i] : 1;
    if (!times) continue;
    const w = weightOf(items[i]) * times;
    base += items[i].base * w;
    quant += items[i].quant * w;
    total += w;
  }
  return total > 0 ? { base: base / total, quant: quant / total } : { base: NaN, quant: NaN };
}

/** The q-quantile of sorted values by linear interpolation between closest ranks (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/**
 * Mean paired difference with a percentile bootstrap interval: `resamples` times draw n items with replacement
 * (the same draw for both sides), recompute the weighted means' difference, and take the 2.5% and 97.5% quantiles.
 */
export function pairedBootstrap(items: readonly PairedItem[], options: BootstrapOptions = {}): PairedDelta {
  const n = items.length;
  const { base, quant } = weightedMeans(items);
  if (n === 0) return { n, base, quant, delta: NaN, ciLow: NaN, ciHigh: NaN };
  const resamples = options.resamples ?? 10000;
  const alpha = 1 - (options.level ?? 0.95);
  const random = mulberry32(options.seed ?? 20240229);
  const deltas = new Float64Array(resamples);
  const counts = new Uint32Array(n);
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(random() * n)]++;
    const m = weightedMeans(items, counts);
    deltas[r] = m.quant - m.base;
  }
  deltas.sort();
  return {
    n,
    base,
    quant,
    delta: quant - base,
    ciLow: quantileSorted(deltas, alpha / 2),
    ciHigh: quantileSorted(deltas, 1 - alpha / 2),
  };
}

/** log C(n, k) via log-gamma-free summation (n stays in the thousands here). */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/**
 * McNemar's exact test: under H0 the b + c discordant pairs split Binomial(b + c, 1/2); the two-sided p-value is
 * min(1, 2 * P(X <= min(b, c))). b = pairs only base got right, c = pairs only quant got right. 1 when b + c = 0.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  const logHalfN = n * Math.log(0.5);
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) + logHalfN);
  return Math.min(1, 2 * tail);
}

/**
 * Paired sign-flip (randomization) test for rates and weighted shares, the analogue of McNemar's test when an
 * item's outcome is not binary: under H0 each item's difference d_i = quant - base is as likely to have the other
 * sign, so the p-value is the share of sign assignments whose |weighted mean difference| reaches the observed one.
 * Exact over all 2^m assignments of the m nonzero differences when m <= 16, else `resamples` seeded random
 * assignments (with the observed one counted, so p is never 0). Fisher (1935); Good, "Permutation Tests" (2000).
 */
export function signFlipTest(items: readonly PairedItem[], resamples = 20000, seed = 20240229): number {
  const nonzero = items.filter((item) => item.quant !== item.base);
  if (!nonzero.length) return 1;
  const d = nonzero.map((item) => (item.quant - item.base) * weightOf(item));
  const observed = Math.abs(d.reduce((a, b) => a + b, 0));
  const tolerance = 1e-12 * Math.max(1, observed);
  const m = d.length;
  if (m <= 16) {
    let extreme = 0;
    for (let mask = 0; mask < 1 << m; mask++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += mask & (1 << i) ? -d[i] : d[i];
      if (Math.abs(sum) >= observed - tolerance) extreme++;
    }
    return extreme / 2 ** m;
  }
  const random = mulberry32(seed);
  let extreme = 1;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += random() < 0.5 ? -d[i] : d[i];
    if (Math.abs(sum) >= observed - tolerance) extreme++;
  }
  return extreme / (resamples + 1);
}

/** Discordant counts of binary paired outcomes (anything > 0.5 counts as a pass). */
export function discordant(items: readonly PairedItem[]): { baseOnly: number; quantOnly: number } {
  let baseOnly = 0;
  let quantOnly = 0;
  for (const item of items) {
    const b = item.base > 0.5;
    const q = item.quant > 0.5;
    if (b && !q) baseOnly++;
    else if (q && !b) quantOnly++;
  }
  return { baseOnly, quantOnly };
}

export const isBinary = (items: readonly PairedItem[]): boolean =>
  items.every((item) => (item.base === 0 || item.base === 1) && (item.quant === 0 || item.quant === 1));
