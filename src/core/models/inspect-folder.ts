/**
 * inspectModelFolder: one model folder (or one model file) -> ModelInfo, reading headers only.
 * Never throws for bad input: what went wrong is in `error`, and the verdicts say the model cannot be read.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { inspectOnnxFile, pastKeyValuesLayout } from '../onnx/inspect';
import { ReadBudget, readTextBounded } from './bounds';
import { ggufPrecision, inspectGgufFile } from './gguf';
import { inspectIrXml } from './openvino';
import {
  irPrecision,
  onnxPrecision,
  openvinoConfigPrecision,
  safetensorsPrecision,
  hfQuantizationPrecision,
} from './precision';
import { expectedTokenizerFiles, recogniseModelFiles } from './recognise';
import { configFolderOf } from './variants';
import { recipeFromModel } from './recipe';
import { evaluateModelRecipe, type EvaluateRecipe } from './rules';
import { inspectSafetensors } from './safetensors';
import { Tally } from './tally';
import type { ModelFormat, ModelInfo, WeightsInfo } from '../../protocol/models';
import { deviceVerdicts } from './verdicts';

const CONFIG_FILES = [
  'config.json',
  'generation_config.json',
  'openvino_config.json',
  'genai_config.json',
  'quant_config.json',
  'quantize_config.json',
];
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface InspectOptions {
  signal?: AbortSignal;
  /** The rule engine; tests may inject one. Defaults to the shared engine. */
  evaluate?: EvaluateRecipe;
  /** Bytes and time this folder may cost (defaults: FOLDER_MAX_BYTES, FOLDER_MAX_MS in bounds.ts). */
  limits?: { maxBytes: number; maxMs: number };
}

/** `…/models--org--name/snapshots/REV` in the Hugging Face hub cache. */
export function hubCacheInfo(folder: string): { repo: string; revision: string } | undefined {
  const match = /(?:^|[\\/])models--([^\\/]+?)--([^\\/]+)[\\/]snapshots[\\/]([^\\/]+)/.exec(folder);
  return match ? { repo: `${match[1]}/${match[2]}`, revision: match[3]! } : undefined;
}

function message(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      return `permission denied: ${(error as NodeJS.ErrnoException).path ?? ''}`.trim();
    if (code === 'ENOENT') return `not found: ${(error as NodeJS.ErrnoException).path ?? ''}`.trim();
    if (code === 'ELOOP') return 'symbolic link loop';
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 'the file would block (a pipe or device?); it was not read';
    return error.message;
  }
  return String(error);
}

async function readJson(file: string, budget: ReadBudget): Promise<{ value?: unknown; error?: string }> {
  try {
    // A regular file, at most 4 MB (a config.json linked to /dev/zero must not be read forever).
    const text = await readTextBounded(file, MAX_CONFIG_BYTES, budget);
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `${path.basename(file)}: ${message(error)}` };
  }
}

function emptyInfo(target: string, format: ModelFormat): ModelInfo {
  const hub = hubCacheInfo(target);
  return {
    path: target,
    format,
    weights: { dtype: 'unknown', bits: null, sym: null, groupSize: null },
    params: null,
    sizeBytes: 0,
    devices: {} as ModelInfo['devices'],
    name: hub?.repo ?? path.basename(target),
    files: { model: [], externalData: [], configs: [], tokenizer: { present: [], missing: [] } },
    isLlm: false,
    ...(hub ? { hub } : {}),
    details: {},
    bytesRead: 0,
  };
}

