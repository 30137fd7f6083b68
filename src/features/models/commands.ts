/**
 * Context-menu commands of the Models view. Each takes the tree node VS Code passes (or a path / Uri, so
 * they also work from the palette and from other features).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEVICE_PROFILES, type DeviceProfileId } from '../../core/devices/profiles';
import { inspectModelFolder, verdictWords, type ModelInfo } from '../../core/models';
import { configFolderOf } from '../../core/models/variants';
import { RECIPE_FILE } from '../../core/quantize';
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

/** Where a weights finding is shown: the recipe our quantizer wrote, at the key the rule is about, else the model. */
const RECIPE_KEY_OF_RULE: Record<string, RegExp> = {
  'npu-asymmetric-int4': /"symmetric"\s*:/,
  'npu-group-size': /"blockSize"\s*:/,
  'group-size-one': /"blockSize"\s*:/,
  'npu-ratio-below-one': /"ratio"\s*:/,
};

async function weightsDiagnostics(
  info: ModelInfo,
  target: DeviceProfileId,
  alreadySaid: Set<string>,
): Promise<[vscode.Uri, vscode.Diagnostic[]] | undefined> {
  const verdict = info.devices[target];
  if (!verdict || verdict.verdict === 'ok' || info.error) return undefined;
  const recipeFile = path.join(info.path, RECIPE_FILE);
  const recipeText = await fs.readFile(recipeFile, 'utf8').catch(() => undefined);
  const file = recipeText !== undefined ? recipeFile : path.join(info.path, info.files.model[0] ?? '');
  const document = recipeText !== undefined ? await vscode.workspace.openTextDocument(recipeFile) : undefined;
  const rule = verdict.rules?.find((id) => id !== 'model-format');
  const key = rule && document ? RECIPE_KEY_OF_RULE[rule]?.exec(document.getText()) : null;
  const range =
    key && document ? document.lineAt(document.positionAt(key.index).line).range : new vscode.Range(0, 0, 0, 0);
  const severity = verdict.asExport
    ? vscode.DiagnosticSeverity.Information
    : (SEVERITY[verdict.verdict === 'no' ? 'error' : 'warning'] ?? vscode.DiagnosticSeverity.Warning);
  const list = verdict.reasons
    .filter((reason) => !alreadySaid.has(reason))
    .map((reason) => {
      const diagnostic = new vscode.Diagnostic(range, reason, severity);
      diagnostic.source = 'quant-drift';
      if (rule) diagnostic.code = rule;
      return diagnostic;
    });
  return list.length > 0 ? [vscode.Uri.file(file), list] : undefined;
}

/**
 * Lint Recipe: the recipe rules over the model's configs, plus the verdict the model tree gives the folder for the
 * target device (the same inspection: weights, quantization_recipe.json), so the two never disagree. Findings go
 * to the Problems panel; the message says the verdict in the tree's words.
 */
export async function lintModelRecipe(arg: unknown, diagnostics: vscode.DiagnosticCollection): Promise<number> {
  const target = modelPathOf(arg);
  if (!target) return 0;
  const folder = await folderOf(target);
  const device = targetDevice(vscode.Uri.file(folder));
  const configs = await configsOf(target);
  let total = 0;
  const said = new Set<string>();
  let verdictLine = '';
  // A previous run's weights findings, which this run may no longer have.
  diagnostics.delete(vscode.Uri.file(path.join(folder, RECIPE_FILE)));
  try {
    for (const file of configs) {
      const uri = vscode.Uri.file(file);
      const document = await vscode.workspace.openTextDocument(uri);
      const result = lintText(document.getText(), { fileName: file, languageId: 'json', target: device });
      const list = result.findings.map((finding) => {
        said.add(finding.message);
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
    const info = await inspectModelFolder(folder);
    const verdict = info.devices[device];
    if (verdict) verdictLine = `${DEVICE_PROFILES[device].shortLabel}: ${verdictWords(verdict)}`;
    const weights = await weightsDiagnostics(info, device, said);
    if (weights) {
      diagnostics.set(weights[0], weights[1]);
      total += weights[1].length;
    }
  } catch (error) {
    await showErrorWithLog(`Lint recipe failed for ${target}`, error);
    return total;
  }
  const read = [...configs.map((file) => path.basename(file)), 'the weights'];
  if (total > 0) await vscode.commands.executeCommand('workbench.actions.view.problems');
  void vscode.window.showInformationMessage(
    total === 0
      ? `No recipe problems for ${DEVICE_PROFILES[device].shortLabel} in ${read.join(', ')}.`
      : `${verdictLine} (${total} finding${total === 1 ? '' : 's'} from ${read.join(', ')}, in Problems).`,
  );
  return total;
}
