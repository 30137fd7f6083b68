/**
 * The demo workspace and the Getting Started walkthrough's commands (package.json contributes.walkthroughs):
 * - `quantDrift.createDemoWorkspace` writes the shipped demo (src/core/demo/workspace.ts) into a folder the user
 *   picks and opens it; the walkthrough reopens on its next step once that window starts.
 * - `quantDrift.openDemoFile` and `quantDrift.compareDemo` act on the demo folders directly, so no step opens a
 *   bare folder dialog. Steps complete on context keys that are set only when the step really happened
 *   (`quantDrift.demoWorkspace`, `quantDrift.demoRecipeOpened`, `quantDrift.demoCompared`), never on a cancelled command.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  createDemoWorkspace,
  DEMO_BASE_MODEL,
  DEMO_TWIN_FOR_COMPARE,
  isDemoWorkspace,
} from '../../core/demo/workspace';
import type { ExtensionContextHolder } from './context';
import { log, showErrorWithLog } from './log';

export const WALKTHROUGH_ID = 'quant-drift.quant-drift#quantDrift.gettingStarted';
/** globalState key: the demo folder whose window should reopen the walkthrough when it starts. */
const PENDING_WALKTHROUGH = 'quantDrift.demo.openWalkthroughIn';

export interface CreateDemoArgs {
  /** Parent folder (tests); without it a folder dialog asks. */
  parent?: string;
  /** false: write only, do not open (tests). */
  open?: boolean;
}

async function demoFolder(): Promise<vscode.Uri | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? [])
    if (folder.uri.scheme === 'file' && (await isDemoWorkspace(folder.uri.fsPath))) return folder.uri;
  return undefined;
}

async function updateDemoContext(): Promise<vscode.Uri | undefined> {
  const folder = await demoFolder();
  await vscode.commands.executeCommand('setContext', 'quantDrift.demoWorkspace', folder !== undefined);
  return folder;
}

/** When the demo is missing: say so, with the command that makes it (not awaited: a toast waits for a click). */
function offerDemo(what: string): void {
  const create = 'Create Demo Workspace';
  void vscode.window
    .showInformationMessage(`Quant Drift: ${what} needs the demo workspace, which is not open in this window.`, create)
    .then((choice) =>
      choice === create ? vscode.commands.executeCommand('quantDrift.createDemoWorkspace') : undefined,
    );
}

async function openDemoFile(relativePath?: unknown): Promise<boolean> {
  const path = typeof relativePath === 'string' ? relativePath : 'scripts/export-for-npu.sh';
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, path);
    try {
      await vscode.workspace.fs.stat(uri);
      await vscode.window.showTextDocument(uri);
      await vscode.commands.executeCommand('setContext', 'quantDrift.demoRecipeOpened', true);
      return true;
    } catch {
      // Not in this folder; try the next one.
    }
  }
  offerDemo(`Opening ${path}`);
  return false;
}

/** Walkthrough step 3: FP16 against its symmetric group-128 twin, straight into the compare panel. */
async function compareDemo(): Promise<boolean> {
  const folder = await updateDemoContext();
  if (!folder) {
    offerDemo('Comparing FP16 with INT4');
    return false;
  }
  const base = vscode.Uri.joinPath(folder, ...DEMO_BASE_MODEL.split('/'));
  const twin = vscode.Uri.joinPath(folder, 'models', DEMO_TWIN_FOR_COMPARE);
  const hasTwin = await vscode.workspace.fs.stat(twin).then(
    () => true,
    () => false,
  );
  // Without the twin (deleted since), Compare Quantized offers to make one.
  const shown = await vscode.commands.executeCommand<boolean | undefined>(
    'quantDrift.compareQuantized',
    base,
    ...(hasTwin ? [twin] : []),
  );
  if (shown === true) await vscode.commands.executeCommand('setContext', 'quantDrift.demoCompared', true);
  return shown === true;
}

async function askParent(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Create Demo Here',
    title: 'Quant Drift: folder to create the demo workspace in (a new quant-drift-demo folder)',
  });
  return picked?.[0]?.fsPath;
}

async function createDemo(holder: ExtensionContextHolder, args?: CreateDemoArgs): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(
      'Quant Drift will not write the demo workspace from an untrusted window: it runs the quantizer. Trust the workspace first.',
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  const parent = args?.parent ?? (await askParent());
  if (!parent) return undefined;
  const source = join(holder.extensionUri.fsPath, 'demo');
  let created: string;
  try {
    created = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Quant Drift: creating the demo workspace',
        cancellable: true,
      },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return createDemoWorkspace(source, parent, {
          signal: abort.signal,
          onProgress: (message) => progress.report({ message }),
        });
      },
    );
  } catch (error) {
    if (error instanceof Error && (error.name === 'AbortError' || /abort|cancel/i.test(error.message)))
      return undefined;
    await showErrorWithLog(
      `Quant Drift could not create the demo workspace: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
    return undefined;
  }
  log().info(`demo workspace written to ${created}`);
  if (args?.open === false) return created;
  await openDemo(holder, vscode.Uri.file(created));
  return created;
}

/** Opens the new folder the way VS Code's Git: Clone does: in this window when it is empty, else asks. */
async function openDemo(holder: ExtensionContextHolder, folder: vscode.Uri): Promise<void> {
  const open = 'Open';
  const newWindow = 'Open in New Window';
  const choice =
    (vscode.workspace.workspaceFolders?.length ?? 0) === 0
      ? open
      : await vscode.window.showInformationMessage(
          `Created the demo workspace in ${folder.fsPath}. Open it?`,
          open,
          newWindow,
        );
  if (!choice) return;
  await holder.context.globalState.update(PENDING_WALKTHROUGH, folder.fsPath);
  await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: choice === newWindow });
}

/** In the window of a demo just created: the walkthrough again, on the step after "create". */
async function resumeWalkthrough(holder: ExtensionContextHolder, folder: vscode.Uri | undefined): Promise<void> {
  const pending = holder.context.globalState.get<string>(PENDING_WALKTHROUGH);
  if (!pending || !folder || folder.fsPath !== pending) return;
  await holder.context.globalState.update(PENDING_WALKTHROUGH, undefined);
  await vscode.commands.executeCommand(
    'workbench.action.openWalkthrough',
    // VS Code joins them as `${category}#${step}` (workbench.action.openWalkthrough in gettingStarted.contribution.ts).
    { category: WALKTHROUGH_ID, step: 'recipes' },
    false,
  );
}

export function registerDemoCommands(holder: ExtensionContextHolder): void {
  holder.own(
    vscode.commands.registerCommand('quantDrift.createDemoWorkspace', (args?: CreateDemoArgs) =>
      createDemo(holder, typeof args === 'object' && args !== null ? args : undefined),
    ),
    vscode.commands.registerCommand('quantDrift.openDemoFile', openDemoFile),
    vscode.commands.registerCommand('quantDrift.compareDemo', compareDemo),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateDemoContext()),
  );
  void updateDemoContext().then(
    (folder) => resumeWalkthrough(holder, folder),
    (error: unknown) => log().error('demo workspace check failed', error),
  );
}
