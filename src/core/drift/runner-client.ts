/**
 * Host side of the model runner (plain node, no onnxruntime): forks dist/runner.js, sends typed requests,
 * streams CompareEvents back, cancels through an AbortSignal, and turns a runner that dies (crash, kill -9,
 * out of memory) into a clear rejection of every pending call. A new RunnerClient can then be started.
 */
import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  CompareEvent,
  CompareRequest,
  CorpusRequest,
  GenerateRequest,
  HostMessage,
  LoadRequest,
  LoadedModelInfo,
  ResultValue,
  RunnerMessage,
  isCompareReport,
  isGenerationSide,
  isLoadedModelInfo,
  isRunnerMessage,
} from '../../protocol/runner';
import type { CompareReport, GenerationSide } from '../../protocol/report';

export type { CompareEvent, CompareRequest, CorpusRequest, PromptSpec } from '../../protocol/runner';

export class RunnerError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
    this.name = cancelled ? 'AbortError' : 'RunnerError';
  }
}

interface Pending {
  resolve(value: ResultValue): void;
  reject(error: Error): void;
  onEvent?: (event: CompareEvent) => void;
  /** The shape the result must have, and its name for the error when it does not. */
  expects: { guard: (value: unknown) => boolean; name: string };
}

const EXPECTS = {
  compare: { guard: isCompareReport, name: 'compare report' },
  score: { guard: isCompareReport, name: 'compare report' },
  generate: { guard: isGenerationSide, name: 'generation' },
  load: { guard: isLoadedModelInfo, name: 'loaded-model description' },
} as const;

/** After a cancel, the runner gets this long to stop on its own before it is killed. */
const CANCEL_GRACE_MS = 3000;

export class RunnerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  private exited: string | null = null;
  private killTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: unknown) => this.receive(message));
    child.on('error', (error) => this.fail(`the model runner could not start: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (this.killTimer) clearTimeout(this.killTimer);
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      this.fail(
        `the model runner ${how}${signal === 'SIGKILL' ? '; out of memory, or stopped by the user' : ''}. Start the comparison again to use a new runner.`,
      );
      for (const listener of this.exitListeners) listener(code, signal);
    });
  }

  static start(opts: { runnerPath: string; env?: NodeJS.ProcessEnv }): RunnerClient {
    if (!existsSync(opts.runnerPath))
      throw new RunnerError(`the model runner is missing: ${opts.runnerPath} (build the extension first)`);
    const child = fork(opts.runnerPath, [], {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // The host may run under an inspector or a loader; the runner needs neither.
      execArgv: [],
    });
    const client = new RunnerClient(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', (code) => {
      if (code && stderr.trim()) client.lastStderr = stderr.trim();
    });
    return client;
  }

  /** The tail of the runner's stderr when it exited with an error (for bug reports). */
  lastStderr = '';

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exited === null;
  }

  onExit(cb: (code: number | null, signal: NodeJS.Signals | null) => void): { dispose(): void } {
    this.exitListeners.push(cb);
    return { dispose: () => this.exitListeners.splice(this.exitListeners.indexOf(cb) >>> 0, 1) };
  }

  compare(req: CompareRequest, onEvent: (e: CompareEvent) => void, signal?: AbortSignal): Promise<CompareReport> {
    return this.call({ type: 'compare', request: req }, onEvent, signal) as Promise<CompareReport>;
  }

  /** Corpus mode: both models scored over a text in windows (the report carries `corpus`). */
  scoreCorpus(req: CorpusRequest, onEvent: (e: CompareEvent) => void, signal?: AbortSignal): Promise<CompareReport> {
    return this.call({ type: 'score', request: req }, onEvent, signal) as Promise<CompareReport>;
  }

  generate(req: GenerateRequest, signal?: AbortSignal): Promise<GenerationSide> {
    return this.call({ type: 'generate', request: req }, undefined, signal) as Promise<GenerationSide>;
  }

  load(req: LoadRequest, signal?: AbortSignal): Promise<LoadedModelInfo> {
    return this.call({ type: 'load', request: req }, undefined, signal) as Promise<LoadedModelInfo>;
  }

  dispose(): void {
    if (this.exited === null) this.child.kill('SIGKILL');
  }

  private call(
    message:
      | { type: 'compare' | 'score'; request: CompareRequest | CorpusRequest }
      | { type: 'generate'; request: GenerateRequest }
      | { type: 'load'; request: LoadRequest },
    onEvent: ((e: CompareEvent) => void) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ResultValue> {
    if (this.exited !== null) return Promise.reject(new RunnerError(this.exited));
    if (signal?.aborted) return Promise.reject(new RunnerError('cancelled', true));
    const id = this.nextId++;
    return new Promise<ResultValue>((resolve, reject) => {
      const cleanup = (): void => signal?.removeEventListener('abort', abort);
      const abort = (): void => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        cleanup();
        this.post({ type: 'cancel', id });
        reject(new RunnerError('cancelled', true));
        // A runner stuck inside one long ORT call cannot see the flag; do not let it hold the machine.
        this.killTimer ??= setTimeout(() => this.dispose(), CANCEL_GRACE_MS);
        this.killTimer.unref();
      };
      this.pending.set(id, {
        resolve: (value) => {
          cleanup();
          resolve(value);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        ...(onEvent ? { onEvent } : {}),
        expects: EXPECTS[message.type],
      });
      signal?.addEventListener('abort', abort, { once: true });
      this.post({ ...message, id } as HostMessage);
    });
  }

  private post(message: HostMessage): void {
    if (this.exited !== null || !this.child.connected) return;
    this.child.send(message, (error) => {
      if (error) this.fail(`the model runner is unreachable: ${error.message}`);
    });
  }

  private receive(raw: unknown): void {
    if (!isRunnerMessage(raw)) return;
    const message: RunnerMessage = raw;
    if (message.type === 'ready') return;
    const pending = this.pending.get(message.id);
    if (message.type === 'error' && message.cancelled && this.killTimer) {
      // The runner stopped on its own: keep it.
      clearTimeout(this.killTimer);
      this.killTimer = null;
    }
    if (!pending) return;
    switch (message.type) {
      case 'progress':
        pending.onEvent?.(message.event);
        break;
      case 'result':
        this.pending.delete(message.id);
        if (pending.expects.guard(message.value)) pending.resolve(message.value);
        else
          pending.reject(
            new RunnerError(
              `the model runner answered with something that is not a ${pending.expects.name} (a mismatched or broken runner build?)`,
            ),
          );
        break;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(new RunnerError(message.message, message.cancelled ?? false));
        break;
    }
  }

  private fail(reason: string): void {
    if (this.exited === null) this.exited = reason;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new RunnerError(reason));
    }
  }
}
