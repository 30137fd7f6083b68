/** The run history store on a real temporary folder: atomic files, bounded and checked reads, a rebuilt index. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore } from '../../../src/features/compare/history';
import { MAX_HISTORY } from '../../../src/protocol/webview';
import { pairView, promptResult, report } from './fixtures';

const pair = pairView();

function run(quantPath = '/m/int4') {
  const r = { ...report([promptResult()]), quant: { path: quantPath, weights: 'int4' } };
  return {
    entry: {
      savedAt: new Date().toISOString(),
      status: 'done' as const,
      basePath: r.base.path,
      quantPath,
      basePrecision: 'fp16',
      quantPrecision: 'int4',
      done: 1,
      total: 1,
      suite: null,
      summary: r.summary,
      settings: r.settings,
    },
    pair,
    prompts: [{ id: 'p1', prompt: 'Return JSON' }],
    report: r,
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qd-history-'));
}

test('a saved run is listed newest first and loads back whole; no temporary file is left', async () => {
  const dir = tempDir();
  try {
    const store = new HistoryStore(dir);
    assert.deepEqual(await store.list(), []);
    const first = await store.save(run('/m/int4-a'));
    const second = await store.save(run('/m/int4-b'));
    assert.deepEqual(
      (await store.list()).map((e) => e.id),
      [second.id, first.id],
    );
    const loaded = await store.load(first.id);
    assert.equal(loaded?.report.quant.path, '/m/int4-a');
    assert.deepEqual(loaded?.report.summary, run().report.summary);
    assert.deepEqual(loaded?.report.prompts, run().report.prompts);
    assert.deepEqual(
      readdirSync(join(dir, 'runs')).filter((n) => n.endsWith('.tmp')),
      [],
    );
    assert.equal(await store.load('../../etc/passwd'), null, 'ids are checked before any path is built');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged index is rebuilt from the run files; a damaged run file is skipped and left as it is', async () => {
  const dir = tempDir();
  try {
    const warnings: string[] = [];
    const store = new HistoryStore(dir, { warn: (m) => warnings.push(m) });
    const a = await store.save(run('/m/a'));
    const b = await store.save(run('/m/b'));
    writeFileSync(join(dir, 'index.json'), '{"truncated":');
    const damaged = join(dir, 'runs', `${a.id}.json`);
    writeFileSync(damaged, '{"entry": {"id": "x"}}');
    assert.deepEqual(
      (await store.list()).map((e) => e.id),
      [b.id],
    );
    assert.ok(warnings.some((w) => /rebuilding/.test(w)));
    assert.ok(warnings.some((w) => /left as it is/.test(w)));
    assert.equal(readFileSync(damaged, 'utf8'), '{"entry": {"id": "x"}}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`the history keeps the newest ${MAX_HISTORY} runs and deletes only the run files it wrote`, async () => {
  const dir = tempDir();
  try {
    const store = new HistoryStore(dir);
    const ids: string[] = [];
    for (let i = 0; i <= MAX_HISTORY; i++) ids.push((await store.save(run(`/m/q${i}`))).id);
    const listed = await store.list();
    assert.equal(listed.length, MAX_HISTORY);
    assert.equal(listed[0].id, ids[ids.length - 1]);
    assert.equal(await store.load(ids[0]), null, 'the oldest run was dropped');
    assert.equal(readdirSync(join(dir, 'runs')).length, MAX_HISTORY);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
