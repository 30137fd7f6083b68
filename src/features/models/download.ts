/**
 * "Download Model from Hugging Face": repo id, file patterns, then a cancellable progress notification with
 * sizes. Files land in the HF hub cache layout (src/core/hub/download.ts) so Python tools share them.
 */
import * as vscode from 'vscode';
import { downloadRepo, HubDownloadError, validateRepoId } from '../../core/hub/download';
import { PATTERN_PRESETS } from '../../core/hub/patterns';
import { checkReachable } from '../../core/hub/reachable';
import { hubEndpoint, redact, resolveHubToken } from '../../core/hub/token';
import { huggingFaceHubCache } from '../../core/models';
import { formatSize } from '../../core/models/format';
import { Setting, userValue } from '../common/config';
import { log } from '../common/log';

/** Offline, say so before asking anything (src/core/hub/reachable.ts). */
async function endpointReachable(): Promise<boolean> {
  let hubUrl: string;
  try {
    hubUrl = hubEndpoint(userValue<string>(Setting.HubEndpoint));
  } catch (error) {
    // An endpoint the client refuses fails here too, before any question.
    void vscode.window.showErrorMessage(`Download: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  const check = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Quant Drift: checking ${hubUrl}` },
    () => checkReachable(hubUrl),
  );
  if (check.reachable) return true;
  log().warn(`download: ${hubUrl} is not reachable: ${check.reason}`);
  const settings = 'Open Settings';
  const choice = await vscode.window.showErrorMessage(
    `Cannot reach ${hubUrl} (${check.reason}). Check the connection or proxy, or set quantDrift.hub.endpoint (HF_ENDPOINT overrides it) to a mirror.`,
    settings,
  );
  if (choice === settings) await vscode.commands.executeCommand('workbench.action.openSettings', Setting.HubEndpoint);
  return false;
}

export async function downloadModelCommand(
  onDone: (snapshotDir: string) => Promise<void>,
  repoArg?: unknown,
): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Downloading models needs a trusted workspace.');
    return;
  }
  if (!(await endpointReachable())) return;
  const repo =
    typeof repoArg === 'string'
      ? repoArg
      : await vscode.window.showInputBox({
          title: 'Download Model from Hugging Face',
          prompt: 'Repository id',
          placeHolder: 'OpenVINO/Qwen2.5-1.5B-Instruct-int4-ov',
          ignoreFocusOut: true,
          validateInput: (value) => (value.trim() ? validateRepoId(value.trim()) : null),
        });
  if (!repo?.trim()) return;
  const preset = await vscode.window.showQuickPick(
    [
      ...PATTERN_PRESETS.map((p) => ({
        label: p.label,
        description: p.patterns.join(' ') || 'all files',
        patterns: p.patterns,
      })),
      { label: 'Custom patterns…', description: 'e.g. *.onnx *.json', patterns: null as string[] | null },
    ],
    { title: `Files to download from ${repo.trim()}`, ignoreFocusOut: true },
  );
  if (!preset) return;
  let patterns = preset.patterns;
  if (patterns === null) {
    const typed = await vscode.window.showInputBox({
      title: 'File patterns (space separated; * crosses folders)',
      value: '*.json *.onnx*',
      ignoreFocusOut: true,
    });
    if (typed === undefined) return;
    patterns = typed.split(/\s+/).filter(Boolean);
  }
  let hubUrl: string;
  try {
    hubUrl = hubEndpoint(userValue<string>(Setting.HubEndpoint));
  } catch (error) {
    void vscode.window.showErrorMessage(`Download: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const token = await resolveHubToken();
  const cacheDir = huggingFaceHubCache();
  log().info(
    `download ${repo.trim()} from ${hubUrl} into ${cacheDir} (patterns: ${patterns.join(' ') || 'all'}; token: ${token ? 'yes' : 'no'})`,
  );

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${repo.trim()}`, cancellable: true },
    async (progress, cancellation) => {
      const controller = new AbortController();
      cancellation.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        const result = await downloadRepo({
          hubUrl,
          repo: repo.trim(),
          patterns: patterns ?? [],
          cacheDir,
          ...(token ? { accessToken: token } : {}),
          signal: controller.signal,
          onProgress: (p) => {
            const share = p.totalBytes > 0 ? (p.doneBytes / p.totalBytes) * 100 : 0;
            progress.report({
              increment: share - reported,
              message: `${p.file}: ${formatSize(p.fileBytes)} / ${formatSize(p.fileTotal)} (total ${formatSize(p.doneBytes)} / ${formatSize(p.totalBytes)})`,
            });
            reported = share;
          },
        });
        const counts = result.files.reduce<Record<string, number>>(
          (acc, f) => ({ ...acc, [f.status]: (acc[f.status] ?? 0) + 1 }),
          {},
        );
        log().info(`downloaded ${repo.trim()}@${result.commit}: ${JSON.stringify(counts)}`);
        await onDone(result.snapshotDir);
        void vscode.window.showInformationMessage(
          `Downloaded ${repo.trim()} (${result.files.length} files) into the Hugging Face cache.`,
        );
      } catch (error) {
        if (controller.signal.aborted) {
          void vscode.window.showInformationMessage('Download cancelled; run it again to resume.');
          return;
        }
        const message = redact(
          error instanceof HubDownloadError || error instanceof Error ? error.message : String(error),
          token,
        );
        log().error(`download failed: ${message}`);
        void vscode.window.showErrorMessage(`Download failed: ${message}`);
      }
    },
  );
}
