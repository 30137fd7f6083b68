/**
 * Compare panel page. The host owns the state; this page renders what it is sent, keeps a copy in
 * vscode.setState (the serializer hands it back after a reload), and validates every message first.
 *
 * Layout, in focus order: the pair and the settings the next run uses; the toolbar (Run is the first Tab stop,
 * Ctrl/Cmd+Enter runs from anywhere); the prompts (suite picker, a collapsible editor); the run history; then the
 * results: summary, the twins of this base, the overview table and the cards it opens.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextArea,
} from '@vscode/webview-ui-toolkit';
import type { PromptResult } from '../src/protocol/report';
import {
  isHostToWebview,
  isPanelState,
  type HostToWebview,
  type PanelPrompt,
  type PanelState,
  type RunView,
  type WebviewToHost,
} from '../src/protocol/webview';
import { h, on } from './render/dom';
import { historyList, twinsTable } from './render/history';
import { overviewTable } from './render/overview';
import { promptEditor } from './render/prompts';
import { resultCard } from './render/results';
import { pairHeader, summaryStrip } from './render/summary';
import { taskSection } from './render/tasks';
import { DEFAULT_VIEW, type TableView } from './render/table-model';

provideVSCodeDesignSystem().register(
  vsCodeBadge(),
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeProgressRing(),
  vsCodeTextArea(),
);

/** What the page itself remembers across reloads (kept beside the host's state in vscode.setState). */
interface PageState extends PanelState {
  readonly ui?: { readonly view?: TableView; readonly openCards?: readonly number[] };
}

const vscode = acquireVsCodeApi<PageState>();

function send(message: WebviewToHost): void {
  vscode.postMessage(message);
}

const isMac = navigator.platform.toUpperCase().includes('MAC');
const RUN_SHORTCUT = isMac ? '⌘+Enter' : 'Ctrl+Enter';

/** Up to this many results, cards start expanded; more start collapsed, opened from the overview table. */
const OPEN_CARDS_UP_TO = 3;

class App {
  private state: PanelState | null;
  private view: TableView = DEFAULT_VIEW;
  private readonly openCards = new Set<number>();
  private readonly root: HTMLElement;
  private readonly regions = {
    pair: h('div', { id: 'pair-region' }),
    run: h('div', { id: 'run-region' }),
    prompts: h('div', { id: 'prompts-region' }),
    history: h('div', { id: 'history-region' }),
    notice: h('div', { id: 'notice-region', role: 'status', 'aria-live': 'polite' }),
    summary: h('div', { id: 'summary-region' }),
    twins: h('div', { id: 'twins-region' }),
    overview: h('div', { id: 'overview-region' }),
    results: h('div', { id: 'results-region' }),
  };

  constructor(root: HTMLElement) {
    this.root = root;
    const saved = vscode.getState();
    this.state = isPanelState(saved) ? saved : null;
    if (saved?.ui?.view) this.view = { ...DEFAULT_VIEW, ...saved.ui.view };
    for (const index of saved?.ui?.openCards ?? []) if (Number.isInteger(index)) this.openCards.add(index);
    this.root.replaceChildren(...Object.values(this.regions));
    if (this.state) this.renderAll();
    on(document.body, 'keydown', (event) => this.onKey(event as KeyboardEvent));
  }

  receive(data: unknown): void {
    if (!isHostToWebview(data)) {
      // Never executed, only logged: the page's console is in the webview developer tools.
      console.warn('quant-drift compare: dropped a malformed message from the host');
      return;
    }
    this.apply(data);
  }

  private apply(message: HostToWebview): void {
    switch (message.type) {
      case 'state':
        // Another run (or a new one) starts with its cards as the rule says; the same run keeps what was opened.
        if (this.state?.runId !== message.state.runId || message.state.results.length === 0) this.openCards.clear();
        this.state = message.state;
        this.renderAll();
        break;
      case 'progress':
        if (!this.state) return;
        this.state = { ...this.state, run: message.run };
        this.renderRun();
        break;
      case 'promptResult': {
        if (!this.state) return;
        const results = [...this.state.results];
        results[message.index] = message.result;
        this.state = { ...this.state, results };
        this.regions.results.append(this.card(message.result, message.index, results.length));
        this.renderOverview();
        break;
      }
      case 'notice':
        this.regions.notice.replaceChildren(h('div', { class: `notice ${message.level}` }, message.text));
        return;
    }
    this.persist();
  }

