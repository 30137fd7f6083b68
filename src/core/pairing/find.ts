/**
 * From the folder a user right-clicked, find its twin at the other precision: sibling folders
 * (FP16/INT4, fp16/int4-sym-g128, model-ov-fp16/model-ov-int4, model next to model-int4) and the same
 * model in the Hugging Face cache. Candidates are ranked so the likeliest pair comes first.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { listCachedRepos, repoIdOfPath } from './hf-cache';
import { looksLikeModelListing, quickInspect, type FolderInspector, type FolderPrecision } from './inspect';
import { nameStem, stemMatch } from './names';
import { genaiCousins, variantFiles } from './variants';

/** Publishers whose repos re-host a model in another format under the same name (twins in the HF cache). */
const REHOSTING_OWNERS = new Set(['onnx-community', 'xenova', 'microsoft', 'openvino', 'intel']);

/** A repo name without the format tag publishers append: `Qwen2.5-0.5B-Instruct-ONNX` -> `Qwen2.5-0.5B-Instruct`. */
export function repoStem(name: string): string {
  return nameStem(name.replace(/([-_.](onnx|ov|openvino|onnx-web|genai|cpu|gpu|cuda|dml|directml))+$/i, ''));
}

export type Relation = 'sibling' | 'hf-cache' | 'variant' | 'cousin';
export type Role = 'base' | 'quant';

export interface PairCandidate {
  readonly info: FolderPrecision;
  readonly relation: Relation;
  readonly score: number;
  /** Why it ranks where it does, shown in the quick pick. */
  readonly reasons: readonly string[];
}

export interface TwinSearch {
  readonly self: FolderPrecision;
  /** The right-clicked folder's side of the pair. */
  readonly role: Role;
  readonly candidates: readonly PairCandidate[];
}

export interface FindTwinsOptions {
  readonly inspect?: FolderInspector;
  /** Hugging Face hub caches to search (hfCacheDirs(process.env) in the extension); none by default. */
  readonly hfCacheDirs?: readonly string[];
  readonly signal?: AbortSignal;
}

/** The ONNX runtime in the runner runs these; any other pair gets an explanation instead. */
export function isRunnableFormat(format: FolderPrecision['format']): boolean {
  return format === 'onnx' || format === 'onnx-genai';
}

async function childModelFolders(parent: string, skip: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(parent, { withFileTypes: true });
  } catch {
    return [];
  }
  const folders: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(parent, entry.name);
    if (path === skip) continue;
    try {
      if (looksLikeModelListing(await readdir(path))) folders.push(path);
    } catch {
      // Unreadable sibling: not a candidate.
    }
  }
  return folders;
}

/** Names the model goes by: its folder, its parent when the folder is only a precision (`llama/FP16`), its repo id. */
export function modelNames(path: string): string[] {
  if (/\.onnx$/i.test(path)) {
    // A variant file goes by its repo's name (`tiny-llama-ONNX/onnx/model_q4.onnx` -> tiny-llama-ONNX).
    const dir = dirname(path);
    return modelNames(basename(dir) === 'onnx' ? dirname(dir) : dir);
  }
  const names = [basename(path)];
  if (nameStem(basename(path)) === '') names.push(basename(dirname(path)));
  const repoId = repoIdOfPath(path);
  if (repoId) names.push(repoId.split('/').pop()!);
  return names.filter((name) => nameStem(name) !== '');
}

function precisionScore(role: Role, candidate: FolderPrecision): { score: number; reason: string } | null {
  if (role === 'base') {
    if (candidate.precisionClass === 'int4') {
      const deviceSafe = candidate.sym === true && candidate.groupSize === 128;
      return { score: deviceSafe ? 33 : 30, reason: deviceSafe ? 'INT4 sym g128 (NPU-safe recipe)' : 'INT4' };
    }
    if (candidate.precisionClass === 'int8') return { score: 10, reason: 'INT8, not INT4' };
    return null;
  }
  if (candidate.precisionClass !== 'base') return null;
  const rank: Record<string, number> = { fp16: 30, bf16: 28, fp32: 27 };
  return { score: rank[candidate.precision] ?? 20, reason: `base ${candidate.precision}` };
}

