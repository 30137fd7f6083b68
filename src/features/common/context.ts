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

  /** Registers disposables for the extension's lifetime and returns the first, for chaining. */
  own<T extends vscode.Disposable>(disposable: T, ...more: vscode.Disposable[]): T {
    this.context.subscriptions.push(disposable, ...more);
    return disposable;
  }
}
