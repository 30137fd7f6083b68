import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanguageModel } from '../../../src/core/drift/lm';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { argmax } from '../../../src/core/drift/metrics';
import { transformersJsGreedy } from '../model-builder/transformers-js-generate';
import { TINY, useTinyPair } from './fixtures';

const prompt = [1, 40, 80, 120, 7, 250, 33, 99];
const options = { executionProvider: 'cpu', threads: 1 };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('LM runtime over onnxruntime-node', () => {
  const pair = useTinyPair();

  for (const dtype of ['fp32', 'fp16'] as const) {
    test(`${dtype}: the KV-cache path equals a no-cache recompute at every position`, async () => {
      const lm = await LanguageModel.load(await loadModelLayout(dtype === 'fp32' ? pair.fp32 : pair.fp16), options);
      try {
        const generated = await lm.generate(prompt, 24, () => false, []);
        const sequence = [...prompt, ...generated.tokens];
        const cached = await lm.logitsWithCache(sequence);
        const full = await lm.score(sequence, 1);
        const vocab = TINY.vocabSize;
        // score() returns rows 0..n-2; the cached pass has rows 0..n-1.
        const diff = maxAbsDiff(full, cached.subarray(0, (sequence.length - 1) * vocab));
        assert.ok(diff < (dtype === 'fp32' ? 1e-4 : 2e-2), `max |Δlogit| ${diff}`);
      } finally {
        await lm.release();
      }
    });
  }

  test('greedy decoding equals argmax of a full recompute at each step, and stops at max tokens', async () => {
    const lm = await LanguageModel.load(await loadModelLayout(pair.fp32), options);
    try {
      const generated = await lm.generate(prompt, 16, () => false, []);
      assert.equal(generated.tokens.length, 16);
      assert.equal(generated.finishReason, 'length');
      const vocab = TINY.vocabSize;
      const sequence = [...prompt];
      for (let step = 0; step < 16; step++) {
        const rows = await lm.score(sequence, sequence.length - 1);
        // rows predicting sequence[n-1] and beyond: the last row predicts the next token.
        const logits = await lm.score([...sequence, 0], sequence.length);
        assert.equal(rows.length, vocab);
        const next = argmax(logits.subarray(0, vocab));
        assert.equal(next, generated.tokens[step], `step ${step}`);
        sequence.push(next);
      }
    } finally {
      await lm.release();
    }
  });

  test('stops on EOS and reports it; stops when cancelled', async () => {
    const lm = await LanguageModel.load(await loadModelLayout(pair.fp32), options);
    try {
      const free = await lm.generate(prompt, 12, () => false, []);
      const eos = free.tokens[3];
      const stopped = await lm.generate(prompt, 12, () => false, [eos]);
      assert.equal(stopped.finishReason, 'eos');
      assert.equal(stopped.eosToken, eos);
      assert.deepEqual(stopped.tokens, free.tokens.slice(0, free.tokens.indexOf(eos)));
      let calls = 0;
      const cancelled = await lm.generate(prompt, 12, () => ++calls > 2, []);
      assert.equal(cancelled.finishReason, 'cancelled');
      assert.equal(cancelled.tokens.length, 3);
    } finally {
      await lm.release();
    }
  });

  test('greedy tokens agree with @huggingface/transformers generate() on the same folder', async (t) => {
    let theirs: number[];
    try {
      theirs = await transformersJsGreedy(pair.fp32, { dtype: 'fp32', subfolder: '' }, prompt, 20);
    } catch (error) {
      if (!/MODULE_NOT_FOUND/.test((error as { code?: string }).code ?? '')) throw error;
      t.skip('@huggingface/transformers is not installed');
      return;
    }
    const lm = await LanguageModel.load(await loadModelLayout(pair.fp32), options);
    try {
      const ours = await lm.generate(prompt, 20);
      const expected = ours.eosToken === null ? ours.tokens : [...ours.tokens, ours.eosToken];
      assert.deepEqual(theirs.slice(0, expected.length), expected);
    } finally {
      await lm.release();
    }
  });
  void test('generation stops at the context length instead of indexing past the position tables', async () => {
    const layout = { ...(await loadModelLayout(pair.fp32)), maxPositions: prompt.length + 3 };
    const lm = await LanguageModel.load(layout, options);
    try {
      const result = await lm.generate(prompt, 20, () => false, []);
      assert.equal(result.tokens.length, 3);
      assert.equal(result.finishReason, 'length');
      await assert.rejects(lm.generate([...prompt, 1, 2, 3], 5), /context is 11 positions/);
      await assert.rejects(lm.score([...prompt, 1, 2, 3, 4], 2), /context is 11 positions/);
    } finally {
      await lm.release();
    }
  });
});
