/**
 * The compare panel's state and its run, independent of the webview: the host holds the state, so a run
 * keeps going while the panel is hidden (VS Code destroys a hidden webview's page), and the page gets the
 * whole state again when it says it is ready. No `vscode` import: dialogs and the runner come in as deps,
 * which keeps this testable and the glue thin.
 */
import { partialSummary } from '../../core/drift/summary';
import type { CompareReport, CompareSettings, DriftThresholds, PromptResult } from '../../protocol/report';
import {
  EMPTY_RUN,
  describeRejected,
  isWebviewToHost,
  type ExportFormat,
  type HistoryEntry,
  type HostToWebview,
  type PairView,
  type PanelPrompt,
  type PanelState,
  type RunView,
  type SavedRun,
  type SuiteOption,
  type WebviewToHost,
} from '../../protocol/webview';
import type { RunHistory } from './history';

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
  /** The limits the header showed when Run was pressed. */
  readonly maxNewTokens: number;
  readonly jsonMaxNewTokens: number;
}

/** The settings in force for the next run, read when the page asks, before a run and when they change. */
export interface RunSettings {
  readonly executionProvider: string;
  readonly threads: number;
  readonly maxNewTokens: number;
  readonly jsonMaxNewTokens: number;
  readonly thresholds: DriftThresholds;
}

export interface SuiteCatalog {
  /** Workspace prompt files first, then the shipped suites. */
  readonly suites: SuiteOption[];
  /** The prompt file nearest the base model, preselected for a new pair; null when there is none. */
  readonly preferred: string | null;
}

/** Runs a pair; the runner adapter implements it over the drift engine's RunnerClient. */
export type RunPair = (
  request: CompareRunRequest,
  onEvent: (event: CompareEventLike) => void,
  signal: AbortSignal,
) => Promise<CompareReport>;

export interface ControllerDeps {
  readonly runPair: RunPair;
  readonly listSuites: (basePath: string | null) => Promise<SuiteCatalog>;
  readonly loadSuite: (id: string) => Promise<PanelPrompt[]>;
  readonly settings: () => RunSettings;
  readonly history: RunHistory;
  /** Opens a saved run in a new panel (this one is busy running). */
  readonly openRunElsewhere: (id: string) => Promise<void>;
  /** A run was saved to the history (the other panels list it too). */
  readonly onSaved?: () => void;
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
    history: [],
    runId: null,
  };
}

/** The header's settings line follows the settings (and this panel's raised JSON limit, if any). */
export function withSettings(pair: PairView, settings: RunSettings, raisedJsonLimit: number | null): PairView {
  return {
    ...pair,
    executionProvider: settings.executionProvider,
    threads: settings.threads,
    maxNewTokens: settings.maxNewTokens,
    jsonMaxNewTokens: raisedJsonLimit ?? settings.jsonMaxNewTokens,
    jsonLimitRaised: raisedJsonLimit !== null,
  };
}

