/**
 * The extension host's side of the inventory worker thread. A scan runs in the worker; cancelling one that a
 * hung read keeps from answering (a dead network mount) replaces the worker after a grace period, so the next
 * scan never waits behind it. Without a worker script (a test run from out/ that did not build dist/) it scans
 * in-process.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { isInventoryToHost, type InventoryToHost } from '../../protocol/inventory';
import { InventoryCache, scanInventory, type InventoryGroup, type InventoryRoot } from './inventory';

/** The inventory thread's memory: a 200-folder scan uses a few MB; the folder budget bounds one read to 256 MB. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 } as const;

export interface InventoryWorkerOptions {
  /** dist/inventory-worker.js (or the compiled inventory-worker.js in tests). */
  readonly workerPath: string;
  /** How long a cancelled scan may take to stop before its worker is replaced (default 5 s). */
  readonly cancelGraceMs?: number;
}

interface Pending {
  readonly roots: readonly InventoryRoot[];
  /** The worker the scan was posted to. */
  worker: Worker;
  resolve(groups: InventoryGroup[]): void;
  reject(error: Error): void;
}

export class InventoryWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Scans the worker has not answered yet (a cancelled one included), with the worker they went to. */
  private readonly unanswered = new Map<number, Worker>();
  private readonly fallbackCache = new InventoryCache();
  /** Workers started so far (tests check that a hung one was replaced). */
  started = 0;

  constructor(private readonly options: InventoryWorkerOptions) {}

  /** Where scans run: the worker thread, or in-process when there is no worker script. */
  get where(): 'worker thread' | 'in-process' {
    return existsSync(this.options.workerPath) ? 'worker thread' : 'in-process';
  }

  /** Scans `roots`; rejects with an AbortError when `signal` aborts. */
  scan(roots: readonly InventoryRoot[], signal?: AbortSignal): Promise<InventoryGroup[]> {
    if (!existsSync(this.options.workerPath)) {
      return scanInventory(roots, { cache: this.fallbackCache, ...(signal ? { signal } : {}) });
    }
    signal?.throwIfAborted();
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<InventoryGroup[]>((resolve, reject) => {
      this.pending.set(id, { roots, worker, resolve, reject });
      this.unanswered.set(id, worker);
      worker.ref();
      worker.postMessage({ type: 'scan', id, roots });
      signal?.addEventListener(
        'abort',
        () => {
          (this.pending.get(id)?.worker ?? worker).postMessage({ type: 'cancel', id });
          const grace = setTimeout(() => {
            // No answer after the cancel: a synchronous read is stuck. Start afresh rather than queue behind it.
            const stuck = this.unanswered.get(id);
            if (stuck && stuck === this.worker) this.replaceWorker();
          }, this.options.cancelGraceMs ?? 5000);
          grace.unref();
          this.settle(id, (entry) => entry.reject(abortError()));
        },
        { once: true },
      );
    });
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const [id] of this.pending) this.settle(id, (entry) => entry.reject(abortError()));
    this.unanswered.clear();
    void worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A heap ceiling of its own: should a hostile file still get past the reader bounds, the worker ends with
    // ERR_WORKER_OUT_OF_MEMORY (the scan fails with that message) instead of taking the extension host with it.
    const worker = new Worker(this.options.workerPath, { resourceLimits: WORKER_LIMITS });
    this.started++;
    worker.on('message', (message: unknown) => this.receive(message));
    worker.on('error', (error) => this.failAll(worker, error));
    worker.on('exit', (code) => this.failAll(worker, new Error(`the inventory worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Ends a stuck worker; scans still waiting on it move to a fresh one. */
  private replaceWorker(): void {
    const stuck = this.worker;
    this.worker = undefined;
    void stuck?.terminate();
    for (const [id, worker] of this.unanswered) if (worker === stuck) this.unanswered.delete(id);
    for (const [id, entry] of this.pending) {
      if (entry.worker !== stuck) continue;
      entry.worker = this.ensureWorker();
      entry.worker.ref();
      this.unanswered.set(id, entry.worker);
      entry.worker.postMessage({ type: 'scan', id, roots: entry.roots });
    }
  }

  private receive(message: unknown): void {
    if (!isInventoryToHost(message)) return;
    this.unanswered.delete(message.id);
    this.settle(message.id, (entry) => answer(entry, message));
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return; // a replaced worker's end is expected
    this.worker = undefined;
    for (const [id, owner] of this.unanswered) if (owner === worker) this.unanswered.delete(id);
    for (const [id] of this.pending) this.settle(id, (entry) => entry.reject(error));
  }

  private settle(id: number, finish: (entry: Pending) => void): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    // An idle worker must not keep its process alive (a CLI, a bench, a test run that never disposes).
    if (this.pending.size === 0) this.worker?.unref();
    finish(entry);
  }
}

function answer(entry: Pending, message: InventoryToHost): void {
  if (message.type === 'done') entry.resolve(message.groups);
  else if (message.type === 'cancelled') entry.reject(abortError());
  else entry.reject(new Error(message.message));
}

function abortError(): Error {
  const error = new Error('the scan was cancelled');
  error.name = 'AbortError';
  return error;
}
