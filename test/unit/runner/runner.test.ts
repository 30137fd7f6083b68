import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RunnerClient, type CompareEvent, type CompareRequest } from '../../../src/core/drift/runner-client';
import { isHostMessage, isRunnerMessage } from '../../../src/protocol/runner';
import { quantizeModelFolder } from '../../../src/core/quantize';
import { baseWeights, perturbed, tempModels, TempModels } from '../drift/fixtures';

/** The tsc build of the runner entry (dist/runner.js is the esbuild bundle of the same file). */
const RUNNER = join(__dirname, '..', '..', '..', 'src', 'runner', 'main.js');

const prompts = [
  { id: 'a', prompt: 'Return a JSON object with a name.', expectsJson: true, schema: { type: 'object' } },
  { id: 'b', prompt: 'Write a story.' },
  { id: 'c', prompt: 'List three colors.' },
];

function request(basePath: string, quantPath: string, extra: Partial<CompareRequest> = {}): CompareRequest {
  return { basePath, quantPath, prompts, maxNewTokens: 16, executionProvider: 'cpu', threads: 1, ...extra };
}

describe('runner process and RunnerClient', () => {
  let models: TempModels;
  let base: string;
  let noisy: string;
  let client: RunnerClient;
  let noisyKld = Infinity;
  before(async () => {
    models = await tempModels('qd-runner-');
    base = await models.write('base');
    noisy = await models.write('noisy', { weights: perturbed(baseWeights(), 0.6) });
    client = RunnerClient.start({ runnerPath: RUNNER });
  });
  after(async () => {
    client.dispose();
    await models.cleanup();
  });

  test('a model compared with itself: KL 0, same top-1 1, identical outputs, ratio 1, ok', async () => {
    const events: CompareEvent[] = [];
    const report = await client.compare(request(base, base), (e) => events.push(e));
    const s = report.summary;
    assert.equal(s.prompts, 3);
    assert.equal(s.identicalOutputs, 3);
    assert.equal(s.meanKld, 0);
    assert.equal(s.sameTop1, 1);
    assert.equal(s.pplRatio, 1);
    assert.equal(s.deltaPRms, 0);
    assert.equal(s.eosShift, 0);
    assert.equal(s.verdict, 'ok');
    for (const p of report.prompts) {
      assert.equal(p.firstDivergence, null);
      assert.equal(p.base.text, p.quant.text);
      assert.equal(p.teacherForced.tokens, p.base.tokens + (p.base.finishReason === 'eos' ? 1 : 0));
      assert.equal(p.teacherForced.kldPerToken?.length, p.teacherForced.tokens);
    }
    assert.equal(report.prompts[0].base.jsonValid?.strict, false, 'a random model writes no JSON');
    assert.equal(report.settings.executionProvider, 'cpu');
    assert.equal(report.settings.accuracyLevel, null);
    assert.equal(events.filter((e) => e.type === 'prompt-result').length, 3);
    assert.ok(events.some((e) => e.type === 'progress' && e.phase === 'quant: scoring'));
  });

  test('a perturbed twin drifts; one-at-a-time mode gives the same numbers as together', async () => {
    const together = await client.compare(request(base, noisy), () => undefined);
    assert.ok(together.summary.meanKld > 0);
    noisyKld = together.summary.meanKld;
    assert.ok(together.summary.sameTop1 < 1);
    assert.notEqual(together.summary.pplRatio, 1);
    assert.equal(together.settings.pairMode, 'together');
    const diverged = together.prompts.find((p) => p.firstDivergence !== null);
    assert.ok(diverged, 'at least one prompt diverges');
    const at = diverged.firstDivergence!;
    const baseIds = diverged.base.tokenIds!;
    const quantIds = diverged.quant.tokenIds!;
    if (at < baseIds.length && at < quantIds.length) {
      // The top candidates come from the teacher-forced pass; their argmax is what each model chose greedily.
      assert.equal(diverged.topKAtDivergence?.base.length, 5);
      assert.equal(diverged.topKAtDivergence?.base[0]?.id, baseIds[at]);
      assert.equal(diverged.topKAtDivergence?.quant[0]?.id, quantIds[at]);
    }
    const apart = await client.compare(request(base, noisy, { oneAtATime: true }), () => undefined);
    assert.equal(apart.settings.pairMode, 'one-at-a-time');
    assert.equal(apart.summary.meanKld, together.summary.meanKld);
    assert.deepEqual(
      apart.prompts.map((p) => p.quant.text),
      together.prompts.map((p) => p.quant.text),
    );
  });

  test('an INT4 twin from the quantizer: precision and accuracy_level recorded, drift small but present', async () => {
    const int4 = join(models.root, 'int4');
    await quantizeModelFolder(base, int4, { symmetric: true, blockSize: 32, accuracyLevel: 4 });
    const report = await client.compare(request(base, int4), () => undefined);
    assert.equal(report.settings.accuracyLevel, 4);
    assert.match(report.quant.weights, /^int4 sym g32 al4/);
    assert.equal(report.base.weights, 'fp32');
    assert.ok(report.summary.meanKld > 0, 'INT4 drifts');
    assert.ok(
      report.summary.meanKld < noisyKld,
      `INT4 KL ${report.summary.meanKld} below the 60% perturbation's ${noisyKld}`,
    );
  });

  test('corpus mode scores windows of the text with both models', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const report = await client.scoreCorpus(
      { basePath: base, quantPath: noisy, text, file: 'fox.txt', context: 32, executionProvider: 'cpu', threads: 1 },
      () => undefined,
    );
    assert.ok(report.corpus);
    assert.ok(report.corpus.windows >= 3);
    assert.equal(report.corpus.tokens, report.corpus.windows * 16);
    assert.ok(report.corpus.meanKld > 0);
    assert.ok(report.corpus.pplRatio > 0);
  });

  test('bad input is a clear error and the runner stays usable', async () => {
    const dir = join(models.root, 'no-tok');
    await cp(base, dir, { recursive: true });
    await rm(join(dir, 'tokenizer.json'));
    await assert.rejects(
      client.compare(request(base, dir), () => undefined),
      /no tokenizer\.json/,
    );
    await assert.rejects(
      client.compare(request(base, join(models.root, 'missing')), () => undefined),
      /no such folder/,
    );
    assert.equal((await client.load({ modelPath: base, executionProvider: 'cpu', threads: 1 })).numLayers, 2);
  });

  test('cancel stops the runner within 0.5 s', async () => {
    const loadStart = performance.now();
    await client.load({ modelPath: base, executionProvider: 'cpu', threads: 1 });
    const loadMs = performance.now() - loadStart;
    const many = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, prompt: `Tell me about item ${i}.` }));
    const abort = new AbortController();
    let progressAfterAbort = 0;
    const running = client.compare(
      request(base, noisy, { prompts: many, maxNewTokens: 180 }),
      (e) => {
        if (abort.signal.aborted) progressAfterAbort++;
        else if (e.type === 'progress' && e.promptIndex === 1) abort.abort();
      },
      abort.signal,
    );
    await assert.rejects(running, (error: Error) => error.name === 'AbortError');
    const abortedAt = performance.now();
    // The runner runs one job at a time: this load completes only after the cancelled compare has stopped.
    await client.load({ modelPath: base, executionProvider: 'cpu', threads: 1 });
    const stopMs = performance.now() - abortedAt - loadMs;
    assert.ok(stopMs < 500, `runner stopped ${stopMs.toFixed(0)} ms after cancel`);
    assert.ok(client.alive, 'a cancelled runner is kept, not killed');
    assert.ok(progressAfterAbort <= 2);
  });

  test('kill -9 rejects pending calls with a clear error, and a new client works', async () => {
    const victim = RunnerClient.start({ runnerPath: RUNNER });
    let exited = false;
    victim.onExit(() => (exited = true));
    const pending = victim.compare(request(base, noisy, { maxNewTokens: 120 }), (e) => {
      if (e.type === 'progress') process.kill(victim.pid!, 'SIGKILL');
    });
    await assert.rejects(pending, /model runner was killed \(SIGKILL\)/);
    assert.ok(exited);
    assert.equal(victim.alive, false);
    await assert.rejects(
      victim.compare(request(base, base), () => undefined),
      /was killed/,
    );
    const fresh = RunnerClient.start({ runnerPath: RUNNER });
    try {
      const report = await fresh.compare(request(base, base, { maxNewTokens: 4 }), () => undefined);
      assert.equal(report.summary.identicalOutputs, 3);
    } finally {
      fresh.dispose();
    }
  });

  test('a missing runner file is a clear error', () => {
    assert.throws(() => RunnerClient.start({ runnerPath: join(models.root, 'nope.js') }), /model runner is missing/);
  });
});

