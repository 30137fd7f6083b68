import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mcnemarExact, pairedBootstrap, quantileSorted, signFlipTest } from '../../../src/core/tasks/stats';
import { applyTaskVerdict, formatDelta, taskDelta } from '../../../src/core/tasks/deltas';
import type { CompareSummary } from '../../../src/protocol/report';

/** Binomial(n, 1/2) pmf by Pascal's triangle: an independent textbook computation. */
function binomialHalf(n: number): number[] {
  let row = [1];
  for (let i = 0; i < n; i++) row = [...row.map((v, k) => v + (row[k - 1] ?? 0)), 1];
  return row.map((v) => v / 2 ** n);
}

describe("McNemar's exact test", () => {
  test('Fagerland et al. (2013) example: b = 1, c = 7 gives p = 2 * (1 + 8) / 256 = 0.0703', () => {
    assert.ok(Math.abs(mcnemarExact(1, 7) - 18 / 256) < 1e-12);
    assert.ok(Math.abs(mcnemarExact(7, 1) - 18 / 256) < 1e-12);
  });

  test('matches 2 * P(X <= min(b, c)) under Binomial(b + c, 1/2) for many (b, c), capped at 1', () => {
    for (let b = 0; b <= 30; b += 3) {
      for (let c = 0; c <= 30; c += 4) {
        const pmf = binomialHalf(b + c);
        let tail = 0;
        for (let i = 0; i <= Math.min(b, c); i++) tail += pmf[i];
        const expected = b + c === 0 ? 1 : Math.min(1, 2 * tail);
        assert.ok(Math.abs(mcnemarExact(b, c) - expected) < 1e-12, `b=${b} c=${c}`);
      }
    }
  });

  test('large discordant counts stay finite (200 pairs): b = 80, c = 120', () => {
    const p = mcnemarExact(80, 120);
    assert.ok(p > 0.005 && p < 0.01, String(p)); // normal approximation: z = 40/sqrt(200) = 2.83, p ≈ 0.0047-0.006
  });
});

describe('paired sign-flip test', () => {
  test('five differences of the same sign: only the two all-same assignments reach |5|, p = 2/32', () => {
    const items = Array.from({ length: 5 }, () => ({ base: 0, quant: 1 }));
    assert.equal(signFlipTest(items), 2 / 32);
  });

  test('differences 0.5, 0.25, -0.25: 6 of the 8 assignments reach |0.5|, p = 0.75', () => {
    const items = [
      { base: 0, quant: 0.5 },
      { base: 0, quant: 0.25 },
      { base: 0.25, quant: 0 },
    ];
    assert.equal(signFlipTest(items), 0.75);
  });

  test('above 16 nonzero differences it samples: 30 of one sign give p below 0.001 (floored by 1/(B+1))', () => {
    const items = Array.from({ length: 30 }, () => ({ base: 0, quant: 1 }));
    assert.ok(signFlipTest(items, 5000) < 0.001);
  });
});

/** Every bootstrap resample of n paired differences, enumerated exactly (multinomial weights), for small n. */
function exactBootstrapQuantiles(diffs: number[], qs: number[]): number[] {
  const n = diffs.length;
  const outcomes: { mean: number; p: number }[] = [];
  const logFact = (k: number): number => (k <= 1 ? 0 : Math.log(k) + logFact(k - 1));
  const counts = new Array<number>(n).fill(0);
  const walk = (i: number, left: number): void => {
    if (i === n - 1) {
      counts[i] = left;
      let logP = logFact(n) - n * Math.log(n);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        logP -= logFact(counts[j]);
        sum += counts[j] * diffs[j];
      }
      outcomes.push({ mean: sum / n, p: Math.exp(logP) });
      return;
    }
    for (let c = 0; c <= left; c++) {
      counts[i] = c;
      walk(i + 1, left - c);
    }
  };
  walk(0, n);
  outcomes.sort((a, b) => a.mean - b.mean);
  return qs.map((q) => {
    let acc = 0;
    for (const o of outcomes) {
      acc += o.p;
      if (acc >= q) return o.mean;
    }
    return outcomes[outcomes.length - 1].mean;
  });
}

