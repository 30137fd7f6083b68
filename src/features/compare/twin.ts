/**
 * "Make INT4 Twin": quantize a base ONNX model folder with the built-in RTN quantizer into a sibling
 * folder, with a recipe picker whose first (default) entry is the target device's safe recipe.
 */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DEVICE_PROFILES, type DeviceProfileId } from '../../core/devices/profiles';
import { deviceVerdicts, recipeFromModel, verdictWords, type DeviceVerdict, type WeightsInfo } from '../../core/models';
import { evaluateModelRecipe } from '../../core/models/rules';
import { checkTwinOutput, quantizeModelFolder, RECIPE_FILE, type QuantizeResult } from '../../core/quantize';
import { configFolderOf } from '../../core/models/variants';
import { nameStem } from '../../core/pairing';

export interface TwinRecipe {
  readonly symmetric: boolean;
  readonly blockSize: number;
  readonly channelWise: boolean;
}

/**
 * Folder name for the twin: `<model>-int4-sym-g128` beside the base; a bare `fp16` becomes `int4-sym-g128`, in
 * lowercase like the demo's twins (scripts/demo.mjs, src/core/demo/workspace.ts).
 */
export function twinFolderName(baseFolder: string, recipe: TwinRecipe): string {
  const stem = nameStem(basename(baseFolder));
  const tail = `int4-${recipe.symmetric ? 'sym' : 'asym'}-${recipe.channelWise ? 'cw' : `g${recipe.blockSize}`}`;
  return stem ? `${basename(baseFolder).replace(/[-_.]?(fp16|fp32|bf16|f16|f32)$/i, '')}-${tail}` : tail;
}

/**
 * What the model tree will say about a twin made with `recipe`, for `target`: the verdict of an ONNX MatMulNBits
 * LLM with those weights, from the same rules and words (src/core/models/verdicts.ts), so the picker, the tree
 * and Lint Recipe agree.
 */
export function twinVerdict(recipe: TwinRecipe, target: DeviceProfileId): DeviceVerdict {
  const weights: WeightsInfo = {
    dtype: 'int4',
    bits: 4,
    sym: recipe.symmetric,
    groupSize: recipe.channelWise ? -1 : recipe.blockSize,
    source: 'MatMulNBits',
  };
  const subject = { format: 'onnx' as const, weights, isLlm: true, matMulNBits: true };
  return deviceVerdicts(subject, recipeFromModel(weights, 'onnx', true), evaluateModelRecipe)[target];
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

/**
 * The recipes, symmetric group 128 first (NPUs take symmetric INT4; 128 is optimum's default group), each described
 * with the verdict the model tree will give its twin on the target device.
 */
export function recipeItems(
  target: DeviceProfileId,
  configured: { symmetric: boolean; blockSize: number },
): RecipeItem[] {
  const device = DEVICE_PROFILES[target].shortLabel;
  const describe = (recipe: TwinRecipe, what: string): Pick<RecipeItem, 'description' | 'recipe'> => ({
    description: `${device}: ${verdictWords(twinVerdict(recipe, target))} · ${what}`,
    recipe,
  });
  const items: RecipeItem[] = [
    {
      label: 'INT4 symmetric, block 128',
      detail: 'No zero points, group size 128 along K: the recipe NPUs accept.',
      ...describe({ symmetric: true, blockSize: 128, channelWise: false }, 'optimum default group'),
    },
    {
      label: 'INT4 symmetric, block 32',
      ...describe({ symmetric: true, blockSize: 32, channelWise: false }, 'finer groups: less drift'),
    },
    {
      label: 'INT4 symmetric, channel-wise',
      ...describe({ symmetric: true, blockSize: 128, channelWise: true }, 'one scale per channel: the most drift'),
    },
    {
      label: 'INT4 asymmetric, block 128',
      detail: 'Measures what the asymmetric recipe would cost; Intel NPUs need symmetric INT4.',
      ...describe({ symmetric: false, blockSize: 128, channelWise: false }, 'with zero points'),
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
      ...describe(
        { symmetric: configured.symmetric, blockSize: configured.blockSize, channelWise: false },
        'from your settings',
      ),
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
    placeHolder: `Recipe (accuracy_level ${settings.accuracyLevel}, from the quantDrift.quantize.accuracyLevel setting; the demo twins use 0)`,
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

/** The toast after a twin is written (not awaited: it resolves only when dismissed). */
export function announceTwin(result: QuantizeResult, baseFolder: string, target: DeviceProfileId): void {
  const { recipe } = result;
  const twin: TwinRecipe = {
    symmetric: recipe.symmetric,
    blockSize: recipe.blockSize ?? 128,
    channelWise: recipe.channelWise,
  };
  const reveal = 'Reveal in Explorer';
  const openRecipe = 'Open Recipe';
  void vscode.window
    .showInformationMessage(
      `Made ${basename(result.outDir)} from ${basename(baseFolder)} in ${result.seconds.toFixed(1)} s (accuracy_level ${recipe.accuracyLevel}); ` +
        `${DEVICE_PROFILES[target].shortLabel}: ${verdictWords(twinVerdict(twin, target))}. It is open against its base in the compare panel.`,
      reveal,
      openRecipe,
    )
    .then(async (choice) => {
      if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.outDir));
      else if (choice === openRecipe)
        await vscode.window.showTextDocument(vscode.Uri.file(join(result.outDir, RECIPE_FILE)));
    });
}
