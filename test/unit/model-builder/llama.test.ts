import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as ort from 'onnxruntime-node';
import {
  buildLlamaOnnx,
  randomLlamaWeights,
  tinyLlamaConfig,
  writeLlamaModelFolder,
} from '../../../tools/model-builder/llama';
import { argmax, emptyKv, forward, klDivergence, maxAbsDiff, openSession } from './ort-helpers';

const cfg = tinyLlamaConfig();
const prompt = [1, 40, 80, 120, 7, 250, 33, 99];

void describe('Llama ONNX builder', () => {
  let dir: string;
  let fp32: ort.InferenceSession;
  let fp16: ort.InferenceSession;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qd-llama-'));
    const weights = randomLlamaWeights(cfg, 42);
    fp32 = await openSession(
      (await writeLlamaModelFolder(join(dir, 'fp32'), cfg, weights, { dtype: 'float32' })).modelPath,
    );
    fp16 = await openSession(
      (await writeLlamaModelFolder(join(dir, 'fp16'), cfg, weights, { dtype: 'float16' })).modelPath,
    );
  });
  after(async () => {
    await fp32?.release();
    await fp16?.release();
    await rm(dir, { recursive: true, force: true });
  });

  void test('has the optimum decoder-with-past interface', () => {
    assert.deepEqual(fp32.inputNames.slice(0, 3), ['input_ids', 'attention_mask', 'position_ids']);
    assert.ok(fp32.inputNames.includes('past_key_values.1.value'));
    assert.deepEqual(fp32.outputNames.slice(0, 3), ['logits', 'present.0.key', 'present.0.value']);
  });

  void test('logits are peaked, not flat', async () => {
    const { logits, dims } = await forward(fp32, [prompt], emptyKv(cfg, 'float32'));
    assert.deepEqual(dims, [1, prompt.length, cfg.vocabSize]);
    const last = logits.subarray((prompt.length - 1) * cfg.vocabSize);
    const mean = last.reduce((a, b) => a + b, 0) / last.length;
    const std = Math.sqrt(last.reduce((a, b) => a + (b - mean) ** 2, 0) / last.length);
    assert.ok(std > 1, `logit std ${std}`);
  });

  for (const dtype of ['float32', 'float16'] as const) {
    void test(`${dtype}: KV-cache decode equals a no-cache recompute`, async () => {
      const session = dtype === 'float32' ? fp32 : fp16;
      const full = await forward(session, [prompt], emptyKv(cfg, dtype));
      const prefillLength = 5;
      let step = await forward(session, [prompt.slice(0, prefillLength)], emptyKv(cfg, dtype));
      const tolerance = dtype === 'float32' ? 1e-4 : 0.05;
      assert.ok(maxAbsDiff(step.logits, full.logits.subarray(0, prefillLength * cfg.vocabSize)) < tolerance);
      for (let position = prefillLength; position < prompt.length; position++) {
        step = await forward(session, [[prompt[position]]], step.present);
        const expected = full.logits.subarray(position * cfg.vocabSize, (position + 1) * cfg.vocabSize);
        const diff = maxAbsDiff(step.logits, expected);
        assert.ok(diff < tolerance, `position ${position}: max abs diff ${diff}`);
      }
      assert.equal(step.present.get('past_key_values.0.key')!.dims[2], prompt.length);
    });
  }

  void test('left padding is masked: a padded row gives the unpadded logits', async () => {
    const short = prompt.slice(0, 5);
    const alone = await forward(fp32, [short], emptyKv(cfg, 'float32'));
    const padded = [0, 0, 0, ...short];
    const batch = await forward(fp32, [prompt, padded], emptyKv(cfg, 'float32', 2), {
      mask: [prompt.map(() => 1), padded.map((_, index) => (index < 3 ? 0 : 1))],
    });
    const row = batch.logits.subarray((prompt.length + 3) * cfg.vocabSize, 2 * prompt.length * cfg.vocabSize);
    assert.ok(maxAbsDiff(row, alone.logits) < 1e-4);
    assert.ok(batch.logits.every(Number.isFinite), 'fully masked rows stay finite');
  });

  void test('fp16 stays close to fp32', async () => {
    const a = await forward(fp32, [prompt], emptyKv(cfg, 'float32'));
    const b = await forward(fp16, [prompt], emptyKv(cfg, 'float16'));
    for (let position = 0; position < prompt.length; position++) {
      const rowA = a.logits.subarray(position * cfg.vocabSize, (position + 1) * cfg.vocabSize);
      const rowB = b.logits.subarray(position * cfg.vocabSize, (position + 1) * cfg.vocabSize);
      assert.equal(argmax(rowA), argmax(rowB));
      assert.ok(klDivergence(rowA, rowB) < 1e-3, `KL at ${position}`);
    }
  });

  void test('is deterministic for a seed', () => {
    const a = randomLlamaWeights(cfg, 7);
    const b = randomLlamaWeights(cfg, 7);
    const c = randomLlamaWeights(cfg, 8);
    assert.deepEqual(buildLlamaOnnx(cfg, a, 'float32'), buildLlamaOnnx(cfg, b, 'float32'));
    const name = 'model.layers.1.mlp.up_proj.weight';
    assert.notDeepEqual(a.get(name)!.data, c.get(name)!.data);
  });

  void test('tied embeddings and external data load and agree with the in-file model', async () => {
    const tied = tinyLlamaConfig({ tieWordEmbeddings: true });
    const weights = randomLlamaWeights(tied, 3);
    assert.equal(weights.has('lm_head.weight'), false);
    const inline = await writeLlamaModelFolder(join(dir, 'tied'), tied, weights, { dtype: 'float32' });
    const external = await writeLlamaModelFolder(join(dir, 'tied-ext'), tied, weights, {
      dtype: 'float32',
      externalData: true,
    });
    assert.ok((await readFile(external.modelPath)).length * 4 < (await readFile(inline.modelPath)).length);
    const [s1, s2] = await Promise.all([openSession(inline.modelPath), openSession(external.modelPath)]);
    try {
      const r1 = await forward(s1, [prompt], emptyKv(tied, 'float32'));
      const r2 = await forward(s2, [prompt], emptyKv(tied, 'float32'));
      assert.deepEqual(r1.logits, r2.logits);
    } finally {
      await s1.release();
      await s2.release();
    }
  });

  void test('writes config.json and generation_config.json', async () => {
    const config = JSON.parse(await readFile(join(dir, 'fp16', 'config.json'), 'utf8')) as {
      architectures: string[];
      num_key_value_heads: number;
      torch_dtype: string;
    };
    assert.equal(config.architectures[0], 'LlamaForCausalLM');
    assert.equal(config.num_key_value_heads, 2);
    assert.equal(config.torch_dtype, 'float16');
    const generation = JSON.parse(await readFile(join(dir, 'fp16', 'generation_config.json'), 'utf8')) as {
      eos_token_id: number;
    };
    assert.equal(generation.eos_token_id, cfg.eosTokenId);
  });
});
