/**
 * The compare WebviewPanels. Several may be open: a new pair opens beside a panel that is running or shows a
 * finished run (which the history has kept anyway), so a result never vanishes under a new comparison. The most
 * recently active panel is the one commands act on. Each is restored after a window reload by the serializer. The
 * controllers hold the state; this file only connects them to their pages.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isPanelState, type HostToWebview, type PanelState } from '../../protocol/webview';
import { log } from '../common/log';
import { CompareController, type ControllerDeps } from './controller';
import { COMPARE_VIEW_TYPE, compareHtml, webviewOptions } from './html';

/** "fp16 ↔ int4-sym-g128": the tab says which pair a panel holds. */
export function panelTitle(state: PanelState): string {
  const pair = state.pair;
  return pair ? `Compare ${basename(pair.base.path)} ↔ ${basename(pair.quant.path)}` : 'Compare Quantized';
}

export class ComparePanels implements vscode.Disposable {
  private readonly panels = new Map<vscode.WebviewPanel, CompareController>();
  private active: vscode.WebviewPanel | undefined;
  private readonly listeners = new Set<(controller: CompareController) => void>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly makeDeps: () => ControllerDeps,
  ) {}

  /** The most recently active panel's controller. */
  get controller(): CompareController | undefined {
    return this.active ? this.panels.get(this.active) : undefined;
  }

  get controllers(): CompareController[] {
    return [...this.panels.values()];
  }

  /** Called with each new controller (the test hook re-subscribes through it). */
  onDidCreateController(listener: (controller: CompareController) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /** Shows the active panel, creating one if none is open, and returns its controller. */
  show(): CompareController {
    const controller = this.controller;
    if (this.active && controller) {
      this.active.reveal(undefined, false);
      return controller;
    }
    return this.create(vscode.ViewColumn.Active);
  }

  /** A new panel (beside the others when asked), whatever is open. */
  create(column: vscode.ViewColumn): CompareController {
    const panel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      'Compare Quantized',
      column,
      webviewOptions(this.extensionUri),
    );
    return this.adopt(panel, undefined);
  }

  /** The serializer's entry: a panel VS Code recreated after a reload, with the state the page saved. */
  restore(panel: vscode.WebviewPanel, saved: unknown): CompareController {
    let state: PanelState | undefined;
    if (saved !== undefined && saved !== null) {
      if (isPanelState(saved)) state = saved;
      else log().warn('compare panel: saved state was malformed and is ignored');
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    return this.adopt(panel, state);
  }

  private adopt(panel: vscode.WebviewPanel, state: PanelState | undefined): CompareController {
    const controller = new CompareController(this.makeDeps(), state);
    this.panels.set(panel, controller);
    this.active = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'quant-drift.svg');
    panel.title = panelTitle(controller.snapshot);
    const post = (message: HostToWebview) => {
      // A hidden page drops messages; it asks for the whole state again when shown.
      if (panel.visible) void panel.webview.postMessage(message);
    };
    controller.attach({ post });
    const stopTitle = controller.onDidChangeState.on((s) => {
      const title = panelTitle(s);
      if (panel.title !== title) panel.title = title;
    });
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => void controller.receive(message)),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (webviewPanel.active) this.active = webviewPanel;
      }),
      panel.onDidDispose(() => {
        controller.dispose();
        stopTitle();
        for (const subscription of subscriptions) subscription.dispose();
        this.panels.delete(panel);
        if (this.active === panel) this.active = [...this.panels.keys()].pop();
      }),
    ];
    panel.webview.html = compareHtml(panel.webview, this.extensionUri);
    for (const listener of this.listeners) listener(controller);
    void controller.init();
    return controller;
  }

  dispose(): void {
    for (const panel of [...this.panels.keys()]) panel.dispose();
  }
}
