/**
 * The Models view inside the real VS Code (issue 4, "Must show"): the generated fixture models
 * (test/fixtures/generate/models.ts) appear under the right devices with the right verdict icons, the broken
 * folder is an error item, tooltips carry reasons with rule links, and "Lint Recipe" puts findings in Problems.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeSnapshotItem } from '../../../src/features/models/register';

type Item = TreeSnapshotItem;

const ICON = { ok: 'pass-filled', warn: 'warning', no: 'error' } as const;

function modelsDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with the fixture workspace open');
  return path.join(folder.uri.fsPath, 'models');
}

async function waitForTree(check: (items: Item[]) => boolean, timeoutMs = 20_000): Promise<Item[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await tree();
    if (check(items) || Date.now() > deadline) return items;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function tree(): Promise<Item[]> {
  const result = (await vscode.commands.executeCommand('quantDrift.models._treeSnapshot')) as { items: Item[] };
  return result.items;
}

function device(items: Item[], label: RegExp): Item {
  const found = items.find((item) => label.test(item.label));
  assert.ok(found, `no device node matching ${label}; have ${items.map((i) => i.label).join(', ')}`);
  return found;
}

function model(parent: Item, folder: string): Item {
  const target = path.join(modelsDir(), folder);
  const found = parent.children?.find((item) => item.path === target);
  assert.ok(found, `${folder} is not under ${parent.label}`);
  return found;
}

suite('models view', () => {
  suiteSetup(async function () {
    this.timeout(60_000);
    await vscode.extensions.getExtension('quant-drift.quant-drift')!.activate();
    await vscode.commands.executeCommand('quantDrift.models.refresh');
  });

  test('the scans run in the inventory worker thread, off the extension host thread', async () => {
    const result = await vscode.commands.executeCommand<{ scansRunIn: string }>('quantDrift.models._treeSnapshot');
    assert.equal(result.scansRunIn, 'worker thread');
  });

  test('models sit under each device with the verdict the rules give', async () => {
    const items = await tree();
    const lunarLake = device(items, /Lunar Lake/);
    const meteorLake = device(items, /Meteor Lake/);
    const cpu = device(items, /^CPU$/);
    const expectations: [Item, string, keyof typeof ICON, RegExp][] = [
      [lunarLake, 'ov-int4-sym-cw', 'ok', /int4 sym channel-wise/],
      [lunarLake, 'ov-int4-asym', 'no', /int4 asym g128/],
      [lunarLake, 'ov-nf4', 'ok', /nf4/],
      [meteorLake, 'ov-nf4', 'no', /nf4/],
      [lunarLake, 'ov-fp16', 'warn', /fp16/],
      [lunarLake, 'ov-int8', 'warn', /int8/],
      [lunarLake, 'onnx-int4-asym', 'no', /int4 asym g32/],
      [lunarLake, 'gguf-q4km', 'no', /Q4_K_M/],
      [cpu, 'onnx-int4-asym', 'ok', /int4 asym/],
      [cpu, 'gguf-q4km', 'ok', /Q4_K_M/],
    ];
    for (const [parent, folder, verdict, precision] of expectations) {
      const item = model(parent, folder);
      assert.equal(item.icon, ICON[verdict], `${folder} under ${parent.label}: ${item.tooltip}`);
      assert.match(item.description ?? '', precision);
    }
    assert.match(cpu.tooltip ?? '', /Detected on this machine/);
    assert.match(device(items, /Apple/).tooltip ?? '', /Not detected on this machine|Detected on this machine/);
  });

  test('the selected target comes first, expanded, with a short label; tooltips do not list every device', async () => {
    const items = await tree();
    assert.equal(items[0]!.label, 'Lunar Lake NPU');
    assert.equal(items[0]!.icon, 'target');
    assert.equal(items[0]!.description, 'target');
    assert.match(items[0]!.tooltip ?? '', /the target device/);
    for (const node of items.filter((item) => item.label !== 'All models')) {
      // Short enough for the default sidebar width (label and description of a device node).
      assert.ok(node.label.length + (node.description ?? '').length <= 42, `${node.label} ${node.description}`);
    }
    const asym = model(items[0]!, 'onnx-int4-asym');
    assert.equal((asym.tooltip ?? '').match(/Meteor Lake/g)?.length ?? 0, 1, asym.tooltip);
    assert.match(asym.tooltip ?? '', /Other devices: /);
    // Citations are links, never bare issue numbers.
    assert.match(asym.tooltip ?? '', /\(https:\/\/github\.com\/openvinotoolkit\/openvino\/issues\/34450\)/);

    await vscode.commands.executeCommand('quantDrift.selectTarget', 'intel-npu-mtl');
    try {
      const moved = await waitForTree((nodes) => nodes[0]?.label === 'Meteor Lake NPU');
      assert.equal(moved[0]!.icon, 'target');
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('quantDrift.targetDevice', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the tooltip gives the reasons and links the rule', async () => {
    const items = await tree();
    const asym = model(device(items, /Lunar Lake/), 'ov-int4-asym');
    assert.match(asym.tooltip ?? '', /34450/);
    assert.match(asym.tooltip ?? '', /command:quantDrift\.showRuleDoc\?.*npu-asymmetric-int4/);
  });

  test('All models groups by folder and shows the broken folder as an error', async () => {
    const all = (await tree()).find((item) => item.label === 'All models');
    assert.ok(all?.children?.length);
    const workspaceGroup = all.children!.find((group) =>
      group.children?.some((item) => item.path?.startsWith(modelsDir())),
    );
    assert.ok(workspaceGroup, 'no group holds the fixture models');
    const broken = workspaceGroup.children!.find((item) => item.path === path.join(modelsDir(), 'broken-onnx'));
    assert.ok(broken, 'the broken folder is listed');
    assert.equal(broken.icon, 'error');
    assert.match(broken.description ?? '', /error/);
    assert.equal(broken.contextValue, 'quantDrift.model.error');
  });

  test('Lint Recipe reads the weights too: an ONNX twin with zero points and no config is not "no problems"', async () => {
    const folder = path.join(modelsDir(), 'onnx-int4-asym');
    const count = (await vscode.commands.executeCommand('quantDrift.models.lintRecipe', folder)) as number;
    assert.ok(count > 0, 'the asymmetric weights are a finding, as in the tree');
    const all = vscode.languages.getDiagnostics().filter(([uri]) => uri.fsPath.startsWith(folder));
    assert.ok(
      all.some(([, list]) =>
        list.some((d) => d.code === 'npu-asymmetric-int4' && d.severity === vscode.DiagnosticSeverity.Error),
      ),
      JSON.stringify(all),
    );
  });

  test('Lint Recipe reads quantization_recipe.json: the finding sits on the key it is about', async () => {
    const twin = path.join(modelsDir(), '..', 'compare-models', 'tiny-llama-int4-sym-g32');
    const count = (await vscode.commands.executeCommand('quantDrift.models.lintRecipe', twin)) as number;
    assert.ok(count > 0, 'group size 32 is outside the Intel NPU recipe');
    const recipe = vscode.Uri.file(path.join(twin, 'quantization_recipe.json'));
    const diagnostics = vscode.languages.getDiagnostics(recipe);
    const groupSize = diagnostics.find((d) => d.code === 'npu-group-size');
    assert.ok(groupSize, JSON.stringify(diagnostics));
    const document = await vscode.workspace.openTextDocument(recipe);
    assert.match(document.lineAt(groupSize.range.start.line).text, /"blockSize"/);
  });

  test('Lint Recipe puts the openvino_config.json findings into Problems', async () => {
    const folder = path.join(modelsDir(), 'ov-int4-asym');
    const count = (await vscode.commands.executeCommand('quantDrift.models.lintRecipe', folder)) as number;
    assert.ok(count > 0, 'the asymmetric recipe has findings');
    const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(folder, 'openvino_config.json')));
    assert.ok(
      diagnostics.some((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'npu-asymmetric-int4'),
    );
  });
});
