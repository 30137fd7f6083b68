import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompareController, type ControllerDeps, type RunPair } from '../../../src/features/compare/controller';
import type { RunHistory } from '../../../src/features/compare/history';
import type { HistoryEntry, HostToWebview, SavedRun } from '../../../src/protocol/webview';
import { pairView, promptResult, report } from './fixtures';

const pair = pairView();

/** An in-memory history with the store's contract (ids, newest first). */
export function memoryHistory(): RunHistory & { runs: SavedRun[] } {
  const runs: SavedRun[] = [];
  return {
    runs,
    save: async (run) => {
      const entry: HistoryEntry = { id: `20261202-0900${String(runs.length).padStart(2, '0')}-abcdef`, ...run.entry };
      runs.unshift({ ...run, entry });
      return entry;
    },
    list: async () => runs.map((run) => run.entry),
    load: async (id) => runs.find((run) => run.entry.id === id) ?? null,
  };
}

const settings = {
  executionProvider: 'cpu',
  threads: 1,
  maxNewTokens: 8,
  jsonMaxNewTokens: 512,
  thresholds: { pplRatioWarn: 1.03, pplRatioFail: 1.05, meanKldWarn: 0.05 },
};

function deps(
  runPair: RunPair,
  logged: string[] = [],
  trusted: () => boolean = () => true,
  history = memoryHistory(),
): ControllerDeps {
  return {
    runPair,
    isTrusted: trusted,
    listSuites: async () => ({
      suites: [{ id: 'quick', label: 'quick (built in)', detail: '2 prompts', source: 'builtin' }],
      preferred: null,
    }),
    loadSuite: async () => [
      { id: 'a', prompt: 'one' },
      { id: 'b', prompt: 'two' },
    ],
    settings: () => settings,
    history,
    openRunElsewhere: async () => undefined,
    importPrompts: async () => null,
    exportReport: async () => undefined,
    pickFolder: async () => undefined,
    makeTwin: async () => undefined,
    log: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
  };
}

test('a run streams progress and results, then the final state; a late page catches up on ready', async () => {
  const runPair: RunPair = async (request, onEvent) => {
    const results = request.prompts.map((p) => promptResult({ id: p.id }));
    results.forEach((result, index) => {
      onEvent({ type: 'progress', promptIndex: index, total: results.length, phase: 'generating' });
      onEvent({ type: 'prompt-result', result });
    });
    return report(results);
  };
  const controller = new CompareController(deps(runPair));
  await controller.init();
  controller.setPair(pair);
  const seen: HostToWebview[] = [];
  controller.attach({ post: (m) => seen.push(m) });
  await controller.receive({ type: 'run' });
  await controller.whenIdle();
  assert.deepEqual(
    seen.filter((m) => m.type === 'promptResult').map((m) => (m.type === 'promptResult' ? m.result.id : '')),
    ['a', 'b'],
  );
  assert.equal(controller.snapshot.run.status, 'done');
  assert.equal(controller.snapshot.summary?.verdict, 'fail');
  assert.equal(controller.report()?.prompts.length, 2);

  controller.detach();
  const late: HostToWebview[] = [];
  controller.attach({ post: (m) => late.push(m) });
  await controller.receive({ type: 'ready' });
  assert.equal(late[0]?.type, 'state');
  assert.equal(late[0]?.type === 'state' ? late[0].state.results.length : -1, 2);
});

test('cancel aborts the run and keeps the finished prompts', async () => {
  let release!: () => void;
  const runPair: RunPair = (request, onEvent, signal) =>
    new Promise((_resolve, reject) => {
      onEvent({ type: 'prompt-result', result: promptResult({ id: request.prompts[0].id }) });
      release = () => undefined;
      signal.addEventListener('abort', () => reject(new Error('cancelled')));
    });
  const controller = new CompareController(deps(runPair));
  await controller.init();
  controller.setPair(pair);
  await controller.receive({ type: 'run' });
  assert.equal(controller.isRunning, true);
  await controller.receive({ type: 'cancel' });
  await controller.whenIdle();
  release();
  assert.equal(controller.snapshot.run.status, 'cancelled');
  assert.equal(controller.snapshot.results.length, 1);
  assert.equal(controller.isRunning, false);
});

test('a runner error shows as an error run; malformed messages are dropped and logged', async () => {
  const logged: string[] = [];
  const controller = new CompareController(
    deps(async () => Promise.reject(new Error('the model runner was killed (SIGKILL)')), logged),
  );
  await controller.init();
  controller.setPair(pair);
  await controller.receive({ type: 'run' });
  await controller.whenIdle();
  assert.equal(controller.snapshot.run.status, 'error');
  assert.match(controller.snapshot.run.error ?? '', /SIGKILL/);
  await controller.receive({ type: 'eval', code: 'process.exit()' });
  await controller.receive({ type: 'loadSuite' });
  assert.ok(logged.some((m) => m.includes('dropped "eval"')));
  assert.ok(logged.some((m) => m.includes('dropped "loadSuite" with missing or invalid fields')));
});

