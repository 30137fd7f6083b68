/**
 * quantize, inspect and the inventory take an onnx-community repo as users download it: a variant file, onnx/ or
 * the root. quantize writes a complete twin (tokenizer and configs) that runs on its own; the inventory lists each
 * variant with its own precision.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runInspect } from '../../../src/cli/inspect';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { loadTokenizer } from '../../../src/core/drift/tokenizer';
import { describePrecision, discoverModels, inspectModelFolder } from '../../../src/core/models';
import { quantizeModelFolder } from '../../../src/core/quantize';
import { randomLlamaWeights, tinyLlamaConfig } from '../../../tools/model-builder/llama';
import { writeTransformersJsRepo, type TransformersJsRepo } from '../../../tools/model-builder/transformers-js';

const recipe = { symmetric: true, blockSize: 32, accuracyLevel: 0 as const };

describe('onnx-community repos in quantize, inspect and the inventory', () => {
  let tmp: string;
  let repo: TransformersJsRepo;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'qd-variants-q-'));
    const cfg = tinyLlamaConfig();
    repo = await writeTransformersJsRepo(join(tmp, 'tiny-ONNX'), cfg, randomLlamaWeights(cfg, 5), ['fp32', 'fp16']);
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  test('quantize on a variant file writes a complete, runnable twin', async () => {
    // Another variant's external data chunks (transformers.js names them model.onnx_data, model.onnx_data_1)
    // sit beside the file and must not be copied into the twin.
    await writeFile(join(repo.onnxDir, 'model_q4.onnx_data'), 'x');
    await writeFile(join(repo.onnxDir, 'model_q4.onnx_data_1'), 'x');
    const out = join(tmp, 'twin-fp16-int4');
    const result = await quantizeModelFolder(repo.files.fp16!, out, recipe);
    assert.deepEqual(result.copiedFiles, [
      'config.json',
      'generation_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    assert.deepEqual(
      (await readdir(out)).sort(),
      [...result.copiedFiles, 'model_fp16.onnx', 'quantization_recipe.json'].sort(),
    );
    const layout = await loadModelLayout(out);
    assert.equal(layout.weights, 'int4 sym g32 (fp16 activations)');
    assert.equal((await loadTokenizer(layout.folder)).vocabSize > 0, true);
  });

  test('quantize on onnx/ or the root refuses to pick one of the variants', async () => {
    for (const input of [repo.root, repo.onnxDir]) {
      await assert.rejects(
        quantizeModelFolder(input, join(tmp, 'never'), recipe),
        /holds 2 variants of one model \(model\.onnx, model_fp16\.onnx\); pass one of the files/,
      );
    }
  });

  test('the inventory lists each variant with its own precision, named by repo and path', async () => {
    const found = await discoverModels([tmp]);
    assert.ok(
      found.folders.includes(repo.files.fp32!) && found.folders.includes(repo.files.fp16!),
      found.folders.join('\n'),
    );
    const fp16 = await inspectModelFolder(repo.files.fp16!);
    assert.equal(fp16.name, 'tiny-ONNX/onnx/model_fp16.onnx');
    assert.equal(describePrecision(fp16), 'fp16');
  });

  test('quant-drift inspect on the root or onnx/ reports every variant', async () => {
    for (const input of [repo.root, repo.onnxDir]) {
      const out: string[] = [];
      const io = { out: (line: string) => out.push(line), err: () => undefined, cwd: tmp };
      assert.equal(await runInspect([input, '--format', 'json'], io as never), 0);
      const models = JSON.parse(out.join('\n')) as { path: string; precision: string }[];
      assert.deepEqual(
        models.map((m) => [m.path, m.precision]),
        [
          [repo.files.fp32, 'fp32'],
          [repo.files.fp16, 'fp16'],
        ],
      );
    }
  });
});
