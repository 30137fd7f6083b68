/**
 * Recipe commands: choose the target device, lint the whole workspace, open a rule's documentation.
 */
import * as vscode from 'vscode';
import { DEVICE_PROFILES, DEVICE_PROFILE_IDS, type DeviceProfileId } from '../../core/devices/profiles';
import { RULES } from '../../core/recipe';
import { Setting, targetDevice } from '../common/config';
import { showErrorWithLog } from '../common/log';
import { ruleDocUri } from './convert';
import type { WorkspaceLinter, WorkspaceLintSummary } from './workspaceLint';

export const enum RecipeCommand {
  SelectTarget = 'quantDrift.selectTarget',
  LintWorkspace = 'quantDrift.lintWorkspace',
  ShowRuleDoc = 'quantDrift.showRuleDoc',
}

interface TargetPick extends vscode.QuickPickItem {
  readonly id: DeviceProfileId;
}

/**
 * Quick pick of device profiles; writes quantDrift.targetDevice for the active file's folder (or the workspace).
 * Given an id (tests, walkthrough links), writes it without asking. Returns the id written, if any.
 */
export async function selectTarget(id?: unknown): Promise<DeviceProfileId | undefined> {
  const resource = vscode.window.activeTextEditor?.document.uri;
  const current = targetDevice(resource);
  let chosen: DeviceProfileId | undefined;
  if (typeof id === 'string' && (DEVICE_PROFILE_IDS as readonly string[]).includes(id)) {
    chosen = id as DeviceProfileId;
  } else {
    const picks: TargetPick[] = DEVICE_PROFILE_IDS.map((profileId) => ({
      id: profileId,
      label: profileId === current ? `$(check) ${profileId}` : profileId,
      description: DEVICE_PROFILES[profileId].label,
    }));
    const pick = await vscode.window.showQuickPick(picks, {
      title: 'Quant Drift: target device for recipe checks',
      placeHolder: `Current: ${current}. A comment "quant-drift: target=ID" in a file overrides this.`,
      matchOnDescription: true,
    });
    chosen = pick?.id;
  }
  if (!chosen) return undefined;
  const hasFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  await vscode.workspace
    .getConfiguration(undefined, resource)
    .update(
      Setting.TargetDevice,
      chosen,
      hasFolder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
  return chosen;
}

export async function lintWorkspace(workspace: WorkspaceLinter): Promise<WorkspaceLintSummary | undefined> {
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Quant Drift: linting recipes', cancellable: true },
      (_progress, token) => workspace.lintWorkspace(token),
    );
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.setStatusBarMessage(
      `Quant Drift: ${summary.findings} finding(s) in ${summary.files} file(s)` +
        (summary.skipped > 0 ? `, ${summary.skipped} skipped` : ''),
      8000,
    );
    return summary;
  } catch (error) {
    await showErrorWithLog('Quant Drift could not lint the workspace.', error);
    return undefined;
  }
}

/** Opens docs/rules/ID.md as a preview. Without an id (command palette), asks which rule. */
export async function showRuleDoc(extensionUri: vscode.Uri, rule?: unknown): Promise<void> {
  let id = typeof rule === 'string' ? rule : undefined;
  if (!id) {
    const pick = await vscode.window.showQuickPick(
      Object.values(RULES).map((entry) => ({ label: entry.id, description: entry.title })),
      { title: 'Quant Drift: show rule documentation', matchOnDescription: true },
    );
    id = pick?.label;
  }
  if (!id) return;
  const uri = ruleDocUri(extensionUri, id);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(`Quant Drift has no documentation page for rule "${id}".`);
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}
