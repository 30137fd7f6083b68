/**
 * Issue 12, Hub items: hostile file names (item 2), a hostile listing (item 5), the endpoint rule (item 6) and
 * download robustness (item 9), against the fake Hub on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { downloadRepo, repoCacheDir } from '../../../src/core/hub/download';
import { fileFolderClash, hubFileProblem, pathInside } from '../../../src/core/hub/paths';
import { hubEndpoint } from '../../../src/core/hub/token';
import { startFakeHub, type FakeHub } from './hub-server';

const REPO = 'org/tiny';
const COMMIT = 'b'.repeat(40);
const WEIGHTS = Buffer.alloc(50_000, 7);

/** Another origin (a second port), recording what reaches it. */
async function startOtherOrigin(): Promise<{
  url: string;
  seen: { authorization?: string }[];
  close(): Promise<void>;
}> {
  const seen: { authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization ? { authorization: req.headers.authorization } : {});
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // "localhost" is another origin than 127.0.0.1 for the same machine.
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Hub hardening (issue 12)', () => {
  let hub: FakeHub;
  let cache: string;
  before(async () => {
    hub = await startFakeHub({
      [REPO]: {
        commit: COMMIT,
        files: {
          'config.json': { content: Buffer.from('{}'), lfs: false },
          'model.bin': { content: WEIGHTS, lfs: true },
        },
      },
    });
  });
  after(() => hub.close());
  beforeEach(async () => {
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-hub-hard-'));
    for (const key of Object.keys(hub.faults)) delete (hub.faults as Record<string, unknown>)[key];
    hub.requests.length = 0;
  });

  test('item 2: a Windows-style name that climbs out of the snapshot is refused before anything is written', async () => {
    hub.faults.extraListed = [{ path: '..\\..\\..\\Startup\\evil.bat', content: Buffer.from('echo') }];
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache }),
      /refusing the file name .*backslash/,
    );
    assert.equal(hub.requests.filter((r) => r.path.includes('/resolve/')).length, 0);
    assert.deepEqual(await fs.readdir(cache), []);
  });

  test('item 2: names are checked on every platform rule set, and the resolved path stays inside', () => {
    for (const bad of [
      '..\\..\\Startup\\evil.bat',
      'C:\\Windows\\evil.dll',
      'C:evil',
      'c:/evil',
      'a/../../b',
      '/etc/passwd',
      'a\u0000b',
      'a\nb',
      'nul.txt',
      'dir/CON',
      'x/.. ',
      'x/...',
      'stream.txt:evil',
      '',
    ])
      assert.ok(hubFileProblem(bad), `should refuse ${JSON.stringify(bad)}`);
    for (const good of ['config.json', 'onnx/model.onnx', 'a/b/c.safetensors', '.gitattributes', 'v1.5/x'])
      assert.equal(hubFileProblem(good), null, good);
    assert.equal(pathInside('C:\\cache\\snap', '..\\..\\Startup\\evil.bat', path.win32), null);
    assert.equal(pathInside('C:\\cache\\snap', 'D:\\evil', path.win32), null);
    assert.equal(pathInside('/cache/snap', '../x', path.posix), null);
    assert.equal(pathInside('C:\\cache\\snap', 'onnx/model.onnx', path.win32), 'C:\\cache\\snap\\onnx\\model.onnx');
    assert.equal(pathInside('/cache/snap', 'onnx/model.onnx', path.posix), '/cache/snap/onnx/model.onnx');
  });

  test('item 5: a next-page link to another origin is refused and never receives the token', async () => {
    const other = await startOtherOrigin();
    try {
      hub.faults.treeLink = () => `<${other.url}/api/models/${REPO}/tree/${COMMIT}?cursor=2>; rel="next"`;
      await assert.rejects(
        downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, accessToken: 'hf_secret' }),
        /another origin/,
      );
      assert.deepEqual(other.seen, []);
    } finally {
      await other.close();
    }
  });

  test('item 5: a listing that links to itself stops instead of looping', { timeout: 10_000 }, async () => {
    hub.faults.treeLink = (url) => `<${url}>; rel="next"`;
    await assert.rejects(downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache }), /loop/);
    assert.ok(hub.requests.filter((r) => r.path.includes('/tree/')).length <= 2);
  });

  test('item 5: cancelling while the listing hangs rejects at once', { timeout: 10_000 }, async () => {
    hub.faults.treeHangs = true;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, signal: controller.signal }),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    assert.ok(Date.now() - started < 5000);
  });

  // Node 20's fetch (undici) also drops Authorization on a cross-origin redirect; fetchFromHub does not rely on
  // that (an injected fetch, another runtime), and this keeps both honest with a real 302 from the fake Hub.
  test('item 5: a transfer redirected to another origin does not carry the token there', async () => {
    const other = await startOtherOrigin();
    try {
      hub.faults.redirectTransfersTo = other.url;
      await assert.rejects(
        downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, accessToken: 'hf_secret', patterns: ['*.bin'] }),
      );
      assert.equal(other.seen.length, 1);
      assert.equal(other.seen[0]!.authorization, undefined);
    } finally {
      await other.close();
    }
  });

  test('item 6: the endpoint must be https, or http on this machine only', () => {
    assert.throws(() => hubEndpoint('http://hub.example.com', {}), /https/);
    assert.throws(
      () => hubEndpoint(undefined, { HF_ENDPOINT: 'http://10.0.0.5:8080' }),
      /HF_ENDPOINT must be an https/,
    );
    assert.throws(() => hubEndpoint('ftp://hub.example.com', {}), /https/);
    assert.throws(() => hubEndpoint('not a url', {}), /not a URL/);
    assert.throws(() => hubEndpoint('https://user:pw@hub.example.com', {}), /user name/);
    assert.equal(hubEndpoint('http://127.0.0.1:9/', {}), 'http://127.0.0.1:9');
    assert.equal(hubEndpoint('http://localhost:8080', {}), 'http://localhost:8080');
    assert.equal(hubEndpoint('http://[::1]:8080', {}), 'http://[::1]:8080');
    assert.equal(hubEndpoint(undefined, {}), 'https://huggingface.co');
  });

  test('item 6: a workspace cannot set the endpoint (machine scope, restricted in untrusted workspaces)', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string; pattern?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } };
    };
    const setting = manifest.contributes.configuration.properties['quantDrift.hub.endpoint']!;
    assert.ok(setting.scope === 'machine' || setting.scope === 'application', `scope is ${setting.scope}`);
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations?.includes('quantDrift.hub.endpoint'));
    const pattern = new RegExp(setting.pattern!);
    assert.ok(pattern.test('https://huggingface.co') && pattern.test('http://127.0.0.1:8080'));
    assert.ok(!pattern.test('http://evil.example') && !pattern.test('http://127.0.0.1.evil.example'));
  });

  test(
    'item 9: a transfer that goes silent stops after the idle timeout and keeps the partial file',
    {
      timeout: 10_000,
    },
    async () => {
      hub.faults.stallAfter = { 'model.bin': 1000 };
      await assert.rejects(
        downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, patterns: ['*.bin'], idleTimeoutMs: 300 }),
        /no data from the server for 300 ms after 1000 of 50000 bytes/,
      );
      const blobs = await fs.readdir(path.join(repoCacheDir(cache, REPO), 'blobs'));
      assert.equal(blobs.length, 1);
      assert.match(blobs[0]!, /\.incomplete$/);
    },
  );

  test('item 9: not enough free space is said before the first byte is fetched', async () => {
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache, freeSpace: () => Promise.resolve(10_000) }),
      /not enough free space .* need 48\.8 KB, 9\.8 KB is free/,
    );
    assert.equal(hub.requests.filter((r) => r.path.includes('/resolve/')).length, 0);
  });

  test('item 9: a name that is both a file and a folder is a clear error, not a raw EEXIST', async () => {
    hub.faults.extraListed = [{ path: 'config.json/inner.json', content: Buffer.from('{}') }];
    await assert.rejects(
      downloadRepo({ hubUrl: hub.url, repo: REPO, cacheDir: cache }),
      /lists config\.json as both a file and a folder/,
    );
    assert.equal(fileFolderClash(['a', 'A/b']), 'A');
    assert.equal(fileFolderClash(['a/b', 'a/c']), null);
  });
});