describe('runner protocol guards', () => {
  test('accept well-formed messages and reject malformed ones', () => {
    const ok = {
      type: 'compare',
      id: 1,
      request: {
        basePath: 'a',
        quantPath: 'b',
        prompts: [{ id: 'x', prompt: 'y' }],
        maxNewTokens: 4,
        executionProvider: 'cpu',
        threads: 0,
      },
    };
    assert.ok(isHostMessage(ok));
    assert.ok(isHostMessage({ type: 'cancel', id: 1 }));
    assert.ok(!isHostMessage({ ...ok, request: { ...ok.request, maxNewTokens: 0 } }));
    assert.ok(!isHostMessage({ ...ok, request: { ...ok.request, prompts: [{ id: 1, prompt: 'y' }] } }));
    assert.ok(!isHostMessage({ type: 'explode', id: 1 }));
    assert.ok(!isHostMessage(null));
    assert.ok(
      isRunnerMessage({ type: 'progress', id: 1, event: { type: 'progress', promptIndex: 0, total: 1, phase: 'x' } }),
    );
    assert.ok(!isRunnerMessage({ type: 'progress', id: 1, event: { type: 'progress' } }));
    assert.ok(isRunnerMessage({ type: 'error', id: 2, message: 'boom' }));
    assert.ok(!isRunnerMessage({ type: 'result', id: 'x', value: {} }));
  });
});

describe('runner results are checked (issue 12 item 12)', () => {
  test('a result that is not what the call asked for is rejected, not passed on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qd-fake-runner-'));
    const fake = join(dir, 'fake-runner.js');
    // Answers every request with an object that is no report, no generation and no model description.
    await writeFile(
      fake,
      "process.on('message', (m) => process.send({ type: 'result', id: m.id, value: { verdict: 'ok', hello: 1 } }));",
    );
    const client = RunnerClient.start({ runnerPath: fake });
    try {
      const req = request('a', 'b');
      await assert.rejects(
        client.compare(req, () => undefined),
        /not a compare report/,
      );
      await assert.rejects(
        client.scoreCorpus({ ...req, text: 'x', file: 'x.txt', context: 8 }, () => undefined),
        /not a compare report/,
      );
      await assert.rejects(
        client.generate({ modelPath: 'a', prompt: 'p', maxNewTokens: 1, executionProvider: 'cpu', threads: 0 }),
        /not a generation/,
      );
      await assert.rejects(
        client.load({ modelPath: 'a', executionProvider: 'cpu', threads: 0 }),
        /not a loaded-model description/,
      );
    } finally {
      client.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
