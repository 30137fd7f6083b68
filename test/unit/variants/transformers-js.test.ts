/**
 * transformers.js / onnx-community repos: configs and tokenizer at the root, precisions side by side in onnx/.
 * Each variant file is a model of its own (layout, precision label, greedy tokens equal to transformers.js
 * generate() loading the same repo folder by dtype); the root and onnx/ list the variants instead of picking one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LanguageModel } from '../../../src/core/drift/lm';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { describePrecision, inspectModelFolder } from '../../../src/core/models';
import { listVariants, resolveModelRef, variantName } from '../../../src/core/models/variants';
import { randomLlamaWeights, tinyLlamaConfig } from '../../../tools/model-builder/llama';
import { transformersJsGreedy } from '../model-builder/transformers-js-generate';
import { writeTransformersJsRepo, type TransformersJsRepo } from '../../../tools/model-builder/transformers-js';

const prompt = [1, 40, 80, 120, 7, 250, 33, 99];
const options = { executionProvider: 'cpu', threads: 1 };
const LABELS = { fp32: 'fp32', fp16: 'fp16', q4: 'int4 sym g32', q4f16: 'int4 sym g32 (fp16 activations)' } as const;

describe('transformers.js repo layout', () => {
  let tmp: string;
  let repo: TransformersJsRepo;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'qd-tjs-'));
    const cfg = tinyLlamaConfig();
    repo = await writeTransformersJsRepo(join(tmp, 'tiny-llama-ONNX'), cfg, randomLlamaWeights(cfg, 7));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  test('variant names follow transformers.js DEFAULT_DTYPE_SUFFIX_MAPPING', () => {
    assert.deepEqual(variantName('model.onnx'), { base: 'model', dtype: 'fp32' });
    assert.deepEqual(variantName('model_q4f16.onnx'), { base: 'model', dtype: 'q4f16' });
    assert.deepEqual(variantName('model_q4.onnx'), { base: 'model', dtype: 'q4' });
    assert.deepEqual(variantName('model_quantized.onnx'), { base: 'model', dtype: 'q8' });
    assert.deepEqual(variantName('decoder_model_merged_bnb4.onnx'), { base: 'decoder_model_merged', dtype: 'bnb4' });
    assert.deepEqual(variantName('model_q2f16.onnx'), { base: 'model', dtype: 'q2f16' });
  });

  test('the root and onnx/ list the variants, configs from the root', async () => {
    for (const folder of [repo.root, repo.onnxDir]) {
      const listing = await listVariants(folder);
      assert.ok(listing);
      assert.equal(listing.configDir, repo.root);
      assert.deepEqual(
        listing.variants.map((v) => v.label),
        ['model', 'model_fp16', 'model_q4', 'model_q4f16'],
      );
      await assert.rejects(
        loadModelLayout(folder),
        /holds 4 variants of one model .*model_fp16\.onnx.*pass one of the files/,
      );
    }
    const ref = await resolveModelRef(repo.files.q4f16!);
    assert.deepEqual([ref.configDir, ref.modelDir], [repo.root, repo.onnxDir]);
  });

  for (const dtype of ['fp32', 'fp16', 'q4', 'q4f16'] as const) {
    test(`${dtype}: a .onnx file is a model; inspect and the drift layout give the same label`, async () => {
      const file = repo.files[dtype]!;
      const layout = await loadModelLayout(file);
      assert.equal(layout.folder, repo.root);
      assert.equal(layout.source, file);
      assert.equal(layout.onnxPath, file);
      assert.equal(layout.weights, LABELS[dtype]);
      const info = await inspectModelFolder(file);
      assert.equal(info.error, undefined);
      assert.equal(describePrecision(info), LABELS[dtype]);
      assert.deepEqual(info.files.tokenizer.missing, []);
      assert.ok(info.isLlm);
    });

    test(`${dtype}: greedy tokens equal transformers.js generate() loading the repo by dtype`, async () => {
      const theirs = await transformersJsGreedy(repo.root, { dtype }, prompt, 16);
      const lm = await LanguageModel.load(await loadModelLayout(repo.files[dtype]!), options);
      try {
        const ours = await lm.generate(prompt, 16);
        const expected = ours.eosToken === null ? ours.tokens : [...ours.tokens, ours.eosToken];
        assert.deepEqual(theirs.slice(0, expected.length), expected);
      } finally {
        await lm.release();
      }
    });
  }
});
