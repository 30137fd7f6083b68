import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

// The Getting Started walkthrough opens demo files through this command (package.json contributes.walkthroughs).
suite('walkthrough: open demo file', () => {
  test('opens a file of the workspace by its relative path', async () => {
    await vscode.commands.executeCommand('quantDrift.openDemoFile', 'recipes/export.sh');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(path.basename(editor.document.uri.fsPath), 'export.sh');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a path that is not in the workspace opens nothing and does not throw', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('quantDrift.openDemoFile', 'no/such/file.sh');
    assert.equal(vscode.window.activeTextEditor, undefined);
  });

  test('every walkthrough step links a registered command', async () => {
    const extension = vscode.extensions.getExtension('quant-drift.quant-drift')!;
    await extension.activate();
    const manifest = extension.packageJSON as {
      contributes: { walkthroughs: { steps: { description: string }[] }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    const linked = manifest.contributes.walkthroughs
      .flatMap((walkthrough) => walkthrough.steps)
      .flatMap((step) => [...step.description.matchAll(/\(command:([\w.]+)/g)].map((match) => match[1]));
    assert.ok(linked.length >= 3);
    assert.deepEqual(
      linked.filter((command) => !registered.has(command)),
      [],
    );
  });
});
