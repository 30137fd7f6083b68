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

export type Relation = 'sibling' | 'hf-cache';
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
  if (relation === 'sibling') {
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

  for (const sibling of await childModelFolders(dirname(path), path)) {
    opts.signal?.throwIfAborted();
    const score = Math.max(0, ...[basename(path), ...names].map((name) => stemMatch(name, basename(sibling))));
    if (score === 0) continue;
    seen.add(sibling);
    const ranked = rank(self, role, await inspect(sibling), 'sibling', score);
    if (ranked) candidates.push(ranked);
  }

  const stems = new Set(names.map(nameStem));
  if (stems.size > 0 && opts.hfCacheDirs?.length) {
    for (const repo of await listCachedRepos(opts.hfCacheDirs)) {
      opts.signal?.throwIfAborted();
      if (seen.has(repo.snapshot) || !stems.has(nameStem(repo.repoId.split('/').pop()!))) continue;
      seen.add(repo.snapshot);
      const ranked = rank(self, role, await inspect(repo.snapshot), 'hf-cache', 1);
      if (ranked) candidates.push({ ...ranked, reasons: [...ranked.reasons, repo.repoId] });
    }
  }

  candidates.sort((a, b) => b.score - a.score || a.info.path.localeCompare(b.info.path));
  return { self, role, candidates };
}
