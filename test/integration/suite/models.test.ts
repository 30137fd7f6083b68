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
    assert.match(cpu.description ?? '', /this machine/);
    assert.match(device(items, /Apple/).description ?? '', /target only|this machine/);
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
