/**
 * Compare panel page. The host owns the state; this page renders what it is sent, keeps a copy in
 * vscode.setState (the serializer hands it back after a reload), and validates every message first.
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
import { promptEditor } from './render/prompts';
import { resultCard } from './render/results';
import { pairHeader, summaryStrip } from './render/summary';

provideVSCodeDesignSystem().register(
  vsCodeBadge(),
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeProgressRing(),
  vsCodeTextArea(),
);

const vscode = acquireVsCodeApi<PanelState>();

function send(message: WebviewToHost): void {
  vscode.postMessage(message);
}

class App {
  private state: PanelState | null;
  private readonly root: HTMLElement;
  private readonly regions = {
    pair: h('div', { id: 'pair-region' }),
    prompts: h('div', { id: 'prompts-region' }),
    run: h('div', { id: 'run-region' }),
    notice: h('div', { id: 'notice-region', role: 'status', 'aria-live': 'polite' }),
    summary: h('div', { id: 'summary-region' }),
    results: h('div', { id: 'results-region' }),
  };

  constructor(root: HTMLElement) {
    this.root = root;
    const saved = vscode.getState();
    this.state = isPanelState(saved) ? saved : null;
    this.root.replaceChildren(...Object.values(this.regions));
    if (this.state) this.renderAll();
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
        this.regions.results.append(this.card(message.result, message.index));
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
    vscode.setState(this.state);
    send({ type: 'rendered', results: this.state.results.length, status: this.state.run.status });
  }

  private card(result: PromptResult, index: number): HTMLElement {
    const pair = this.state?.pair;
    return resultCard(result, index, {
      base: pair?.base.precision ?? 'base',
      quant: pair?.quant.precision ?? 'quantized',
    });
  }

  private renderAll(): void {
    const state = this.state!;
    this.regions.pair.replaceChildren(pairHeader(state.pair));
    const running = state.run.status === 'running';
    this.regions.prompts.replaceChildren(
      promptEditor(state.prompts, state.suites, state.suite, running, {
        loadSuite: (name) => send({ type: 'loadSuite', name }),
        importPrompts: () => send({ type: 'importPrompts' }),
        setPrompts: (prompts: PanelPrompt[]) => {
          this.state = { ...state, prompts, suite: null };
          send({ type: 'setPrompts', prompts });
          this.renderAll();
          this.persist();
        },
      }),
    );
    this.renderRun();
    this.regions.summary.replaceChildren(...(state.summary ? [summaryStrip(state.summary)] : []));
    this.regions.results.replaceChildren(...state.results.map((result, index) => this.card(result, index)));
  }

  private renderRun(): void {
    const { run, pair, prompts, summary } = this.state!;
    const running = run.status === 'running';
    const canRun = !running && pair !== null && pair.blocked === null && prompts.length > 0;
    const runButton = on(
      h('vscode-button', { id: 'run', appearance: 'primary', disabled: !canRun }, running ? 'Running…' : 'Run'),
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
          { appearance: 'secondary', disabled: running || summary === null, 'data-export': format },
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
      );
    }
    this.regions.run.replaceChildren(
      h(
        'section',
        { class: 'run', 'aria-label': 'run' },
        h('div', { class: 'toolbar' }, runButton, cancel, ...exports, ...extra),
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
    line.append(`Finished ${run.done}/${run.total} prompts.`);
  } else if (run.status === 'cancelled') {
    line.append(
      `Cancelled after ${run.done}/${run.total} prompts${run.phase === 'interrupted by reload' ? ' (the window reloaded)' : ''}.`,
    );
  } else if (run.status === 'error') {
    line.append(h('span', { class: 'error', role: 'alert' }, `Run failed: ${run.error ?? 'unknown error'}`));
  }
  return line;
}

const app = new App(document.getElementById('app')!);
window.addEventListener('message', (event: MessageEvent<unknown>) => app.receive(event.data));
send({ type: 'ready' });
