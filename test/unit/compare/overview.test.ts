/**
 * The overview table: sorting (worst KL first by default), the "diverged only" and "JSON broken only" filters, and
 * the DOM it renders (happy-dom), bundled with esbuild exactly as for the panel. Also the summary's tooltips and
 * the truncation banner with its rerun offer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { Window, type HTMLElement } from 'happy-dom';
import type { JsonValidity, PromptResult } from '../../../src/protocol/report';
import { promptResult, report } from './fixtures';

function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'webview', 'render', 'table-model.ts'))) return dir;
  }
  return process.cwd();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Module = Record<string, any>;

function load(window: Window): Module {
  const entry = `export * from './webview/render/table-model'; export { overviewTable } from './webview/render/overview'; export { summaryStrip } from './webview/render/summary'; export { twinsOf } from './webview/render/history';`;
  const bundle = buildSync({
    stdin: { contents: entry, resolveDir: repoRoot(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'm',
    write: false,
    platform: 'browser',
  });
  return new Function('document', 'window', `${bundle.outputFiles[0].text}; return m;`)(
    window.document,
    window,
  ) as Module;
}

const ok: JsonValidity = { strict: true, extracted: true, schemaErrors: [] };
const broken: JsonValidity = { strict: false, extracted: false, schemaErrors: ['no JSON value found'] };

function results(): PromptResult[] {
  const base = promptResult();
  const tf = (meanKld: number) => ({ ...base.teacherForced, meanKld });
  const side = (jsonValid: typeof ok, finishReason: 'eos' | 'length' = 'eos') => ({
    ...base.base,
    jsonValid,
    finishReason,
  });
  return [
    { ...base, id: 'same', firstDivergence: null, teacherForced: tf(0.001), base: side(ok), quant: side(ok) },
    { ...base, id: 'broken', firstDivergence: 3, teacherForced: tf(0.02), base: side(ok), quant: side(broken) },
    { ...base, id: 'cut', firstDivergence: 9, teacherForced: tf(0.05), base: side(ok), quant: side(broken, 'length') },
    {
      ...base,
      id: 'text',
      expectsJson: false,
      firstDivergence: 1,
      teacherForced: tf(0.01),
      base: { ...base.base, jsonValid: null },
      quant: { ...base.quant, jsonValid: null },
    },
  ];
}

test('worst KL first by default; each filter keeps what it says; a column click sorts and flips', () => {
  const m = load(new Window());
  const rows = m.rowsOf(results());
  const ids = (view: unknown) => (m.viewRows(rows, view) as { result: PromptResult }[]).map((r) => r.result.id);
  assert.deepEqual(ids(m.DEFAULT_VIEW), ['cut', 'broken', 'text', 'same']);
  assert.deepEqual(ids({ ...m.DEFAULT_VIEW, divergedOnly: true }), ['cut', 'broken', 'text']);
  // Truncation is not breakage: only the answer whose JSON broke where the base's held.
  assert.deepEqual(ids({ ...m.DEFAULT_VIEW, jsonBrokenOnly: true }), ['broken']);
  assert.deepEqual(ids({ ...m.DEFAULT_VIEW, text: 'TEX' }), ['text']);
  const byDivergence = m.toggleSort(m.DEFAULT_VIEW, 'divergence');
  assert.deepEqual(ids(byDivergence), ['text', 'broken', 'cut', 'same'], 'earliest divergence first, identical last');
  assert.deepEqual(ids(m.toggleSort(byDivergence, 'divergence')), ['same', 'cut', 'broken', 'text']);
  assert.deepEqual(ids(m.toggleSort(m.DEFAULT_VIEW, 'index')), ['same', 'broken', 'cut', 'text']);
});

test('the table renders its rows in view order, marks the sorted column, and a row opens its card', () => {
  const window = new Window();
  const m = load(window);
  const opened: number[] = [];
  let view = m.DEFAULT_VIEW;
  const table = m.overviewTable(results(), view, {
    setView: (v: unknown) => (view = v),
    open: (i: number) => opened.push(i),
  }) as HTMLElement;
  window.document.body.append(table);
  const rows = [...table.querySelectorAll('tbody tr')];
  assert.deepEqual(
    rows.map((r) => r.getAttribute('data-index')),
    ['2', '1', '3', '0'],
  );
  assert.equal(table.querySelector('th[aria-sort="descending"] button')?.getAttribute('data-sort'), 'meanKld');
  assert.match(rows[0].textContent ?? '', /truncated/);
  (rows[1] as unknown as { click(): void }).click();
  assert.deepEqual(opened, [1]);
  (table.querySelector('button[data-sort="sameTop1"]') as unknown as { click(): void }).click();
  assert.equal(view.sort, 'sameTop1');
  for (const button of table.querySelectorAll('button.sort')) {
    if (button.getAttribute('data-sort') !== 'index' && button.getAttribute('data-sort') !== 'id')
      assert.ok(button.getAttribute('title'), `tooltip on ${button.textContent}`);
  }
  assert.match(table.querySelector('#overview-count')?.textContent ?? '', /4 of 4 shown · 3 diverged/);
});

test('the summary explains every number, and most answers truncated offers a rerun with a higher limit', () => {
  const window = new Window();
  const m = load(window);
  const r = report([promptResult()]);
  const summary = {
    ...r.summary,
    jsonPrompts: 10,
    jsonTruncatedBase: 9,
    jsonTruncatedQuant: 9,
    jsonValidFinishedBase: 1,
    jsonValidFinishedQuant: 1,
  };
  const asked: number[] = [];
  const strip = m.summaryStrip(summary, { ...r.settings, maxNewTokens: 64, jsonMaxNewTokens: 64 }, true, {
    rerun: (n: number) => asked.push(n),
  }) as HTMLElement;
  window.document.body.append(strip);
  for (const stat of strip.querySelectorAll('[data-stat]'))
    assert.ok((stat.getAttribute('title') ?? '').length > 20, stat.textContent ?? '');
  assert.match(
    strip.querySelector('.truncation-banner')?.textContent ?? '',
    /9 of 10 JSON answers were truncated at 64 new tokens/,
  );
  assert.match(strip.querySelector('[data-stat="jsonValid"]')?.textContent ?? '', /100\.0% → 100\.0%/);
  (strip.querySelector('#rerun-higher') as unknown as { click(): void }).click();
  assert.deepEqual(asked, [512]);
  assert.match(
    strip.querySelector('#run-used')?.textContent ?? '',
    /max 64 new tokens; JSON prompts until EOS, up to 64/,
  );
});

test('twins of a base: the latest finished run of each twin on the same prompts', () => {
  const m = load(new Window());
  const summary = report([]).summary;
  const entry = (id: string, quantPath: string, status: string, suite: string | null, meanKld: number) => ({
    id,
    savedAt: '2026-12-02T09:00:00Z',
    status,
    basePath: '/m/fp16',
    quantPath,
    basePrecision: 'fp16',
    quantPrecision: 'int4',
    done: 1,
    total: 1,
    suite,
    summary: { ...summary, meanKld },
    settings: null,
  });
  const twins = m.twinsOf(
    [
      entry('4', '/m/g32', 'cancelled', 's', 0.01),
      entry('3', '/m/g128', 'done', 's', 0.02),
      entry('2', '/m/g128', 'done', 's', 0.5),
      entry('1', '/m/g32', 'done', 's', 0.03),
      entry('0', '/m/asym', 'done', 'other', 0.001),
    ],
    '/m/fp16',
    's',
  ) as { id: string }[];
  assert.deepEqual(
    twins.map((t) => t.id),
    ['3', '1'],
  );
});
