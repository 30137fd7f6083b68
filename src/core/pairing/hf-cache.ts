/**
 * The Hugging Face hub cache layout: `<cache>/models--ORG--NAME/snapshots/<commit>/...`, with
 * `refs/main` naming the commit the user last pulled.
 */
import { readdir, stat } from 'node:fs/promises';
import { readTextBounded } from '../models/bounds';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';

/** Cache folders to look in, nearest first, the way huggingface_hub resolves them. */
export function hfCacheDirs(env: NodeJS.ProcessEnv, home = homedir()): string[] {
  if (env['HF_HUB_CACHE']) return [env['HF_HUB_CACHE']];
  if (env['HF_HOME']) return [join(env['HF_HOME'], 'hub')];
  return [join(home, '.cache', 'huggingface', 'hub')];
}

/** `models--Qwen--Qwen2.5-0.5B` -> `Qwen/Qwen2.5-0.5B`; null for anything else. */
export function repoIdOfCacheEntry(entry: string): string | null {
  const match = /^models--(.+)$/.exec(entry);
  return match ? match[1].split('--').join('/') : null;
}

/** The repo id when `path` is inside a cache snapshot, else null. */
export function repoIdOfPath(path: string): string | null {
  const parts = path.split(sep);
  const index = parts.findIndex((part, i) => part.startsWith('models--') && parts[i + 1] === 'snapshots');
  return index >= 0 ? repoIdOfCacheEntry(parts[index]) : null;
}

export interface CachedRepo {
  readonly repoId: string;
  readonly snapshot: string;
}

async function newestSnapshot(repoDir: string): Promise<string | null> {
  try {
    const ref = (await readTextBounded(join(repoDir, 'refs', 'main'), 1024)).trim();
    if (/^[0-9a-f]{7,64}$/i.test(ref)) {
      const path = join(repoDir, 'snapshots', ref);
      if ((await stat(path)).isDirectory()) return path;
    }
  } catch {
    // No refs/main (a snapshot copied in by hand): fall back to the newest snapshot folder.
  }
  try {
    const snapshots = await readdir(join(repoDir, 'snapshots'));
    const dated = await Promise.all(
      snapshots.map(async (name) => ({ name, mtime: (await stat(join(repoDir, 'snapshots', name))).mtimeMs })),
    );
    dated.sort((a, b) => b.mtime - a.mtime);
    return dated[0] ? join(repoDir, 'snapshots', dated[0].name) : null;
  } catch {
    return null;
  }
}

/** Every model repo in the given caches with its current snapshot; missing caches are skipped. */
export async function listCachedRepos(cacheDirs: readonly string[]): Promise<CachedRepo[]> {
  const repos: CachedRepo[] = [];
  for (const cache of cacheDirs) {
    let entries: string[];
    try {
      entries = await readdir(cache);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const repoId = repoIdOfCacheEntry(entry);
      if (!repoId) continue;
      const snapshot = await newestSnapshot(join(cache, entry));
      if (snapshot) repos.push({ repoId, snapshot });
    }
  }
  return repos;
}
