/**
 * The fuzz suite (issue 12 "must show"): every model-file parser on at least 10,000 mutated inputs, each parser
 * in a worker thread with a memory ceiling (resourceLimits) and a hang watchdog (the input index must move within
 * HANG_MS). A hang or an out-of-memory ends the worker; the run goes on after that input and counts it. Prints
 * inputs, crashes, hangs and unexpected TypeErrors per parser; all must be 0.
 * QUANT_DRIFT_FUZZ_INPUTS and QUANT_DRIFT_FUZZ_SEED change the size and the inputs of a run (a finding is
 * reproduced by its seed and index).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { PROGRESS_SLOTS, type BatchData, type BatchMessage } from './parsers-worker';
import { MISBEHAVING, TARGETS } from './targets';

const INPUTS = Number(process.env.QUANT_DRIFT_FUZZ_INPUTS ?? 10_000);
const SEED = Number(process.env.QUANT_DRIFT_FUZZ_SEED ?? 20261202);
/** Generous for a shared 2-core machine: a healthy input takes well under a millisecond. */
const HANG_MS = 10_000;
const MEMORY = { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };
const WORKER = path.join(__dirname, 'parsers-worker.js');

interface Tally {
  target: string;
  inputs: number;
  crashes: number;
  hangs: number;
  typeErrors: number;
  rejected: number;
  accepted: number;
  findings: string[];
}

interface RunOptions {
  readonly inputs: number;
  readonly hangMs: number;
}

/** Runs inputs from..inputs-1 in one worker; resolves where the next worker must start (inputs when done). */
function batch(tally: Tally, from: number, { inputs, hangMs }: RunOptions): Promise<number> {
  const progress = new SharedArrayBuffer(4 * PROGRESS_SLOTS);
  const index = new Int32Array(progress);
  Atomics.store(index, 0, from);
  const data: BatchData = { target: tally.target, from, count: inputs, seed: SEED, progress };
  const worker = new Worker(WORKER, { workerData: data, resourceLimits: MEMORY });
  return new Promise((resolve) => {
    let last = from;
    let lastMoved = Date.now();
    let settled = false;
    const finish = (next: number): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      // [index, accepted, rejected, typeError, crash]: what the worker finished, even if it was ended.
      const [, accepted, rejected, typeErrors, crashes] = Array.from(index);
      tally.accepted += accepted!;
      tally.rejected += rejected!;
      tally.typeErrors += typeErrors!;
      tally.crashes += crashes!;
      tally.inputs += accepted! + rejected! + typeErrors! + crashes!;
      resolve(next);
    };
    const watchdog = setInterval(() => {
      const now = Atomics.load(index, 0);
      if (now !== last) {
        last = now;
        lastMoved = Date.now();
      } else if (Date.now() - lastMoved > hangMs) {
        tally.hangs++;
        tally.inputs++;
        tally.findings.push(`hang at input ${now}`);
        finish(now + 1);
      }
    }, 100);
    worker.on('message', (message: BatchMessage) => {
      if (message.type === 'finding') {
        tally.findings.push(`${message.kind} at input ${message.index}: ${message.message}`);
        return;
      }
      finish(inputs);
    });
    worker.on('error', (error) => {
      // Out of memory (ERR_WORKER_OUT_OF_MEMORY) or an uncaught error: a crash at the input being parsed.
      const at = Atomics.load(index, 0);
      tally.crashes++;
      tally.inputs++;
      tally.findings.push(`crash at input ${at}: ${error.message}`);
      finish(at + 1);
    });
    worker.on('exit', () => finish(Atomics.load(index, 0) + 1));
  });
}

async function fuzz(target: string, options: RunOptions = { inputs: INPUTS, hangMs: HANG_MS }): Promise<Tally> {
  const tally: Tally = {
    target,
    inputs: 0,
    crashes: 0,
    hangs: 0,
    typeErrors: 0,
    rejected: 0,
    accepted: 0,
    findings: [],
  };
  for (let from = 0; from < options.inputs;) from = await batch(tally, from, options);
  return tally;
}

test('the suite catches and counts a hang, a blown memory ceiling and a TypeError, and goes on after each', async () => {
  // The balloon gets a long hang limit: near its ceiling the worker spends a while in GC before it is ended.
  const [spin, balloon, typeError] = await Promise.all(
    MISBEHAVING.map((target) =>
      fuzz(target.name, { inputs: 8, hangMs: target.name.startsWith('balloons') ? 60_000 : 1500 }),
    ),
  );
  assert.deepEqual([spin!.inputs, spin!.hangs, spin!.crashes, spin!.accepted], [8, 1, 0, 7]);
  assert.deepEqual([balloon!.inputs, balloon!.crashes, balloon!.hangs, balloon!.accepted], [8, 1, 0, 7]);
  assert.match(balloon!.findings[0] ?? '', /crash at input 3: .*memory/i);
  assert.deepEqual([typeError!.inputs, typeError!.typeErrors, typeError!.accepted], [8, 1, 7]);
});

test(
  `fuzz: each model-file parser survives ${INPUTS} mutated inputs (seed ${SEED})`,
  { timeout: 600_000 },
  async () => {
    const tallies: Tally[] = [];
    // Two parsers at a time: one per core of the CI machine.
    for (let index = 0; index < TARGETS.length; index += 2)
      tallies.push(...(await Promise.all(TARGETS.slice(index, index + 2).map((target) => fuzz(target.name)))));
    console.log('parser        inputs  crashes  hangs  unexpected TypeErrors  (rejected cleanly / accepted)');
    for (const t of tallies)
      console.log(
        `${t.target.padEnd(13)} ${String(t.inputs).padStart(6)}  ${String(t.crashes).padStart(7)}  ${String(t.hangs).padStart(5)}  ${String(t.typeErrors).padStart(21)}  (${t.rejected} / ${t.accepted})`,
      );
    for (const t of tallies) {
      assert.equal(t.inputs, INPUTS, `${t.target}: every input ran`);
      assert.deepEqual(
        { crashes: t.crashes, hangs: t.hangs, typeErrors: t.typeErrors },
        { crashes: 0, hangs: 0, typeErrors: 0 },
        `${t.target}: ${t.findings.slice(0, 5).join('; ')}`,
      );
    }
  },
);
