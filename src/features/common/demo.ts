import * as vscode from 'vscode';
import type { ExtensionContextHolder } from './context';

/**
 * `quantDrift.openDemoFile`: used by the Getting Started walkthrough to open a file of the demo workspace
 * (scripts/demo.sh opens VS Code on it). Looks the path up in each workspace folder.
 */
export function registerDemoCommands(holder: ExtensionContextHolder): void {
  holder.own(
    vscode.commands.registerCommand('quantDrift.openDemoFile', async (relativePath?: unknown) => {
      const path = typeof relativePath === 'string' ? relativePath : 'scripts/export-for-npu.sh';
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const uri = vscode.Uri.joinPath(folder.uri, path);
        try {
          await vscode.workspace.fs.stat(uri);
          await vscode.window.showTextDocument(uri);
          return;
        } catch {
          // Not in this folder; try the next one.
        }
      }
      void vscode.window.showInformationMessage(
        `Quant Drift: ${path} is not in this workspace. Run \`bash scripts/demo.sh\` from the repository to open the demo workspace.`,
      );
    }),
  );
}
