/**
 * The compare panel's task section under a DOM (happy-dom), bundled with esbuild as for the panel: tiles with
 * the delta and its interval, a check/cross per instruction and side, multiple-choice picks; instruction ids
 * and choices that hold markup stay text. And the panel state's guard for the task section.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { Window, type HTMLElement } from 'happy-dom';
import type { PromptResult, TaskReport } from '../../../src/protocol/report';
import { isTaskReport } from '../../../src/protocol/task-guards';
import { promptResult } from '../compare/fixtures';

function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'webview', 'render', 'tasks.ts'))) return dir;
  return process.cwd();
}

function loadTaskSection(window: Window): (tasks: TaskReport, results: PromptResult[]) => HTMLElement[] {
  const bundle = buildSync({
    stdin: { contents: `export { taskSection } from './webview/render/tasks';`, resolveDir: repoRoot(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'renderers',
    write: false,
    platform: 'browser',
  });
  const fn = new Function('document', 'window', `${bundle.outputFiles[0].text}; return renderers;`);
  return (fn(window.document, window) as { taskSection: (t: TaskReport, r: PromptResult[]) => HTMLElement[] })
    .taskSection;
}

const tasks: TaskReport = {
  thresholds: { deltaWarnPp: 2, deltaFailPp: 5 },
  deltas: [
    {
      metric: 'ifeval-prompt-strict',
      label: 'Instructions, prompt-level strict',
      n: 200,
      base: 0.8,
      quant: 0.74,
      deltaPp: -6,
      ciLowPp: -9.5,
      ciHighPp: -2.5,
      pValue: 0.0004,
      discordant: { baseOnly: 14, quantOnly: 2 },
    },
    {
      metric: 'mc-acc',
      label: 'Multiple choice acc',
      n: 2,
      base: 0.5,
      quant: 0.5,
      deltaPp: 0,
      ciLowPp: -50,
      ciHighPp: 50,
      pValue: 1,
    },
  ],
  multipleChoice: {
    items: [
      {
        id: 'section-x',
        context: '{"section": "',
        choices: ['admin"', '<img src=x onerror=alert(1)>"'],
        answer: 0,
        base: { loglikelihoods: [-1, -2], probs: [0.73, 0.27], pred: 0, predNorm: 0 },
        quant: { loglikelihoods: [-2, -1], probs: [0.27, 0.73], pred: 1, predNorm: 1 },
      },
    ],
  },
};

test('tiles, instruction marks and multiple-choice picks; markup in ids and choices stays text', () => {
  const window = new Window();
  const taskSection = loadTaskSection(window);
  const result: PromptResult = {
    ...promptResult(),
    instructionIds: ['punctuation:no_comma', '<b>x</b>'],
    instructions: {
      base: { strict: [true, true], loose: [true, true] },
      quant: { strict: [false, true], loose: [true, true] },
    },
  };
  const parts = taskSection(tasks, [result]);
  assert.equal(parts.length, 3);
  const tile = parts[0].querySelector('[data-metric="ifeval-prompt-strict"]')!;
  assert.match(tile.textContent, /−6\.0 pp/);
  assert.match(tile.textContent, /80\.0% → 74\.0% · \[−9\.5, −2\.5\] · p < 0\.001 · n = 200/);
  assert.ok(tile.className.includes('fail'), 'a 6 pp drop with its interval below zero is a fail tile');
  assert.ok(!parts[0].querySelector('[data-metric="mc-acc"]')!.className.includes('warn'));
  const rows = parts[1].querySelectorAll('tbody tr');
  assert.equal(rows.length, 2);
  assert.deepEqual(
    [...rows[0].querySelectorAll('td')].map((td) => td.textContent),
    [result.id, 'punctuation:no_comma', '✓', '✗', '✓', '✓'],
  );
  assert.equal(parts[1].querySelector('b'), null);
  assert.equal(parts[2].querySelector('img'), null);
  assert.match(parts[2].textContent, /✗ <img src=x onerror=alert\(1\)>" \(73\.0%\)/);
});

test('no tasks: no section', () => {
  const window = new Window();
  assert.deepEqual(loadTaskSection(window)({ ...tasks, deltas: [] }, []), []);
});

test('the panel state guard accepts a task report and rejects a malformed one', () => {
  assert.equal(isTaskReport(tasks), true);
  assert.equal(isTaskReport({ ...tasks, deltas: [{ ...tasks.deltas[0], deltaPp: 'x' }] }), false);
  assert.equal(isTaskReport({ deltas: [] }), false);
});
