/**
 * A model is a (folder, ONNX file) pair. transformers.js / onnx-community repos keep config.json, the tokenizer
 * and generation_config.json at the repo root and several precisions of one graph side by side in `onnx/`:
 * `model.onnx`, `model_fp16.onnx`, `model_q4.onnx`, `model_q4f16.onnx`, ... This module names those variants by
 * transformers.js' own suffix map, finds the folder a variant's configs and tokenizer come from (the nearest
 * folder above that has them), and resolves whatever path a user gives (a repo root, its `onnx/`, a file) to one
 * model, refusing with the list of variants when a folder holds several.
 *
 * Upstream conventions (huggingface/transformers.js):
 * - src/utils/dtypes.js `DEFAULT_DTYPE_SUFFIX_MAPPING`: fp32 '', fp16 '_fp16', int8 '_int8', uint8 '_uint8',
 *   q8 '_quantized', q4 '_q4', q4f16 '_q4f16', bnb4 '_bnb4', q2 '_q2', q2f16 '_q2f16', q1 '_q1', q1f16 '_q1f16'.
 * - src/models/modeling_utils.js: `subfolder = 'onnx'` by default; src/utils/model-loader.js
 *   `getCoreModelFile` loads `${subfolder}/${fileName}${suffix}.onnx`.
 * - src/utils/model-loader.js `getExternalDataChunkNames`: external data is `${file}.onnx_data`, then
 *   `${file}.onnx_data_1`, `_2`, ... (optimum and onnx.save write `${file}.onnx.data` or `${file}.onnx_data`).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** transformers.js dtype -> file-name suffix (src/utils/dtypes.js DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const TRANSFORMERS_JS_DTYPE_SUFFIXES: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q2: '_q2',
  q1: '_q1',
  q4f16: '_q4f16',
  q2f16: '_q2f16',
  q1f16: '_q1f16',
  bnb4: '_bnb4',
};

/** transformers.js' default subfolder for ONNX files (src/models/modeling_utils.js). */
export const TRANSFORMERS_JS_SUBFOLDER = 'onnx';

/** Files whose presence marks the folder a model's configs and tokenizer live in. */
const CONFIG_MARKERS = ['config.json', 'tokenizer.json', 'genai_config.json', 'tokenizer_config.json'];
/** How far above the ONNX file the configs may sit: `repo/onnx/model.onnx` needs one level. */
const MAX_CONFIG_LEVELS = 2;

export interface VariantName {
  /** `model`, `decoder_model_merged`, ... */
  readonly base: string;
  /** The transformers.js dtype the suffix names (`fp32` for no suffix), null when the suffix is not one of them. */
  readonly dtype: string | null;
}

const SUFFIX_TO_DTYPE = new Map(
  Object.entries(TRANSFORMERS_JS_DTYPE_SUFFIXES)
    .filter(([, suffix]) => suffix !== '')
    .map(([dtype, suffix]) => [suffix, dtype] as const),
);
// Longest first, so `_q4f16` wins over `_q4`... (`model_q4f16` does not end with `_q4`, but keep it explicit).
const SUFFIXES = [...SUFFIX_TO_DTYPE.keys()].sort((a, b) => b.length - a.length);

/** `model_q4f16.onnx` -> {base: 'model', dtype: 'q4f16'}; `model.onnx` -> {base: 'model', dtype: 'fp32'}. */
export function variantName(file: string): VariantName {
  const stem = path.basename(file).replace(/\.onnx$/i, '');
  for (const suffix of SUFFIXES) {
    if (stem.endsWith(suffix) && stem.length > suffix.length)
      return { base: stem.slice(0, -suffix.length), dtype: SUFFIX_TO_DTYPE.get(suffix)! };
  }
  return { base: stem, dtype: 'fp32' };
}

