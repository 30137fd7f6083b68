/**
 * Recipe checks in the editor (issue 3): diagnostics, quick fixes and fixAll, hovers, completions, commands and
 * the target status bar item. Registration is cheap; nothing is linted until a relevant document is open.
 */
import * as vscode from 'vscode';
import type { ExtensionContextHolder } from '../common/context';
import { registerCodeActions } from './codeActions';
import { RecipeCommand, lintWorkspace, selectTarget, showRuleDoc } from './commands';
import { registerLanguageFeatures } from './languageFeatures';
import { RecipeLinter } from './linter';
import { RECIPE_LANGUAGES } from './scope';
import { TargetStatusBar } from './statusBar';
import { WorkspaceLinter } from './workspaceLint';

/** Every language in scope, any scheme (files, untitled, notebook cells), plus notebooks' raw JSON. */
export const RECIPE_SELECTOR: vscode.DocumentFilter[] = [
  ...RECIPE_LANGUAGES.map((language) => ({ language })),
  { pattern: '**/*.ipynb' },
];

export function registerRecipeFeatures(holder: ExtensionContextHolder): void {
  const extensionUri = holder.extensionUri;
  const linter = holder.own(new RecipeLinter());
  const workspace = holder.own(new WorkspaceLinter());
  holder.own(
    linter.onDidLint((document) => workspace.forget(document.uri)),
    registerCodeActions(RECIPE_SELECTOR, linter),
    registerLanguageFeatures(RECIPE_SELECTOR, linter),
    new TargetStatusBar(linter),
    vscode.commands.registerCommand(RecipeCommand.SelectTarget, (id?: unknown) => selectTarget(id)),
    vscode.commands.registerCommand(RecipeCommand.LintWorkspace, () => lintWorkspace(workspace)),
    vscode.commands.registerCommand(RecipeCommand.ShowRuleDoc, (rule?: unknown) => showRuleDoc(extensionUri, rule)),
  );
}
