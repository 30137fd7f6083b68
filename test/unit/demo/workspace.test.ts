import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createDemoWorkspace,
  DEMO_FOLDER_NAME,
  DEMO_TWINS,
  isDemoWorkspace,
} from '../../../src/core/demo/workspace';
import type { QuantizationRecipe } from '../../../src/core/quantize';
import { randomLlamaWeights, tinyLlamaConfig, writeLlamaModelFolder } from '../../../tools/model-builder/llama';

void describe('createDemoWorkspace', () => {
  let dir: string;
  let source: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qd-demo-'));
    source = join(dir, 'shipped-demo');
    const cfg = tinyLlamaConfig();
    await writeLlamaModelFolder(join(source, 'models', 'fp16'), cfg, randomLlamaWeights(cfg, 3), { dtype: 'float32' });
    // A twin a demo run left in the repository's demo/ must not be copied (the command makes fresh ones).
    await mkdir(join(source, 'models', 'int4-stale'), { recursive: true });
    await writeFile(join(source, 'models', 'int4-stale', 'model.onnx'), 'stale');
    await mkdir(join(source, 'prompts'));
    await writeFile(join(source, 'prompts', 'debian-heldout.jsonl'), '{"id":"a","prompt":"hi"}\n');
    await mkdir(join(source, 'scripts'));
    await writeFile(join(source, 'scripts', 'export-for-npu.sh'), 'optimum-cli export openvino -m x --weight-format int4 out\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  void test('writes the demo and both INT4 twins into a new folder', async () => {
    const parent = join(dir, 'p1');
    await mkdir(parent);
    const created = await createDemoWorkspace(source, parent);
    assert.equal(created, join(parent, DEMO_FOLDER_NAME));
    assert.ok(await isDemoWorkspace(created));
    assert.deepEqual((await readdir(join(created, 'models'))).sort(), ['fp16', ...DEMO_TWINS.map((t) => t.name)].sort());
    const recipe = JSON.parse(
      await readFile(join(created, 'models', 'int4-sym-g128', 'quantization_recipe.json'), 'utf8'),
    ) as QuantizationRecipe;
    assert.equal(recipe.symmetric, true);
    assert.equal(recipe.blockSize, 128);
    assert.equal(recipe.accuracyLevel, 0);
    assert.equal(
      await readFile(join(created, 'scripts', 'export-for-npu.sh'), 'utf8'),
      'optimum-cli export openvino -m x --weight-format int4 out\n',
    );
    // No staging folder left behind.
    assert.deepEqual(await readdir(parent), [DEMO_FOLDER_NAME]);
  });

  void test('never overwrites: an existing file or folder of that name is left alone and the next name is used', async () => {
    const parent = join(dir, 'p2');
    await mkdir(join(parent, DEMO_FOLDER_NAME), { recursive: true });
    await writeFile(join(parent, DEMO_FOLDER_NAME, 'mine.txt'), 'keep me');
    await writeFile(join(parent, `${DEMO_FOLDER_NAME}-2`), 'a file, not a folder');
    const created = await createDemoWorkspace(source, parent);
    assert.equal(created, join(parent, `${DEMO_FOLDER_NAME}-3`));
    assert.deepEqual(await readdir(join(parent, DEMO_FOLDER_NAME)), ['mine.txt']);
    assert.equal(await readFile(join(parent, `${DEMO_FOLDER_NAME}-2`), 'utf8'), 'a file, not a folder');
  });

  void test('a failure or cancel leaves nothing behind', async () => {
    const parent = join(dir, 'p3');
    await mkdir(parent);
    await writeFile(join(parent, 'other.txt'), 'x');
    await assert.rejects(
      createDemoWorkspace(source, parent, {
        quantize: () => Promise.reject(new Error('quantizer failed')),
      }),
      /quantizer failed/,
    );
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(createDemoWorkspace(source, parent, { signal: abort.signal }));
    assert.deepEqual(await readdir(parent), ['other.txt']);
  });

  void test('refuses a source without the demo model and a parent that is not a folder', async () => {
    await assert.rejects(createDemoWorkspace(join(dir, 'nowhere'), dir), /demo model is missing/);
    await writeFile(join(dir, 'a-file'), '');
    await assert.rejects(createDemoWorkspace(source, join(dir, 'a-file')), /is not a folder/);
  });
});
