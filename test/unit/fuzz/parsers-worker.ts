/**
 * One fuzz batch in a worker thread: inputs `from`..`count-1` of one target, each parsed once. The index being
 * parsed is kept in shared memory, so the test's watchdog sees a hang (the index stops moving) and can end this
 * thread and go on after the input, and the resourceLimits the thread was started with are its memory ceiling.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mutate, random } from './mutate';
import { MISBEHAVING, setCurrentIndex, TARGETS } from './targets';

export interface BatchData {
  readonly target: string;
  readonly from: number;
  readonly count: number;
  readonly seed: number;
  /**
   * Int32Array over a SharedArrayBuffer: [index being parsed, then a count per OUTCOMES entry], written as the
   * batch goes, so what a worker did before it was ended still counts.
   */
  readonly progress: SharedArrayBuffer;
}

export const OUTCOMES = ['accepted', 'rejected', 'typeError', 'crash'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const PROGRESS_SLOTS = 1 + OUTCOMES.length;

export type BatchMessage =
  | { readonly type: 'finding'; readonly index: number; readonly kind: Outcome; readonly message: string }
  | { readonly type: 'done' };

/** A clean rejection is an Error the parser meant to throw; TypeError and RangeError are bugs (or a blown stack). */
export function classify(error: unknown): Outcome {
  if (error instanceof TypeError) return 'typeError';
  if (error instanceof RangeError || !(error instanceof Error)) return 'crash';
  return 'rejected';
}

/** Mixes the run seed and the input index into the input's own PRNG seed. */
export function inputSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x85ebca6b, 0x9e3779b1) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

async function runBatch(data: BatchData): Promise<void> {
  const target = [...TARGETS, ...MISBEHAVING].find((candidate) => candidate.name === data.target)!;
  const seeds = target.seeds();
  const progress = new Int32Array(data.progress);
  for (let index = data.from; index < data.count; index++) {
    Atomics.store(progress, 0, index);
    setCurrentIndex(index);
    const next = random(inputSeed(data.seed, index));
    const input = mutate(seeds[index % seeds.length]!, seeds, next);
    let outcome: Outcome = 'accepted';
    try {
      await target.run(input, next);
    } catch (error) {
      outcome = classify(error);
      if (outcome === 'typeError' || outcome === 'crash')
        parentPort!.postMessage({
          type: 'finding',
          index,
          kind: outcome,
          message: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error),
        } satisfies BatchMessage);
    }
    Atomics.add(progress, 1 + OUTCOMES.indexOf(outcome), 1);
  }
  Atomics.store(progress, 0, data.count);
  parentPort!.postMessage({ type: 'done' } satisfies BatchMessage);
}

if (parentPort && workerData) void runBatch(workerData as BatchData);
