import * as vscode from 'vscode';

/**
 * The one owner of the extension's disposables. Features register through it so nothing leaks,
 * and they get the extension's folder for assets (media/, docs/rules/, prompt suites).
 */
export class ExtensionContextHolder {
  constructor(readonly context: vscode.ExtensionContext) {}

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /**
   * Running under the test harness (`--extensionTestsPath`, as test/integration/run.ts starts VS Code): only
   * then are the `_test` hooks registered, so a production install has no command that exposes or drives
   * internal state.
   */
  get underTest(): boolean {
    return this.context.extensionMode === vscode.ExtensionMode.Test;
  }

  /** Registers disposables for the extension's lifetime and returns the first, for chaining. */
  own<T extends vscode.Disposable>(disposable: T, ...more: vscode.Disposable[]): T {
    this.context.subscriptions.push(disposable, ...more);
    return disposable;
  }
}
