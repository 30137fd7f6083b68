import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

  test('no walkthrough step completes on a bare command: the demo, recipe and compare steps wait for context keys', () => {
    const extension = vscode.extensions.getExtension('quant-drift.quant-drift')!;
    const manifest = extension.packageJSON as {
      contributes: { walkthroughs: { steps: { id: string; completionEvents: string[] }[] }[] };
    };
    const steps = manifest.contributes.walkthroughs[0]!.steps;
    assert.deepEqual(
      steps.map((step) => step.id),
      ['demo', 'recipes', 'models', 'compare'],
    );
    for (const id of ['demo', 'recipes', 'compare']) {
      const events = steps.find((step) => step.id === id)!.completionEvents;
      assert.ok(
        events.every((event) => event.startsWith('onContext:')),
        `${id}: ${events.join(', ')}`,
      );
    }
  });

  test('the compare step outside a demo workspace opens nothing and does not tick', async () => {
    const shown = await vscode.commands.executeCommand('quantDrift.compareDemo');
    assert.equal(shown, false);
  });
});

suite('Create Demo Workspace', () => {
  let parent: string;
  suiteSetup(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'qd-demo-ws-'));
  });
  suiteTeardown(() => rm(parent, { recursive: true, force: true }));

  test('writes the shipped demo and both INT4 twins into a new folder, never over an existing one', async function () {
    this.timeout(120_000);
    await writeFile(path.join(parent, 'quant-drift-demo'), 'a file the user had');
    const created = await vscode.commands.executeCommand<string | undefined>('quantDrift.createDemoWorkspace', {
      parent,
      open: false,
    });
    assert.equal(created, path.join(parent, 'quant-drift-demo-2'));
    assert.deepEqual((await readdir(path.join(created, 'models'))).sort(), ['fp16', 'int4-asym-cw', 'int4-sym-g128']);
    for (const part of ['prompts/debian-heldout.jsonl', 'scripts/export-for-npu.sh', 'models/fp16/model.onnx'])
      await vscode.workspace.fs.stat(vscode.Uri.file(path.join(created, part)));
    assert.deepEqual((await readdir(parent)).sort(), ['quant-drift-demo', 'quant-drift-demo-2']);
    const recipe = JSON.parse(
      new TextDecoder().decode(
        await vscode.workspace.fs.readFile(
          vscode.Uri.file(path.join(created, 'models', 'int4-sym-g128', 'quantization_recipe.json')),
        ),
      ),
    ) as { symmetric: boolean; blockSize: number; accuracyLevel: number };
    assert.deepEqual([recipe.symmetric, recipe.blockSize, recipe.accuracyLevel], [true, 128, 0]);
  });

  test('Compare Quantized with a second folder opens that pair directly (the walkthrough compare step)', async function () {
    this.timeout(60_000);
    const demo = path.join(parent, 'quant-drift-demo-2');
    const shown = await vscode.commands.executeCommand(
      'quantDrift.compareQuantized',
      vscode.Uri.file(path.join(demo, 'models', 'fp16')),
      vscode.Uri.file(path.join(demo, 'models', 'int4-sym-g128')),
    );
    assert.equal(shown, true);
    const state = (await vscode.commands.executeCommand('quantDrift._test.compareState')) as {
      state?: { pair?: { base: { path: string }; quant: { path: string } } };
    };
    assert.equal(state.state?.pair?.quant.path, path.join(demo, 'models', 'int4-sym-g128'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

suite('Make INT4 Twin, as the demo names and makes its twins', () => {
  test('in the Explorer and Models context menus', () => {
    const manifest = vscode.extensions.getExtension('quant-drift.quant-drift')!.packageJSON as {
      contributes: { menus: Record<string, { command: string }[]> };
    };
    for (const menu of ['explorer/context', 'view/item/context'])
      assert.ok(
        manifest.contributes.menus[menu]!.some((item) => item.command === 'quantDrift.quantizeModel'),
        `${menu} has Make INT4 Twin`,
      );
  });

  test('a bare fp16 folder gets a lowercase int4-sym-g128 twin with accuracy_level 0 by default', async function () {
    this.timeout(120_000);
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const scratch = path.join(folder, 'twin-name-scratch');
    const base = path.join(scratch, 'fp16');
    await vscode.workspace.fs.copy(
      vscode.Uri.file(path.join(folder, 'compare-models', 'tiny-llama-fp16')),
      vscode.Uri.file(base),
      { overwrite: true },
    );
    const twin = path.join(scratch, 'int4-sym-g128');
    try {
      const quantized = vscode.commands.executeCommand('quantDrift.quantizeModel', vscode.Uri.file(base));
      // Accept the first (symmetric group 128) recipe of the quick pick once it shows.
      const deadline = Date.now() + 60_000;
      let recipe: { accuracyLevel: number } | undefined;
      while (!recipe && Date.now() < deadline) {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        await new Promise((resolve) => setTimeout(resolve, 300));
        recipe = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(twin, 'quantization_recipe.json'))).then(
          (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as { accuracyLevel: number },
          () => undefined,
        );
      }
      await quantized;
      assert.ok(recipe, `no twin at ${twin}: ${(await readdir(scratch)).join(', ')}`);
      assert.equal(recipe.accuracyLevel, 0);
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.file(scratch), { recursive: true }).then(undefined, () => undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
