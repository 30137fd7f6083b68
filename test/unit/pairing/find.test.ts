import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTwins } from '../../../src/core/pairing/find';
import { quickInspect } from '../../../src/core/pairing/inspect';
import { runnablePairMessage } from '../../../src/core/pairing/runnable';
import { hfCacheDirs, repoIdOfPath } from '../../../src/core/pairing/hf-cache';

async function modelFolder(dir: string, files: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), '');
  await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', torch_dtype: 'float32' }));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const recipe = (symmetric: boolean, blockSize: number) => ({
  'quantization_recipe.json': { bits: 4, symmetric, blockSize, accuracyLevel: 4 },
});

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'qd-pairing-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('FP16/INT4 siblings pair both ways', () =>
  withTemp(async (root) => {
    const base = await modelFolder(join(root, 'tiny', 'FP16'));
    const quant = await modelFolder(join(root, 'tiny', 'INT4'), recipe(true, 128));
    const fromBase = await findTwins(base);
    assert.equal(fromBase.role, 'base');
    assert.equal(fromBase.self.precision, 'fp16');
    assert.deepEqual(
      fromBase.candidates.map((c) => c.info.path),
      [quant],
    );
    assert.equal(fromBase.candidates[0].info.precision, 'int4 sym g128');
    const fromQuant = await findTwins(quant);
    assert.equal(fromQuant.role, 'quant');
    assert.deepEqual(
      fromQuant.candidates.map((c) => c.info.path),
      [base],
    );
  }));

test('fp16 next to int4-sym-g128 and int4-asym-g32: the NPU-safe recipe ranks first', () =>
  withTemp(async (root) => {
    const base = await modelFolder(join(root, 'fp16'));
    const asym = await modelFolder(join(root, 'int4-asym-g32'), recipe(false, 32));
    const sym = await modelFolder(join(root, 'int4-sym-g128'), recipe(true, 128));
    const { candidates } = await findTwins(base);
    assert.deepEqual(
      candidates.map((c) => c.info.path),
      [sym, asym],
    );
    assert.equal(candidates[1].info.precision, 'int4 asym g32');
  }));

test('model-ov-fp16 pairs with model-ov-int4, not with another model; the IR pair is explained', () =>
  withTemp(async (root) => {
    const ir = { 'openvino_model.xml': '<net/>', 'openvino_model.bin': '' };
    const base = join(root, 'model-ov-fp16');
    await mkdir(base);
    for (const [n, c] of Object.entries(ir)) await writeFile(join(base, n), c);
    const quant = join(root, 'model-ov-int4');
    await mkdir(quant);
    for (const [n, c] of Object.entries(ir)) await writeFile(join(quant, n), c);
    await writeFile(
      join(quant, 'openvino_config.json'),
      JSON.stringify({ quantization_config: { bits: 4, sym: true, group_size: 64 } }),
    );
    await modelFolder(join(root, 'other-model-int4'), recipe(true, 128));
    const search = await findTwins(base);
    assert.deepEqual(
      search.candidates.map((c) => c.info.path),
      [quant],
    );
    assert.equal(search.candidates[0].info.format, 'openvino-ir');
    assert.equal(search.candidates[0].info.precision, 'int4 sym g64');
    const message = runnablePairMessage(search.self, search.candidates[0].info);
    assert.match(message ?? '', /Both models are openvino-ir/);
    assert.match(message ?? '', /OpenVINO runtime/);
  }));

test('a plain folder pairs with its *-int4* neighbour; a folder with no twin has no candidates', () =>
  withTemp(async (root) => {
    const base = await modelFolder(join(root, 'tiny-llama'));
    const quant = await modelFolder(join(root, 'tiny-llama-int4-sym'), recipe(true, 64));
    await modelFolder(join(root, 'tiny-llama-copy'));
    assert.deepEqual(
      (await findTwins(base)).candidates.map((c) => c.info.path),
      [quant],
    );
    const lonely = await modelFolder(join(root, 'solo', 'phi-mini'));
    assert.deepEqual((await findTwins(lonely)).candidates, []);
  }));

test('the same repo in the Hugging Face cache is a candidate, below a sibling', () =>
  withTemp(async (root) => {
    const cache = join(root, 'hub');
    const repoDir = join(cache, 'models--acme--tiny-llama-int4');
    await modelFolder(join(repoDir, 'snapshots', 'abc1234'), {
      'config.json': { quantization_config: { bits: 4, sym: false, group_size: 128 } },
    });
    await mkdir(join(repoDir, 'refs'));
    await writeFile(join(repoDir, 'refs', 'main'), 'abc1234');
    await modelFolder(join(cache, 'models--acme--unrelated-int4', 'snapshots', 'def5678'), recipe(true, 128));
    const base = await modelFolder(join(root, 'work', 'tiny-llama'));
    const sibling = await modelFolder(join(root, 'work', 'tiny-llama-int4'), recipe(true, 128));
    const { candidates } = await findTwins(base, { hfCacheDirs: [cache] });
    assert.deepEqual(
      candidates.map((c) => c.relation),
      ['sibling', 'hf-cache'],
    );
    assert.equal(candidates[0].info.path, sibling);
    assert.equal(candidates[1].info.path, join(repoDir, 'snapshots', 'abc1234'));
    assert.equal(candidates[1].info.precision, 'int4 asym g128');
    assert.ok(candidates[1].reasons.includes('acme/tiny-llama-int4'));
  }));

test('hf cache paths and dirs', () => {
  assert.equal(repoIdOfPath('/h/hub/models--Qwen--Qwen2.5-0.5B/snapshots/abc/'), 'Qwen/Qwen2.5-0.5B');
  assert.equal(repoIdOfPath('/home/me/models/qwen'), null);
  assert.deepEqual(hfCacheDirs({ HF_HUB_CACHE: '/c' }), ['/c']);
  assert.deepEqual(hfCacheDirs({ HF_HOME: '/h' }), ['/h/hub']);
  assert.deepEqual(hfCacheDirs({}, '/home/u'), ['/home/u/.cache/huggingface/hub']);
});

test('quickInspect: unreadable folder reports an error, GGUF file names give bits', () =>
  withTemp(async (root) => {
    const missing = await quickInspect(join(root, 'nope'));
    assert.ok(missing.error);
    const gguf = join(root, 'gguf');
    await mkdir(gguf);
    await writeFile(join(gguf, 'llama-3.2-1b.Q4_K_M.gguf'), '');
    const info = await quickInspect(gguf);
    assert.equal(info.format, 'gguf');
    assert.equal(info.precisionClass, 'int4');
    assert.match(runnablePairMessage(info, info) ?? '', /llama\.cpp/);
    const onnx = await modelFolder(join(root, 'onnx'));
    assert.equal(runnablePairMessage(await quickInspect(onnx), await quickInspect(onnx)), null);
  }));
