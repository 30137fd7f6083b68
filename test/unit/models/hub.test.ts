import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  downloadRepo,
  HubDownloadError,
  repoCacheDir,
  validateRepoId,
  type DownloadProgress,
} from '../../../src/core/hub/download';
import { matchesAny } from '../../../src/core/hub/patterns';
import { hubEndpoint, redact, resolveHubToken } from '../../../src/core/hub/token';
import { inspectModelFolder } from '../../../src/core/models';
import { buildIrXml } from './fixtures';
import { startFakeHub, type FakeHub } from './hub-server';

const REPO = 'OpenVINO/tiny-int4-ov';
const COMMIT = 'a'.repeat(40);
const weights = randomBytes(300_000);
const xml = Buffer.from(buildIrXml({ mode: 'int4_sym', groupSize: 128, weights: 'i4' }));

describe('Hub download into the cache layout', () => {
  let hub: FakeHub;
  let cache: string;
  before(async () => {
    hub = await startFakeHub({
      [REPO]: {
        commit: COMMIT,
        files: {
          'openvino_model.xml': { content: xml, lfs: false },
          'openvino_model.bin': { content: weights, lfs: true },
          'config.json': { content: Buffer.from('{"architectures":["LlamaForCausalLM"]}'), lfs: false },
          'onnx/model.onnx': { content: Buffer.from('not used'), lfs: true },
        },
      },
    });
  });
  after(async () => {
    await hub.close();
  });
  beforeEach(async () => {
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-hub-'));
    hub.faults.corrupt = undefined;
    hub.faults.interruptAfter = undefined;
    hub.requests.length = 0;
  });

  test('blobs, relative snapshot links and refs/main, as huggingface_hub writes them; the result inspects', async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadRepo({
      hubUrl: hub.url,
      repo: REPO,
      cacheDir: cache,
      patterns: ['*.xml', '*.bin', '*.json'],
      accessToken: 'hf_secret',
      onProgress: (p) => progress.push(p),
    });
    const repoDir = repoCacheDir(cache, REPO);
    assert.equal(result.snapshotDir, path.join(repoDir, 'snapshots', COMMIT));
    assert.deepEqual(result.files.map((f) => [f.path, f.status]).sort(), [
      ['config.json', 'downloaded'],
      ['openvino_model.bin', 'downloaded'],
      ['openvino_model.xml', 'downloaded'],
    ]);
    assert.equal(await fs.readFile(path.join(repoDir, 'refs', 'main'), 'utf8'), COMMIT);
    const sha = createHash('sha256').update(weights).digest('hex');
    assert.equal(
      await fs.readlink(path.join(result.snapshotDir, 'openvino_model.bin')),
      path.join('..', '..', 'blobs', sha),
    );
    assert.deepEqual(await fs.readFile(path.join(result.snapshotDir, 'openvino_model.bin')), weights);
    assert.equal(
      (await fs.readdir(path.join(repoDir, 'blobs'))).filter((name) => name.endsWith('.incomplete')).length,
      0,
    );
    assert.equal(progress.at(-1)!.doneBytes, progress.at(-1)!.totalBytes);
    assert.ok(hub.requests.every((r) => r.authorization === 'Bearer hf_secret'));
    const info = await inspectModelFolder(result.snapshotDir);
    assert.equal(info.name, REPO);
    assert.equal(info.devices['intel-npu-lnl'].verdict, 'ok');
    // A second run finds every blob in place and transfers nothing.
    hub.requests.length = 0;
    const again = await downloadRepo({
      hubUrl: hub.url,
      repo: REPO,
      cacheDir: cache,
      patterns: ['*.xml', '*.bin', '*.json'],
    });
    assert.ok(again.files.every((f) => f.status === 'cached'));
    assert.equal(hub.requests.filter((r) => r.path.includes('/resolve/')).length, 0);
  });

  test('an interrupted transfer leaves only .incomplete, and the next run resumes with Range', async () => {
    hub.faults.interruptAfter = { 'openvino_model.bin': { bytes: 100_000, times: 1 } };
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, patterns: ['*.bin'] }),
      /interrupted|ended after/,
    );
    const blobs = path.join(repoCacheDir(cache, REPO), 'blobs');
    const names = await fs.readdir(blobs);
    assert.equal(names.length, 1);
    assert.match(names[0]!, /\.incomplete$/);
    assert.equal((await fs.stat(path.join(blobs, names[0]!))).size, 100_000);
    await assert.rejects(fs.stat(path.join(repoCacheDir(cache, REPO), 'snapshots', COMMIT, 'openvino_model.bin')));

    const result = await downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, patterns: ['*.bin'] });
    assert.deepEqual(
      result.files.map((f) => f.status),
      ['resumed'],
    );
    assert.ok(hub.requests.some((r) => r.range === 'bytes=100000-'));
    assert.deepEqual(await fs.readFile(path.join(result.snapshotDir, 'openvino_model.bin')), weights);
  });

  test('a corrupted file fails the sha256 check and leaves no file in place', async () => {
    hub.faults.corrupt = new Set(['openvino_model.bin']);
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, patterns: ['*.bin'] }),
      (error: unknown) => {
        assert.ok(error instanceof HubDownloadError);
        assert.match(error.message, /checksum mismatch.*sha256/);
        return true;
      },
    );
    const repoDir = repoCacheDir(cache, REPO);
    assert.deepEqual(await fs.readdir(path.join(repoDir, 'blobs')), []);
    await assert.rejects(fs.lstat(path.join(repoDir, 'snapshots', COMMIT, 'openvino_model.bin')));
  });

  test('unknown repo, bad repo id, no matching file', async () => {
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: 'nobody/nothing', cacheDir: cache }),
      /cannot list nobody\/nothing/,
    );
    await assert.rejects(downloadRepo({ hubUrl: hub.url, repo: '../etc', cacheDir: cache }), /org\/name/);
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, patterns: ['*.gguf'] }),
      /no file/,
    );
    assert.equal(validateRepoId('org/name-1.5B'), null);
  });
});

describe('hub settings', () => {
  test('patterns: fnmatch-style, * crosses folders', () => {
    assert.ok(matchesAny('onnx/model.onnx', ['*.onnx']));
    assert.ok(matchesAny('onnx/model.onnx', ['onnx/']));
    assert.ok(!matchesAny('model.safetensors', ['*.onnx', '*.json']));
    assert.ok(matchesAny('anything', []));
  });

  test('endpoint and token precedence; redaction', async () => {
    assert.equal(hubEndpoint('https://hub.example/', { HF_ENDPOINT: 'http://127.0.0.1:9/' }), 'http://127.0.0.1:9');
    assert.equal(hubEndpoint('https://hub.example/', {}), 'https://hub.example');
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-hf-home-'));
    await fs.writeFile(path.join(home, 'token'), 'hf_fromfile\n');
    assert.equal(await resolveHubToken({ HF_HOME: home }), 'hf_fromfile');
    assert.equal(await resolveHubToken({ HF_HOME: home, HF_TOKEN: 'hf_env' }), 'hf_env');
    assert.equal(await resolveHubToken({ HF_HOME: path.join(home, 'none') }), undefined);
    assert.equal(redact('GET failed with hf_env in it', 'hf_env'), 'GET failed with hf_*** in it');
    await fs.rm(home, { recursive: true, force: true });
  });
});
