import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanguageModel } from '../../../src/core/drift/lm';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { logSoftmax } from '../../../src/core/drift/metrics';
import { choiceScores, scoreItem } from '../../../src/core/tasks/choice/score';
import { TINY, useTinyPair } from '../drift/fixtures';

const options = { executionProvider: 'cpu', threads: 1 };

/** Log-likelihood of `continuation` after `context` from one full forward pass (no KV reuse). */
async function directLogLikelihood(lm: LanguageModel, context: number[], continuation: number[]): Promise<number> {
  const rows = await lm.score([...context, ...continuation], context.length);
  const vocab = TINY.vocabSize;
  const out = new Float64Array(vocab);
  let sum = 0;
  continuation.forEach((token, r) => {
    logSoftmax(rows.subarray(r * vocab, (r + 1) * vocab), out);
    sum += out[token];
  });
  return sum;
}

describe('multiple choice with the context KV cache reused', () => {
  const pair = useTinyPair();
  const context = [1, 40, 80, 120, 7, 250, 33, 99, 12, 5, 61, 17, 3, 90, 45, 22];
  const choices = [[5, 9, 14, 200], [77], [8, 8, 8, 8], [150, 2, 31]];

  for (const dtype of ['fp32', 'fp16'] as const) {
    test(`${dtype}: every choice's log-likelihood equals a direct full pass to 1e-6`, async () => {
      const lm = await LanguageModel.load(await loadModelLayout(dtype === 'fp32' ? pair.fp32 : pair.fp16), options);
      try {
        const reused = await lm.continuationLogProbs(context, choices);
        for (let k = 0; k < choices.length; k++) {
          const direct = await directLogLikelihood(lm, context, choices[k]);
          const viaCache = reused[k].reduce((a, b) => a + b, 0);
          assert.equal(reused[k].length, choices[k].length);
          assert.ok(Math.abs(direct - viaCache) < 1e-6, `choice ${k}: direct ${direct} vs reused ${viaCache}`);
        }
        const state = lm as unknown as { batchContinuations: boolean };
        assert.equal(state.batchContinuations, true, 'the batched pass ran (no fallback)');
        // One pass per continuation (the fallback for graphs with batch 1) over the same cache, in another order:
        // the same numbers, so the context's cache is not overwritten by a continuation's presents.
        state.batchContinuations = false;
        const again = await lm.continuationLogProbs(context, [...choices].reverse());
        for (let k = 0; k < choices.length; k++) {
          const a = again[choices.length - 1 - k];
          for (let t = 0; t < a.length; t++) assert.ok(Math.abs(a[t] - reused[k][t]) < 1e-6, `choice ${k} token ${t}`);
        }
      } finally {
        await lm.release();
      }
    });
  }

  test('scoreItem: acc picks the highest log-likelihood, acc_norm divides by the choice length in characters', async () => {
    const lm = await LanguageModel.load(await loadModelLayout(pair.fp32), options);
    try {
      const item = { id: 'x', context: 'ctx', choices: ['a', 'bb', 'ccc', 'dddd'], answer: 0 };
      const scores = await scoreItem(item, { context, continuations: choices }, lm);
      const lls = await Promise.all(choices.map((c) => directLogLikelihood(lm, context, c)));
      lls.forEach((ll, i) => assert.ok(Math.abs(ll - scores.loglikelihoods[i]) < 1e-6));
      assert.equal(scores.pred, lls.indexOf(Math.max(...lls)));
      const norm = lls.map((ll, i) => ll / (i + 1));
      assert.equal(scores.predNorm, norm.indexOf(Math.max(...norm)));
      assert.ok(Math.abs(scores.probs.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    } finally {
      await lm.release();
    }
  });
});

describe('choiceScores', () => {
  test('acc and acc_norm can disagree: a long choice with a higher total but lower per-character likelihood', () => {
    // lm-eval: pred = argmax(lls), pred_norm = argmax(lls / len(choice)).
    const s = choiceScores([-4, -6], ['ab', 'abcdefgh']);
    assert.equal(s.pred, 0);
    assert.equal(s.predNorm, 1); // -6/8 = -0.75 > -4/2 = -2
    assert.ok(Math.abs(s.probs[0] - 1 / (1 + Math.exp(-2))) < 1e-12);
  });

  test('length counts code points, as Python len() does, not UTF-16 units or bytes', () => {
    // '𝔸𝔸' is 2 code points (4 UTF-16 units, 8 bytes); 'abc' is 3.
    const s = choiceScores([-2.2, -3], ['𝔸𝔸', 'abc']);
    assert.equal(s.predNorm, 1); // -1.1 vs -1.0
  });
});
