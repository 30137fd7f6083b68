import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompareController, type ControllerDeps, type RunPair } from '../../../src/features/compare/controller';
import type { HostToWebview, PairView } from '../../../src/protocol/webview';
import { promptResult, report } from './fixtures';

const side = (path: string, precision: string) => ({ path, format: 'onnx', precision, recipe: null, facts: [] });
const pair: PairView = {
  base: side('/m/fp16', 'fp16'),
  quant: side('/m/int4', 'int4 sym g128'),
  executionProvider: 'cpu',
  accuracyLevel: 4,
  threads: 1,
  maxNewTokens: 8,
  blocked: null,
};

function deps(runPair: RunPair, logged: string[] = [], trusted: () => boolean = () => true): ControllerDeps {
  return {
    runPair,
    isTrusted: trusted,
    listSuites: async () => ['quick'],
    loadSuite: async () => [
      { id: 'a', prompt: 'one' },
      { id: 'b', prompt: 'two' },
    ],
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
