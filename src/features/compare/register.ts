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
import type { HostToWebview, WebviewToHost } from '../../protocol/webview';
import { get, Setting, targetDevice } from '../common/config';
import type { ExtensionContextHolder } from '../common/context';
import { log, showErrorWithLog } from '../common/log';
import type { ControllerDeps } from './controller';
import { promptsFromFile, runnerBackedRunPair, suiteNames, suitePrompts, type EngineSettings } from './engine';
import { announceSavedReport, formatReportFor, EXPORT_FILTERS } from './export';
import { COMPARE_VIEW_TYPE } from './html';
import { watchModelFolders } from './model-folders';
import { ComparePanels } from './panel';
import { browseForTwin, choosePair, type ChosenPair } from './pick';
import { pairView } from './sides';
import { announceTwin, makeInt4Twin } from './twin';

function engineSettings(): EngineSettings {
  return {
    executionProvider: get(Setting.ExecutionProvider, 'cpu'),
    threads: get(Setting.Threads, 0),
    maxNewTokens: get(Setting.MaxNewTokens, 64),
    thresholds: {
      pplRatioWarn: get(Setting.PplRatioWarn, 1.03),
      pplRatioFail: get(Setting.PplRatioFail, 1.05),
      meanKldWarn: get(Setting.MeanKldWarn, 0.05),
    },
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
  const runner = runnerBackedRunPair(extensionPath, engineSettings);
  holder.own(new vscode.Disposable(() => runner.dispose()));

  let panels: ComparePanels;
  const showPair = async (pair: ChosenPair): Promise<boolean> => {
    const controller = panels.show();
    if (controller.isRunning) {
      void vscode.window.showWarningMessage(
        'A comparison is running in the panel; cancel it before choosing another pair.',
      );
      return false;
    }
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
    controller.setPair(pairView(pair, engineSettings(), vscode.workspace.isTrusted, facts, refusal));
    return true;
  };

  /**
   * The shown pair read again from disk (a restored panel's folders may have changed or gone) with today's trust,
   * keeping its results; left blocked as it is when a folder cannot be read.
   */
  const refreshPair = async (): Promise<void> => {
    const controller = panels.controller;
    const pair = controller?.snapshot.pair;
    if (!controller || !pair || controller.isRunning) return;
    try {
      const fresh = { base: await inspect(pair.base.path), quant: await inspect(pair.quant.path) };
      const facts = {
        base: modelFacts(inspected.get(fresh.base.path)),
        quant: modelFacts(inspected.get(fresh.quant.path)),
      };
      if (panels.controller === controller && !controller.isRunning) {
        controller.setPair(pairView(fresh, engineSettings(), vscode.workspace.isTrusted, facts));
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
    listSuites: () => suiteNames(extensionPath),
    loadSuite: (name) => suitePrompts(extensionPath, name),
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
      announceSavedReport(target);
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
        panels.restore(panel, state);
        await refreshPair();
      },
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void refreshPair()),
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
