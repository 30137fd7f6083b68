/**
 * "Make INT4 Twin": quantize a base ONNX model folder with the built-in RTN quantizer into a sibling
 * folder, with a recipe picker whose first (default) entry is the target device's safe recipe.
 */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DEVICE_PROFILES, type DeviceProfileId } from '../../core/devices/profiles';
import { checkTwinOutput, quantizeModelFolder, type QuantizeResult } from '../../core/quantize';
import { configFolderOf } from '../../core/models/variants';
import { nameStem } from '../../core/pairing';

export interface TwinRecipe {
  readonly symmetric: boolean;
  readonly blockSize: number;
  readonly channelWise: boolean;
}

/** Folder name for the twin: `<model>-int4-sym-g128` beside the base (a bare `FP16` becomes `INT4-sym-g128`). */
export function twinFolderName(baseFolder: string, recipe: TwinRecipe): string {
  const stem = nameStem(basename(baseFolder));
  const tail = `int4-${recipe.symmetric ? 'sym' : 'asym'}-${recipe.channelWise ? 'cw' : `g${recipe.blockSize}`}`;
  return stem
    ? `${basename(baseFolder).replace(/[-_.]?(fp16|fp32|bf16|f16|f32)$/i, '')}-${tail}`
    : tail.replace('int4', 'INT4');
}

/**
 * Where the twin goes: beside the model folder, or for a variant file (onnx-community's onnx/model_fp16.onnx)
 * beside its repo, named after both (`SmolLM2-ONNX-model_fp16-int4-sym-g128`), never inside the repo's onnx/.
 */
export async function twinLocation(input: string, recipe: TwinRecipe): Promise<string> {
  if (!/\.onnx$/i.test(input)) return join(dirname(input), twinFolderName(input, recipe));
  const repo = await configFolderOf(dirname(input));
  const tail = twinFolderName('model', recipe).replace(/^model-/, '');
  return join(dirname(repo), `${basename(repo)}-${basename(input).replace(/\.onnx$/i, '')}-${tail}`);
}

interface RecipeItem extends vscode.QuickPickItem {
  readonly recipe: TwinRecipe;
}

/** The safe recipe first: NPUs (Intel, Qualcomm, Apple) take symmetric INT4; block 128 is optimum's default group. */
export function recipeItems(
  target: DeviceProfileId,
  configured: { symmetric: boolean; blockSize: number },
): RecipeItem[] {
  const label = DEVICE_PROFILES[target].label;
  const npu = DEVICE_PROFILES[target].family !== 'cpu' && DEVICE_PROFILES[target].family !== 'gpu';
  const items: RecipeItem[] = [
    {
      label: 'INT4 symmetric, block 128',
      description: `safe for ${label}`,
      detail: 'No zero points; the recipe NPUs accept. Group size 128 along K.',
      recipe: { symmetric: true, blockSize: 128, channelWise: false },
    },
    {
      label: 'INT4 symmetric, block 32',
      description: 'finer groups: less drift, larger scales',
      recipe: { symmetric: true, blockSize: 32, channelWise: false },
    },
    {
      label: 'INT4 symmetric, channel-wise',
      description: 'one scale per output channel: the most drift',
      recipe: { symmetric: true, blockSize: 128, channelWise: true },
    },
    {
      label: 'INT4 asymmetric, block 128',
      description: npu ? `not accepted by ${label}` : 'with zero points',
      detail: npu
        ? 'Measures what the asymmetric recipe would cost; the device itself needs symmetric INT4.'
        : undefined,
      recipe: { symmetric: false, blockSize: 128, channelWise: false },
    },
  ];
  const fromSettings = items.findIndex(
    (i) =>
      i.recipe.symmetric === configured.symmetric &&
      i.recipe.blockSize === configured.blockSize &&
      !i.recipe.channelWise,
  );
  if (fromSettings < 0) {
    items.push({
      label: `INT4 ${configured.symmetric ? 'symmetric' : 'asymmetric'}, block ${configured.blockSize}`,
      description: 'from your settings',
      recipe: { symmetric: configured.symmetric, blockSize: configured.blockSize, channelWise: false },
    });
  }
  return items;
}

export async function makeInt4Twin(
  baseFolder: string,
  target: DeviceProfileId,
  settings: { symmetric: boolean; blockSize: number; accuracyLevel: 0 | 4 },
): Promise<QuantizeResult | undefined> {
  // Here, where quantization starts, and not only in the command that usually calls this.
  if (!vscode.workspace.isTrusted) {
    throw new Error('Quant Drift will not quantize models in an untrusted workspace; trust the workspace first.');
  }
  const picked = await vscode.window.showQuickPick(recipeItems(target, settings), {
    title: `Make an INT4 twin of ${basename(baseFolder)}`,
    placeHolder: `Recipe (accuracy_level ${settings.accuracyLevel}, from the quantDrift.quantize.accuracyLevel setting)`,
  });
  if (!picked) return undefined;
  let outDir = await twinLocation(baseFolder, picked.recipe);
  // Refuses (throws) a folder that is the base, holds it, or holds files we did not write; asks before a twin.
  if ((await checkTwinOutput(baseFolder, outDir)) === 'twin') {
    const choice = await vscode.window.showWarningMessage(
      `${basename(outDir)} already holds an INT4 twin written by Quant Drift. Replace it?`,
      { modal: true, detail: `${outDir} is replaced once the new twin is complete.` },
      'Replace',
    );
    if (choice !== 'Replace') return undefined;
  }
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Quantizing ${basename(baseFolder)} to INT4`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let last = 0;
      const result = await quantizeModelFolder(baseFolder, outDir, {
        symmetric: picked.recipe.symmetric,
        blockSize: picked.recipe.blockSize,
        channelWise: picked.recipe.channelWise,
        accuracyLevel: settings.accuracyLevel,
        signal: abort.signal,
        onProgress: (done, total) => {
          const pct = total > 0 ? (done / total) * 100 : 0;
          progress.report({ increment: pct - last, message: `${done}/${total} MatMuls` });
          last = pct;
        },
      });
      outDir = result.outDir;
      return result;
    },
  );
}