describe('paired bootstrap', () => {
  // 8 items, base/quant pass flags: differences (quant - base) = [-1, -1, -1, 0, 0, 0, 1, 0].
  const items = [
    { base: 1, quant: 0 },
    { base: 1, quant: 0 },
    { base: 1, quant: 0 },
    { base: 1, quant: 1 },
    { base: 0, quant: 0 },
    { base: 1, quant: 1 },
    { base: 0, quant: 1 },
    { base: 0, quant: 0 },
  ];

  test('the 95% percentile interval equals the exact bootstrap distribution of the mean difference', () => {
    const d = pairedBootstrap(items, { resamples: 40000, seed: 7 });
    assert.equal(d.delta, -0.25);
    assert.equal(d.base, 5 / 8);
    const [low, high] = exactBootstrapQuantiles(
      items.map((i) => i.quant - i.base),
      [0.025, 0.975],
    );
    // Means move in steps of 1/8; Monte Carlo with 40000 draws lands on the exact quantile or its neighbour.
    assert.ok(Math.abs(d.ciLow - low) <= 1 / 8 + 1e-9, `low ${d.ciLow} vs exact ${low}`);
    assert.ok(Math.abs(d.ciHigh - high) <= 1 / 8 + 1e-9, `high ${d.ciHigh} vs exact ${high}`);
    assert.ok(d.ciLow <= d.delta && d.delta <= d.ciHigh);
  });

  test('the same seed gives the same interval; identical sides give a zero-width interval at 0', () => {
    assert.deepEqual(pairedBootstrap(items, { seed: 3 }), pairedBootstrap(items, { seed: 3 }));
    const same = pairedBootstrap(
      items.map((i) => ({ base: i.base, quant: i.base })),
      { seed: 1 },
    );
    assert.equal(same.ciLow, 0);
    assert.equal(same.ciHigh, 0);
  });

  test('weights: instruction-level accuracy is a ratio of sums (a prompt with 3 instructions counts 3 times)', () => {
    const d = pairedBootstrap([
      { base: 1, quant: 2 / 3, weight: 3 },
      { base: 0, quant: 1, weight: 1 },
    ]);
    assert.ok(Math.abs(d.base - 3 / 4) < 1e-12);
    assert.ok(Math.abs(d.quant - 3 / 4) < 1e-12);
  });

  test('quantileSorted interpolates linearly between ranks (numpy default)', () => {
    assert.equal(quantileSorted([0, 10], 0.25), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4, 5], 0.5), 3);
  });
});

describe('task deltas and the verdict', () => {
  const summary: CompareSummary = {
    prompts: 1,
    identicalOutputs: 0,
    meanKld: 0,
    kldP99: 0,
    sameTop1: 1,
    pplRatio: 1,
    deltaPRms: 0,
    jsonValidBase: null,
    jsonValidQuant: null,
    eosShift: 0,
    verdict: 'ok',
    reasons: [],
  };
  const thresholds = { deltaWarnPp: 2, deltaFailPp: 5 };

  test('a drop whose interval excludes zero fails past the fail threshold, and the delta reads as in the issue', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ base: i < 150 ? 1 : 0, quant: i < 120 ? 1 : 0 }));
    const d = taskDelta('ifeval-prompt-strict', 'IFEval prompt-level strict', items, 1);
    assert.ok(Math.abs(d.deltaPp + 15) < 1e-9);
    assert.deepEqual(d.discordant, { baseOnly: 30, quantOnly: 0 });
    assert.ok(d.ciHighPp < 0);
    assert.match(formatDelta(d), /^IFEval prompt-level strict −15\.0 pp \[−\d+\.\d, −\d+\.\d\], p < 0\.001, n = 200$/);
    const out = applyTaskVerdict(summary, [d], thresholds);
    assert.equal(out.verdict, 'fail');
    assert.match(out.reasons.join('\n'), /95% interval below zero/);
  });

  test('a drop past the threshold whose interval includes zero does not count, and the reasons say so', () => {
    const items = [
      { base: 1, quant: 0 },
      { base: 0, quant: 1 },
      { base: 1, quant: 0 },
      { base: 1, quant: 1 },
    ];
    const d = taskDelta('mc-acc', 'Multiple choice acc', items, 1);
    assert.ok(Math.abs(d.deltaPp + 25) < 1e-9);
    assert.ok(d.ciHighPp >= 0);
    const out = applyTaskVerdict(summary, [d], thresholds);
    assert.equal(out.verdict, 'ok');
    assert.match(out.reasons.join('\n'), /not counted, its 95% interval includes zero/);
  });

  test('rates (sampling mode) get the sign-flip test, not McNemar: two items both −0.2 give p = 2/4', () => {
    const items = [
      { base: 0.4, quant: 0.2 },
      { base: 1, quant: 0.8 },
    ];
    const d = taskDelta('sampled', 'Sampled', items, 1);
    assert.equal(d.test, 'sign-flip');
    assert.equal(d.discordant, undefined);
    assert.ok(Math.abs(d.pValue! - 0.5) < 1e-12);
    assert.match(formatDelta(d), /p = 0\.50/);
  });

  test('instruction-level shares are tested per prompt: weighted items never go to McNemar', () => {
    const d = taskDelta('ifeval-instruction-strict', 'x', [{ base: 1, quant: 0, weight: 5 }], 1);
    assert.equal(d.test, 'sign-flip');
    assert.equal(d.pValue, 1); // one prompt: both signs reach |d|
  });
});
