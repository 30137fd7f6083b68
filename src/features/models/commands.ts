/**
 * Context-menu commands of the Models view. Each takes the tree node VS Code passes (or a path / Uri, so
 * they also work from the palette and from other features).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configFolderOf } from '../../core/models/variants';
import { lintText } from '../../core/recipe/index';
import { targetDevice } from '../common/config';
import { showErrorWithLog } from '../common/log';

/** Config files a model folder's recipe is recorded in, most telling first. */
const RECIPE_CONFIGS = [
  'openvino_config.json',
  'config.json',
  'genai_config.json',
  'quant_config.json',
  'quantize_config.json',
];

export function modelPathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { path?: unknown }).path === 'string')
    return (arg as { path: string }).path;
  return undefined;
}

async function folderOf(modelPath: string): Promise<string> {
  const stat = await fs.stat(modelPath).catch(() => null);
  if (stat?.isDirectory()) return modelPath;
  // A variant file (onnx/model_q4.onnx) has its configs in the repo root above.
  return /\.onnx$/i.test(modelPath) ? configFolderOf(path.dirname(modelPath)) : path.dirname(modelPath);
}

async function configsOf(modelPath: string): Promise<string[]> {
  const folder = await folderOf(modelPath);
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  return RECIPE_CONFIGS.filter((name) => names.includes(name)).map((name) => path.join(folder, name));
}

export async function revealInExplorer(arg: unknown): Promise<void> {
  const target = modelPathOf(arg);
  if (!target) return;
  const uri = vscode.Uri.file(target);
  // Inside the workspace: the Explorer view; outside it (HF cache, model roots): the OS file manager.
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

export async function copyPath(arg: unknown): Promise<void> {
  const target = modelPathOf(arg);
  if (!target) return;
  await vscode.env.clipboard.writeText(target);
  vscode.window.setStatusBarMessage(`Copied ${target}`, 3000);
}

export async function openConfig(arg: unknown): Promise<void> {
  const target = modelPathOf(arg);
  if (!target) return;
  const configs = await configsOf(target);
  if (configs.length === 0) {
    void vscode.window.showInformationMessage(`No config file (${RECIPE_CONFIGS.join(', ')}) in ${target}.`);
    return;
  }
  let chosen = configs[0]!;
  if (configs.length > 1) {
    const pick = await vscode.window.showQuickPick(
      configs.map((file) => ({ label: path.basename(file), description: file })),
      { title: 'Open which config?' },
    );
    if (!pick) return;
    chosen = pick.description;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(chosen), { preview: true });
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Runs the recipe rules over the model's configs and shows the findings in the Problems panel. */
export async function lintModelRecipe(arg: unknown, diagnostics: vscode.DiagnosticCollection): Promise<number> {
  const target = modelPathOf(arg);
  if (!target) return 0;
  const configs = await configsOf(target);
  if (configs.length === 0) {
    void vscode.window.showInformationMessage(
      `Nothing to lint: no ${RECIPE_CONFIGS.slice(0, 3).join(' / ')} in ${target}.`,
    );
    return 0;
  }
  let total = 0;
  try {
    for (const file of configs) {
      const uri = vscode.Uri.file(file);
      const document = await vscode.workspace.openTextDocument(uri);
      const result = lintText(document.getText(), { fileName: file, languageId: 'json', target: targetDevice(uri) });
      const list = result.findings.map((finding) => {
        const range = new vscode.Range(document.positionAt(finding.span.start), document.positionAt(finding.span.end));
        const diagnostic = new vscode.Diagnostic(
          range,
          finding.message,
          SEVERITY[finding.severity] ?? vscode.DiagnosticSeverity.Information,
        );
        diagnostic.source = 'quant-drift';
        diagnostic.code = finding.rule;
        return diagnostic;
      });
      diagnostics.set(uri, list);
      total += list.length;
    }
  } catch (error) {
    await showErrorWithLog(`Lint recipe failed for ${target}`, error);
    return total;
  }
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  if (total === 0)
    void vscode.window.showInformationMessage(
      `No recipe problems for ${targetDevice()} in ${configs.map((file) => path.basename(file)).join(', ')}.`,
    );
  return total;
}
