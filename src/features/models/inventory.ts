/**
 * Keeps the model inventory current: which roots to scan (workspace folders, quantDrift.modelRoots, the
 * HF hub cache), one scan at a time (a new one cancels the running one), file-system watchers with a
 * debounce, and host-device detection once. The scans run in a worker thread (dist/inventory-worker.js): the
 * header reads are synchronous, and a slow or hung network drive must stall that thread, not the extension host.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  detectHostDevices,
  expandHome,
  huggingFaceHubCache,
  type HostDevices,
  type InventoryGroup,
  type InventoryRoot,
} from '../../core/models';
import { InventoryWorker } from '../../core/models/inventory-client';
import { get, Setting, targetDevice } from '../common/config';
import { log } from '../common/log';
import type { ModelTreeProvider } from './tree';

const WATCH_GLOB =
  '**/{*.onnx,*.onnx.data,*.onnx_data,*.xml,*.bin,*.gguf,*.safetensors,config.json,genai_config.json,openvino_config.json}';
const DEBOUNCE_MS = 1500;

export class ModelInventory implements vscode.Disposable {
  private readonly scanner: InventoryWorker;
  private running: AbortController | undefined;
  private host: HostDevices | undefined;
  private watchers: vscode.Disposable[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private readonly scanned = new vscode.EventEmitter<InventoryGroup[]>();
  /** Fires after every completed scan (tests wait on it). */
  readonly onDidScan = this.scanned.event;
  groups: InventoryGroup[] = [];
  scanning: Promise<void> | undefined;

  constructor(
    private readonly tree: ModelTreeProvider,
    private readonly view: vscode.TreeView<unknown>,
    extensionPath: string,
  ) {
    this.scanner = new InventoryWorker({ workerPath: path.join(extensionPath, 'dist', 'inventory-worker.js') });
  }

  /** Where the scans run (the test hook reports it). */
  get scansRunIn(): 'worker thread' | 'in-process' {
    return this.scanner.where;
  }

  roots(): InventoryRoot[] {
    const roots: InventoryRoot[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') roots.push({ path: folder.uri.fsPath, label: folder.name, kind: 'workspace' });
    }
    for (const root of get<string[]>(Setting.ModelRoots, [])) {
      if (typeof root === 'string' && root.trim())
        roots.push({
          path: path.resolve(expandHome(root.trim())),
          label: path.basename(root.trim()) || root,
          kind: 'modelRoot',
        });
    }
    if (get<boolean>(Setting.ScanHuggingFaceCache, true))
      roots.push({ path: huggingFaceHubCache(), label: 'Hugging Face cache', kind: 'hubCache' });
    return roots;
  }

  /** Starts a scan (cancelling one that runs) and resolves when it is done. */
  refresh(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.view.message = this.groups.length === 0 ? 'Looking for models…' : undefined;
    const scan = (async () => {
      const started = performance.now();
      try {
        this.host ??= await detectHostDevices();
        const groups = await this.scanner.scan(this.roots(), controller.signal);
        if (controller.signal.aborted) return;
        this.groups = groups;
        this.tree.update({ groups, host: this.host, target: targetDevice() });
        const models = groups.flatMap((group) => group.models);
        this.view.message = undefined;
        void vscode.commands.executeCommand('setContext', 'quantDrift.models.scanned', true);
        void vscode.commands.executeCommand('setContext', 'quantDrift.models.count', models.length);
        // The compare panel's Explorer menu shows on these folders (package.json explorer/context).
        void vscode.commands.executeCommand(
          'setContext',
          'quantDrift.modelFolders',
          models.filter((m) => !m.error).map((m) => m.path),
        );
        log().info(
          `models: ${models.length} found in ${Math.round(performance.now() - started)} ms (${this.scanner.where})`,
        );
        this.scanned.fire(groups);
      } catch (error) {
        if (controller.signal.aborted) return;
        this.view.message = `Scan failed: ${error instanceof Error ? error.message : String(error)}`;
        log().error('model scan failed', error);
      } finally {
        if (this.running === controller) this.running = undefined;
      }
    })();
    this.scanning = scan;
    return scan;
  }

  /** Re-scans a moment after the last file change, so a copy of many files causes one scan. */
  scheduleRefresh(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.refresh();
    }, DEBOUNCE_MS);
  }

  /** Watches the workspace and every extra root; call again when the roots change. */
  watch(): void {
    for (const watcher of this.watchers) watcher.dispose();
    this.watchers = [];
    const patterns: vscode.GlobPattern[] = [WATCH_GLOB];
    for (const root of this.roots()) {
      if (root.kind !== 'workspace')
        patterns.push(
          new vscode.RelativePattern(
            vscode.Uri.file(root.path),
            root.kind === 'hubCache' ? '*/snapshots/*/**' : WATCH_GLOB,
          ),
        );
    }
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      watcher.onDidCreate(() => this.scheduleRefresh());
      watcher.onDidDelete(() => this.scheduleRefresh());
      watcher.onDidChange(() => this.scheduleRefresh());
      this.watchers.push(watcher);
    }
  }

  dispose(): void {
    this.running?.abort();
    this.scanner.dispose();
    if (this.debounce) clearTimeout(this.debounce);
    for (const watcher of this.watchers) watcher.dispose();
    this.scanned.dispose();
  }
}
