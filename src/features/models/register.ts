/**
 * Models feature: the `quantDrift.models` tree, its commands and the Hub download command.
 * Scanning starts when the view is first shown (or a few seconds after activation, so the Explorer's
 * "Compare Quantized" menu knows the model folders), never during activate().
 */
import * as vscode from 'vscode';
import { DEVICE_PROFILE_IDS } from '../../core/devices/profiles';
import type { ExtensionContextHolder } from '../common/context';
import { Setting } from '../common/config';
import { copyPath, lintModelRecipe, openConfig, revealInExplorer } from './commands';
import { downloadModelCommand } from './download';
import { ModelInventory } from './inventory';
import { ModelTreeProvider, type ModelNode } from './tree';

const VIEW_ID = 'quantDrift.models';
const DEFERRED_SCAN_MS = 4000;

/** A plain-data picture of the tree, for the integration tests (not contributed to the palette). */
export interface TreeSnapshotItem {
  label: string;
  description?: string;
  icon?: string;
  iconColor?: string;
  contextValue?: string;
  tooltip?: string;
  path?: string;
  children?: TreeSnapshotItem[];
}

async function snapshot(provider: ModelTreeProvider, node?: ModelNode): Promise<TreeSnapshotItem[]> {
  const items: TreeSnapshotItem[] = [];
  for (const child of provider.getChildren(node)) {
    const item = provider.getTreeItem(child);
    const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
    const entry: TreeSnapshotItem = { label };
    if (typeof item.description === 'string') entry.description = item.description;
    if (icon) entry.icon = icon.id;
    if (icon?.color) entry.iconColor = icon.color.id;
    if (item.contextValue) entry.contextValue = item.contextValue;
    if (tooltip) entry.tooltip = tooltip;
    if (child.kind === 'model') entry.path = child.path;
    if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None)
      entry.children = await snapshot(provider, child);
    items.push(entry);
  }
  return items;
}

export function registerModelFeatures(holder: ExtensionContextHolder): void {
  const provider = holder.own(new ModelTreeProvider());
  const view = holder.own(
    vscode.window.createTreeView<ModelNode>(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true }),
  );
  const inventory = holder.own(
    new ModelInventory(provider, view as vscode.TreeView<unknown>, holder.extensionUri.fsPath),
  );
  const diagnostics = holder.own(vscode.languages.createDiagnosticCollection('quantDrift.models'));

  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    inventory.watch();
    void inventory.refresh();
  };
  if (view.visible) start();
  holder.own(view.onDidChangeVisibility((event) => event.visible && start()));
  const deferred = setTimeout(start, DEFERRED_SCAN_MS);
  holder.own({ dispose: () => clearTimeout(deferred) });

  holder.own(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!started) return;
      if (event.affectsConfiguration(Setting.ModelRoots) || event.affectsConfiguration(Setting.ScanHuggingFaceCache)) {
        inventory.watch();
        void inventory.refresh();
      } else if (event.affectsConfiguration(Setting.TargetDevice)) {
        // The cache makes this a re-render: "All models" icons follow the target device.
        void inventory.refresh();
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      if (!started) return;
      inventory.watch();
      void inventory.refresh();
    }),
  );

  holder.own(
    vscode.commands.registerCommand('quantDrift.models.refresh', () => {
      started = true;
      return inventory.refresh();
    }),
    vscode.commands.registerCommand('quantDrift.models.revealInExplorer', revealInExplorer),
    vscode.commands.registerCommand('quantDrift.models.copyPath', copyPath),
    vscode.commands.registerCommand('quantDrift.models.openConfig', openConfig),
    vscode.commands.registerCommand('quantDrift.models.lintRecipe', (arg: unknown) =>
      lintModelRecipe(arg, diagnostics),
    ),
    vscode.commands.registerCommand('quantDrift.downloadModel', (repo?: unknown) =>
      downloadModelCommand(async () => {
        started = true;
        await inventory.refresh();
        const all = provider.getChildren().find((node) => node.kind === 'all');
        if (all) await view.reveal(all, { expand: true }).then(undefined, () => undefined);
      }, repo),
    ),
  );
  // Test hook, only under the test harness: the rendered tree as data, after the current scan finished.
  if (holder.underTest)
    holder.own(
      vscode.commands.registerCommand('quantDrift.models._treeSnapshot', async () => {
        start();
        await inventory.scanning;
        return { devices: DEVICE_PROFILE_IDS, items: await snapshot(provider), scansRunIn: inventory.scansRunIn };
      }),
    );
}