test('a blocked pair does not run; a restored "running" state becomes cancelled', async () => {
  let calls = 0;
  const controller = new CompareController(
    deps(async () => {
      calls++;
      return report([]);
    }),
  );
  await controller.init();
  controller.setPair({ ...pair, blocked: 'Both models are openvino-ir' });
  const seen: HostToWebview[] = [];
  controller.attach({ post: (m) => seen.push(m) });
  await controller.receive({ type: 'run' });
  assert.equal(calls, 0);
  assert.ok(seen.some((m) => m.type === 'notice' && m.text.includes('openvino-ir')));

  const restored = new CompareController(
    deps(async () => report([])),
    {
      ...controller.snapshot,
      run: { status: 'running', done: 1, total: 3, phase: 'generating', error: null },
    },
  );
  assert.equal(restored.snapshot.run.status, 'cancelled');
});

test('every finished or cancelled run is kept in the history; a cancelled one is a partial, exportable report', async () => {
  const history = memoryHistory();
  let hang = false;
  const runPair: RunPair = (request, onEvent, signal) =>
    new Promise((resolve, reject) => {
      const results = request.prompts.map((p) => promptResult({ id: p.id }));
      onEvent({ type: 'prompt-result', result: results[0] });
      if (!hang) return resolve(report(results));
      signal.addEventListener('abort', () => reject(new Error('cancelled')));
    });
  const controller = new CompareController(deps(runPair, [], undefined, history));
  await controller.init();
  controller.setPair(pair);
  await controller.receive({ type: 'run' });
  await controller.whenIdle();
  assert.equal(history.runs.length, 1);
  assert.equal(history.runs[0].entry.status, 'done');
  assert.equal(controller.snapshot.runId, history.runs[0].entry.id);
  assert.equal(controller.snapshot.history?.length, 1);

  hang = true;
  await controller.receive({ type: 'run' });
  await controller.receive({ type: 'cancel' });
  await controller.whenIdle();
  assert.equal(history.runs.length, 2);
  const cancelled = history.runs[0];
  assert.equal(cancelled.entry.status, 'cancelled');
  assert.equal(cancelled.entry.done, 1);
  assert.equal(cancelled.entry.total, 2);
  assert.equal(cancelled.report.summary.partial, true);
  assert.equal(cancelled.report.settings.jsonMaxNewTokens, 512);
  // The cancelled run can be exported: report() gives the partial report.
  assert.equal(controller.report()?.prompts.length, 1);
  assert.equal(controller.report()?.summary.partial, true);
});

test('a saved run reopens with its numbers; the header shows the settings in force, not the saved ones', async () => {
  const history = memoryHistory();
  const controller = new CompareController(
    deps(async (request) => report([promptResult({ id: request.prompts[0].id })]), [], undefined, history),
  );
  await controller.init();
  controller.setPair(pair);
  await controller.receive({ type: 'run' });
  await controller.whenIdle();
  const id = controller.snapshot.runId!;
  const other = new CompareController(deps(async () => report([]), [], undefined, history));
  await other.init();
  await other.receive({ type: 'openRun', id });
  assert.equal(other.snapshot.runId, id);
  assert.equal(other.snapshot.run.status, 'done');
  assert.deepEqual(other.snapshot.summary, controller.snapshot.summary);
  assert.deepEqual(other.snapshot.results, controller.snapshot.results);
  assert.equal(other.snapshot.pair?.maxNewTokens, 8);
  assert.equal(other.snapshot.pair?.jsonMaxNewTokens, 512);
});

test('settings changes reach the header; a rerun with a higher JSON limit sends it to the runner', async () => {
  const requests: { maxNewTokens: number; jsonMaxNewTokens: number }[] = [];
  let current = { ...settings };
  const d = deps(async (request) => {
    requests.push({ maxNewTokens: request.maxNewTokens, jsonMaxNewTokens: request.jsonMaxNewTokens });
    return report([promptResult()]);
  });
  const controller = new CompareController({ ...d, settings: () => current });
  await controller.init();
  controller.setPair(pair);
  current = { ...current, maxNewTokens: 100 };
  controller.refreshSettings();
  assert.equal(controller.snapshot.pair?.maxNewTokens, 100);
  await controller.receive({ type: 'run' });
  await controller.whenIdle();
  await controller.receive({ type: 'rerun', jsonMaxNewTokens: 1024 });
  await controller.whenIdle();
  assert.deepEqual(requests, [
    { maxNewTokens: 100, jsonMaxNewTokens: 512 },
    { maxNewTokens: 100, jsonMaxNewTokens: 1024 },
  ]);
  assert.equal(controller.snapshot.pair?.jsonLimitRaised, true);
  await controller.receive({ type: 'rerun', jsonMaxNewTokens: 10 ** 9 });
  assert.equal(requests.length, 2, 'an out-of-range limit is dropped by the guard');
});

