/**
 * The edge between core recipe types (offsets, plain objects) and VS Code types (ranges, diagnostics).
 * Everything here is a pure function of its inputs, so providers and the workspace linter convert the same way.
 */
import * as vscode from 'vscode';
import { RULES } from '../../core/recipe';
import type { Finding, Fix, Severity, Span } from '../../core/recipe/types';

export const DIAGNOSTIC_SOURCE = 'quant-drift';

/** Anything that maps an offset to a position: a TextDocument, or a line index over text read from disk. */
export interface OffsetMapper {
  positionAt(offset: number): vscode.Position;
}

/** Line index for text that is not open in an editor (Lint Recipes in Workspace). */
export function lineIndex(text: string): OffsetMapper {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return {
    positionAt(offset: number): vscode.Position {
      const clamped = Math.max(0, Math.min(offset, text.length));
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (starts[mid] <= clamped) low = mid;
        else high = mid - 1;
      }
      return new vscode.Position(low, clamped - starts[low]);
    },
  };
}

export function toRange(span: Span, mapper: OffsetMapper): vscode.Range {
  return new vscode.Range(mapper.positionAt(span.start), mapper.positionAt(span.end));
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Uri of a rule's doc page inside the installed extension (docs/rules/ID.md). */
export function ruleDocUri(extensionUri: vscode.Uri, rule: string): vscode.Uri {
  const docPath = RULES[rule]?.docPath ?? `docs/rules/${rule}.md`;
  return vscode.Uri.joinPath(extensionUri, ...docPath.split('/'));
}

/**
 * The link a diagnostic's code opens: Show Rule Documentation, which renders the page (markdown.showPreview). A file
 * Uri would open the raw .md as an editable file. The hover and the Problems panel open code links with commands
 * allowed (VS Code's markerHoverParticipant and Link widget pass allowCommands: true).
 */
export function ruleDocCommandUri(rule: string): vscode.Uri {
  return vscode.Uri.parse(`command:quantDrift.showRuleDoc?${encodeURIComponent(JSON.stringify([rule]))}`);
}

export function toDiagnostic(finding: Finding, mapper: OffsetMapper): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(finding.span, mapper), finding.message, SEVERITY[finding.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: finding.rule, target: ruleDocCommandUri(finding.rule) };
  return diagnostic;
}

/**
 * The one diagnostic a skipped file gets, so the user knows why nothing was checked. `partial` when other parts of
 * the file were checked (a broken notebook cell, JSON that parsed only in part).
 */
export function skippedDiagnostic(reason: string, partial = false): vscode.Diagnostic {
  const message = partial
    ? `Quant Drift could not check all of this file: ${reason}`
    : `Quant Drift skipped this file: ${reason}`;
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(0, 0, 0, 0),
    message,
    vscode.DiagnosticSeverity.Information,
  );
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = 'skipped';
  return diagnostic;
}

/** Diagnostics for one lint: its findings, plus the skip notice when the core reported one. */
export function lintDiagnostics(
  result: { readonly findings: readonly Finding[]; readonly skipped?: string },
  mapper: OffsetMapper,
): vscode.Diagnostic[] {
  const diagnostics = result.findings.map((finding) => toDiagnostic(finding, mapper));
  if (result.skipped) diagnostics.push(skippedDiagnostic(result.skipped, diagnostics.length > 0));
  return diagnostics;
}

export function ruleOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return code === undefined ? undefined : String(code);
}

/** Whether a diagnostic VS Code hands back (a copy, not our object) is the one made from this finding. */
export function sameFinding(diagnostic: vscode.Diagnostic, finding: Finding, mapper: OffsetMapper): boolean {
  return (
    diagnostic.source === DIAGNOSTIC_SOURCE &&
    ruleOf(diagnostic) === finding.rule &&
    diagnostic.message === finding.message &&
    diagnostic.range.isEqual(toRange(finding.span, mapper))
  );
}

export function toWorkspaceEdit(uri: vscode.Uri, fix: Fix, mapper: OffsetMapper): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const textEdit of fix.edits) edit.replace(uri, toRange(textEdit.span, mapper), textEdit.newText);
  return edit;
}

/**
 * One edit that turns `before` into `after`: the differing middle between their common prefix and suffix.
 * fixAll uses it so the core's applyFixes (which resolves overlapping fixes) stays the single source of truth,
 * and the editor still sees a small edit that keeps the cursor where it was.
 */
export function minimalEdit(before: string, after: string): { span: Span; newText: string } | null {
  if (before === after) return null;
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < shorter - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  return { span: { start: prefix, end: before.length - suffix }, newText: after.slice(prefix, after.length - suffix) };
}
