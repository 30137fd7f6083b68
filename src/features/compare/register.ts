/**
 * Compare feature wiring: "Compare Quantized" (Explorer and model tree context menus), the panel and its
 * serializer, the context key that limits the Explorer item to model folders, and a hidden test hook.
 */
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '../../core/fs/atomic-write';
import { DEVICE_PROFILES } from '../../core/devices/profiles';
import { describePrecision, inspectModelFolder, verdictWords, type ModelInfo } from '../../core/models';
import { modelRefusal } from '../../core/drift/model-folder';
import { inspectorFrom, pairRefusalMessage, type FolderInspector } from '../../core/pairing';
import type { HistoryEntry, HostToWebview, WebviewToHost } from '../../protocol/webview';
import { get, Setting, targetDevice } from '../common/config';
import type { ExtensionContextHolder } from '../common/context';
import { log, showErrorWithLog } from '../common/log';
import type { CompareController, ControllerDeps, SuiteCatalog } from './controller';
import { promptsFromFile, runnerBackedRunPair, shippedSuites, suitePrompts, type EngineSettings } from './engine';
import { announceSavedReport, formatReportFor, EXPORT_FILTERS } from './export';
import { HistoryStore } from './history';
import { COMPARE_VIEW_TYPE } from './html';
import { watchModelFolders } from './model-folders';
import { ComparePanels } from './panel';
import { browseForTwin, choosePair, type ChosenPair } from './pick';
import { pairView } from './sides';
import { announceTwin, makeInt4Twin } from './twin';
import { taskEngineSettings } from './task-settings';
import {
  builtinOption,
  nearestPromptFile,
  readPromptFiles,
  workspaceOption,
  WORKSPACE_PREFIX,
} from './workspace-suites';

/**
 * Why 512 for JSON prompts: a JSON answer is judged only whole, and generation stops at EOS, so answers that end
 * early cost nothing more; 512 tokens hold a few kilobytes of JSON (the demo's answers are 150-300 byte tokens,
 * of which 91 in 100 did not fit in 64) while still bounding a model that never stops.
 */
export const DEFAULT_JSON_MAX_NEW_TOKENS = 512;

function runSettings(): EngineSettings {
  return {
    executionProvider: get(Setting.ExecutionProvider, 'cpu'),
    threads: get(Setting.Threads, 0),
    maxNewTokens: get(Setting.MaxNewTokens, 64),
    jsonMaxNewTokens: get(Setting.JsonMaxNewTokens, DEFAULT_JSON_MAX_NEW_TOKENS),
    thresholds: {
      pplRatioWarn: get(Setting.PplRatioWarn, 1.03),
      pplRatioFail: get(Setting.PplRatioFail, 1.05),
      meanKldWarn: get(Setting.MeanKldWarn, 0.05),
    },
    ...taskEngineSettings(),
  };
}

/** The command's argument: a Uri (Explorer), a path string or an object with a path (model tree). */
export function folderOfArgument(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string' && arg.length > 0) return arg;
  if (arg && typeof arg === 'object') {
    const record = arg as Record<string, unknown>;
    if (record['uri'] instanceof vscode.Uri) return record['uri'].fsPath;
    if (record['resourceUri'] instanceof vscode.Uri) return record['resourceUri'].fsPath;
    for (const key of ['fsPath', 'path']) if (typeof record[key] === 'string') return record[key];
  }
  return undefined;
}

/** What inspection knows beyond precision, one line each, for the pair header. */
function modelFacts(info: ModelInfo | undefined): string[] {
  if (!info) return [];
  const facts: string[] = [];
  const size = info.sizeBytes > 0 ? `${(info.sizeBytes / 2 ** 20).toFixed(1)} MiB on disk` : null;
  const params = info.params !== null ? `${(info.params / 1e6).toFixed(info.params < 1e7 ? 2 : 0)}M parameters` : null;
  if (size || params) facts.push([params, size].filter(Boolean).join(', '));
  const target = targetDevice();
  const verdict = info.devices[target];
  // The tree's words for the target device (src/core/models/verdicts.ts), so the header and the tree agree.
  if (verdict)
    facts.push(
      `${DEVICE_PROFILES[target].shortLabel}: ${verdictWords(verdict)}${verdict.reasons[0] ? ` (${verdict.reasons[0]})` : ''}`,
    );
  if (info.files.tokenizer.missing.length > 0) facts.push(`missing: ${info.files.tokenizer.missing.join(', ')}`);
  return facts;
}

