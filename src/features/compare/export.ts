import * as vscode from 'vscode';
import { formatReport } from '../../core/drift/format';
import type { CompareReport } from '../../protocol/report';
import type { ExportFormat } from '../../protocol/webview';

export const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  json: { 'JSON report': ['json'] },
  md: { 'Markdown report': ['md'] },
  html: { 'HTML report': ['html'] },
};

/** The same json/md/html the CLI writes (`quant-drift compare --format`), so saved reports match. */
export function formatReportFor(report: CompareReport, format: ExportFormat): string {
  return formatReport(report, format);
}

/** Opens a saved report: Markdown rendered, HTML in the browser on a local machine, anything else as text. */
async function openSavedReport(file: vscode.Uri): Promise<void> {
  const extension = file.path.toLowerCase().split('.').pop();
  if (extension === 'md') await vscode.commands.executeCommand('markdown.showPreview', file);
  else if (extension === 'html' && !vscode.env.remoteName) await vscode.env.openExternal(file);
  else await vscode.window.showTextDocument(file);
}

/** The toast after Export: Open and Reveal, as VS Code's own "saved" notifications offer (not awaited). */
export function announceSavedReport(file: vscode.Uri, note = ''): void {
  const open = 'Open';
  const reveal = 'Reveal';
  void vscode.window.showInformationMessage(`Saved the drift report to ${file.fsPath}${note}`, open, reveal).then(
    async (choice) => {
      if (choice === open) await openSavedReport(file);
      // In the Explorer when the workspace holds it, else the OS file manager.
      else if (choice === reveal)
        await vscode.commands.executeCommand(
          vscode.workspace.getWorkspaceFolder(file) ? 'revealInExplorer' : 'revealFileInOS',
          file,
        );
    },
    () => undefined,
  );
}
