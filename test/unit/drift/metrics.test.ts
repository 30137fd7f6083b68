import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  comparePositions,
  firstDivergence,
  kldGrowth,
  percentile,
  summarize,
  topK,
} from '../../../src/core/drift/metrics';

/** Deterministic pseudo-random logits. */
function logits(rows: number, vocab: number, seed: number, scale = 3): Float32Array {
  let state = seed;
  const out = new Float32Array(rows * vocab);
  for (let i = 0; i < out.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = (state / 2147483648 - 0.5) * 2 * scale;
  }
  return out;
}

/** Textbook softmax of one row, no tricks. */
function softmax(row: number[]): number[] {
  const exps = row.map((v) => Math.exp(v));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function rowOf(m: Float32Array, r: number, vocab: number): number[] {
  return Array.from(m.subarray(r * vocab, (r + 1) * vocab));
}

describe('drift metrics', () => {
  const vocab = 50;
  const rows = 12;
  const base = logits(rows, vocab, 11);
  const quant = base.map((v, i) => v + Math.sin(i) * 0.4);
  const targets = Array.from({ length: rows }, (_, r) => (r * 7) % vocab);

  test('per-position KL, top-1, p and NLL equal a direct computation', () => {
    const stats = comparePositions(base, quant, vocab, targets);
    for (let r = 0; r < rows; r++) {
      const p = softmax(rowOf(base, r, vocab));
      const q = softmax(rowOf(quant, r, vocab));
      const kl = p.reduce((sum, pi, i) => sum + pi * Math.log(pi / q[i]), 0);
      assert.ok(Math.abs(stats.kld[r] - kl) < 1e-9, `row ${r}: ${stats.kld[r]} vs ${kl}`);
      const argP = p.indexOf(Math.max(...p));
      const argQ = q.indexOf(Math.max(...q));
      assert.equal(stats.sameTop1[r], argP === argQ ? 1 : 0);
      assert.ok(Math.abs(stats.pBase[r] - p[targets[r]]) < 1e-12);
      assert.ok(Math.abs(stats.pQuant[r] - q[targets[r]]) < 1e-12);
      assert.ok(Math.abs(stats.nllQuant[r] + Math.log(q[targets[r]])) < 1e-9);
    }
  });

  test('summary equals direct mean, RMS, perplexities and ratio', () => {
    const stats = comparePositions(base, quant, vocab, targets);
    const s = summarize([stats]);
    let nllB = 0;
    let nllQ = 0;
    let sq = 0;
    let same = 0;
    for (let r = 0; r < rows; r++) {
      const p = softmax(rowOf(base, r, vocab));
      const q = softmax(rowOf(quant, r, vocab));
      nllB -= Math.log(p[targets[r]]);
      nllQ -= Math.log(q[targets[r]]);
      sq += (q[targets[r]] - p[targets[r]]) ** 2;
      same += stats.sameTop1[r];
    }
    assert.ok(Math.abs(s.pplBase - Math.exp(nllB / rows)) < 1e-9);
    assert.ok(Math.abs(s.pplQuant - Math.exp(nllQ / rows)) < 1e-9);
    assert.ok(Math.abs(s.pplRatio - Math.exp(nllQ / rows) / Math.exp(nllB / rows)) < 1e-9);
    assert.ok(Math.abs(s.deltaPRms - Math.sqrt(sq / rows)) < 1e-12);
    assert.equal(s.sameTop1, same / rows);
    const meanKl = Array.from(stats.kld).reduce((a, b) => a + b, 0) / rows;
    assert.ok(Math.abs(s.meanKld - meanKl) < 1e-12);
    assert.equal(s.maxKld, Math.max(...stats.kld));
    assert.ok(s.meanKld > 0.001, 'the perturbation must register');
  });

  test('a distribution compared with itself: KL 0, same top-1 1, ratio 1, no delta-p', () => {
    const s = summarize([comparePositions(base, base, vocab, targets)]);
    assert.equal(s.meanKld, 0);
    assert.equal(s.maxKld, 0);
    assert.equal(s.sameTop1, 1);
    assert.equal(s.pplRatio, 1);
    assert.equal(s.deltaPRms, 0);
  });

  test('softmax is shift-invariant and stable for large logits', () => {
    const shifted = base.map((v) => v + 1000);
    const stats = comparePositions(base, shifted, vocab, targets);
    assert.ok(Math.max(...stats.kld) < 1e-9);
    assert.ok(Array.from(stats.kld).every(Number.isFinite));
  });

  test('percentile interpolates like numpy', () => {
    const sorted = [1, 2, 3, 4];
    assert.equal(percentile(sorted, 0), 1);
    assert.equal(percentile(sorted, 1), 4);
    assert.equal(percentile(sorted, 0.5), 2.5);
    assert.ok(Math.abs(percentile(sorted, 0.99) - 3.97) < 1e-12);
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });

  test('drift growth is last quarter over first quarter', () => {
    assert.equal(kldGrowth([1, 1, 2, 2, 3, 3, 4, 4]), 4);
    assert.equal(kldGrowth([1, 2, 3]), undefined);
    assert.equal(kldGrowth([0, 0, 0, 0]), undefined);
  });

  test('first divergence: differing token, prefix, identical', () => {
    assert.equal(firstDivergence([1, 2, 3], [1, 2, 4]), 2);
    assert.equal(firstDivergence([1, 2], [1, 2, 5]), 2);
    assert.equal(firstDivergence([1, 2, 3], [1, 2, 3]), null);
    assert.equal(firstDivergence([], [7]), 0);
  });

  test('top-k returns the k most probable ids in order with probabilities that match softmax', () => {
    const row = rowOf(base, 3, vocab);
    const p = softmax(row);
    const expected = p
      .map((prob, id) => ({ id, prob }))
      .sort((a, b) => b.prob - a.prob)
      .slice(0, 5);
    const got = topK(row, 5);
    assert.deepEqual(
      got.map((c) => c.id),
      expected.map((c) => c.id),
    );
    got.forEach((c, i) => assert.ok(Math.abs(c.prob - expected[i].prob) < 1e-12));
  });
});
