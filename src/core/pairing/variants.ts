/**
 * Pairs inside one repo: the precision variants of an onnx-community / transformers.js repo (`onnx/model_fp16.onnx`
 * vs `onnx/model_q4f16.onnx`, named by src/core/models/variants.ts) and the cousins of a Microsoft ONNX Runtime
 * GenAI tree, where each precision is a folder two levels down with its own genai_config.json
 * (`cpu_and_mobile/cpu-int4-rtn-block-32-acc-level-4`, `cuda/cuda-fp16`, ..., as microsoft/Phi-3-mini-4k-instruct-onnx
 * publishes them): their names share no stem, so the sibling search cannot match them.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { areVariants, listVariants, variantName } from '../models/variants';
import type { FolderInspector, FolderPrecision } from './inspect';

/** What a transformers.js dtype says when a variant's header cannot be read (the quick pairing fallback). */
export const DTYPE_BITS: Readonly<Record<string, number | null>> = {
  fp32: null,
  fp16: null,
  q8: 8,
  int8: 8,
  uint8: 8,
  q4: 4,
  q4f16: 4,
  bnb4: 4,
  q2: 2,
  q2f16: 2,
  q1: 1,
  q1f16: 1,
};

/** The variant files of a folder (a repo root, its onnx/, or the folder of a variant file), or [] if it has none. */
export async function variantFiles(folder: string): Promise<string[]> {
  const listing = await listVariants(folder);
  if (!listing || !areVariants(listing.variants)) return [];
  return listing.variants.map((variant) => variant.onnxPath);
}

export interface VariantPair {
  readonly base: FolderPrecision;
  readonly quant: FolderPrecision;
  /** "model_fp16 vs model_q4f16". */
  readonly label: string;
}

const BASE_RANK: Record<string, number> = { fp16: 0, bf16: 1, fp32: 2 };

function stem(path: string): string {
  return basename(path).replace(/\.onnx$/i, '');
}

/**
 * Every base x quantized pair among a repo's variants, best first: the fp16 base before fp32 (the published
 * reference of most onnx-community repos), 4-bit before 8-bit, NPU-safe symmetric before the rest, and a quantized
 * file paired first with the base of the same activation type (q4f16 with fp16, q4 with fp32).
 */
export async function variantPairs(folder: string, inspect: FolderInspector): Promise<VariantPair[]> {
  const files = await variantFiles(folder);
  if (files.length === 0) return [];
  const infos = await Promise.all(files.map((file) => inspect(file)));
  const readable = infos.filter((info) => !info.error);
  const bases = readable.filter((info) => info.precisionClass === 'base');
  const quants = readable.filter((info) => info.precisionClass !== 'base');
  const pairs: (VariantPair & { score: number })[] = [];
  for (const base of bases) {
    for (const quant of quants) {
      const baseDtype = variantName(base.path).dtype ?? '';
      const quantDtype = variantName(quant.path).dtype ?? '';
      const sameActivations = quantDtype.endsWith('f16') === (baseDtype === 'fp16');
      const score =
        (sameActivations ? 40 : 0) +
        (quant.precisionClass === 'int4' ? 20 : 0) +
        (quant.sym === true ? 5 : 0) -
        (BASE_RANK[base.precision] ?? 3);
      pairs.push({ base, quant, label: `${stem(base.path)} vs ${stem(quant.path)}`, score });
    }
  }
  pairs.sort((a, b) => b.score - a.score || a.label.localeCompare(b.label));
  return pairs.map(({ base, quant, label }) => ({ base, quant, label }));
}

const GENAI_CONFIG = 'genai_config.json';
/** A GenAI tree is small (a handful of targets); this bounds a hostile or huge parent. */
const MAX_COUSIN_FOLDERS = 64;

async function subfolders(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => join(folder, entry.name))
      .slice(0, MAX_COUSIN_FOLDERS);
  } catch {
    return [];
  }
}

async function hasGenaiConfig(folder: string): Promise<boolean> {
  try {
    return (await readdir(folder)).includes(GENAI_CONFIG);
  } catch {
    return false;
  }
}

/**
 * The other GenAI model folders of the tree `folder` sits in: its siblings' and its parent's siblings' children
 * that hold a genai_config.json (`cpu_and_mobile/cpu-int4-...` finds `cuda/cuda-fp16`). Only for GenAI folders.
 */
export async function genaiCousins(folder: string): Promise<string[]> {
  if (!(await hasGenaiConfig(folder))) return [];
  const group = dirname(folder);
  const tree = dirname(group);
  const found: string[] = [];
  for (const branch of (await subfolders(tree)).filter((path) => path !== group)) {
    for (const candidate of await subfolders(branch)) {
      if (await hasGenaiConfig(candidate)) found.push(candidate);
      if (found.length >= MAX_COUSIN_FOLDERS) return found;
    }
  }
  return found;
}
