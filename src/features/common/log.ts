import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "Quant Drift" log channel, created on first use so activation stays cheap. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Quant Drift', { log: true });
  return channel;
}

/** Shows an error with an "Open Output" action that reveals the log (vscode-eslint does the same). */
export async function showErrorWithLog(message: string, error?: unknown): Promise<void> {
  log().error(message, error);
  const choice = await vscode.window.showErrorMessage(message, 'Open Output');
  if (choice === 'Open Output') log().show(true);
}
