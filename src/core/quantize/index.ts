/**
 * The built-in INT4 quantizer: RTN weight-only, MatMul -> com.microsoft MatMulNBits, on a model folder.
 * Writes the quantized model (+ external data when needed), copies the tokenizer/config files, and records the
 * recipe in quantization_recipe.json beside the model.
 *
 * Policies:
 * - Every top-level MatMul whose B is a 2-D float32/float16 initializer (used only as MatMul B) is a candidate.
 * - lm_head is quantized like the other MatMuls (ORT's MatMulNBitsQuantizer and the GenAI builder do the same);
 *   `keepLmHeadFloat` keeps it in float. The embedding is a Gather and stays float (no GatherBlockQuantized).
 * - `ratio` < 1: mixed precision. Each candidate is quantized once to measure its relative weight error
 *   ||W - deq(W)||^2 / ||W||^2; the least sensitive become INT4 until their element share is nearest to `ratio`;
 *   the rest stay in the model's float type (not int8: ORT's CPU kernel for 8-bit MatMulNBits is newer than some
 *   runtimes users pair with, and float keeps the comparison clean).
 * - Channel-wise: one scale per output column over all of K, stored with block_size 256 (the largest ORT's CPU
 *   kernel accepts) and the scale repeated per block; the recipe and model metadata record it as channel-wise.
 */