const TRUST_MESSAGE =
  'Quant Drift will not run models in an untrusted workspace: a run loads the model files into ONNX Runtime and renders their chat templates. Trust the workspace to compare.';

const PROMPT_FILES = '**/*.jsonl';
const PROMPT_FILES_EXCLUDE = '**/{node_modules,.git,.venv,out,dist,.cache}/**';
const MAX_PROMPT_FILES = 200;

/**
 * The prompt files of the workspace (our JSONL schema) first, then the shipped suites; the file nearest the base
 * model preselected. `listed` remembers which files were offered: the page may only ask for those.
 */
async function suiteCatalog(extensionPath: string, basePath: string | null, listed: Map<string, string>) {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const found = await vscode.workspace.findFiles(PROMPT_FILES, PROMPT_FILES_EXCLUDE, MAX_PROMPT_FILES);
  const files = await readPromptFiles(
    found.map((uri) => uri.fsPath),
    roots,
    (path, why) => log().info(`prompt files: ${path} is not offered (${why})`),
  );
  const options = files.map(workspaceOption);
  for (const [index, option] of options.entries()) listed.set(option.id, files[index].path);
  const nearest = basePath ? nearestPromptFile(basePath, files, roots) : null;
  const catalog: SuiteCatalog = {
    suites: [...options, ...(await shippedSuites(extensionPath)).map(builtinOption)],
    preferred: nearest ? workspaceOption(nearest).id : null,
  };
  return catalog;
}

const QUANTIZE_TRUST_MESSAGE =
  'Quant Drift will not quantize models in an untrusted workspace: the quantizer reads and rewrites the model files. Trust the workspace first.';

/**
 * The folder a command acts on (its argument, else a folder picker), or undefined when the user cancels or
 * the workspace is untrusted; then `trustMessage` says why, with a way to manage trust.
 */
async function trustedFolder(arg: unknown, openLabel: string, trustMessage: string): Promise<string | undefined> {
  let folder = folderOfArgument(arg);
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel });
    folder = picked?.[0]?.fsPath;
    if (!folder) return undefined;
  }
  // The model tree may hand over a single-file model: a .onnx variant is a model of its own; a .gguf pairs by
  // its folder.
  if (existsSync(folder) && statSync(folder).isFile() && !/\.onnx$/i.test(folder)) folder = dirname(folder);
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(trustMessage, 'Manage Workspace Trust');
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  return folder;
}

function historyLabel(entry: HistoryEntry): string {
  return `${basename(entry.basePath)} ↔ ${basename(entry.quantPath)}`;
}

function historyDescription(entry: HistoryEntry): string {
  const verdict = entry.summary ? entry.summary.verdict.toUpperCase() : entry.status;
  const when = entry.savedAt.replace('T', ' ').slice(0, 16);
  const count = entry.status === 'done' ? `${entry.done} prompts` : `${entry.status}, ${entry.done}/${entry.total}`;
  return `${verdict} · ${count} · ${when}`;
}

interface TestRecord {
  posted: HostToWebview[];
  received: WebviewToHost[];
  rejected: string[];
}

