/**
 * Choosing the pair: from the right-clicked folder, find its twin (src/core/pairing), ask with a quick pick
 * when there are several, offer to make an INT4 twin or to choose any folder when there is none.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  findTwins,
  hfCacheDirs,
  variantPairs,
  type FolderInspector,
  type FolderPrecision,
  type TwinSearch,
} from '../../core/pairing';

export interface ChosenPair {
  readonly base: FolderPrecision;
  readonly quant: FolderPrecision;
}

export type PairChoice =
  { kind: 'pair'; pair: ChosenPair } | { kind: 'make-twin'; base: FolderPrecision } | { kind: 'cancelled' };

interface CandidateItem extends vscode.QuickPickItem {
  readonly action: 'candidate' | 'browse' | 'browse-file' | 'make-twin';
  readonly info?: FolderPrecision;
}

function orient(self: FolderPrecision, other: FolderPrecision, role: TwinSearch['role']): ChosenPair {
  return role === 'base' ? { base: self, quant: other } : { base: other, quant: self };
}

/** Lets the user pick any folder (or, with `files`, any .onnx variant file) as the other side; inspects it. */
export async function browseForTwin(
  self: FolderPrecision,
  inspect: FolderInspector,
  role: TwinSearch['role'],
  files = false,
): Promise<ChosenPair | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: !files,
    canSelectFiles: files,
    ...(files ? { filters: { 'ONNX models': ['onnx'] } } : {}),
    canSelectMany: false,
    defaultUri: vscode.Uri.file(self.path),
    openLabel: role === 'base' ? 'Use as INT4 Side' : 'Use as Base Side',
    title: `Choose the ${role === 'base' ? 'quantized' : 'base'} twin of ${basename(self.path)}`,
  });
  if (!picked?.[0]) return undefined;
  return orient(self, await inspect(picked[0].fsPath), role);
}

interface VariantPairItem extends vscode.QuickPickItem {
  readonly pair: ChosenPair;
}

/**
 * A repo of variants (onnx-community root or its onnx/): offer its base x quantized pairs directly,
 * "model_fp16 vs model_q4f16" first. undefined when the folder holds no variants.
 */
async function chooseVariantPair(folder: string, inspect: FolderInspector): Promise<PairChoice | undefined> {
  const pairs = await variantPairs(folder, inspect);
  if (pairs.length === 0) return undefined;
  const items: VariantPairItem[] = pairs.map((pair, index) => ({
    label: pair.label,
    description: `${pair.base.precision} vs ${pair.quant.precision}${index === 0 ? ' · best match' : ''}`,
    detail: `${pair.base.path} · ${pair.quant.path}`,
    pair: { base: pair.base, quant: pair.quant },
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Compare two variants of ${basename(folder) === 'onnx' ? basename(dirname(folder)) : basename(folder)}`,
    placeHolder: `${pairs.length} base / quantized pairs; best match first`,
    matchOnDescription: true,
  });
  return picked ? { kind: 'pair', pair: picked.pair } : { kind: 'cancelled' };
}

export async function choosePair(folder: string, inspect: FolderInspector, signal?: AbortSignal): Promise<PairChoice> {
  const variants = await chooseVariantPair(folder, inspect);
  if (variants) return variants;
  const search = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Quant Drift: looking for the twin model' },
    () => findTwins(folder, { inspect, hfCacheDirs: hfCacheDirs(process.env), ...(signal ? { signal } : {}) }),
  );
  const { self, role, candidates } = search;
  if (self.error) throw new Error(`Cannot read ${folder}: ${self.error}`);
  const want = role === 'base' ? 'INT4' : 'base (FP16/FP32)';

  if (candidates.length === 1) return { kind: 'pair', pair: orient(self, candidates[0].info, role) };

  const items: CandidateItem[] = candidates.map((candidate, index) => ({
    action: 'candidate',
    info: candidate.info,
    label: basename(candidate.info.path),
    description: `${candidate.info.precision} · ${candidate.info.format}${index === 0 ? ' · best match' : ''}`,
    detail: `${candidate.info.path} (${candidate.reasons.join('; ')})`,
  }));
  if (items.length > 0) items.push({ action: 'browse', label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({
    action: 'browse',
    label: '$(folder-opened) Choose Another Folder…',
    description: `any folder holding the ${want} model`,
  });
  items.push({
    action: 'browse-file',
    label: '$(file) Choose an ONNX File…',
    description: `one variant file (onnx/model_q4f16.onnx) as the ${want} side`,
  });
  if (role === 'base') {
    items.push({
      action: 'make-twin',
      label: '$(zap) Make an INT4 Twin…',
      description: 'quantize this model with the built-in INT4 quantizer',
    });
  }

  const picked =
    candidates.length === 0
      ? await vscode.window.showQuickPick(items, {
          title: `No ${want} twin found next to ${basename(self.path)} (${self.precision})`,
          placeHolder:
            role === 'base' ? 'Make one with the built-in quantizer, or choose a folder' : 'Choose the base folder',
        })
      : await vscode.window.showQuickPick(items, {
          title: `Compare ${basename(self.path)} (${self.precision}) with…`,
          placeHolder: `${candidates.length} ${want} candidates; best match first`,
          matchOnDetail: true,
        });
  if (!picked) return { kind: 'cancelled' };
  if (picked.action === 'make-twin') return { kind: 'make-twin', base: self };
  if (picked.action === 'browse' || picked.action === 'browse-file') {
    const pair = await browseForTwin(self, inspect, role, picked.action === 'browse-file');
    return pair ? { kind: 'pair', pair } : { kind: 'cancelled' };
  }
  return { kind: 'pair', pair: orient(self, picked.info!, role) };
}