import { constants } from 'node:fs';
import { copyFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { resolveModelRef, type ModelRef } from '../models/variants';
import { writeFileAtomic } from '../fs/atomic-write';
import { isValidBlockSize, SUPPORTED_BLOCK_SIZES } from './int4';
import {
  commitStaging,
  createStaging,
  discardStaging,
  inspectOutput,
  leftoverStaging,
  RECIPE_FILE,
  type OutputState,
} from './output-folder';
import { quantizeOnnxFile, QuantizeError, type OnnxQuantizeOptions, type OnnxQuantizeReport } from './quantize-onnx';

export { QuantizeError } from './quantize-onnx';
export type { OnnxQuantizeOptions, OnnxQuantizeReport, QuantizedMatMul } from './quantize-onnx';

export const QUANTIZER_VERSION = '0.1.0';
export { RECIPE_FILE } from './output-folder';
/** Block size used to store channel-wise scales (see the module comment). */
export const CHANNEL_WISE_STORED_BLOCK = 256;

/** Options of quantizeModelFolder (docs/ARCHITECTURE.md, "Quantizer"); `metadata` and `externalData` are chosen by the folder writer. */
export type QuantizeOptions = Omit<OnnxQuantizeOptions, 'metadata' | 'externalData'>;

export interface QuantizationRecipe {
  tool: 'quant-drift';
  toolVersion: string;
  method: 'rtn';
  format: 'onnx-matmulnbits';
  bits: 4;
  symmetric: boolean;
  /** Block size along K; null for channel-wise. */
  blockSize: number | null;
  channelWise: boolean;
  /** block_size attribute written to MatMulNBits. */
  storedBlockSize: number;
  accuracyLevel: number;
  ratio: number;
  achievedRatio: number;
  scaleDtype: 'float32' | 'float16';
  lmHead: 'int4' | 'float';
  embedding: 'float';
  sensitivity: 'relative-weight-mse' | null;
  keptFloat: string[];
  quantizedMatMuls: number;
  source: string;
  sourceModel: string;
  /** Every file written into the twin's folder (this one included): what a later run may replace. */
  files: string[];
  createdAt: string;
}

export interface QuantizeResult {
  outDir: string;
  modelPath: string;
  dataPath: string | null;
  recipe: QuantizationRecipe;
  report: OnnxQuantizeReport;
  copiedFiles: string[];
  /** Where a replaced twin was moved when it held more than its listed files (kept, not deleted); else null. */
  keptAside: string | null;
  /** Hidden folders beside OUT left by earlier runs that were killed mid-write (safe to delete; not deleted). */
  leftovers: string[];
  seconds: number;
}

/** Files that are weights in another format: never copied next to the INT4 model. */
const WEIGHT_EXTENSIONS = new Set([
  '.safetensors',
  '.bin',
  '.pt',
  '.pth',
  '.gguf',
  '.onnx',
  '.data',
  '.onnx_data',
  '.h5',
  '.msgpack',
  '.ckpt',
]);
const MAX_COPIED_FILE_BYTES = 64 * 1024 * 1024;
/** Other variants' external data: `model_fp16.onnx_data_1` (transformers.js chunks) has no extension in the set. */
const EXTERNAL_DATA = /\.onnx(_data(_\d+)?|\.data)$/i;

/**
 * The ONNX file to quantize and the folder its configs and tokenizer come from: a path to an .onnx file is taken
 * as is (configs from the nearest folder above that has them); a folder's model.onnx or only .onnx file, also in
 * its onnx/ (an onnx-community repo root); a folder of transformers.js variants is refused with their list.
 */
export async function findModelFile(input: string): Promise<{ model: string; configDir: string }> {
  const info = await stat(input).catch(() => null);
  if (!info) throw new QuantizeError(`${input} does not exist`);
  if (info.isFile() && extname(input).toLowerCase() !== '.onnx')
    throw new QuantizeError(`${input} is not an .onnx file`);
  let ref: ModelRef;
  try {
    ref = await resolveModelRef(input);
  } catch (error) {
    throw new QuantizeError((error as Error).message);
  }
  if (ref.onnxPath) return { model: ref.onnxPath, configDir: ref.configDir };
  const onnxFiles = (await readdir(ref.modelDir)).filter((name) => name.toLowerCase().endsWith('.onnx'));
  const pick = (name: string): { model: string; configDir: string } => ({
    model: join(ref.modelDir, name),
    configDir: ref.configDir,
  });
  if (onnxFiles.includes('model.onnx')) return pick('model.onnx');
  if (onnxFiles.length === 1) return pick(onnxFiles[0]);
  if (onnxFiles.length === 0) throw new QuantizeError(`no .onnx model in ${input}`);
  throw new QuantizeError(`${input} holds several .onnx files (${onnxFiles.join(', ')}); pass the one to quantize`);
}

/**
 * What writing a twin of `inDir` at `outDir` would find there ('absent', 'empty' or an earlier 'twin' of ours),
 * without writing anything; throws the QuantizeError quantizeModelFolder would (OUT is the input, holds it, or
 * holds files we did not write). The editor asks before replacing a twin; the CLI replaces it.
 */
export async function checkTwinOutput(inDir: string, outDir: string): Promise<OutputState['kind']> {
  const { model: inputModel, configDir } = await findModelFile(inDir);
  const sourceDir = dirname(inputModel);
  const sideFiles = await sideFilesOf([configDir, sourceDir], basename(inputModel));
  const target = await inspectOutput(outDir, sourceDir, [...sideFiles.keys()]);
  return target.state.kind;
}

export async function quantizeModelFolder(
  inDir: string,
  outDir: string,
  opts: QuantizeOptions,
): Promise<QuantizeResult> {
  const started = Date.now();
  const channelWise = opts.channelWise ?? false;
  const blockSize = channelWise ? CHANNEL_WISE_STORED_BLOCK : opts.blockSize;
  if (!isValidBlockSize(blockSize)) {
    throw new QuantizeError(`block size must be one of ${SUPPORTED_BLOCK_SIZES.join(', ')} (got ${opts.blockSize})`);
  }
  if (![0, 1, 2, 3, 4].includes(opts.accuracyLevel)) {
    throw new QuantizeError(`accuracy level must be 0-4 (got ${opts.accuracyLevel})`);
  }
  const { model: inputModel, configDir } = await findModelFile(inDir);
  const sourceDir = dirname(inputModel);
  const modelName = basename(inputModel);
  // A complete, runnable twin whatever the input was: the configs and tokenizer come from where the model's are
  // (an onnx-community repo's root for onnx/model_fp16.onnx), and from the model's own folder when it has any.
  const sideFilePaths = await sideFilesOf([configDir, sourceDir], modelName);
  const sideFiles = [...sideFilePaths.keys()];
  const target = await inspectOutput(outDir, sourceDir, sideFiles, true);
  const leftovers = await leftoverStaging(target);
  const staging = await createStaging(target);
  const ratio = opts.ratio ?? 1;
  try {
    const report = await quantizeOnnxFile(inputModel, join(staging, modelName), {
      symmetric: opts.symmetric,
      blockSize,
      channelWise,
      accuracyLevel: opts.accuracyLevel,
      ratio,
      keepLmHeadFloat: opts.keepLmHeadFloat ?? false,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      metadata: {
        'quant_drift.recipe': JSON.stringify({
          bits: 4,
          symmetric: opts.symmetric,
          blockSize: channelWise ? null : blockSize,
          channelWise,
          accuracyLevel: opts.accuracyLevel,
          ratio,
        }),
      },
    });
    for (const [name, from] of sideFilePaths) await copyFile(from, join(staging, name), constants.COPYFILE_EXCL);
    const recipe: QuantizationRecipe = {
      tool: 'quant-drift',
      toolVersion: QUANTIZER_VERSION,
      method: 'rtn',
      format: 'onnx-matmulnbits',
      bits: 4,
      symmetric: opts.symmetric,
      blockSize: channelWise ? null : blockSize,
      channelWise,
      storedBlockSize: blockSize,
      accuracyLevel: opts.accuracyLevel,
      ratio,
      achievedRatio: report.achievedRatio,
      scaleDtype: report.scaleDtype,
      lmHead: report.quantized.some((q) => /lm_head/i.test(q.weight) || /lm_head/i.test(q.node)) ? 'int4' : 'float',
      embedding: 'float',
      sensitivity: ratio < 1 ? 'relative-weight-mse' : null,
      keptFloat: report.keptFloat.map((q) => q.weight),
      quantizedMatMuls: report.quantized.length,
      source: resolve(sourceDir),
      sourceModel: resolve(inputModel),
      files: [modelName, ...(report.externalData ? [report.externalData] : []), ...sideFiles, RECIPE_FILE].sort(),
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(join(staging, RECIPE_FILE), `${JSON.stringify(recipe, null, 2)}\n`);
    const keptAside = await commitStaging(staging, target, [
      inputModel,
      ...report.inputFiles,
      ...sideFilePaths.values(),
    ]);
    return {
      outDir,
      modelPath: join(target.path, modelName),
      dataPath: report.externalData ? join(target.path, report.externalData) : null,
      recipe,
      report,
      copiedFiles: sideFiles,
      keptAside,
      leftovers,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    await discardStaging(staging);
    throw error;
  }
}

/**
 * Config, generation config, tokenizer and other small side files to copy beside the twin; never other weights.
 * Links are followed (a Hugging Face snapshot links every file to its blob), but only to regular files: a link to
 * a device or a FIFO is skipped, never opened.
 */
async function sideFilesOf(dirs: readonly string[], modelName: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of [...new Set(dirs.map((d) => resolve(d)))]) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!(entry.isFile() || entry.isSymbolicLink()) || entry.name === RECIPE_FILE || files.has(entry.name)) continue;
      if (entry.name.startsWith(modelName) || WEIGHT_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
      if (EXTERNAL_DATA.test(entry.name)) continue;
      const stats = await stat(join(dir, entry.name)).catch(() => null);
      if (stats?.isFile() && stats.size <= MAX_COPIED_FILE_BYTES) files.set(entry.name, join(dir, entry.name));
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
