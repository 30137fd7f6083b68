/**
 * Hovers and completions over the core's hoverAt / completionsAt. The core knows the flags, values and
 * device notes; these providers only convert offsets and markdown.
 */
import * as vscode from 'vscode';
import { linkCitations } from '../../core/docs/citations';
import { completionsAt, hoverAt, type CoreCompletion } from '../../core/recipe';
import { targetDevice } from '../common/config';
import { log } from '../common/log';
import { toRange } from './convert';
import type { RecipeLinter } from './linter';

/** `-` starts a flag, ` ` and `=` start a value. */
export const COMPLETION_TRIGGERS = ['-', ' ', '='];

function coreContext(document: vscode.TextDocument) {
  return { fileName: document.fileName, languageId: document.languageId, target: targetDevice(document.uri) };
}

export class RecipeHoverProvider implements vscode.HoverProvider {
  constructor(private readonly linter: RecipeLinter) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      if (!this.linter.inScope(document)) return undefined;
      const found = hoverAt(document.getText(), document.offsetAt(position), coreContext(document));
      if (!found) return undefined;
      const markdown = new vscode.MarkdownString(linkCitations(found.markdown));
      markdown.supportThemeIcons = true;
      return new vscode.Hover(markdown, toRange(found.span, document));
    } catch (error) {
      log().error('recipe hover failed', error);
      return undefined;
    }
  }
}

export class RecipeCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly linter: RecipeLinter) {}

  provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
  ): vscode.CompletionItem[] | undefined {
    try {
      if (!this.linter.inScope(document)) return undefined;
      const found = completionsAt(document.getText(), document.offsetAt(position), coreContext(document));
      if (!found || found.items.length === 0) return undefined;
      const replace = toRange(found.replace, document);
      return found.items.map((item, index) => toCompletionItem(item, replace, index));
    } catch (error) {
      log().error('recipe completion failed', error);
      return undefined;
    }
  }
}

function toCompletionItem(item: CoreCompletion, replace: vscode.Range, index: number): vscode.CompletionItem {
  const kind = item.kind === 'flag' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember;
  const completion = new vscode.CompletionItem(item.label, kind);
  completion.insertText = item.insertText;
  completion.range = replace;
  // Keep the core's order (recommended values first) instead of VS Code's alphabetical one.
  completion.sortText = String(index).padStart(4, '0');
  if (item.detail) completion.detail = item.detail;
  if (item.documentation) completion.documentation = new vscode.MarkdownString(item.documentation);
  return completion;
}

export function registerLanguageFeatures(selector: vscode.DocumentSelector, linter: RecipeLinter): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerHoverProvider(selector, new RecipeHoverProvider(linter)),
    vscode.languages.registerCompletionItemProvider(
      selector,
      new RecipeCompletionProvider(linter),
      ...COMPLETION_TRIGGERS,
    ),
  );
}
