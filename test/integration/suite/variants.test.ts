/**
 * Compare Quantized on an onnx-community-style repo (what the Explorer's right-click passes: the repo folder's
 * Uri) offers its variant pairs; accepting the first compares onnx/model_fp16.onnx with onnx/model_q4f16.onnx.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelState } from '../../../src/protocol/webview';

interface CompareTestState {
  state?: PanelState;
}

const EXTENSION_ID = 'quant-drift.quant-drift';

async function panelState(): Promise<PanelState | undefined> {
  return (await vscode.commands.executeCommand<CompareTestState>('quantDrift._test.compareState')).state;
}

/** Polls `check` (accepting whatever quick pick is open when `accept` is set) until it yields a value. */
async function until<T>(
  what: string,
  check: (state: PanelState | undefined) => T | undefined,
  options: { timeoutMs?: number; accept?: boolean } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const value = check(await panelState());
    if (value !== undefined) return value;
    if (options.accept) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.fail(`timed out waiting for ${what}; last state: ${JSON.stringify((await panelState())?.run)}`);
}

suite('model variants', function () {
  this.timeout(180_000);

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  test('right-clicking an onnx-community repo compares model_fp16 with model_q4f16', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const repo = path.join(folder.uri.fsPath, 'variant-models', 'tiny-llama-ONNX');
    const command = vscode.commands.executeCommand('quantDrift.compareQuantized', vscode.Uri.file(repo));
    const pair = await until(
      'the variant pair',
      (s) => (s?.pair && s.pair.base.path.startsWith(repo) ? s.pair : undefined),
      { accept: true },
    );
    await command;
    assert.equal(pair.base.path, path.join(repo, 'onnx', 'model_fp16.onnx'));
    assert.equal(pair.quant.path, path.join(repo, 'onnx', 'model_q4f16.onnx'));
    assert.equal(pair.base.precision, 'fp16');
    assert.equal(pair.quant.precision, 'int4 sym g32 (fp16 activations)');
    assert.equal(pair.blocked, null);

    await vscode.commands.executeCommand('quantDrift._test.compareSend', {
      type: 'setPrompts',
      prompts: [{ id: 'json', prompt: 'Return only a JSON object with the keys name and age.', expectsJson: true }],
    });
    await vscode.commands.executeCommand('quantDrift._test.compareSend', { type: 'run' });
    const done = await until('the run', (s) => (s && ['done', 'error'].includes(s.run.status) ? s : undefined), {
      timeoutMs: 120_000,
    });
    assert.equal(done.run.status, 'done', `run error: ${done.run.error}`);
    assert.equal(done.results.length, 1);
    assert.ok((done.results[0].teacherForced.kldPerToken?.length ?? 0) > 0, 'KL measured between the two variants');
  });
});