test('the prompt file nearest the base model is preselected over a shipped suite, never over custom prompts', async () => {
  const loaded: string[] = [];
  const d = deps(async () => report([]));
  const controller = new CompareController({
    ...d,
    listSuites: async (basePath) => ({
      suites: [
        {
          id: 'workspace:/w/demo/prompts/heldout.jsonl',
          label: 'demo/prompts/heldout.jsonl',
          detail: '',
          source: 'workspace',
        },
        { id: 'quick', label: 'quick (built in)', detail: '', source: 'builtin' },
      ],
      preferred: basePath === '/m/fp16' ? 'workspace:/w/demo/prompts/heldout.jsonl' : null,
    }),
    loadSuite: async (id) => {
      loaded.push(id);
      return [{ id: 'x', prompt: id }];
    },
  });
  await controller.init();
  assert.equal(controller.snapshot.suite, 'quick', 'no pair yet: the quick suite fills the panel');
  controller.setPair(pair);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(controller.snapshot.suite, 'workspace:/w/demo/prompts/heldout.jsonl');
  assert.equal(controller.snapshot.suites[0].source, 'workspace');
  await controller.receive({ type: 'setPrompts', prompts: [{ id: 'mine', prompt: 'my own' }] });
  controller.setPair({ ...pair, quant: { ...pair.quant, path: '/m/int4-other' } });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(controller.snapshot.prompts[0].id, 'mine');
});

test('a pair chosen while the first listing is pending still gets its prompt file (the latest listing wins)', async () => {
  const d = deps(async () => report([]));
  const controller = new CompareController({
    ...d,
    listSuites: async (basePath) => {
      // The panel's first listing (no pair yet) is the slow one.
      if (basePath === null) await new Promise((resolve) => setTimeout(resolve, 30));
      return {
        suites: [
          { id: 'workspace:/w/p.jsonl', label: 'p.jsonl', detail: '', source: 'workspace' },
          { id: 'quick', label: 'quick (built in)', detail: '', source: 'builtin' },
        ],
        preferred: basePath === null ? null : 'workspace:/w/p.jsonl',
      };
    },
    loadSuite: async (id) => [{ id: 'x', prompt: id }],
  });
  const init = controller.init();
  controller.setPair(pair);
  await init;
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(controller.snapshot.suite, 'workspace:/w/p.jsonl');
  assert.equal(controller.snapshot.prompts[0].prompt, 'workspace:/w/p.jsonl');
});

test('issue 12 item 4: trust is asked when a run starts and when a panel is restored, not taken from the state', async () => {
  let calls = 0;
  const runPair: RunPair = async () => {
    calls++;
    return report([]);
  };
  let trusted = true;
  const seen: HostToWebview[] = [];
  // A panel opened while trusted, then the workspace is not trusted (the page's saved state still says runnable).
  const open = new CompareController(deps(runPair, [], () => trusted));
  await open.init();
  open.setPair(pair);
  open.attach({ post: (m) => seen.push(m) });
  trusted = false;
  await open.receive({ type: 'run' });
  assert.equal(calls, 0, 'no model runs in an untrusted workspace');
  assert.equal(open.isRunning, false);
  assert.match(open.snapshot.pair?.blocked ?? '', /not trusted/);
  assert.ok(seen.some((m) => m.type === 'notice' && /not trusted/.test(m.text)));

  // The serializer restores a state saved in a trusted window into an untrusted one.
  const restored = new CompareController(
    deps(runPair, [], () => false),
    { ...open.snapshot, pair: { ...pair, blocked: null } },
  );
  assert.match(restored.snapshot.pair?.blocked ?? '', /not trusted/, 'the restored pair is blocked again');
  await restored.init();
  await restored.receive({ type: 'run' });
  assert.equal(calls, 0);

  // Trusted again: the same restored state runs.
  const trustedAgain = new CompareController(deps(runPair), { ...open.snapshot, pair: { ...pair, blocked: null } });
  await trustedAgain.init();
  await trustedAgain.receive({ type: 'run' });
  await trustedAgain.whenIdle();
  assert.equal(calls, 1);
});
