/**
 * Lints open documents into the Problems panel: on open, debounced on change, again when a setting that
 * changes the outcome changes, cleared on close. Results are cached per document version so code actions,
 * hovers and the status bar reuse the lint that produced the squiggles instead of parsing again.
 */
import * as vscode from 'vscode';
import { lintText, type LintResult } from '../../core/recipe';
import { Setting, get, targetDevice } from '../common/config';
import { log } from '../common/log';
import { lintDiagnostics, skippedDiagnostic } from './convert';
import { isRecipeLanguage, isRelevant } from './scope';

const DEBOUNCE_MS = 250;
const BYTES_PER_MB = 1024 * 1024;

/** Settings whose change alters what a lint reports. */
const LINT_SETTINGS = [Setting.TargetDevice, Setting.LintEnable, Setting.LintMaxFileSizeMB];

interface CachedLint {
  readonly version: number;
  readonly result: LintResult;
}

export class RecipeLinter implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('quant-drift');
  private readonly cache = new Map<string, CachedLint>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires after a document was linted (the status bar shows the effective target). */
  readonly onDidLint = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      this.diagnostics,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((document) => this.lintNow(document)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.schedule(event.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (LINT_SETTINGS.some((setting) => event.affectsConfiguration(setting))) this.lintAllOpen();
      }),
    );
    // Documents already open when the extension activated (the one that triggered onLanguage:, restored tabs).
    this.lintAllOpen();
  }

  lintAllOpen(): void {
    for (const document of vscode.workspace.textDocuments) this.lintNow(document);
  }

  /**
   * The lint of the document's current version, from the cache or fresh. Never throws: a failure is logged
   * and reported as undefined, so no provider passes an exception to VS Code.
   */
  resultFor(document: vscode.TextDocument): LintResult | undefined {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.result;
    return this.run(document);
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isRecipeLanguage(document.languageId) && !this.cache.has(document.uri.toString())) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.lintNow(document);
      }, DEBOUNCE_MS),
    );
  }

  private lintNow(document: vscode.TextDocument): void {
    if (document.isClosed) return;
    this.run(document);
  }

  /** Lints one document, publishes its diagnostics and caches the result. */
  private run(document: vscode.TextDocument): LintResult | undefined {
    const uri = document.uri;
    const key = uri.toString();
    try {
      if (!get(Setting.LintEnable, true, uri) || !this.inScope(document)) {
        this.forget(uri);
        return undefined;
      }
      const limitMB = get(Setting.LintMaxFileSizeMB, 5, uri);
      const text = document.getText();
      if (text.length > limitMB * BYTES_PER_MB) {
        this.cache.delete(key);
        this.diagnostics.set(uri, [
          skippedDiagnostic(`it is larger than quantDrift.lint.maxFileSizeMB (${limitMB} MB).`),
        ]);
        return undefined;
      }
      const result = lintText(text, {
        fileName: document.fileName,
        languageId: document.languageId,
        target: targetDevice(uri),
      });
      this.cache.set(key, { version: document.version, result });
      this.diagnostics.set(uri, lintDiagnostics(result, document));
      this.changed.fire(document);
      return result;
    } catch (error) {
      log().error(`recipe lint failed for ${uri.toString(true)}`, error);
      this.cache.delete(key);
      return undefined;
    }
  }

  inScope(document: vscode.TextDocument): boolean {
    // Output channels, git diffs and other virtual documents are not the user's files.
    if (
      !['file', 'untitled', 'vscode-notebook-cell', 'vscode-remote', 'vscode-userdata'].includes(document.uri.scheme)
    ) {
      return false;
    }
    return isRelevant(document.languageId, document.fileName, () => document.getText());
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.cache.delete(key);
    this.diagnostics.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
