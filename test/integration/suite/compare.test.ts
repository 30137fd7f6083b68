import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelPrompt, PanelState, WebviewToHost } from '../../../src/protocol/webview';

interface CompareTestState {
  open: boolean;
  panels: number;
  running: boolean;
  state?: PanelState;
  posted: string[];
  received: WebviewToHost[];
  rejected: string[];
}

const EXTENSION_ID = 'quant-drift.quant-drift';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri.fsPath;
}

async function compareState(): Promise<CompareTestState> {
  return (await vscode.commands.executeCommand('quantDrift._test.compareState')) as CompareTestState;
}

async function send(message: unknown): Promise<void> {
  await vscode.commands.executeCommand('quantDrift._test.compareSend', message);
}

/** Polls until `check` returns a value (not undefined/false); fails with `what` and the last state on timeout. */
async function waitFor<T>(
  what: string,
  check: (s: CompareTestState) => T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: CompareTestState | undefined;
  while (Date.now() < deadline) {
    last = await compareState();
    const value = check(last);
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(
    `timed out waiting for ${what}; last run: ${JSON.stringify(last?.state?.run)}, posted: ${last?.posted.slice(-8).join(',')}`,
  );
}

/**
 * Accepts whatever quick input is showing (a recipe quick pick, code-server's save dialog) until `done` yields
 * a value: the flows under test open their pickers asynchronously, and accepting with none open does nothing.
 */
async function acceptQuickInputUntil<T>(
  what: string,
  done: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await done();
    if (value !== undefined) return value;
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const PROMPTS: PanelPrompt[] = [
  { id: 'json', prompt: 'Return only a JSON object with the keys name and age.', expectsJson: true },
  { id: 'code', prompt: 'Write a Python function that adds two numbers.' },
  { id: 'hash', prompt: 'Repeat exactly: 9f86d081884c7d659a2feaa0c55ad015' },
];

suite('compare panel', function () {
  this.timeout(120_000);
  const base = () => path.join(workspaceDir(), 'compare-models', 'tiny-llama-fp16');

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.compare.maxNewTokens', 12, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.compare.maxNewTokens', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Compare Quantized on the base folder opens the panel with its INT4 twin chosen', async () => {
    await vscode.commands.executeCommand('quantDrift.compareQuantized', vscode.Uri.file(base()));
    const pair = await waitFor('the pair', (s) => s.state?.pair ?? undefined);
    assert.equal(pair.base.path, base());
    assert.equal(path.basename(pair.quant.path), 'tiny-llama-int4-sym-g32');
    assert.match(pair.quant.precision, /int4 sym g32/);
    assert.equal(pair.base.format, 'onnx');
    assert.equal(pair.blocked, null);
    // The page loaded, validated the state and rendered it.
    await waitFor(
      'the page to render',
      (s) => s.received.some((m) => m.type === 'ready') && s.received.some((m) => m.type === 'rendered'),
    );
    const state = await compareState();
    const suites = state.state!.suites.map((s) => s.id);
    assert.ok(suites.includes('quick'), `suites: ${suites.join(',')}`);
    assert.ok(state.state!.prompts.length > 0, 'the default suite is loaded');
  });

  test('the same command on the INT4 folder picks the base as the other side', async () => {
    const quant = path.join(workspaceDir(), 'compare-models', 'tiny-llama-int4-sym-g32');
    await vscode.commands.executeCommand('quantDrift.compareQuantized', quant);
    const pair = await waitFor('the pair', (s) => (s.state?.pair?.quant.path === quant ? s.state.pair : undefined));
    assert.equal(pair.base.path, base());
  });

  test('a run completes and the page receives every result', async () => {
    await send({ type: 'setPrompts', prompts: PROMPTS });
    await send({ type: 'run' });
    const state = await waitFor(
      'the run to finish',
      (s) => (s.state && ['done', 'error'].includes(s.state.run.status) ? s.state : undefined),
      90_000,
    );
    assert.equal(state.run.status, 'done', `run error: ${state.run.error}`);
    assert.deepEqual(
      state.results.map((r) => r.id),
      PROMPTS.map((p) => p.id),
    );
    assert.ok(state.summary, 'summary present');
    assert.equal(state.summary.prompts, 3);
    assert.ok(state.settings && state.settings.maxNewTokens === 12);
    const json = state.results[0];
    assert.ok(json.base.jsonValid && json.quant.jsonValid, 'JSON validity judged for the JSON prompt');
    assert.ok((json.teacherForced.kldPerToken?.length ?? 0) > 0, 'per-token KL present for the chart');
    const final = await waitFor('the page to render the results', (s) =>
      s.received.some((m) => m.type === 'rendered' && m.results === 3 && m.status === 'done') ? s : undefined,
    );
    assert.equal(final.posted.filter((t) => t === 'promptResult').length, 3);
    assert.ok(final.posted.includes('progress'));
  });

  test('the finished run is in the history, and reopens from it with the same numbers', async () => {
    const state = await waitFor('the run saved to the history', (s) => (s.state?.runId ? s.state : undefined));
    const entry = state.history?.find((e) => e.id === state.runId);
    assert.ok(entry, 'the saved run is listed');
    assert.equal(entry.status, 'done');
    assert.equal(entry.done, 3);
    assert.deepEqual(entry.summary, state.summary);
    // Show something else (a new prompt list keeps the results), then reopen the run from the history.
    await send({ type: 'openRun', id: state.runId });
    const reopened = (await compareState()).state!;
    assert.equal(reopened.runId, state.runId);
    assert.deepEqual(reopened.summary, state.summary);
    assert.deepEqual(
      reopened.results.map((r) => r.teacherForced.meanKld),
      state.results.map((r) => r.teacherForced.meanKld),
    );
  });

  test('the header follows the settings: a changed limit shows before the next run', async () => {
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.compare.jsonMaxNewTokens', 48, vscode.ConfigurationTarget.Workspace);
    try {
      const pair = await waitFor('the header to show the new JSON limit', (s) =>
        s.state?.pair?.jsonMaxNewTokens === 48 ? s.state.pair : undefined,
      );
      assert.equal(pair.maxNewTokens, 12);
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('quantDrift.compare.jsonMaxNewTokens', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('Export saves the report where the save dialog says (the dialog accepted as offered)', async () => {
    const state = (await compareState()).state!;
    assert.ok(state.results.length > 0, 'a finished run to export');
    const target = path.join(workspaceDir(), `${path.basename(state.pair!.quant.path)}-drift.json`);
    await vscode.workspace.fs.delete(vscode.Uri.file(target)).then(undefined, () => undefined);
    const exported = send({ type: 'export', format: 'json' });
    try {
      const report = await acceptQuickInputUntil('the report file', async () => {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(target)).then(undefined, () => undefined);
        return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as { summary: { prompts: number } });
      });
      assert.equal(report.summary.prompts, state.results.length);
      await exported;
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(target)).then(undefined, () => undefined);
    }
  });

  test('cancel stops a run and keeps the prompts already finished', async () => {
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.compare.maxNewTokens', 100, vscode.ConfigurationTarget.Workspace);
    try {
      const many = Array.from({ length: 30 }, (_, i) => ({
        id: `long-${i}`,
        prompt: `Tell a long story number ${i}.`,
      }));
      await send({ type: 'setPrompts', prompts: many });
      await send({ type: 'run' });
      await waitFor('the run to start', (s) => s.state?.run.status === 'running');
      await waitFor('a first result', (s) => (s.state?.results.length ?? 0) >= 1, 60_000);
      const started = Date.now();
      await send({ type: 'cancel' });
      const state = await waitFor(
        'the cancel',
        (s) => (s.state && s.state.run.status !== 'running' ? s.state : undefined),
        10_000,
      );
      assert.equal(state.run.status, 'cancelled');
      assert.ok(state.results.length < many.length, `${state.results.length} results`);
      // The partial run is kept and exportable.
      const kept = await waitFor('the cancelled run in the history', (s) => (s.state?.runId ? s.state : undefined));
      assert.equal(kept.history?.[0].status, 'cancelled');
      assert.equal(kept.summary?.partial, true);
      console.log(
        `cancel settled in ${Date.now() - started} ms after ${state.results.length} of ${many.length} prompts`,
      );
      // A new run can start after a cancel (the runner is reused or replaced).
      await send({ type: 'setPrompts', prompts: PROMPTS.slice(0, 1) });
      await send({ type: 'run' });
      const again = await waitFor(
        'a run after cancel',
        (s) => (s.state && ['done', 'error'].includes(s.state.run.status) ? s.state : undefined),
        60_000,
      );
      assert.equal(again.run.status, 'done', `run error: ${again.run.error}`);
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('quantDrift.compare.maxNewTokens', 12, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('unknown or malformed messages from the page are dropped, never executed', async () => {
    const before = (await compareState()).state!;
    await send({ type: 'runShell', command: 'rm -rf /' });
    await send({ type: 'export', format: '../../etc/passwd' });
    await send({ type: 'setPrompts', prompts: [{ id: 'x', prompt: '' }] });
    const after = await compareState();
    assert.deepEqual(after.rejected.slice(-3), [
      '"runShell" with missing or invalid fields',
      '"export" with missing or invalid fields',
      '"setPrompts" with missing or invalid fields',
    ]);
    assert.deepEqual(after.state!.prompts, before.prompts);
  });

  test('Make INT4 Twin: the first (safe) recipe writes a symmetric twin and opens it against its base', async () => {
    // A copy of the base, so the twin never joins the fixture pairs the other suites count.
    const scratch = path.join(workspaceDir(), 'quantize-scratch');
    const copy = path.join(scratch, 'tiny-llama-fp16');
    await vscode.workspace.fs.copy(vscode.Uri.file(base()), vscode.Uri.file(copy), { overwrite: true });
    const twin = path.join(scratch, 'tiny-llama-int4-sym-g128');
    const before = await compareState();
    assert.ok((before.state?.results.length ?? 0) > 0, 'the panel shows a finished run');
    try {
      const quantized = vscode.commands.executeCommand('quantDrift.quantizeModel', vscode.Uri.file(copy));
      const pair = await acceptQuickInputUntil('the twin in the panel', async () => {
        const s = await compareState();
        return s.state?.pair?.quant.path === twin ? s.state.pair : undefined;
      });
      await quantized;
      // The finished run stays on screen: the new pair opened in a second panel.
      assert.equal((await compareState()).panels, before.panels + 1);
      assert.equal(pair.base.path, copy);
      assert.match(pair.quant.precision, /int4 sym g128/);
      const recipe = JSON.parse(
        new TextDecoder().decode(
          await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(twin, 'quantization_recipe.json'))),
        ),
      ) as { symmetric: boolean; blockSize: number };
      assert.equal(recipe.symmetric, true);
      assert.equal(recipe.blockSize, 128);
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(scratch), { recursive: true }).then(undefined, () => undefined);
    }
  });
});
