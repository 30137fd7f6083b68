/**
 * One scan of every root: discover model folders, inspect them a few at a time, reuse what an earlier scan
 * learned when a folder has not changed. Pure core: the tree view, the CLI and bench/inspect share it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { discoverModels } from './discover';
import { inspectModelFolder } from './inspect-folder';
import type { InventoryGroup, InventoryRoot, ModelInfo } from '../../protocol/models';

export type { InventoryGroup, InventoryRoot };

export interface InventoryOptions {
  signal?: AbortSignal;
  /** Folders inspected at once (default 8). */
  concurrency?: number;
  maxDepth?: number;
  /** Results of an earlier scan, reused when the folder's stamp is unchanged. */
  cache?: InventoryCache;
}

/** Remembers ModelInfo per folder with a stamp (folder and file mtimes and sizes). */
export class InventoryCache {
  private readonly entries = new Map<string, { stamp: string; info: ModelInfo }>();
  get(folder: string, stamp: string): ModelInfo | undefined {
    const entry = this.entries.get(folder);
    return entry && entry.stamp === stamp ? entry.info : undefined;
  }
  set(folder: string, stamp: string, info: ModelInfo): void {
    this.entries.set(folder, { stamp, info });
  }
  /** Drops folders not seen in the last scan, so the cache cannot grow without bound. */
  retain(folders: Set<string>): void {
    for (const key of this.entries.keys()) if (!folders.has(key)) this.entries.delete(key);
  }
}

/**
 * What makes a folder's ModelInfo stale: files added, removed or renamed (the folder's mtime) and the model
 * and config files changing in place (their mtime and size). Other files do not change what we read.
 */
async function stampOf(target: string): Promise<string> {
  try {
    const stat = await fs.stat(target);
    if (!stat.isDirectory()) return `${stat.mtimeMs}:${stat.size}`;
    const names = (await fs.readdir(target)).filter((name) => STAMPED.test(name)).sort();
    const files = await Promise.all(
      names.map((name) =>
        fs.stat(path.join(target, name)).then(
          (file) => `${name}:${file.mtimeMs}:${file.size}`,
          () => `${name}:gone`,
        ),
      ),
    );
    return [`${stat.mtimeMs}`, ...files].join('|');
  } catch {
    return 'unreadable';
  }
}

const STAMPED = /\.(onnx|xml|gguf|safetensors|json)$/i;

export async function scanInventory(
  roots: readonly InventoryRoot[],
  opts: InventoryOptions = {},
): Promise<InventoryGroup[]> {
  const concurrency = opts.concurrency ?? 8;
  const groups: InventoryGroup[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    opts.signal?.throwIfAborted();
    const found = await discoverModels([root.path], {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    });
    // A root that does not exist (no HF cache yet) is not an error worth showing.
    const errors = found.errors.filter(
      (error) => !(error.path === path.resolve(root.path) && error.error === 'folder not found'),
    );
    const folders = found.folders.filter((folder) => !seen.has(folder));
    folders.forEach((folder) => seen.add(folder));
    const models: ModelInfo[] = new Array<ModelInfo>(folders.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < folders.length) {
        const index = next++;
        const folder = folders[index]!;
        const stamp = opts.cache ? await stampOf(folder) : '';
        const cached = opts.cache?.get(folder, stamp);
        const info = cached ?? (await inspectModelFolder(folder, opts.signal ? { signal: opts.signal } : {}));
        if (!cached) opts.cache?.set(folder, stamp, info);
        models[index] = info;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, folders.length) }, worker));
    groups.push({ root, models, errors, truncated: found.truncated });
  }
  opts.cache?.retain(seen);
  return groups;
}
