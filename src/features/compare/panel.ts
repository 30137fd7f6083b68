/**
 * The compare WebviewPanel: one at a time, restored after a window reload by its serializer. The
 * controller holds the state; this file only connects it to the page and to VS Code's dialogs.
 */
import * as vscode from 'vscode';
import { isPanelState, type HostToWebview, type PanelState } from '../../protocol/webview';
import { log } from '../common/log';
import { CompareController, type ControllerDeps } from './controller';
import { COMPARE_VIEW_TYPE, compareHtml, webviewOptions } from './html';

export class ComparePanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private controllerValue: CompareController | undefined;
  private readonly listeners = new Set<(controller: CompareController) => void>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly makeDeps: () => ControllerDeps,
  ) {}

  get controller(): CompareController | undefined {
    return this.controllerValue;
  }

  /** Called with each new controller (the test hook re-subscribes through it). */
  onDidCreateController(listener: (controller: CompareController) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /** Shows the panel, creating it if needed, and returns its controller. */
  show(): CompareController {
    if (this.panel && this.controllerValue) {
      this.panel.reveal(undefined, false);
      return this.controllerValue;
    }
    const panel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      'Compare Quantized',
      vscode.ViewColumn.Active,
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
    this.panel?.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    return this.adopt(panel, state);
  }

  private adopt(panel: vscode.WebviewPanel, state: PanelState | undefined): CompareController {
    const controller = new CompareController(this.makeDeps(), state);
    this.panel = panel;
    this.controllerValue = controller;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'quant-drift.svg');
    const post = (message: HostToWebview) => {
      // A hidden page drops messages; it asks for the whole state again when shown.
      if (panel.visible) void panel.webview.postMessage(message);
    };
    controller.attach({ post });
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => void controller.receive(message)),
      panel.onDidDispose(() => {
        controller.dispose();
        for (const subscription of subscriptions) subscription.dispose();
        if (this.panel === panel) {
          this.panel = undefined;
          this.controllerValue = undefined;
        }
      }),
    ];
    panel.webview.html = compareHtml(panel.webview, this.extensionUri);
    for (const listener of this.listeners) listener(controller);
    void controller.init();
    return controller;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