export function registerCompareFeatures(holder: ExtensionContextHolder): void {
  const extensionPath = holder.extensionUri.fsPath;
  // Full inspection (M's header readers) when it can read the folder; pairing's quick reading otherwise.
  const inspected = new Map<string, ModelInfo>();
  const inspect: FolderInspector = inspectorFrom(
    async (path) => {
      const info = await inspectModelFolder(path);
      inspected.set(path, info);
      return info;
    },
    (info) => describePrecision(info),
  );
  const runner = runnerBackedRunPair(extensionPath, runSettings);
  holder.own(new vscode.Disposable(() => runner.dispose()));
  // Workspace storage (per workspace); the global one when no folder is open.
  const storage = holder.context.storageUri ?? holder.context.globalStorageUri;
  const history = new HistoryStore(vscode.Uri.joinPath(storage, 'compare-runs').fsPath, log());
  const listedPromptFiles = new Map<string, string>();

  let panels: ComparePanels;
  /**
   * The panel a new pair goes to: the active one unless it is running or shows another pair's results, in which
   * case a new panel opens beside it (that run is in the history too, and stays on screen).
   */
  const panelForPair = (pair: ChosenPair): CompareController => {
    const current = panels.controller;
    const shown = current?.snapshot.pair;
    const samePair = shown?.base.path === pair.base.path && shown?.quant.path === pair.quant.path;
    if (current && (current.isRunning || (current.hasResults && !samePair))) {
      return panels.create(vscode.ViewColumn.Beside);
    }
    return panels.show();
  };
  const showPair = async (pair: ChosenPair): Promise<boolean> => {
    const facts = {
      base: modelFacts(inspected.get(pair.base.path)),
      quant: modelFacts(inspected.get(pair.quant.path)),
    };
    // Layouts the runner refuses (EPContext, static shapes, pipelines...) are named before any run, from headers.
    const [baseRefusal, quantRefusal] = await Promise.all([
      modelRefusal(pair.base.path),
      modelRefusal(pair.quant.path),
    ]);
    const refusal = pairRefusalMessage(baseRefusal, quantRefusal);
    panelForPair(pair).setPair(pairView(pair, runSettings(), vscode.workspace.isTrusted, facts, refusal));
    return true;
  };
  /** A saved run in the active panel when it is free, else in a new panel beside it. */
  const openSaved = async (id: string, forceNew = false): Promise<void> => {
    const saved = await history.load(id);
    if (!saved) {
      void vscode.window.showErrorMessage('Quant Drift: that run can no longer be read from the history.');
      return;
    }
    const current = panels.controller;
    const target =
      !current || (!forceNew && !current.isRunning) ? panels.show() : panels.create(vscode.ViewColumn.Beside);
    target.showSaved(saved);
  };

  /**
   * The shown pair read again from disk (a restored panel's folders may have changed or gone) with today's trust,
   * keeping its results; left blocked as it is when a folder cannot be read.
   */
  const refreshPair = async (controller: CompareController): Promise<void> => {
    const pair = controller.snapshot.pair;
    if (!pair || controller.isRunning) return;
    try {
      const fresh = { base: await inspect(pair.base.path), quant: await inspect(pair.quant.path) };
      const facts = {
        base: modelFacts(inspected.get(fresh.base.path)),
        quant: modelFacts(inspected.get(fresh.quant.path)),
      };
      if (panels.controllers.includes(controller) && !controller.isRunning) {
        controller.setPair(pairView(fresh, runSettings(), vscode.workspace.isTrusted, facts));
      }
    } catch (error) {
      log().warn(
        `compare panel: could not read the restored pair again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  const deps = (): ControllerDeps => ({
    // Checked again where the runner is asked to load models, not only where the page's button is drawn.
    runPair: (request, onEvent, signal) => {
      if (!vscode.workspace.isTrusted) return Promise.reject(new Error(TRUST_MESSAGE));
      return runner.runPair(request, onEvent, signal);
    },
    isTrusted: () => vscode.workspace.isTrusted,
    listSuites: (basePath) => suiteCatalog(extensionPath, basePath, listedPromptFiles),
    loadSuite: async (id) => {
      if (!id.startsWith(WORKSPACE_PREFIX)) return suitePrompts(extensionPath, id);
      const path = listedPromptFiles.get(id);
      if (!path) throw new Error('That prompt file is not one the panel offered; choose it from the list again.');
      return promptsFromFile(path);
    },
    settings: runSettings,
    history,
    openRunElsewhere: (id) => openSaved(id, true),
    onSaved: () => {
      for (const controller of panels.controllers) void controller.reloadHistory();
    },
    importPrompts: async () => {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Prompt files (JSONL)': ['jsonl', 'json'] },
        openLabel: 'Import Prompts',
      });
      return picked?.[0] ? promptsFromFile(picked[0].fsPath) : null;
    },
    exportReport: async (report, format) => {
      const defaultName = `${basename(report.quant.path)}-drift.${format}`;
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(
          `${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? report.quant.path}/${defaultName}`,
        ),
        filters: EXPORT_FILTERS[format],
        saveLabel: 'Save Report',
      });
      if (!target) return;
      await writeFileAtomic(target.fsPath, formatReportFor(report, format));
      const partial = report.summary.partial ? ` (partial: ${report.prompts.length} prompts before the cancel)` : '';
      announceSavedReport(target, partial);
    },
    pickFolder: async (side) => {
      const current = panels.controller?.snapshot.pair;
      if (!current) return;
      const self = await inspect(side === 'base' ? current.quant.path : current.base.path);
      // A side that is a variant file is replaced by picking a file (another variant), a folder by a folder.
      const replacingFile = /\.onnx$/i.test(side === 'base' ? current.base.path : current.quant.path);
      const pair = await browseForTwin(self, inspect, side === 'base' ? 'quant' : 'base', replacingFile);
      if (pair) await showPair(pair);
    },
    makeTwin: async () => {
      const base = panels.controller?.snapshot.pair?.base.path;
      await vscode.commands.executeCommand('quantDrift.quantizeModel', base ? vscode.Uri.file(base) : undefined);
    },
    log: { warn: (m) => log().warn(m), error: (m, e) => log().error(m, e) },
  });
  panels = holder.own(new ComparePanels(holder.extensionUri, deps));

  holder.own(
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        await refreshPair(panels.restore(panel, state));
      },
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      for (const controller of panels.controllers) void refreshPair(controller);
    }),
  );

  holder.own(
    // Returns whether a pair was shown (the walkthrough's compare step completes only then). A second Uri names
    // the twin outright (walkthrough: the demo's fp16 and int4-sym-g128); the Explorer passes an array there.
    vscode.commands.registerCommand('quantDrift.compareQuantized', async (arg?: unknown, twin?: unknown) => {
      const folder = await trustedFolder(arg, 'Compare This Model', TRUST_MESSAGE);
      if (!folder) return false;
      try {
        if (twin instanceof vscode.Uri)
          return await showPair({ base: await inspect(folder), quant: await inspect(twin.fsPath) });
        const choice = await choosePair(folder, inspect);
        if (choice.kind === 'pair') return await showPair(choice.pair);
        if (choice.kind === 'make-twin')
          await vscode.commands.executeCommand('quantDrift.quantizeModel', vscode.Uri.file(choice.base.path));
      } catch (error) {
        await showErrorWithLog(`Compare Quantized: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      return false;
    }),
    vscode.commands.registerCommand('quantDrift.quantizeModel', async (arg?: unknown) => {
      const folder = await trustedFolder(arg, 'Quantize This Model', QUANTIZE_TRUST_MESSAGE);
      if (!folder) return;
      try {
        const accuracyLevel = get<number>(Setting.QuantizeAccuracyLevel, 0) === 4 ? 4 : 0;
        const target = targetDevice(vscode.Uri.file(folder));
        const result = await makeInt4Twin(folder, target, {
          symmetric: get(Setting.QuantizeSymmetric, true),
          blockSize: get(Setting.QuantizeBlockSize, 128),
          accuracyLevel,
        });
        if (!result) return;
        log().info(`INT4 twin written to ${result.outDir} in ${result.seconds.toFixed(1)} s`);
        await showPair({ base: await inspect(folder), quant: await inspect(result.outDir) });
        announceTwin(result, folder, target);
      } catch (error) {
        if (error instanceof Error && /abort|cancel/i.test(error.message)) return;
        await showErrorWithLog(`Make INT4 Twin: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    }),
    vscode.commands.registerCommand('quantDrift.openComparePanel', () => {
      panels.show();
    }),
    vscode.commands.registerCommand('quantDrift.showRunHistory', async () => {
      const entries = await history.list();
      if (entries.length === 0) {
        void vscode.window.showInformationMessage(
          'Quant Drift: no saved runs in this workspace yet. Every finished or cancelled comparison is kept here.',
        );
        return;
      }
      const picked = await vscode.window.showQuickPick(
        entries.map((entry) => ({ label: historyLabel(entry), description: historyDescription(entry), id: entry.id })),
        { title: 'Compare run history', placeHolder: 'Open a saved run (newest first)', matchOnDescription: true },
      );
      if (picked) await openSaved(picked.id);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('quantDrift')) return;
      for (const controller of panels.controllers) controller.refreshSettings();
    }),
  );

  if (holder.underTest) registerCompareTestHooks(holder, panels);

  watchModelFolders(holder);
}

/**
 * Test hooks (not in package.json, so not in the palette; registered only under the test harness): what the
 * panel's controller sent and received, and a way to send it a message as the webview would.
 */
function registerCompareTestHooks(holder: ExtensionContextHolder, panels: ComparePanels): void {
  const record: TestRecord = { posted: [], received: [], rejected: [] };
  holder.own(
    panels.onDidCreateController((controller) => {
      record.posted = [];
      record.received = [];
      record.rejected = [];
      controller.onDidPost.on((m) => record.posted.push(m));
      controller.onDidReceive.on((m) => record.received.push(m));
      controller.onDidReject.on((m) => record.rejected.push(m));
    }),
    vscode.commands.registerCommand('quantDrift._test.compareState', () => ({
      open: panels.controller !== undefined,
      panels: panels.controllers.length,
      running: panels.controller?.isRunning ?? false,
      state: panels.controller?.snapshot,
      posted: record.posted.map((m) => m.type),
      received: record.received,
      rejected: record.rejected,
    })),
    vscode.commands.registerCommand('quantDrift._test.compareSend', (message: unknown) =>
      panels.controller?.receive(message),
    ),
  );
}
