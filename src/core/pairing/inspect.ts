/**
 * The little pairing needs to know about a folder: its format and weight precision. The models
 * helper's inspectModelFolder/describePrecision is the full answer; this adapter reads the files that
 * say it cheaply (quantization_recipe.json from our quantizer, openvino_config.json, config.json's
 * quantization_config, file names), so pairing works on its own and stays fast over many siblings.
 */
import { readdir, stat } from 'node:fs/promises';
import { readTextBounded } from '../models/bounds';
import { basename, join } from 'node:path';
import { variantName } from '../models/variants';
import { precisionFromName } from './names';
import { DTYPE_BITS } from './variants';

export type ModelFormat = 'openvino-ir' | 'onnx' | 'onnx-genai' | 'gguf' | 'safetensors' | 'unknown';
export type PrecisionClass = 'base' | 'int4' | 'int8';

export interface FolderPrecision {
  readonly path: string;
  readonly format: ModelFormat;
  readonly bits: number | null;
  readonly sym: boolean | null;
  readonly groupSize: number | null;
  /** -1 for channel-wise; null when unknown or not quantized. */
  readonly accuracyLevel: number | null;
  /** Human label, e.g. "fp16", "int4 sym g128", "int4 asym channel-wise". */
  readonly precision: string;
  readonly precisionClass: PrecisionClass;
  /** Where the precision was read from, for the quick pick's detail line. */
  readonly source: string;
  readonly error?: string;
}

/** Inspects one folder; never throws (an unreadable folder comes back with `error`). */
export type FolderInspector = (path: string) => Promise<FolderPrecision>;

const MODEL_FILE = /(\.onnx|\.gguf|\.safetensors|openvino_model\.xml)$/i;

/** True when the listing holds a model file (the cheap test used while scanning siblings). */
export function looksLikeModelListing(names: readonly string[]): boolean {
  return names.some((name) => MODEL_FILE.test(name)) || names.includes('genai_config.json');
}

export function formatOfListing(names: readonly string[]): ModelFormat {
  if (names.some((n) => /\.gguf$/i.test(n))) return 'gguf';
  if (names.some((n) => /\.xml$/i.test(n)) && names.some((n) => /\.bin$/i.test(n))) return 'openvino-ir';
  if (names.some((n) => /\.onnx$/i.test(n))) return names.includes('genai_config.json') ? 'onnx-genai' : 'onnx';
  if (names.some((n) => /\.safetensors$/i.test(n))) return 'safetensors';
  return 'unknown';
}

