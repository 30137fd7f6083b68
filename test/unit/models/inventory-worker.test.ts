/**
 * The inventory worker thread: the same groups as an in-process scan, and a worker stuck in a synchronous read
 * (a dead network mount) is replaced after a cancelled scan, so the next scan does not wait behind it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scanInventory, type InventoryRoot } from '../../../src/core/models';
import { InventoryWorker } from '../../../src/core/models/inventory-client';
import { writeModelFolders } from './fixtures';

/** The compiled worker beside this test's compiled source (out/src/core/models). */
const WORKER = path.resolve(__dirname, '../../../src/core/models/inventory-worker.js');

describe('inventory worker thread', () => {
  let root: string;
  let roots: InventoryRoot[];
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-inventory-worker-'));
    await writeModelFolders(path.join(root, 'models'));
    roots = [{ path: path.join(root, 'models'), label: 'models', kind: 'workspace' }];
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  test('a scan in the worker gives the same groups as one in-process', async () => {
    const worker = new InventoryWorker({ workerPath: WORKER });
    try {
      const [inWorker, inProcess] = await Promise.all([worker.scan(roots), scanInventory(roots)]);
      assert.ok(inWorker[0].models.length >= 10, `${inWorker[0].models.length} models`);
      assert.deepEqual(inWorker, inProcess);
      assert.equal(worker.started, 1);
      // The second scan reuses the worker (and its cache).
      assert.deepEqual(await worker.scan(roots), inProcess);
      assert.equal(worker.started, 1);
    } finally {
      worker.dispose();
    }
  });

  test('a cancelled scan stuck in a synchronous read: its worker is replaced and the next scan completes', async () => {
    // The first worker started hangs on its first scan, as a pread on a dead mount would; later ones serve.
    const marker = path.join(root, 'hung-once');
    const script = path.join(root, 'hang-once-worker.js');
    await fs.writeFile(
      script,
      [
        "const { parentPort } = require('node:worker_threads');",
        "const fs = require('node:fs');",
        `if (!fs.existsSync(${JSON.stringify(marker)})) {`,
        `  fs.writeFileSync(${JSON.stringify(marker)}, '');`,
        "  parentPort.once('message', () => { const end = Date.now() + 60000; while (Date.now() < end); });",
        `} else require(${JSON.stringify(WORKER)});`,
      ].join('\n'),
    );
    const worker = new InventoryWorker({ workerPath: script, cancelGraceMs: 200 });
    try {
      const controller = new AbortController();
      const first = worker.scan(roots, controller.signal);
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(first, { name: 'AbortError' });
      const started = Date.now();
      const groups = await worker.scan(roots);
      assert.ok(groups[0].models.length >= 10);
      assert.equal(worker.started, 2, 'the stuck worker was replaced');
      assert.ok(Date.now() - started < 20_000, 'the next scan did not wait for the stuck read');
    } finally {
      worker.dispose();
    }
  });

  test('an idle worker does not keep its process alive (a CLI or a bench that never disposes it)', () => {
    const client = path.resolve(__dirname, '../../../src/core/models/inventory-client.js');
    const script = [
      `const { InventoryWorker } = require(${JSON.stringify(client)});`,
      `const worker = new InventoryWorker({ workerPath: ${JSON.stringify(WORKER)} });`,
      `worker.scan(${JSON.stringify(roots)}).then((groups) => console.log(groups[0].models.length));`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.signal, null, 'the process exited by itself after the scan');
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Number(run.stdout.trim()) >= 10, run.stdout);
  });

  test('without a worker script the scan runs in-process', async () => {
    const worker = new InventoryWorker({ workerPath: path.join(root, 'missing.js') });
    const groups = await worker.scan(roots);
    assert.ok(groups[0].models.length >= 10);
    assert.equal(worker.started, 0);
  });
});
