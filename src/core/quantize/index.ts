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
import { copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { resolveModelRef, type ModelRef } from '../models/variants';
import { isValidBlockSize, SUPPORTED_BLOCK_SIZES } from './int4';
import { quantizeOnnxFile, QuantizeError, type OnnxQuantizeOptions, type OnnxQuantizeReport } from './quantize-onnx';

export { QuantizeError } from './quantize-onnx';
export type { OnnxQuantizeOptions, OnnxQuantizeReport, QuantizedMatMul } from './quantize-onnx';

export const QUANTIZER_VERSION = '0.1.0';
export const RECIPE_FILE = 'quantization_recipe.json';
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
  createdAt: string;
}

export interface QuantizeResult {
  outDir: string;
  modelPath: string;
  dataPath: string | null;
  recipe: QuantizationRecipe;
  report: OnnxQuantizeReport;
  copiedFiles: string[];
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
  if (resolve(sourceDir) === resolve(outDir)) {
    throw new QuantizeError('the output folder must differ from the input folder');
  }
  await mkdir(outDir, { recursive: true });
  const modelPath = join(outDir, basename(inputModel));
  const dataPath = `${modelPath}.data`;
  const ratio = opts.ratio ?? 1;
  let report: OnnxQuantizeReport;
  try {
    report = await quantizeOnnxFile(inputModel, modelPath, {
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
  } catch (error) {
    await rm(modelPath, { force: true });
    await rm(dataPath, { force: true });
    throw error;
  }
  // A complete, runnable twin whatever the input was: the configs and tokenizer come from where the model's are
  // (an onnx-community repo's root for onnx/model_fp16.onnx), and from the model's own folder when it has any.
  const copiedFiles = await copySideFiles(configDir, outDir, basename(inputModel));
  if (resolve(configDir) !== resolve(sourceDir)) {
    for (const name of await copySideFiles(sourceDir, outDir, basename(inputModel)))
      if (!copiedFiles.includes(name)) copiedFiles.push(name);
    copiedFiles.sort();
  }
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
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(outDir, RECIPE_FILE), `${JSON.stringify(recipe, null, 2)}\n`);
  return {
    outDir,
    modelPath,
    dataPath: report.externalData ? join(outDir, report.externalData) : null,
    recipe,
    report,
    copiedFiles,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Copies config, generation config, tokenizer and other small side files; never other weights. */
async function copySideFiles(sourceDir: string, outDir: string, modelName: string): Promise<string[]> {
  const copied: string[] = [];
  for (const entry of await readdir(sourceDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === RECIPE_FILE || entry.name.startsWith(modelName)) continue;
    if (WEIGHT_EXTENSIONS.has(extname(entry.name).toLowerCase()) || EXTERNAL_DATA.test(entry.name)) continue;
    const from = join(sourceDir, entry.name);
    if ((await stat(from)).size > MAX_COPIED_FILE_BYTES) continue;
    await copyFile(from, join(outDir, entry.name));
    copied.push(entry.name);
  }
  return copied.sort();
}
