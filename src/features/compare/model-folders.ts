/**
 * The `quantDrift.modelFolders` context key: the fsPaths of workspace folders that hold a model file, so
 * the Explorer's "Compare Quantized" item shows only on model folders
 * (`explorerResourceIsFolder && resourcePath in quantDrift.modelFolders`). One findFiles over the workspace
 * (the search service, not our own walk), refreshed when model files appear or go.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionContextHolder } from '../common/context';
import { log } from '../common/log';

export const MODEL_FOLDERS_KEY = 'quantDrift.modelFolders';
const MODEL_FILES = '**/{*.onnx,*.gguf,openvino_model.xml,*.safetensors,genai_config.json}';
const EXCLUDE = '**/{node_modules,.git,.venv,out,dist}/**';
const MAX_FILES = 5000;

async function scan(): Promise<string[]> {
  const files = await vscode.workspace.findFiles(MODEL_FILES, EXCLUDE, MAX_FILES);
  const folders = new Set(files.map((file) => dirname(file.fsPath)));
  // An onnx-community repo's root offers its variants' pairs too (transformers.js keeps them in onnx/).
  for (const folder of [...folders]) if (basename(folder) === 'onnx') folders.add(dirname(folder));
  return [...folders].sort();
}

export function watchModelFolders(holder: ExtensionContextHolder): void {
  let timer: NodeJS.Timeout | undefined;
  const refresh = (delayMs: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      scan()
        .then((folders) => vscode.commands.executeCommand('setContext', MODEL_FOLDERS_KEY, folders))
        .then(undefined, (error: unknown) => log().warn(`model folder scan failed: ${String(error)}`));
    }, delayMs);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(MODEL_FILES, false, true, false);
  holder.own(
    watcher,
    watcher.onDidCreate(() => refresh(500)),
    watcher.onDidDelete(() => refresh(500)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => refresh(0)),
    new vscode.Disposable(() => timer && clearTimeout(timer)),
  );
  // Deferred so activation stays cheap; the menu item appears once the scan is in.
  refresh(0);
}