export async function inspectModelFolder(target: string, opts: InspectOptions = {}): Promise<ModelInfo> {
  const evaluate = opts.evaluate ?? evaluateModelRecipe;
  const info = emptyInfo(target, 'unknown');
  const budget = new ReadBudget(opts.limits?.maxBytes, opts.limits?.maxMs);
  const bounded = { budget, ...(opts.signal ? { signal: opts.signal } : {}) };
  let matMulNBits = false;
  try {
    opts.signal?.throwIfAborted();
    const stat = await fs.stat(target);
    const folder = stat.isDirectory() ? target : path.dirname(target);
    const names = stat.isDirectory() ? await fs.readdir(folder) : [path.basename(target)];
    const recognised = recogniseModelFiles(names);
    if (!recognised)
      throw new Error(
        'no model files found (openvino_model.xml+.bin, *.onnx, *.gguf, or *.safetensors with config.json)',
      );
    info.format = recognised.format;
    const main = recognised.modelFiles[0]!;
    info.files.model = recognised.format === 'safetensors' ? recognised.modelFiles : [main];

    const allNames = stat.isDirectory() ? names : await fs.readdir(folder).catch(() => names);
    // An ONNX variant (onnx-community's onnx/model_q4.onnx) takes its configs and tokenizer from the nearest
    // folder above that has them.
    const configDir = recognised.format === 'onnx' ? await configFolderOf(folder) : folder;
    // A variant file is named by its repo and its path there: `tiny-llama-ONNX/onnx/model_q4f16.onnx`.
    if (!stat.isDirectory() && configDir !== folder)
      info.name = `${info.hub?.repo ?? path.basename(configDir)}/${path.relative(configDir, target)}`;
    const configListing = configDir === folder ? allNames : await fs.readdir(configDir).catch(() => [] as string[]);
    const configs: Record<string, unknown> = {};
    const configErrors: string[] = [];
    const configNames = CONFIG_FILES.filter((file) => configListing.includes(file));
    const parsed = await Promise.all(configNames.map((name) => readJson(path.join(configDir, name), budget)));
    configNames.forEach((name, index) => {
      const { value, error } = parsed[index]!;
      info.files.configs.push(name);
      if (error) configErrors.push(error);
      else configs[name] = value;
    });
    if (configErrors.length > 0) info.details.configErrors = configErrors;
    for (const anyOf of expectedTokenizerFiles(recognised.format)) {
      const found = anyOf.find((file) => configListing.includes(file));
      if (found) info.files.tokenizer.present.push(found);
      else info.files.tokenizer.missing.push(anyOf.join(' or '));
    }
    const architectures = (configs['config.json'] as { architectures?: unknown } | undefined)?.architectures;
    const causalLm =
      Array.isArray(architectures) &&
      architectures.some(
        (name) => typeof name === 'string' && /CausalLM|LMHeadModel|ForConditionalGeneration/.test(name),
      );
    if (Array.isArray(architectures)) info.details.architectures = architectures;

    const mainPath = path.join(folder, main);
    let weights: WeightsInfo;
    switch (recognised.format) {
      case 'openvino-ir': {
        const ir = await inspectIrXml(mainPath, bounded);
        weights = irPrecision(ir);
        if (weights.source !== 'rt_info')
          weights = preferConfig(weights, openvinoConfigPrecision(configs['openvino_config.json']));
        info.params = ir.params || null;
        info.bytesRead += ir.bytesRead;
        info.isLlm = causalLm || (ir.layerCounts.ReadValue ?? 0) > 0;
        info.details.rtInfo = ir.rtInfo;
        info.details.layers = ir.layerCounts;
        info.files.externalData = [`${main.slice(0, -4)}.bin`];
        break;
      }
      case 'onnx':
      case 'onnx-genai': {
        const genaiFile = (configs['genai_config.json'] as { model?: { decoder?: { filename?: unknown } } } | undefined)
          ?.model?.decoder?.filename;
        const onnxFile = typeof genaiFile === 'string' && allNames.includes(genaiFile) ? genaiFile : main;
        info.files.model = [onnxFile];
        const onnx = await inspectOnnxFile(path.join(folder, onnxFile), bounded);
        weights = onnxPrecision(onnx);
        matMulNBits = onnx.matMulNBits.length > 0;
        info.params = onnx.params || null;
        info.bytesRead += onnx.bytesRead;
        const kv = pastKeyValuesLayout(onnx.inputs);
        info.isLlm = causalLm || kv !== null || recognised.format === 'onnx-genai';
        info.files.externalData = [...onnx.externalDataFiles];
        const missing = onnx.externalDataFiles.filter((file) => !allNames.includes(file));
        info.details = {
          ...info.details,
          opset: onnx.opsets,
          ops: onnx.opCounts,
          inputs: onnx.inputs.map((i) => i.name),
          outputs: onnx.outputs.map((o) => o.name),
          kvCache: kv,
          producer: onnx.producer,
        };
        if (missing.length > 0) throw new Error(`external data file missing: ${missing.join(', ')}`);
        break;
      }
      case 'gguf': {
        const gguf = await inspectGgufFile(mainPath, bounded);
        weights = { ...ggufPrecision(gguf.fileType), source: 'general.file_type' };
        info.params = gguf.params || null;
        info.bytesRead += gguf.bytesRead;
        info.isLlm = true;
        info.details = {
          ...info.details,
          architecture: gguf.architecture,
          fileType: gguf.fileType,
          tensors: gguf.tensorCount,
          ggufVersion: gguf.version,
        };
        if (recognised.modelFiles.length > 1 && stat.isDirectory())
          info.details.otherGgufFiles = recognised.modelFiles.slice(1);
        if (!stat.isDirectory()) info.name = path.basename(target);
        break;
      }
      case 'safetensors': {
        // One shard at a time: a folder of thousands of shards must not open them all at once.
        const shards = [];
        for (const file of recognised.modelFiles) {
          opts.signal?.throwIfAborted();
          shards.push(await inspectSafetensors(path.join(folder, file), budget));
        }
        const tally = new Tally();
        for (const shard of shards)
          for (const [dtype, count] of Object.entries(shard.elementsByDtype)) tally.add(dtype, count);
        const elementsByDtype = tally.toObject();
        const merged = {
          tensors: shards.reduce((n, s) => n + s.tensors, 0),
          elementsByDtype,
          packedTensors: shards.reduce((n, s) => n + s.packedTensors, 0),
          bytesRead: 0,
        };
        weights = safetensorsPrecision(merged, configs['config.json']);
        info.params = Object.values(elementsByDtype).reduce((n, count) => n + count, 0) || null;
        info.bytesRead += shards.reduce((n, s) => n + s.bytesRead, 0);
        info.isLlm = causalLm;
        info.details.tensors = merged.tensors;
        break;
      }
      default:
        throw new Error('unrecognised model folder');
    }
    info.weights = weights;
    if (!weights.source?.startsWith('config.json')) {
      const declared = hfQuantizationPrecision(configs['config.json']);
      if (declared) info.details.declaredQuantization = declared;
    }
    budget.check();
    const counted = stat.isDirectory() ? allNames : [path.basename(target), ...info.files.externalData];
    info.sizeBytes = await folderSize(folder, counted, opts.signal);
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? error;
    info.error = message(error);
  }
  const recipe = info.error ? null : recipeFromModel(info.weights, info.format, info.isLlm);
  info.devices = deviceVerdicts(
    {
      format: info.format,
      weights: info.weights,
      isLlm: info.isLlm,
      matMulNBits,
      ...(info.error ? { error: info.error } : {}),
    },
    recipe,
    evaluate,
  );
  return info;
}