interface QuantFacts {
  bits: number | null;
  sym: boolean | null;
  groupSize: number | null;
  accuracyLevel: number | null;
  source: string;
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function boolOr(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    // A regular file of at most 4 MB (src/core/models/bounds.ts): a config linked to /dev/zero is not read forever.
    const value: unknown = JSON.parse(await readTextBounded(path, 4 * 1024 * 1024));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Our quantizer's record (field names read loosely: the file is small and written by us or by hand). */
function factsFromRecipe(recipe: Record<string, unknown>): QuantFacts {
  const nested = (recipe['recipe'] ?? recipe) as Record<string, unknown>;
  const channelWise = nested['channelWise'] === true || nested['channel_wise'] === true;
  const group = numberOr(nested['blockSize'] ?? nested['block_size'] ?? nested['group_size']);
  const sym = boolOr(nested['symmetric'] ?? nested['sym']);
  return {
    bits: numberOr(nested['bits']) ?? 4,
    sym: sym ?? (nested['asymmetric'] === true ? false : null),
    groupSize: channelWise ? -1 : group,
    accuracyLevel: numberOr(nested['accuracyLevel'] ?? nested['accuracy_level']),
    source: 'quantization_recipe.json',
  };
}

/** HF `quantization_config` (GPTQ, AWQ, bitsandbytes) or openvino_config.json's. */
function factsFromQuantConfig(config: Record<string, unknown>, source: string): QuantFacts | null {
  const bits =
    numberOr(config['bits']) ?? (config['load_in_4bit'] === true ? 4 : config['load_in_8bit'] === true ? 8 : null);
  if (bits === null) return null;
  const zeroPoint = boolOr(config['zero_point']);
  const group = numberOr(config['group_size'] ?? config['q_group_size']);
  return {
    bits,
    sym: boolOr(config['sym']) ?? (zeroPoint === null ? null : !zeroPoint),
    groupSize: group,
    accuracyLevel: null,
    source,
  };
}

export function describeFacts(
  bits: number | null,
  sym: boolean | null,
  groupSize: number | null,
  dtype: string,
): string {
  if (bits === null || bits >= 16) return dtype;
  const parts = [`int${bits}`];
  if (sym !== null) parts.push(sym ? 'sym' : 'asym');
  if (groupSize === -1) parts.push('channel-wise');
  else if (groupSize !== null) parts.push(`g${groupSize}`);
  return parts.join(' ');
}

function classOf(bits: number | null): PrecisionClass {
  if (bits !== null && bits <= 4) return 'int4';
  if (bits !== null && bits <= 8) return 'int8';
  return 'base';
}

function dtypeFromConfig(config: Record<string, unknown> | null, name: string): string {
  const torchDtype = config?.['torch_dtype'] ?? config?.['dtype'];
  const fromName = /bf16/i.test(name)
    ? 'bf16'
    : /(fp|f)32|float32/i.test(name)
      ? 'fp32'
      : /(fp|f)16|float16|half/i.test(name)
        ? 'fp16'
        : null;
  if (fromName) return fromName;
  if (torchDtype === 'float16') return 'fp16';
  if (torchDtype === 'bfloat16') return 'bf16';
  if (torchDtype === 'float32') return 'fp32';
  return 'fp (dtype unknown)';
}

/** Reads the cheap facts of one folder. */
export const quickInspect: FolderInspector = async (path) => {
  const name = basename(path);
  if (/\.onnx$/i.test(name)) return quickInspectVariant(path);
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      path,
      format: 'unknown',
      bits: null,
      sym: null,
      groupSize: null,
      accuracyLevel: null,
      precision: 'unreadable',
      precisionClass: 'base',
      source: 'none',
      error: message,
    };
  }
  const format = formatOfListing(names);
  const config = names.includes('config.json') ? await readJson(join(path, 'config.json')) : null;
  let facts: QuantFacts | null = null;
  if (names.includes('quantization_recipe.json')) {
    const recipe = await readJson(join(path, 'quantization_recipe.json'));
    if (recipe) facts = factsFromRecipe(recipe);
  }
  if (!facts && names.includes('openvino_config.json')) {
    const ov = await readJson(join(path, 'openvino_config.json'));
    const quant = ov?.['quantization_config'];
    if (quant && typeof quant === 'object')
      facts = factsFromQuantConfig(quant as Record<string, unknown>, 'openvino_config.json');
  }
  if (!facts && config?.['quantization_config'] && typeof config['quantization_config'] === 'object') {
    facts = factsFromQuantConfig(config['quantization_config'] as Record<string, unknown>, 'config.json');
  }
  if (!facts) {
    const gguf = names.find((n) => /\.gguf$/i.test(n));
    const claimed = precisionFromName(gguf ?? name);
    if (claimed === 'int4' || claimed === 'int8') {
      facts = {
        bits: claimed === 'int4' ? 4 : 8,
        sym: null,
        groupSize: null,
        accuracyLevel: null,
        source: 'folder name',
      };
    }
  }
  const dtype = dtypeFromConfig(config, name);
  const bits = facts?.bits ?? null;
  return {
    path,
    format,
    bits,
    sym: facts?.sym ?? null,
    groupSize: facts?.groupSize ?? null,
    accuracyLevel: facts?.accuracyLevel ?? null,
    precision: describeFacts(bits, facts?.sym ?? null, facts?.groupSize ?? null, dtype),
    precisionClass: classOf(bits),
    source: facts?.source ?? (dtype.startsWith('fp (') ? 'no quantization found' : 'folder name or config.json'),
  };
};

/**
 * A variant file read by its name alone (transformers.js' dtype suffix: `model_q4f16.onnx` is 4-bit, `model_fp16`
 * fp16); the full inspector reads its graph when it can.
 */
async function quickInspectVariant(path: string): Promise<FolderPrecision> {
  const dtype = variantName(path).dtype ?? 'fp32';
  const bits = DTYPE_BITS[dtype] ?? null;
  const exists = await stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
  const float = dtype === 'fp16' ? 'fp16' : 'fp32';
  return {
    path,
    format: 'onnx',
    bits,
    sym: null,
    groupSize: null,
    accuracyLevel: null,
    precision: describeFacts(bits, null, null, float),
    precisionClass: classOf(bits),
    source: 'file name (transformers.js dtype suffix)',
    ...(exists ? {} : { error: `${path}: no such file` }),
  };
}
