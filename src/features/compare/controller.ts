/**
 * The compare panel's state and its run, independent of the webview: the host holds the state, so a run
 * keeps going while the panel is hidden (VS Code destroys a hidden webview's page), and the page gets the
 * whole state again when it says it is ready. No `vscode` import: dialogs and the runner come in as deps,
 * which keeps this testable and the glue thin.
 */
import type { CompareReport, PromptResult } from '../../protocol/report';
import {
  EMPTY_RUN,
  describeRejected,
  isWebviewToHost,
  type ExportFormat,
  type HostToWebview,
  type PairView,
  type PanelPrompt,
  type PanelState,
  type RunView,
  type WebviewToHost,
} from '../../protocol/webview';

export interface CompareEventLike {
  readonly type: string;
  readonly promptIndex?: number;
  readonly total?: number;
  readonly phase?: string;
  readonly result?: PromptResult;
}

export interface CompareRunRequest {
  readonly basePath: string;
  readonly quantPath: string;
  readonly prompts: readonly PanelPrompt[];
}

/** Runs a pair; the runner adapter implements it over the drift engine's RunnerClient. */
export type RunPair = (
  request: CompareRunRequest,
  onEvent: (event: CompareEventLike) => void,
  signal: AbortSignal,
) => Promise<CompareReport>;

export interface ControllerDeps {
  readonly runPair: RunPair;
  readonly listSuites: () => Promise<string[]>;
  readonly loadSuite: (name: string) => Promise<PanelPrompt[]>;
  /** Asks for a JSONL file and parses it; null when the user cancels. Throws with a readable message. */
  readonly importPrompts: () => Promise<PanelPrompt[] | null>;
  readonly exportReport: (report: CompareReport, format: ExportFormat) => Promise<void>;
  readonly pickFolder: (side: 'base' | 'quant') => Promise<void>;
  readonly makeTwin: () => Promise<void>;
  /** workspace.isTrusted, asked when a run starts: a restored or long-open panel may hold an older answer. */
  readonly isTrusted: () => boolean;
  readonly log: { warn(message: string): void; error(message: string, error?: unknown): void };
}

export interface PanelView {
  post(message: HostToWebview): void;
}

type Listener<T> = (value: T) => void;

/** Minimal emitter (no vscode import); the test hook subscribes through it. */
export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}

export function emptyPanelState(): PanelState {
  return {
    pair: null,
    prompts: [],
    suites: [],
    suite: null,
    run: EMPTY_RUN,
    results: [],
    summary: null,
    settings: null,
  };
}

/** The pair's blocked reason when the workspace is not trusted (sides.ts puts it in fresh pairs too). */
export const UNTRUSTED_PAIR_MESSAGE =
  'This workspace is not trusted. Running a model loads its files into ONNX Runtime and executes its tokenizer chat template; trust the workspace (Workspaces: Manage Workspace Trust) to run it.';

