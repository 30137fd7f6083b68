/**
 * Twin search across layouts: a repo's variants ("model_fp16 vs model_q4f16"), a GenAI tree's cousins
 * (cpu_and_mobile/cpu-int4-... vs cuda/cuda-fp16), and the same model re-published under another owner in the
 * Hugging Face cache (onnx-community/NAME-ONNX next to the original NAME).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describePrecision, inspectModelFolder } from '../../../src/core/models';
import { findTwins, inspectorFrom, repoStem, variantPairs } from '../../../src/core/pairing';
import { randomLlamaWeights, tinyLlamaConfig } from '../../../tools/model-builder/llama';
import { writeTransformersJsRepo } from '../../../tools/model-builder/transformers-js';

async function files(dir: string, names: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(names)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const ONNX_COMMUNITY_FILES = {
  'config.json': '{"model_type":"llama"}',
  'tokenizer.json': '{}',
  'onnx/model.onnx': '',
  'onnx/model_fp16.onnx': '',
  'onnx/model_q4.onnx': '',
  'onnx/model_q4f16.onnx': '',
  'onnx/model_int8.onnx': '',
  'onnx/model_bnb4.onnx': '',
};

describe('twin search across layouts', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'qd-variant-pairs-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  test('an onnx-community repo (root or onnx/) offers its variant pairs, model_fp16 vs model_q4f16 first', async () => {
    const root = await files(join(tmp, 'SmolLM2-135M-Instruct'), ONNX_COMMUNITY_FILES);
    for (const folder of [root, join(root, 'onnx')]) {
      const labels = (await variantPairs(folder, (await import('../../../src/core/pairing')).quickInspect)).map(
        (pair) => pair.label,
      );
      assert.equal(labels[0], 'model_fp16 vs model_q4f16');
      // Then the 4-bit files made from the fp32 graph (q4 and bnb4 alike by name), before the 8-bit one.
      assert.deepEqual(labels.slice(1, 3).sort(), ['model vs model_bnb4', 'model vs model_q4']);
      assert.ok(labels.includes('model vs model_int8'));
      assert.ok(labels.includes('model vs model_bnb4'));
      assert.equal(labels.length, 2 * 4);
    }
  });

  test('a variant file finds the other variants of its repo, the same-activation base first', async () => {
    const root = await files(join(tmp, 'repo-b'), ONNX_COMMUNITY_FILES);
    const search = await findTwins(join(root, 'onnx', 'model_q4f16.onnx'));
    assert.equal(search.role, 'quant');
    assert.deepEqual(
      search.candidates.map((c) => c.info.path),
      [join(root, 'onnx', 'model_fp16.onnx'), join(root, 'onnx', 'model.onnx')],
    );
    assert.ok(search.candidates[0].reasons.includes('variant in the same repo'));
  });

  test('a GenAI tree: cpu_and_mobile/cpu-int4-... finds cuda/cuda-fp16 (stems differ)', async () => {
    const repo = join(tmp, 'Phi-3-mini-4k-instruct-onnx');
    const genai = { 'genai_config.json': '{"model":{"decoder":{"filename":"model.onnx"}}}', 'model.onnx': '' };
    const int4 = await files(join(repo, 'cpu_and_mobile', 'cpu-int4-rtn-block-32-acc-level-4'), genai);
    const fp16 = await files(join(repo, 'cuda', 'cuda-fp16'), genai);
    await files(join(repo, 'cuda', 'cuda-int4-rtn-block-32'), genai);
    const search = await findTwins(int4);
    assert.equal(search.role, 'quant');
    assert.deepEqual(
      search.candidates.map((c) => c.info.path),
      [fp16],
    );
    assert.ok(search.candidates[0].reasons.includes('same ONNX Runtime GenAI tree'));
  });

  test('the HF cache: the same model re-published by onnx-community offers its quantized variants', async () => {
    const cache = join(tmp, 'hub');
    const base = await files(join(cache, 'models--HuggingFaceTB--SmolLM2-135M-Instruct', 'snapshots', 'a1'), {
      'config.json': '{"torch_dtype":"float16"}',
      'model.onnx': '',
    });
    const community = join(cache, 'models--onnx-community--SmolLM2-135M-Instruct-ONNX', 'snapshots', 'b2');
    await files(community, ONNX_COMMUNITY_FILES);
    assert.equal(repoStem('SmolLM2-135M-Instruct-ONNX'), repoStem('SmolLM2-135M-Instruct'));
    const search = await findTwins(base, { hfCacheDirs: [cache] });
    assert.equal(search.role, 'base');
    const paths = search.candidates.map((c) => c.info.path);
    assert.ok(paths.includes(join(community, 'onnx', 'model_q4.onnx')), paths.join('\n'));
    assert.ok(paths.includes(join(community, 'onnx', 'model_q4f16.onnx')));
    assert.ok(search.candidates[0].reasons.some((r) => r.includes('re-published by onnx-community')));
  });

  test('with the header inspector, each variant pairs under the label inspect and the drift report show', async () => {
    const cfg = tinyLlamaConfig();
    const repo = await writeTransformersJsRepo(join(tmp, 'tiny-ONNX'), cfg, randomLlamaWeights(cfg, 3));
    const inspect = inspectorFrom(inspectModelFolder, describePrecision);
    const pairs = await variantPairs(repo.root, inspect);
    assert.deepEqual(
      pairs.map((p) => `${p.label}: ${p.base.precision} / ${p.quant.precision}`),
      [
        'model_fp16 vs model_q4f16: fp16 / int4 sym g32 (fp16 activations)',
        'model vs model_q4: fp32 / int4 sym g32',
        'model_fp16 vs model_q4: fp16 / int4 sym g32',
        'model vs model_q4f16: fp32 / int4 sym g32 (fp16 activations)',
      ],
    );
  });
});
