import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanguageModel } from '../../../src/core/drift/lm';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { useLayoutFolders } from './layout-fixtures';

const prompt = [1, 40, 80, 120, 7, 250, 33, 99];
const options = { executionProvider: 'cpu', threads: 1 };

async function withModel<T>(folder: string, run: (lm: LanguageModel) => Promise<T>): Promise<T> {
  const lm = await LanguageModel.load(await loadModelLayout(folder), options);
  try {
    return await run(lm);
  } finally {
    await lm.release();
  }
}

const greedy = (folder: string): Promise<number[]> =>
  withModel(folder, async (lm) => (await lm.generate(prompt, 20, () => false, [])).tokens);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** The cached step-by-step logits equal one full pass: the cache (and any other state) is fed back right. */
async function cacheMatchesRecompute(folder: string, tolerance: number): Promise<void> {
  await withModel(folder, async (lm) => {
    const generated = await lm.generate(prompt, 16, () => false, []);
    const sequence = [...prompt, ...generated.tokens];
    const cached = await lm.logitsWithCache(sequence);
    const full = await lm.score(sequence, 1);
    const diff = maxAbsDiff(full, cached.subarray(0, full.length));
    assert.ok(diff < tolerance, `max |Δlogit| ${diff}`);
  });
}

describe('decoder layouts run end to end with the same greedy tokens as the plain layout', () => {
  const f = useLayoutFolders();

  test('fp16 export with float32 logits: KV read as fp16, logits as fp32', async () => {
    const layout = await loadModelLayout(f.fp16Float32Logits);
    assert.equal(layout.ioDtype, 'float16');
    assert.equal(layout.io.logitsDtype, 'float32');
    assert.deepEqual(await greedy(f.fp16Float32Logits), await greedy(f.fp16));
    await cacheMatchesRecompute(f.fp16Float32Logits, 2e-2);
  });

  test('num_logits_to_keep (fp32) and logits_to_keep (fp16): 0 when scoring, 1 when generating', async () => {
    assert.equal((await loadModelLayout(f.numLogitsToKeep)).io.logitsToKeep, 'num_logits_to_keep');
    assert.equal((await loadModelLayout(f.logitsToKeep)).io.logitsToKeep, 'logits_to_keep');
    assert.deepEqual(await greedy(f.numLogitsToKeep), await greedy(f.fp32));
    assert.deepEqual(await greedy(f.logitsToKeep), await greedy(f.fp16));
    const sequence = [...prompt, 5, 6, 7];
    const plain = await withModel(f.fp32, (lm) => lm.score(sequence, 1));
    const kept = await withModel(f.numLogitsToKeep, (lm) => lm.score(sequence, 1));
    assert.ok(maxAbsDiff(plain, kept) < 1e-5, 'scoring keeps every position');
  });

  test('optimum merged decoder (If on use_cache_branch), fp32 and fp16', async () => {
    const layout = await loadModelLayout(f.merged);
    assert.match(layout.onnxPath, /decoder_model_merged\.onnx$/);
    assert.equal(layout.io.useCacheBranch, 'use_cache_branch');
    assert.deepEqual(await greedy(f.merged), await greedy(f.fp32));
    assert.deepEqual(await greedy(f.mergedFp16), await greedy(f.fp16));
    await cacheMatchesRecompute(f.merged, 1e-4);
  });

  test('optimum unmerged pair: decoder_model.onnx for the first pass, decoder_with_past_model.onnx after', async () => {
    const layout = await loadModelLayout(f.unmerged);
    assert.match(layout.onnxPath, /decoder_with_past_model\.onnx$/);
    assert.match(layout.prefillOnnxPath ?? '', /decoder_model\.onnx$/);
    assert.deepEqual(await greedy(f.unmerged), await greedy(f.fp32));
    await cacheMatchesRecompute(f.unmerged, 1e-4);
  });

  test('KV-shared layers and a carried past_conv state: KV layers from the graph, state fed back each step', async () => {
    const layout = await loadModelLayout(f.hybrid);
    assert.equal(layout.numLayers, 2);
    assert.deepEqual(
      layout.io.kv.map((l) => l.index),
      [0],
    );
    assert.deepEqual(
      layout.io.state.map((s) => [s.past, s.present]),
      [['past_conv.0', 'present_conv.0']],
    );
    await cacheMatchesRecompute(f.hybrid, 1e-4);
    const tokens = await greedy(f.hybrid);
    assert.equal(tokens.length, 20);
    assert.notDeepEqual(tokens, await greedy(f.fp32), 'the hybrid graph is a different model');
  });

  test('GenAI builder GroupQueryAttention layout (past_present_share_buffer in its config): same tokens', async () => {
    const layout = await loadModelLayout(f.genaiGqa);
    assert.equal(layout.io.positionIds, null, 'GQA applies the rotary embedding itself');
    assert.deepEqual(await greedy(f.genaiGqa), await greedy(f.fp32));
    await cacheMatchesRecompute(f.genaiGqa, 1e-4);
    assert.deepEqual(await greedy(f.genaiGqaFp16), await greedy(f.fp16), 'fp16 GroupQueryAttention on CPU too');
  });

  test('GenAI sliding window (local_window_size on layer 0, decoder.sliding_window in genai_config)', async () => {
    await cacheMatchesRecompute(f.genaiGqaWindow, 1e-4);
    const windowed = await greedy(f.genaiGqaWindow);
    assert.equal(windowed.length, 20);
    assert.notDeepEqual(windowed, await greedy(f.fp32), 'a 6-token window changes what layer 0 attends to');
  });
});
