/**
 * "Lint Recipes in Workspace": every file the extractors understand, read from disk, linted and published to
 * the Problems panel. Open documents keep their live diagnostics in the editor collection; this collection
 * holds only files that are not open, so a file is never reported twice.
 */
import * as vscode from 'vscode';
import { lintText } from '../../core/recipe';
import { Setting, get, targetDevice } from '../common/config';
import { log } from '../common/log';
import { lineIndex, lintDiagnostics, skippedDiagnostic } from './convert';
import { WORKSPACE_EXCLUDE, WORKSPACE_GLOB, isRelevant, languageIdForFile, looksBinary } from './scope';

export interface WorkspaceLintSummary {
  readonly files: number;
  readonly findings: number;
  readonly skipped: number;
}

const BYTES_PER_MB = 1024 * 1024;
const MAX_FILES = 5000;

export class WorkspaceLinter implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('quant-drift-workspace');

  constructor() {}

  /** Drops a file's workspace result once the editor lints it live. */
  forget(uri: vscode.Uri): void {
    this.diagnostics.delete(uri);
  }

  async lintWorkspace(token?: vscode.CancellationToken): Promise<WorkspaceLintSummary> {
    this.diagnostics.clear();
    const uris = await vscode.workspace.findFiles(WORKSPACE_GLOB, WORKSPACE_EXCLUDE, MAX_FILES, token);
    // Open documents and notebooks are linted live by the editor; linting their files again would double them.
    const open = new Set(
      [...vscode.workspace.textDocuments, ...vscode.workspace.notebookDocuments].map((document) =>
        document.uri.toString(),
      ),
    );
    let files = 0;
    let findings = 0;
    let skipped = 0;
    for (const uri of uris) {
      if (token?.isCancellationRequested) break;
      if (open.has(uri.toString())) continue;
      const outcome = await this.lintFile(uri);
      if (outcome === undefined) continue;
      files++;
      if (outcome === 'skipped') skipped++;
      else findings += outcome;
    }
    return { files, findings, skipped };
  }

  /** Number of findings, 'skipped' with a diagnostic saying why, or undefined for a file out of scope. */
  private async lintFile(uri: vscode.Uri): Promise<number | 'skipped' | undefined> {
    const languageId = languageIdForFile(uri.path);
    if (!languageId) return undefined;
    try {
      const limitMB = get(Setting.LintMaxFileSizeMB, 5, uri);
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > limitMB * BYTES_PER_MB) {
        // Only say so for files that are recipes by name or language; a large tokenizer.json is not news.
        if (!isRelevant(languageId, uri.path, () => '')) return undefined;
        return this.skip(uri, `it is larger than quantDrift.lint.maxFileSizeMB (${limitMB} MB).`);
      }
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (looksBinary(bytes)) return this.skip(uri, 'it looks like a binary file.');
      const text = new TextDecoder('utf-8').decode(bytes);
      if (!isRelevant(languageId, uri.path, () => text)) return undefined;
      const result = lintText(text, { fileName: uri.fsPath, languageId, target: targetDevice(uri) });
      if (result.skipped && result.findings.length === 0) return this.skip(uri, result.skipped);
      this.diagnostics.set(uri, lintDiagnostics(result, lineIndex(text)));
      return result.findings.length;
    } catch (error) {
      log().error(`recipe lint failed for ${uri.toString(true)}`, error);
      return this.skip(uri, `it could not be read (${error instanceof Error ? error.message : String(error)}).`);
    }
  }

  private skip(uri: vscode.Uri, reason: string): 'skipped' {
    this.diagnostics.set(uri, [skippedDiagnostic(reason)]);
    return 'skipped';
  }

  dispose(): void {
    this.diagnostics.dispose();
  }
}