/** openvino_config.json fills what the IR's element types leave open (symmetry, group size, ratio). */
function preferConfig(fromFiles: WeightsInfo, fromConfig: WeightsInfo | null): WeightsInfo {
  if (!fromConfig || fromConfig.bits === null || fromConfig.bits !== fromFiles.bits) return fromFiles;
  return {
    ...fromFiles,
    sym: fromFiles.sym ?? fromConfig.sym,
    groupSize: fromFiles.groupSize ?? fromConfig.groupSize,
    ratio: fromConfig.ratio ?? null,
    backupPrecision: fromConfig.backupPrecision ?? null,
    source: `${fromFiles.source} + openvino_config.json`,
  };
}

/** Sum of the folder's files (symlinks into the hub cache's blobs followed); subfolders are other models. */
async function folderSize(folder: string, names: readonly string[], signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const sizes = await Promise.all(
    names.map((name) =>
      fs.stat(path.join(folder, name)).then(
        (stat) => (stat.isFile() ? stat.size : 0),
        // A dangling link (a blob still downloading) has no size yet.
        () => 0,
      ),
    ),
  );
  return sizes.reduce((total, size) => total + size, 0);
}

/** Config files that exist but could not be read or parsed (`details.configErrors`), for every output. */
export function configErrors(info: Pick<ModelInfo, 'details'>): string[] {
  const errors = info.details.configErrors;
  return Array.isArray(errors) ? errors.filter((error): error is string => typeof error === 'string') : [];
}

export async function isModelFolder(folder: string): Promise<boolean> {
  try {
    return recogniseModelFiles(await fs.readdir(folder)) !== null;
  } catch {
    return false;
  }
}
