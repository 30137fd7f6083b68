/**
 * Recipe commands: choose the target device, lint the whole workspace, open a rule's documentation.
 */
import * as vscode from 'vscode';
import { DEVICE_PROFILES, DEVICE_PROFILE_IDS, type DeviceProfileId } from '../../core/devices/profiles';
import { RULES } from '../../core/recipe';
import { directiveTarget } from '../../core/recipe/lint';
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
 * Where Select Target Device writes, following VS Code's settings conventions: the workspace settings when a
 * folder is open (a device belongs to a project: teammates get it through .vscode/settings.json), the user
 * settings otherwise. Returned with the words the picker and the confirmation use.
 */
function targetScope(): { target: vscode.ConfigurationTarget; where: string } {
  const folders = vscode.workspace.workspaceFolders?.length ?? 0;
  if (folders === 0) return { target: vscode.ConfigurationTarget.Global, where: 'your user settings' };
  return {
    target: vscode.ConfigurationTarget.Workspace,
    where: vscode.workspace.workspaceFile ? 'the workspace file' : 'this workspace (.vscode/settings.json)',
  };
}

/**
 * Quick pick of device profiles; writes quantDrift.targetDevice (see targetScope) and says where, and that a
 * `quant-drift: target=` comment in the active file still wins there. Given an id (tests, walkthrough links),
 * writes it without asking. Returns the id written, if any.
 */
export async function selectTarget(id?: unknown): Promise<DeviceProfileId | undefined> {
  const document = vscode.window.activeTextEditor?.document;
  const resource = document?.uri;
  const current = targetDevice(resource);
  const scope = targetScope();
  let chosen: DeviceProfileId | undefined;
  if (typeof id === 'string' && (DEVICE_PROFILE_IDS as readonly string[]).includes(id)) {
    chosen = id as DeviceProfileId;
  } else {
    const picks: TargetPick[] = DEVICE_PROFILE_IDS.map((profileId) => ({
      id: profileId,
      label:
        profileId === current
          ? `$(check) ${DEVICE_PROFILES[profileId].shortLabel}`
          : DEVICE_PROFILES[profileId].shortLabel,
      description: profileId,
      detail: DEVICE_PROFILES[profileId].label,
    }));
    const pick = await vscode.window.showQuickPick(picks, {
      title: `Quant Drift: target device (saved in ${scope.where})`,
      placeHolder: `Current: ${DEVICE_PROFILES[current].shortLabel}. A "quant-drift: target=ID" comment in a file overrides it for that file.`,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    chosen = pick?.id;
  }
  if (!chosen) return undefined;
  await vscode.workspace.getConfiguration(undefined, resource).update(Setting.TargetDevice, chosen, scope.target);
  const directive = document ? directiveTarget(document.getText()) : undefined;
  const note =
    directive && directive !== chosen
      ? ` ${vscode.workspace.asRelativePath(document!.uri)} keeps ${DEVICE_PROFILES[directive].shortLabel}: its "quant-drift: target=${directive}" comment overrides the setting.`
      : '';
  void vscode.window.showInformationMessage(
    `Quant Drift: target device ${DEVICE_PROFILES[chosen].shortLabel}, saved in ${scope.where}.${note}`,
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
