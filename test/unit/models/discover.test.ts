import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectHostDevices, discoverModels, huggingFaceHubCache, inspectModelFolder } from '../../../src/core/models';
import { runInspect } from '../../../src/cli/inspect';
import { memoryIo } from '../../../src/cli/io';
import { buildIrXml, buildOnnx, writeHubCacheRepo, writeModelFolders } from './fixtures';

const isRoot = process.getuid?.() === 0;

describe('discovery', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-discover-'));
  });
  after(async () => {
    await fs.chmod(path.join(root, 'tree', 'locked'), 0o755).catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  });

  test('finds every fixture folder, survives a symlink loop and an unreadable folder', async () => {
    const tree = path.join(root, 'tree');
    const folders = await writeModelFolders(path.join(tree, 'models'));
    await fs.mkdir(path.join(tree, 'loop', 'a'), { recursive: true });
    await fs.symlink(path.join(tree, 'loop'), path.join(tree, 'loop', 'a', 'back'));
    await fs.mkdir(path.join(tree, 'locked', 'inner'), { recursive: true });
    await fs.writeFile(path.join(tree, 'locked', 'inner', 'model.onnx'), buildOnnx({ kind: 'fp16' }).model);
    await fs.chmod(path.join(tree, 'locked'), 0o000);
    const notAFolder = path.join(root, 'plain-file');
    await fs.writeFile(notAFolder, 'x');
    const result = await discoverModels([tree, notAFolder]);
    const expected = Object.values(folders);
    // root reads everything, so the permission case only exists for other users.
    if (isRoot) expected.push(path.join(tree, 'locked', 'inner'));
    assert.deepEqual(result.folders, expected.sort());
    assert.deepEqual(result.errors.find((e) => e.path === notAFolder)?.error, 'not a folder');
    if (!isRoot) {
      assert.deepEqual(result.errors.find((e) => path.basename(e.path) === 'locked')?.error, 'permission denied');
      const info = await inspectModelFolder(path.join(tree, 'locked'));
      assert.match(info.error ?? '', /permission denied/);
    }
    await fs.chmod(path.join(tree, 'locked'), 0o755);
  });

  test('a 10,000-file tree with a few models', async () => {
    const big = path.join(root, 'big');
    for (let dir = 0; dir < 100; dir++) {
      const folder = path.join(big, `d${dir}`);
      await fs.mkdir(folder, { recursive: true });
      await Promise.all(Array.from({ length: 100 }, (_, file) => fs.writeFile(path.join(folder, `f${file}.txt`), '')));
    }
    await fs.mkdir(path.join(big, 'd7', 'model'));
    await fs.writeFile(path.join(big, 'd7', 'model', 'openvino_model.xml'), buildIrXml({ weights: 'f16' }));
    await fs.writeFile(path.join(big, 'd7', 'model', 'openvino_model.bin'), '');
    const result = await discoverModels([big]);
    assert.deepEqual(result.folders, [path.join(big, 'd7', 'model')]);
    const capped = await discoverModels([big], { maxEntries: 500 });
    assert.equal(capped.truncated, true);
  });

  test('cancellation rejects', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(discoverModels([root], { signal: controller.signal }));
  });

  test('hub cache: env precedence and the snapshot layout with symlinks to blobs', async () => {
    assert.equal(huggingFaceHubCache({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' }), '/x/hub');
    assert.equal(huggingFaceHubCache({ HF_HOME: '/y' }), path.join('/y', 'hub'));
    assert.equal(huggingFaceHubCache({ XDG_CACHE_HOME: '/c' }), path.join('/c', 'huggingface', 'hub'));
    const cache = path.join(root, 'hub');
    const snapshot = await writeHubCacheRepo(cache, 'OpenVINO/tiny-int4-ov', 'abc123', {
      'openvino_model.xml': buildIrXml({ mode: 'int4_sym', groupSize: 128, weights: 'i4' }),
      'openvino_model.bin': new Uint8Array(2048),
      'config.json': '{"architectures":["LlamaForCausalLM"]}',
    });
    const result = await discoverModels([cache]);
    assert.deepEqual(result.folders, [snapshot]);
    const info = await inspectModelFolder(snapshot);
    assert.equal(info.name, 'OpenVINO/tiny-int4-ov');
    assert.deepEqual(info.hub, { repo: 'OpenVINO/tiny-int4-ov', revision: 'abc123' });
    assert.ok(info.sizeBytes > 2048, 'sizes come from the blobs the links point to');
    assert.equal(info.devices['intel-npu-mtl'].verdict, 'ok');
  });
});

describe('host devices', () => {
  const probe = (
    platform: NodeJS.Platform,
    arch: string,
    files: Record<string, string>,
    dirs: Record<string, string[]>,
  ) => ({
    platform,
    arch,
    list: async (dir: string) => dirs[dir] ?? [],
    read: async (file: string) => files[file] ?? null,
  });
  test('Linux with a Lunar Lake NPU', async () => {
    const host = await detectHostDevices(
      probe(
        'linux',
        'x64',
        { '/sys/class/accel/accel0/device/vendor': '0x8086\n', '/sys/class/accel/accel0/device/device': '0x643e\n' },
        { '/dev/accel': ['accel0'] },
      ),
    );
    assert.deepEqual([...host.present].sort(), ['cpu', 'intel-npu-lnl']);
    assert.deepEqual(host.executionProviders, ['cpu']);
  });
  test('Apple silicon; plain Linux', async () => {
    assert.deepEqual([...(await detectHostDevices(probe('darwin', 'arm64', {}, {}))).present].sort(), [
      'apple-ane',
      'cpu',
      'gpu',
    ]);
    assert.deepEqual([...(await detectHostDevices(probe('linux', 'x64', {}, {}))).present], ['cpu']);
  });
});

describe('quant-drift inspect', () => {
  let root: string;
  let folders: Record<string, string>;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-cli-'));
    folders = await writeModelFolders(path.join(root, 'models'));
    await fs.mkdir(path.join(root, 'models', 'broken'));
    await fs.writeFile(path.join(root, 'models', 'broken', 'model.onnx'), 'not protobuf at all');
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  test('json: the contract fields for every folder, an error entry for the broken one', async () => {
    const io = memoryIo(root);
    const code = await runInspect(['models', '--format', 'json'], io);
    assert.equal(code, 1);
    const entries = JSON.parse(io.stdout.join('')) as Record<string, unknown>[];
    assert.equal(entries.length, Object.keys(folders).length + 1);
    const asym = entries.find((entry) => entry.path === folders['ov-int4-asym'])!;
    assert.deepEqual(Object.keys(asym).slice(0, 6), ['path', 'format', 'weights', 'params', 'sizeBytes', 'devices']);
    assert.deepEqual(asym.weights, { dtype: 'int4', bits: 4, sym: false, groupSize: 128 });
    const devices = asym.devices as Record<string, { verdict: string; reasons: string[] }>;
    assert.equal(devices['intel-npu-lnl']!.verdict, 'no');
    assert.equal(devices.cpu!.verdict, 'ok');
    const broken = entries.find((entry) => String(entry.path).endsWith('broken'))!;
    assert.equal(typeof broken.error, 'string');
  });

  test('text and usage', async () => {
    const io = memoryIo(root);
    assert.equal(await runInspect([folders['ov-int4-sym-cw']!], io), 0);
    assert.match(io.stdout.join(''), /openvino-ir, int4 sym channel-wise/);
    assert.equal(await runInspect(['--format', 'xml', 'x'], memoryIo(root)), 2);
    assert.equal(await runInspect([], memoryIo(root)), 2);
  });
});