function rank(
  self: FolderPrecision,
  role: Role,
  info: FolderPrecision,
  relation: Relation,
  nameScore: number,
): PairCandidate | null {
  if (info.error) return null;
  const precision = precisionScore(role, info);
  if (!precision) return null;
  const reasons = [precision.reason];
  let score = precision.score;
  if (relation === 'variant') {
    score += 45;
    reasons.push('variant in the same repo');
  } else if (relation === 'cousin') {
    score += 35;
    reasons.push('same ONNX Runtime GenAI tree');
  } else if (relation === 'sibling') {
    score += nameScore === 2 ? 40 : 25;
    reasons.push(nameScore === 2 ? 'sibling folder, same model name' : 'sibling folder');
  } else {
    score += 15;
    reasons.push('Hugging Face cache');
  }
  if (info.format === self.format) {
    score += 20;
  } else {
    reasons.push(`different format (${info.format} vs ${self.format})`);
  }
  if (isRunnableFormat(info.format) && isRunnableFormat(self.format)) score += 10;
  return { info, relation, score, reasons };
}

/** Finds and ranks twins of `folder`. Never throws for unreadable folders; they are skipped. */
export async function findTwins(folder: string, opts: FindTwinsOptions = {}): Promise<TwinSearch> {
  const inspect = opts.inspect ?? quickInspect;
  const path = resolve(folder);
  const self = await inspect(path);
  const role: Role = self.precisionClass === 'base' ? 'base' : 'quant';
  const names = modelNames(path);
  const candidates: PairCandidate[] = [];
  const seen = new Set<string>([path]);

  // A repo's own variants (onnx/model_fp16.onnx next to onnx/model_q4f16.onnx) and a GenAI tree's cousins.
  const inRepo = path.toLowerCase().endsWith('.onnx') ? await variantFiles(dirname(path)) : [];
  for (const [others, relation] of [
    [inRepo, 'variant'],
    [await genaiCousins(path), 'cousin'],
  ] as const) {
    for (const other of others) {
      opts.signal?.throwIfAborted();
      if (seen.has(other)) continue;
      seen.add(other);
      const ranked = rank(self, role, await inspect(other), relation, 2);
      if (ranked) candidates.push(ranked);
    }
  }

  for (const sibling of await childModelFolders(dirname(path), path)) {
    opts.signal?.throwIfAborted();
    const score = Math.max(0, ...[basename(path), ...names].map((name) => stemMatch(name, basename(sibling))));
    if (score === 0) continue;
    seen.add(sibling);
    const ranked = rank(self, role, await inspect(sibling), 'sibling', score);
    if (ranked) candidates.push(ranked);
  }

  const stems = new Set(names.map(repoStem));
  if (stems.size > 0 && opts.hfCacheDirs?.length) {
    for (const repo of await listCachedRepos(opts.hfCacheDirs)) {
      opts.signal?.throwIfAborted();
      const [owner = '', name = ''] = repo.repoId.split('/');
      if (seen.has(repo.snapshot) || path.startsWith(repo.snapshot) || !stems.has(repoStem(name))) continue;
      seen.add(repo.snapshot);
      // An onnx-community repo is several models (its variants); any other repo is one.
      const variants = await variantFiles(repo.snapshot);
      for (const model of variants.length > 0 ? variants : [repo.snapshot]) {
        const ranked = rank(self, role, await inspect(model), 'hf-cache', 1);
        if (!ranked) continue;
        const publisher = REHOSTING_OWNERS.has(owner.toLowerCase());
        candidates.push({
          ...ranked,
          score: ranked.score + (publisher ? 3 : 0),
          reasons: [
            ...ranked.reasons,
            publisher ? `${repo.repoId} (same model re-published by ${owner})` : repo.repoId,
          ],
        });
      }
    }
  }

  candidates.sort((a, b) => b.score - a.score || a.info.path.localeCompare(b.info.path));
  return { self, role, candidates };
}
