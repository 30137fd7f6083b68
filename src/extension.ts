/**
 * Entry point: wires features up and returns. Nothing heavy is imported here: onnxruntime lives in the
 * runner child process, and each feature defers costly work until a document, view or command needs it.
 */
import * as vscode from 'vscode';
import { ExtensionContextHolder } from './features/common/context';
import { log } from './features/common/log';
import { registerRecipeFeatures } from './features/recipe/register';
import { registerModelFeatures } from './features/models/register';
import { registerCompareFeatures } from './features/compare/register';
import { registerDemoCommands } from './features/common/demo';

export interface QuantDriftApi {
  /** Milliseconds activate() took, for bench/activation and the integration tests. */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): QuantDriftApi {
  const started = performance.now();
  try {
    const holder = new ExtensionContextHolder(context);
    registerRecipeFeatures(holder);
    registerModelFeatures(holder);
    registerCompareFeatures(holder);
    registerDemoCommands(holder);
  } catch (error) {
    // VS Code shows no notification when activation fails, so say it ourselves (rust-analyzer does too).
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Quant Drift failed to start: ${message}`);
    log().error('activation failed', error);
    throw error;
  }
  return { activationMs: performance.now() - started };
}

export function deactivate(): void {
  // Every disposable is owned by context.subscriptions (through ExtensionContextHolder).
}