  private persist(): void {
    if (!this.state) return;
    const page: PageState = { ...this.state, ui: { view: this.view, openCards: [...this.openCards] } };
    vscode.setState(page);
    send({ type: 'rendered', results: this.state.results.length, status: this.state.run.status });
  }

  private canRun(): boolean {
    const { run, pair, prompts } = this.state!;
    return run.status !== 'running' && pair !== null && pair.blocked === null && prompts.length > 0;
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && this.state && this.canRun()) {
      event.preventDefault();
      send({ type: 'run' });
    }
  }

  private card(result: PromptResult, index: number, total: number): HTMLElement {
    const pair = this.state?.pair;
    const open = this.openCards.has(index) || total <= OPEN_CARDS_UP_TO;
    const card = resultCard(
      result,
      index,
      { base: pair?.base.precision ?? 'base', quant: pair?.quant.precision ?? 'quantized' },
      open,
    );
    on(card, 'toggle', () => {
      if ((card as HTMLDetailsElement).open) this.openCards.add(index);
      else this.openCards.delete(index);
      this.persist();
    });
    return card;
  }

  /** Expands a card and brings it into view (from the overview table). */
  private openCard(index: number): void {
    this.openCards.add(index);
    const card = this.regions.results.querySelector<HTMLDetailsElement>(`details.result[data-index="${index}"]`);
    if (!card) return;
    card.open = true;
    card.scrollIntoView({ block: 'start' });
    card.querySelector<HTMLElement>('summary')?.focus();
    this.persist();
  }

  private setView(view: TableView): void {
    this.view = view;
    this.renderOverview();
    this.renderResults();
    this.persist();
  }

  /** Re-renders everything without moving the page: a cancel or a saved run must not jump to the top. */
  private renderAll(): void {
    const scroller = document.scrollingElement ?? document.documentElement;
    const top = scroller.scrollTop;
    const focusedId = document.activeElement?.id;
    const state = this.state!;
    this.regions.pair.replaceChildren(pairHeader(state.pair));
    this.renderRun();
    const running = state.run.status === 'running';
    this.regions.prompts.replaceChildren(
      promptEditor(
        state.prompts,
        state.suites,
        state.suite,
        running,
        {
          loadSuite: (name) => send({ type: 'loadSuite', name }),
          importPrompts: () => send({ type: 'importPrompts' }),
          setPrompts: (prompts: PanelPrompt[]) => {
            this.state = { ...state, prompts, suite: null };
            send({ type: 'setPrompts', prompts });
            this.renderAll();
            this.persist();
          },
        },
        state.results.length === 0 && !running,
      ),
    );
    this.regions.history.replaceChildren(
      historyList(state.history ?? [], state.runId ?? null, { open: (id) => send({ type: 'openRun', id }) }),
    );
    this.regions.summary.replaceChildren(
      ...(state.summary && !running
        ? [
            summaryStrip(state.summary, state.settings, this.canRun(), {
              rerun: (jsonMaxNewTokens) => send({ type: 'rerun', jsonMaxNewTokens }),
            }),
            ...taskSection(state.tasks, state.results),
          ]
        : []),
    );
    const twins =
      state.pair && !running
        ? twinsTable(state.history ?? [], state.pair.base.path, state.suite, state.runId ?? null, {
            open: (id) => send({ type: 'openRun', id }),
          })
        : null;
    this.regions.twins.replaceChildren(...(twins ? [twins] : []));
    this.renderOverview();
    this.renderResults();
    scroller.scrollTop = top;
    if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
  }

  private renderOverview(): void {
    const { results } = this.state!;
    this.regions.overview.replaceChildren(
      ...(results.length > 1
        ? [overviewTable(results, this.view, { setView: (v) => this.setView(v), open: (i) => this.openCard(i) })]
        : []),
    );
  }

  /** The cards, in the table's order and under its filters. */
  private renderResults(): void {
    const { results } = this.state!;
    const order = this.regions.overview.querySelectorAll<HTMLElement>('tbody tr[data-index]');
    const indices = results.length > 1 ? [...order].map((row) => Number(row.dataset.index)) : results.map((_, i) => i);
    this.regions.results.replaceChildren(
      ...indices.filter((i) => results[i]).map((i) => this.card(results[i], i, results.length)),
    );
  }

  private renderRun(): void {
    const { run, pair, summary } = this.state!;
    const running = run.status === 'running';
    const runButton = on(
      h(
        'vscode-button',
        {
          id: 'run',
          appearance: 'primary',
          disabled: !this.canRun(),
          title: `Run both models on the prompts (${RUN_SHORTCUT})`,
        },
        running ? 'Running…' : 'Run',
      ),
      'click',
      () => send({ type: 'run' }),
    );
    const cancel = on(
      h('vscode-button', { id: 'cancel', appearance: 'secondary', disabled: !running }, 'Cancel'),
      'click',
      () => send({ type: 'cancel' }),
    );
    const exports = (['json', 'md', 'html'] as const).map((format) =>
      on(
        h(
          'vscode-button',
          {
            appearance: 'secondary',
            disabled: running || summary === null,
            'data-export': format,
            title: summary?.partial ? 'Save the partial report (the prompts finished before the cancel)' : undefined,
          },
          `Save .${format}`,
        ),
        'click',
        () => send({ type: 'export', format }),
      ),
    );
    const extra = [];
    if (pair) {
      extra.push(
        on(h('vscode-button', { appearance: 'secondary', disabled: running }, 'Change INT4 Side…'), 'click', () =>
          send({ type: 'pickFolder', side: 'quant' }),
        ),
        on(
          h(
            'vscode-button',
            {
              id: 'make-twin',
              appearance: 'secondary',
              disabled: running,
              title:
                'Quantize the base with the built-in INT4 quantizer; the twin opens in a new panel beside this one',
            },
            'Make INT4 Twin…',
          ),
          'click',
          () => send({ type: 'makeTwin' }),
        ),
      );
    }
    this.regions.run.replaceChildren(
      h(
        'section',
        { class: 'run', 'aria-label': 'run' },
        h(
          'div',
          { class: 'toolbar' },
          runButton,
          cancel,
          ...exports,
          ...extra,
          h('span', { class: 'muted kbd' }, `${RUN_SHORTCUT} runs`),
        ),
        progressLine(run),
      ),
    );
  }
}

function progressLine(run: RunView): HTMLElement {
  const line = h('div', { class: `progress ${run.status}`, id: 'progress' });
  if (run.status === 'running') {
    line.append(h('vscode-progress-ring', { 'aria-hidden': 'true' }));
    const bar = h('progress', { max: Math.max(run.total, 1), value: run.done, 'aria-label': 'prompts finished' });
    line.append(bar, `${run.done}/${run.total} prompts · ${run.phase}`);
  } else if (run.status === 'done') {
    line.append(`Finished ${run.done}/${run.total} prompts (saved to the run history).`);
  } else if (run.status === 'cancelled') {
    line.append(
      `Cancelled after ${run.done}/${run.total} prompts${run.phase === 'interrupted by reload' ? ' (the window reloaded)' : ''}${run.done > 0 ? '; the partial result is saved and can be exported' : ''}.`,
    );
  } else if (run.status === 'error') {
    line.append(h('span', { class: 'error', role: 'alert' }, `Run failed: ${run.error ?? 'unknown error'}`));
  }
  return line;
}

const app = new App(document.getElementById('app')!);
window.addEventListener('message', (event: MessageEvent<unknown>) => app.receive(event.data));
send({ type: 'ready' });
