/**
 * The Models view: Devices -> models (verdict icon, precision and size, a tooltip with the reasons), then
 * "All models" grouped by the folder they were found in, with unreadable folders as error items.
 * The provider only renders the last scan; scanning lives in ModelInventory (inventory.ts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEVICE_PROFILE_IDS, DEVICE_PROFILES, type DeviceProfileId } from '../../core/devices/profiles';
import {
  describePrecision,
  type HostDevices,
  type InventoryGroup,
  type ModelInfo,
  type Verdict,
} from '../../core/models';
import { formatSize } from '../../core/models/format';
import { modelTooltip, verdictIcon } from './tooltip';

export type ModelNode =
  | { kind: 'device'; device: DeviceProfileId }
  | { kind: 'all' }
  | { kind: 'group'; group: InventoryGroup }
  | { kind: 'model'; info: ModelInfo; device?: DeviceProfileId; path: string; uri: vscode.Uri }
  | { kind: 'folderError'; path: string; error: string };

const RANK: Record<Verdict, number> = { ok: 0, warn: 1, no: 2 };

export interface TreeState {
  groups: InventoryGroup[];
  host: HostDevices | undefined;
  /** The device the "All models" icons are judged for (quantDrift.targetDevice). */
  target: DeviceProfileId;
}

export class ModelTreeProvider implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private state: TreeState = { groups: [], host: undefined, target: 'intel-npu-lnl' };

  update(state: TreeState): void {
    this.state = state;
    this.changed.fire(undefined);
  }

  get models(): ModelInfo[] {
    return this.state.groups.flatMap((group) => group.models);
  }

  dispose(): void {
    this.changed.dispose();
  }

  getChildren(node?: ModelNode): ModelNode[] {
    const models = this.models;
    if (!node) {
      const hasErrors = this.state.groups.some((group) => group.errors.length > 0);
      // Nothing at all: an empty tree lets the welcome view (package.json viewsWelcome) show its actions.
      if (models.length === 0 && !hasErrors) return [];
      return [...this.deviceOrder().map((device): ModelNode => ({ kind: 'device', device })), { kind: 'all' }];
    }
    switch (node.kind) {
      case 'device':
        return models
          .filter((info) => !info.error)
          .sort(
            (a, b) =>
              RANK[a.devices[node.device].verdict] - RANK[b.devices[node.device].verdict] ||
              a.name.localeCompare(b.name),
          )
          .map((info) => modelNode(info, node.device));
      case 'all':
        return this.state.groups
          .filter((group) => group.models.length > 0 || group.errors.length > 0)
          .map((group): ModelNode => ({ kind: 'group', group }));
      case 'group':
        return [
          ...[...node.group.models].sort((a, b) => a.path.localeCompare(b.path)).map((info) => modelNode(info)),
          ...node.group.errors.map((error): ModelNode => ({
            kind: 'folderError',
            path: error.path,
            error: error.error,
          })),
        ];
      default:
        return [];
    }
  }

  getParent(): undefined {
    return undefined;
  }

  /** The selected target first, then the devices found on this machine, then the rest in profile order. */
  private deviceOrder(): DeviceProfileId[] {
    const rank = (device: DeviceProfileId): number =>
      device === this.state.target ? 0 : this.isPresent(device) ? 1 : 2;
    return [...DEVICE_PROFILE_IDS].sort((a, b) => rank(a) - rank(b));
  }

  private isPresent(device: DeviceProfileId): boolean {
    return this.state.host?.present.has(device) ?? device === 'cpu';
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    switch (node.kind) {
      case 'device': {
        const present = this.isPresent(node.device);
        const isTarget = node.device === this.state.target;
        const profile = DEVICE_PROFILES[node.device];
        // Only the selected target opens; the others stay one line each.
        const item = new vscode.TreeItem(
          profile.shortLabel,
          isTarget ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        const counts = { ok: 0, 'fits as IR': 0, warn: 0, no: 0 };
        for (const info of this.models) {
          if (info.error) continue;
          const verdict = info.devices[node.device];
          counts[verdict.asExport ? 'fits as IR' : verdict.verdict]++;
        }
        // Short enough for the default sidebar width. The expanded target shows its models' icons below it, so it
        // says only that it is the target; a collapsed device names its problems ("1 warn, 1 no"), or "3 ok" when
        // there are none (a recipe that fits once exported to IR is not a problem). The tooltip has every count.
        const problems = (['warn', 'no'] as const)
          .filter((verdict) => counts[verdict] > 0)
          .map((verdict) => `${counts[verdict]} ${verdict}`);
        const fits = counts.ok + counts['fits as IR'];
        item.description = isTarget ? 'target' : problems.length > 0 ? problems.join(', ') : `${fits} ok`;
        const evidence = this.state.host?.evidence[node.device];
        item.tooltip = [
          `${profile.label}${isTarget ? ' — the target device (quantDrift.targetDevice)' : ''}`,
          present
            ? `Detected on this machine${evidence ? `: ${evidence}` : ''}`
            : 'Not detected on this machine: verdicts are for targeting it.',
          `${counts.ok} runs, ${counts['fits as IR']} fit the recipe as OpenVINO IR, ${counts.warn} outside the recipe, ${counts.no} will not run`,
        ].join('\n');
        item.iconPath = new vscode.ThemeIcon(isTarget ? 'target' : present ? 'circuit-board' : 'chip');
        item.contextValue = 'quantDrift.device';
        // The id carries the target so a new target opens expanded (VS Code keeps an id's expansion state).
        item.id = `device:${node.device}${isTarget ? ':target' : ''}`;
        return item;
      }
      case 'all': {
        const item = new vscode.TreeItem('All models', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${this.models.length} found`;
        item.iconPath = new vscode.ThemeIcon('library');
        item.id = 'all';
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.group.root.label, vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.group.root.path + (node.group.truncated ? ' (scan stopped early: too many files)' : '');
        item.tooltip = node.group.root.path;
        item.iconPath = new vscode.ThemeIcon(node.group.root.kind === 'hubCache' ? 'cloud-download' : 'folder');
        item.id = `group:${node.group.root.path}`;
        return item;
      }
      case 'model':
        return this.modelItem(node);
      case 'folderError': {
        const item = new vscode.TreeItem(path.basename(node.path), vscode.TreeItemCollapsibleState.None);
        item.description = `cannot read: ${node.error}`;
        item.tooltip = `${node.path}\n\n${node.error}`;
        item.iconPath = verdictIcon({ verdict: 'no', reasons: [] });
        item.contextValue = 'quantDrift.folderError';
        item.id = `error:${node.path}`;
        return item;
      }
    }
  }

  private modelItem(node: Extract<ModelNode, { kind: 'model' }>): vscode.TreeItem {
    const { info } = node;
    const item = new vscode.TreeItem(info.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.device ?? 'all'}:${info.path}`;
    item.resourceUri = node.uri;
    if (info.error) {
      item.description = `error: ${info.error}`;
      item.iconPath = verdictIcon({ verdict: 'no', reasons: [] });
      item.contextValue = 'quantDrift.model.error';
    } else {
      const device = node.device ?? this.state.target;
      item.description = `${describePrecision(info)} · ${formatSize(info.sizeBytes)}`;
      item.iconPath = verdictIcon(info.devices[device]);
      item.contextValue = info.files.configs.length > 0 ? 'quantDrift.model.withConfig' : 'quantDrift.model';
    }
    item.tooltip = modelTooltip(info, node.device ?? this.state.target);
    return item;
  }
}

function modelNode(info: ModelInfo, device?: DeviceProfileId): ModelNode {
  return { kind: 'model', info, path: info.path, uri: vscode.Uri.file(info.path), ...(device ? { device } : {}) };
}