/** True when `file` could be an external data file of `onnxFile` (`x.onnx_data`, `x.onnx_data_3`, `x.onnx.data`). */
export function isExternalDataOf(file: string, onnxFile: string): boolean {
  const name = path.basename(onnxFile);
  return file === `${name}.data` || file === `${name}_data` || new RegExp(`^${escape(name)}_data_\\d+$`).test(file);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface ModelVariant {
  /** Absolute path of the .onnx file. */
  readonly onnxPath: string;
  /** The file name without `.onnx`: `model_q4f16`. */
  readonly label: string;
  readonly name: VariantName;
}

export interface VariantListing {
  /** Where config.json / tokenizer.json were found (the repo root for onnx-community repos). */
  readonly configDir: string;
  /** The folder that holds the .onnx files. */
  readonly onnxDir: string;
  readonly variants: readonly ModelVariant[];
}

async function listNames(folder: string): Promise<string[] | null> {
  try {
    return await fs.readdir(folder);
  } catch {
    return null;
  }
}

/** The nearest folder at or above `start` (up to two levels) holding a config or tokenizer; `start` if none does. */
export async function configFolderOf(start: string): Promise<string> {
  let folder = path.resolve(start);
  for (let level = 0; level <= MAX_CONFIG_LEVELS; level++) {
    const names = await listNames(folder);
    if (names && CONFIG_MARKERS.some((marker) => names.includes(marker))) return folder;
    const parent = path.dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return path.resolve(start);
}

const TRANSFORMERS_JS_ORDER = Object.keys(TRANSFORMERS_JS_DTYPE_SUFFIXES);

function sortVariants(variants: ModelVariant[]): ModelVariant[] {
  const rank = (v: ModelVariant): number => {
    const index = v.name.dtype === null ? -1 : TRANSFORMERS_JS_ORDER.indexOf(v.name.dtype);
    return index < 0 ? TRANSFORMERS_JS_ORDER.length : index;
  };
  return variants.sort((a, b) => a.name.base.localeCompare(b.name.base) || rank(a) - rank(b));
}

/**
 * The ONNX variants a folder offers: its own .onnx files, or those of its `onnx/` subfolder (the repo root of an
 * onnx-community repo). null when there are none.
 */
export async function listVariants(folder: string): Promise<VariantListing | null> {
  const dir = path.resolve(folder);
  const names = await listNames(dir);
  if (!names) return null;
  let onnxDir = dir;
  let onnx = names.filter((name) => name.toLowerCase().endsWith('.onnx'));
  if (onnx.length === 0 && names.includes(TRANSFORMERS_JS_SUBFOLDER)) {
    onnxDir = path.join(dir, TRANSFORMERS_JS_SUBFOLDER);
    onnx = ((await listNames(onnxDir)) ?? []).filter((name) => name.toLowerCase().endsWith('.onnx'));
  }
  if (onnx.length === 0) return null;
  const variants = onnx.map((file) => ({
    onnxPath: path.join(onnxDir, file),
    label: file.replace(/\.onnx$/i, ''),
    name: variantName(file),
  }));
  return { configDir: await configFolderOf(onnxDir), onnxDir, variants: sortVariants(variants) };
}

/**
 * True when the folder's .onnx files are precision variants of one graph (two or more files that differ only by a
 * transformers.js dtype suffix), as opposed to one model split into several files.
 */
export function areVariants(variants: readonly ModelVariant[]): boolean {
  const tagged = variants.filter((v) => v.name.dtype !== null);
  const bases = new Set(tagged.map((v) => v.name.base));
  return [...bases].some((base) => tagged.filter((v) => v.name.base === base).length >= 2);
}

/**
 * The ONNX files of a folder listing that are precision variants of one graph, as absolute paths: each is a model
 * of its own in the inventory (the way several GGUF files in one folder are). [] when they are not variants.
 */
export function variantPathsOf(folder: string, names: readonly string[]): string[] {
  const onnx = names.filter((name) => name.toLowerCase().endsWith('.onnx'));
  if (onnx.length < 2) return [];
  const variants = onnx.map((file) => ({ onnxPath: path.join(folder, file), label: file, name: variantName(file) }));
  return areVariants(variants) ? sortVariants(variants).map((variant) => variant.onnxPath) : [];
}

export interface ModelRef {
  /** What the user gave, resolved: a folder or a .onnx file. */
  readonly input: string;
  /** The .onnx file when the input names one, or when a folder's variants leave no doubt; else null. */
  readonly onnxPath: string | null;
  /** Where config.json, generation_config.json and the tokenizer come from. */
  readonly configDir: string;
  /** The folder the model's files are in (the .onnx file's folder, or the input folder). */
  readonly modelDir: string;
}

export class AmbiguousModelError extends Error {
  constructor(
    readonly folder: string,
    readonly variants: readonly ModelVariant[],
  ) {
    super(
      `${folder} holds ${variants.length} variants of one model (${variants.map((v) => path.basename(v.onnxPath)).join(', ')}); ` +
        `pass one of the files, e.g. ${variants[0].onnxPath}`,
    );
    this.name = 'AmbiguousModelError';
  }
}

/**
 * Resolves a path to one model. A .onnx file is the model; a folder is one when it (or its `onnx/`) holds one
 * ONNX graph; a folder of transformers.js variants is refused with their list (AmbiguousModelError), never
 * silently narrowed to `model.onnx`. Other folders (optimum, GenAI, several unrelated files) come back with
 * onnxPath null: the caller's own layout rules pick the file.
 */
export async function resolveModelRef(input: string): Promise<ModelRef> {
  const resolved = path.resolve(input);
  const stat = await fs.stat(resolved).catch(() => null);
  if (stat?.isFile()) {
    if (!resolved.toLowerCase().endsWith('.onnx')) throw new Error(`${input} is not an .onnx file or a model folder`);
    const modelDir = path.dirname(resolved);
    return { input: resolved, onnxPath: resolved, configDir: await configFolderOf(modelDir), modelDir };
  }
  if (!stat) throw new Error(`${input}: no such folder or .onnx file`);
  const listing = await listVariants(resolved);
  if (!listing) return { input: resolved, onnxPath: null, configDir: resolved, modelDir: resolved };
  if (areVariants(listing.variants)) throw new AmbiguousModelError(listing.onnxDir, listing.variants);
  const onnxPath = listing.onnxDir !== resolved && listing.variants.length === 1 ? listing.variants[0].onnxPath : null;
  return { input: resolved, onnxPath, configDir: listing.configDir, modelDir: listing.onnxDir };
}
