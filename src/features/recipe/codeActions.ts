/**
 * Quick fixes from Finding.fixes, and `source.fixAll.quantDrift` for editor.codeActionsOnSave.
 * Fixes come from the core as text edits at spans; this file only turns them into WorkspaceEdits.
 */
import * as vscode from 'vscode';
import { applyFixes, preferredFixes } from '../../core/recipe';
import type { Finding } from '../../core/recipe/types';
import { log } from '../common/log';
import { DIAGNOSTIC_SOURCE, minimalEdit, sameFinding, toRange, toWorkspaceEdit } from './convert';
import type { RecipeLinter } from './linter';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('quantDrift');

export class RecipeCodeActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND];

  constructor(private readonly linter: RecipeLinter) {}

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    try {
      const result = this.linter.resultFor(document);
      if (!result || result.findings.length === 0) return [];
      if (context.only && !context.only.intersects(vscode.CodeActionKind.QuickFix)) {
        return context.only.intersects(FIX_ALL_KIND) ? this.fixAll(document, result.findings) : [];
      }
      return this.quickFixes(document, range, context, result.findings);
    } catch (error) {
      log().error('recipe code actions failed', error);
      return [];
    }
  }

  private quickFixes(
    document: vscode.TextDocument,
    range: vscode.Range,
    context: vscode.CodeActionContext,
    findings: readonly Finding[],
  ): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
    const actions: vscode.CodeAction[] = [];
    for (const finding of findings) {
      if (finding.fixes.length === 0) continue;
      const diagnostic = ours.find((candidate) => sameFinding(candidate, finding, document));
      // Without a matching diagnostic (lightbulb on a cursor), offer fixes only for findings under the cursor.
      if (!diagnostic && !toRange(finding.span, document).intersection(range)) continue;
      for (const fix of finding.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = toWorkspaceEdit(document.uri, fix, document);
        action.isPreferred = fix.preferred === true;
        if (diagnostic) action.diagnostics = [diagnostic];
        actions.push(action);
      }
    }
    const fixable = preferredFixes(findings);
    if (actions.length > 0 && fixable.length > 1) {
      const all = this.fixAll(document, findings, vscode.CodeActionKind.QuickFix);
      for (const action of all) action.title = `Fix all Quant Drift problems with a preferred fix (${fixable.length})`;
      actions.push(...all);
    }
    return actions;
  }

  /** One action applying every preferred fix; after it the lint finds nothing left to fix, so twice equals once. */
  private fixAll(
    document: vscode.TextDocument,
    findings: readonly Finding[],
    kind: vscode.CodeActionKind = FIX_ALL_KIND,
  ): vscode.CodeAction[] {
    const fixes = preferredFixes(findings);
    if (fixes.length === 0) return [];
    const before = document.getText();
    const change = minimalEdit(before, applyFixes(before, fixes));
    if (!change) return [];
    const action = new vscode.CodeAction('Fix all Quant Drift problems', kind);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(document.uri, toRange(change.span, document), change.newText);
    return [action];
  }
}

export function registerCodeActions(selector: vscode.DocumentSelector, linter: RecipeLinter): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(selector, new RecipeCodeActions(linter), {
    providedCodeActionKinds: RecipeCodeActions.providedCodeActionKinds,
  });
}