/** A history entry for a report. */
function entryOf(report: CompareReport, status: HistoryEntry['status'], total: number, suite: string | null) {
  return {
    savedAt: new Date().toISOString(),
    status,
    basePath: report.base.path,
    quantPath: report.quant.path,
    basePrecision: report.base.weights,
    quantPrecision: report.quant.weights,
    done: report.prompts.length,
    total,
    suite,
    summary: report.summary,
    settings: report.settings,
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
  /** Counts suite listings, so only the latest one applies. */
  private suiteListing = 0;
  /** This panel's JSON limit after "rerun with a higher limit"; null: the setting. */
  private raisedJsonLimit: number | null = null;
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

  /** True when the panel shows a run's results (finished, cancelled or failed part-way). */
  get hasResults(): boolean {
    return this.state.results.length > 0 && this.state.run.status !== 'running';
  }

  setPair(pair: PairView): void {
    if (this.running) throw new Error('A run is in progress; cancel it before choosing another pair.');
    const samePair = this.state.pair?.base.path === pair.base.path && this.state.pair?.quant.path === pair.quant.path;
    const current = withSettings(pair, this.deps.settings(), this.raisedJsonLimit);
    this.update(
      samePair
        ? { pair: current }
        : { pair: current, run: EMPTY_RUN, results: [], summary: null, settings: null, tasks: null, runId: null },
    );
    this.postState();
    if (!samePair) void this.offerSuites();
  }

  async init(): Promise<void> {
    await this.offerSuites();
    await this.refreshHistory();
  }

  /**
   * Lists the prompt files for this pair. The one nearest the base model is loaded when the panel has no prompts
   * or still shows a shipped suite (never over the user's own prompts); else `quick` fills an empty panel. Only the
   * latest listing applies: the panel's first listing and a pair chosen meanwhile may finish in either order.
   */
  private async offerSuites(): Promise<void> {
    const listing = ++this.suiteListing;
    try {
      const { suites, preferred } = await this.deps.listSuites(this.state.pair?.base.path ?? null);
      if (listing !== this.suiteListing) return;
      const empty = this.state.prompts.length === 0;
      const shown = suites.find((s) => s.id === this.state.suite);
      const fallback = suites.some((s) => s.id === 'quick') ? 'quick' : (suites[0]?.id ?? null);
      const pick = preferred !== null && (empty || shown?.source === 'builtin') ? preferred : empty ? fallback : null;
      let { prompts, suite } = this.state;
      if (pick !== null && pick !== suite) {
        prompts = await this.deps.loadSuite(pick);
        if (listing !== this.suiteListing) return;
        suite = pick;
      }
      this.update({ suites, prompts, suite });
    } catch (error) {
      this.deps.log.error('could not load the prompt suites', error);
      this.notice('error', `Could not load the prompt suites: ${message(error)}`);
    }
    this.postState();
  }

  /** Reads the history list again (another panel saved a run). */
  reloadHistory(): Promise<void> {
    return this.refreshHistory();
  }

  private async refreshHistory(): Promise<void> {
    try {
      this.update({ history: await this.deps.history.list() });
    } catch (error) {
      this.deps.log.error('could not read the run history', error);
    }
    this.postState();
  }

  /** The settings changed: the header shows the ones the next run will use. */
  refreshSettings(): void {
    if (!this.state.pair) return;
    this.update({ pair: withSettings(this.state.pair, this.deps.settings(), this.raisedJsonLimit) });
    this.postState();
  }

  /** Shows a saved run: its pair (with today's settings), prompts and results, as it was when it ended. */
  showSaved(saved: SavedRun): void {
    if (this.running) throw new Error('A run is in progress; cancel it before opening another.');
    const { entry, report } = saved;
    this.update({
      // Today's settings and today's trust, whatever the run was saved with.
      pair: withTrust(withSettings(saved.pair, this.deps.settings(), this.raisedJsonLimit), this.deps.isTrusted()),
      prompts: saved.prompts,
      suite: entry.suite,
      results: report.prompts,
      summary: report.summary,
      settings: report.settings,
      tasks: report.tasks ?? null,
      runId: entry.id,
      run: {
        status: entry.status,
        done: entry.done,
        total: entry.total,
        phase: entry.status === 'done' ? 'finished' : entry.status === 'cancelled' ? 'cancelled' : 'failed',
        error: entry.status === 'error' ? 'the run failed part-way; these are the prompts it finished' : null,
      },
    });
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
        this.refreshSettings();
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
      case 'openRun':
        await this.openRun(msg.id);
        return;
      case 'rerun':
        this.raisedJsonLimit = msg.jsonMaxNewTokens;
        this.refreshSettings();
        this.startRun();
        return;
    }
  }

  private async openRun(id: string): Promise<void> {
    if (this.running) return this.deps.openRunElsewhere(id);
    const saved = await this.deps.history.load(id);
    if (!saved) {
      this.notice('error', 'That run can no longer be read from the history (its file is missing or damaged).');
      await this.refreshHistory();
      return;
    }
    this.showSaved(saved);
  }

  /** The report of the run shown (partial when it was cancelled), rebuilt from the state (which survives reloads). */
  report(): CompareReport | null {
    const { pair, results, summary, settings } = this.state;
    if (!pair || !summary || !settings || this.state.run.status === 'running') return null;
    return {
      base: { path: pair.base.path, weights: pair.base.precision },
      quant: { path: pair.quant.path, weights: pair.quant.precision },
      settings,
      prompts: results,
      summary,
      ...(this.state.tasks ? { tasks: this.state.tasks } : {}),
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
    const settings = this.deps.settings();
    const current = withSettings(pair, settings, this.raisedJsonLimit);
    this.update({ pair: current, results: [], summary: null, settings: null, tasks: null, runId: null });
    this.setRun({ status: 'running', done: 0, total: prompts.length, phase: 'starting the runner', error: null });
    this.postState();
    this.finished = this.execute(current, prompts, settings, abort);
  }

  cancel(): void {
    if (!this.running) return;
    this.running.abort();
    this.setRun({ ...this.state.run, phase: 'cancelling' });
  }

  private async execute(
    pair: PairView,
    prompts: readonly PanelPrompt[],
    settings: RunSettings,
    abort: AbortController,
  ): Promise<void> {
    const results: PromptResult[] = [];
    const limits = {
      maxNewTokens: settings.maxNewTokens,
      jsonMaxNewTokens: pair.jsonMaxNewTokens ?? settings.jsonMaxNewTokens,
    };
    let report: CompareReport | null = null;
    let status: HistoryEntry['status'];
    try {
      report = await this.deps.runPair(
        { basePath: pair.base.path, quantPath: pair.quant.path, prompts, ...limits },
        (event) => this.onRunEvent(event, results, abort),
        abort.signal,
      );
      if (abort.signal.aborted) throw new Error('cancelled');
      status = 'done';
      this.update({
        results: report.prompts,
        summary: report.summary,
        settings: report.settings,
        tasks: report.tasks ?? null,
      });
      this.setRun(
        { status: 'done', done: report.prompts.length, total: prompts.length, phase: 'finished', error: null },
        false,
      );
    } catch (error) {
      const cancelled = abort.signal.aborted;
      if (!cancelled) this.deps.log.error('compare run failed', error);
      status = cancelled ? 'cancelled' : 'error';
      // The prompts that finished still measure something: a partial summary makes them a report to keep and export.
      report = results.length > 0 ? this.partialReport(pair, results, settings, limits) : null;
      this.update({ results, summary: report?.summary ?? null, settings: report?.settings ?? null, tasks: null });
      this.setRun(
        {
          status,
          done: results.length,
          total: prompts.length,
          phase: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? null : message(error),
        },
        false,
      );
    } finally {
      this.running = null;
    }
    if (report) await this.keep(report, status, pair, prompts);
    this.postState();
  }

  private partialReport(
    pair: PairView,
    results: readonly PromptResult[],
    settings: RunSettings,
    limits: { maxNewTokens: number; jsonMaxNewTokens: number },
  ): CompareReport {
    const runSettings: CompareSettings = {
      ...limits,
      executionProvider: settings.executionProvider,
      accuracyLevel: pair.accuracyLevel,
      threads: settings.threads,
      thresholds: settings.thresholds,
    };
    return {
      base: { path: pair.base.path, weights: pair.base.precision },
      quant: { path: pair.quant.path, weights: pair.quant.precision },
      settings: runSettings,
      prompts: results,
      summary: partialSummary(results, settings.thresholds),
    };
  }

  /** Saves the run to the history; a failure to save is logged and said, never loses the run on screen. */
  private async keep(
    report: CompareReport,
    status: HistoryEntry['status'],
    pair: PairView,
    prompts: readonly PanelPrompt[],
  ): Promise<void> {
    try {
      const entry = await this.deps.history.save({
        entry: entryOf(report, status, prompts.length, this.state.suite),
        pair,
        prompts,
        report,
      });
      this.update({ runId: entry.id, history: await this.deps.history.list() });
      this.deps.onSaved?.();
    } catch (error) {
      this.deps.log.error('could not save the run to the history', error);
      this.notice('error', `The run could not be saved to the history: ${message(error)}`);
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