/** A pair as it may be shown now: blocked when untrusted, whatever state it was saved with. */
function withTrust(pair: PairView | null, trusted: boolean): PairView | null {
  return pair && !trusted ? { ...pair, blocked: UNTRUSTED_PAIR_MESSAGE } : pair;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CompareController {
  private state: PanelState;
  private view: PanelView | null = null;
  private running: AbortController | null = null;
  private finished: Promise<void> = Promise.resolve();
  /** Every message sent toward the page (delivered or not), for the test hook. */
  readonly onDidPost = new Emitter<HostToWebview>();
  /** Every valid message from the page. */
  readonly onDidReceive = new Emitter<WebviewToHost>();
  readonly onDidReject = new Emitter<string>();
  readonly onDidChangeState = new Emitter<PanelState>();

  constructor(
    private readonly deps: ControllerDeps,
    initial: PanelState = emptyPanelState(),
  ) {
    // A restored state never says "running": that run died with the window. Nor is its pair trusted because
    // it was when the state was saved (the serializer restores it in whatever workspace is open now).
    const run =
      initial.run.status === 'running'
        ? { ...initial.run, status: 'cancelled' as const, phase: 'interrupted by reload' }
        : initial.run;
    this.state = { ...initial, run, pair: withTrust(initial.pair, deps.isTrusted()) };
  }

  get snapshot(): PanelState {
    return this.state;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** Resolves when the current run (if any) has settled. */
  whenIdle(): Promise<void> {
    return this.finished;
  }

  attach(view: PanelView): void {
    this.view = view;
  }

  detach(): void {
    this.view = null;
  }

  dispose(): void {
    this.running?.abort();
    this.view = null;
  }

  setPair(pair: PairView): void {
    if (this.running) throw new Error('A run is in progress; cancel it before choosing another pair.');
    const samePair = this.state.pair?.base.path === pair.base.path && this.state.pair?.quant.path === pair.quant.path;
    this.update(samePair ? { pair } : { pair, run: EMPTY_RUN, results: [], summary: null, settings: null });
    this.postState();
  }

  async init(): Promise<void> {
    try {
      const suites = await this.deps.listSuites();
      let { prompts, suite } = this.state;
      if (prompts.length === 0 && suites.length > 0) {
        suite = suites.includes('quick') ? 'quick' : suites[0];
        prompts = await this.deps.loadSuite(suite);
      }
      this.update({ suites, prompts, suite });
    } catch (error) {
      this.deps.log.error('could not load the prompt suites', error);
      this.notice('error', `Could not load the prompt suites: ${message(error)}`);
    }
    this.postState();
  }

  /** Entry point for anything the page sends: validated first, dropped and logged if malformed. */
  async receive(raw: unknown): Promise<void> {
    if (!isWebviewToHost(raw)) {
      const what = describeRejected(raw);
      this.deps.log.warn(`compare panel: dropped ${what}`);
      this.onDidReject.fire(what);
      return;
    }
    this.onDidReceive.fire(raw);
    try {
      await this.handle(raw);
    } catch (error) {
      this.deps.log.error(`compare panel: "${raw.type}" failed`, error);
      this.notice('error', message(error));
    }
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.postState();
        return;
      case 'rendered':
        return;
      case 'setPrompts':
        this.update({ prompts: msg.prompts, suite: null });
        return;
      case 'loadSuite':
        this.update({ prompts: await this.deps.loadSuite(msg.name), suite: msg.name });
        this.postState();
        return;
      case 'importPrompts': {
        const prompts = await this.deps.importPrompts();
        if (prompts) {
          this.update({ prompts, suite: null });
          this.postState();
        }
        return;
      }
      case 'run':
        this.startRun();
        return;
      case 'cancel':
        this.cancel();
        return;
      case 'export': {
        const report = this.report();
        if (!report) {
          this.notice('info', 'Run the comparison first; there is no report to save yet.');
          return;
        }
        await this.deps.exportReport(report, msg.format);
        return;
      }
      case 'pickFolder':
        await this.deps.pickFolder(msg.side);
        return;
      case 'makeTwin':
        await this.deps.makeTwin();
        return;
    }
  }

  /** The full report of the last finished run, rebuilt from the state (which survives reloads). */
  report(): CompareReport | null {
    const { pair, results, summary, settings } = this.state;
    if (!pair || !summary || !settings) return null;
    return {
      base: { path: pair.base.path, weights: pair.base.precision },
      quant: { path: pair.quant.path, weights: pair.quant.precision },
      settings,
      prompts: results,
      summary,
    };
  }

  startRun(): void {
    const { pair, prompts } = this.state;
    if (this.running) return this.notice('info', 'A run is already in progress.');
    if (!pair) return this.notice('error', 'Choose a pair of models first.');
    if (!this.deps.isTrusted()) {
      this.update({ pair: withTrust(pair, false) });
      this.postState();
      return this.notice('error', UNTRUSTED_PAIR_MESSAGE);
    }
    if (pair.blocked) return this.notice('error', pair.blocked);
    if (prompts.length === 0) return this.notice('error', 'Add at least one prompt.');
    const abort = new AbortController();
    this.running = abort;
    this.update({ results: [], summary: null, settings: null });
    this.setRun({ status: 'running', done: 0, total: prompts.length, phase: 'starting the runner', error: null });
    this.postState();
    this.finished = this.execute(pair, prompts, abort);
  }

  cancel(): void {
    if (!this.running) return;
    this.running.abort();
    this.setRun({ ...this.state.run, phase: 'cancelling' });
  }

  private async execute(pair: PairView, prompts: readonly PanelPrompt[], abort: AbortController): Promise<void> {
    const results: PromptResult[] = [];
    try {
      const report = await this.deps.runPair(
        { basePath: pair.base.path, quantPath: pair.quant.path, prompts },
        (event) => this.onRunEvent(event, results, abort),
        abort.signal,
      );
      if (abort.signal.aborted) throw new Error('cancelled');
      this.update({ results: report.prompts, summary: report.summary, settings: report.settings });
      this.setRun(
        { status: 'done', done: report.prompts.length, total: prompts.length, phase: 'finished', error: null },
        false,
      );
    } catch (error) {
      const cancelled = abort.signal.aborted;
      if (!cancelled) this.deps.log.error('compare run failed', error);
      this.update({ results });
      this.setRun(
        {
          status: cancelled ? 'cancelled' : 'error',
          done: results.length,
          total: prompts.length,
          phase: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? null : message(error),
        },
        false,
      );
    } finally {
      this.running = null;
      this.postState();
    }
  }

  private onRunEvent(event: CompareEventLike, results: PromptResult[], abort: AbortController): void {
    if (abort.signal.aborted) return;
    if (event.type === 'prompt-result' && event.result) {
      results.push(event.result);
      this.update({ results: [...results] });
      this.post({ type: 'promptResult', index: results.length - 1, result: event.result });
      this.setRun({ ...this.state.run, done: results.length });
    } else if (event.type === 'progress') {
      const index = typeof event.promptIndex === 'number' ? event.promptIndex : results.length;
      const total = typeof event.total === 'number' ? event.total : this.state.run.total;
      const phase = `${event.phase ?? 'running'} (prompt ${Math.min(index + 1, total)} of ${total})`;
      this.setRun({ ...this.state.run, total, phase });
    }
  }

  private setRun(run: RunView, post = true): void {
    this.update({ run });
    if (post) this.post({ type: 'progress', run });
  }

  private update(patch: Partial<PanelState>): void {
    this.state = { ...this.state, ...patch };
    this.onDidChangeState.fire(this.state);
  }

  private notice(level: 'info' | 'error', text: string): void {
    this.post({ type: 'notice', level, text });
  }

  postState(): void {
    this.post({ type: 'state', state: this.state });
  }

  private post(msg: HostToWebview): void {
    this.onDidPost.fire(msg);
    this.view?.post(msg);
  }
}
