import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeSampler, sampleSeed } from '../../../src/core/tasks/sampling';

const logits = Float32Array.from([2, 1, 0, -1]);
const softmax = (values: Float32Array, t: number): number[] => {
  const e = [...values].map((v) => Math.exp(v / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('sampling mode', () => {
  test('temperature 0 is greedy', () => {
    const choose = makeSampler({ temperature: 0, topP: 1, seed: 1 });
    for (let i = 0; i < 10; i++) assert.equal(choose(logits), 0);
  });

  test('draw frequencies follow softmax(logits / T)', () => {
    const choose = makeSampler({ temperature: 0.7, topP: 1, seed: 42 });
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let i = 0; i < n; i++) counts[choose(logits)]++;
    softmax(logits, 0.7).forEach((p, i) => assert.ok(Math.abs(counts[i] / n - p) < 0.01, `token ${i}`));
  });

  test('top-p keeps the smallest most likely set reaching p: 0.7 keeps tokens 0 and 1 only, renormalised', () => {
    const p = softmax(logits, 1); // [0.644, 0.237, 0.087, 0.032]
    const choose = makeSampler({ temperature: 1, topP: 0.7, seed: 3 });
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[choose(logits)]++;
    assert.equal(counts[2] + counts[3], 0);
    assert.ok(Math.abs(counts[0] / n - p[0] / (p[0] + p[1])) < 0.015);
  });

  test('the same seed draws the same tokens; seeds differ per prompt and sample, not per side', () => {
    const a = makeSampler({ temperature: 1, topP: 0.95, seed: sampleSeed(1, 3, 2) });
    const b = makeSampler({ temperature: 1, topP: 0.95, seed: sampleSeed(1, 3, 2) });
    const drawsA = Array.from({ length: 50 }, () => a(logits));
    const drawsB = Array.from({ length: 50 }, () => b(logits));
    assert.deepEqual(drawsA, drawsB);
    assert.notEqual(sampleSeed(1, 3, 2), sampleSeed(1, 3, 3));
    assert.notEqual(sampleSeed(1, 3, 2), sampleSeed(1, 4, 2));
  });
});
