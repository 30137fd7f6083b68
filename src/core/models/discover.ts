/**
 * Finding model folders under roots: workspace folders, `quantDrift.modelRoots`, the Hugging Face hub cache.
 * Breadth-first, bounded depth and entry count, cancellable, symlink-loop safe (each real directory is
 * visited once), and an unreadable folder is reported, never thrown.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { recogniseModelFiles } from './recognise';
import { variantPathsOf } from './variants';

export interface DiscoverOptions {
  signal?: AbortSignal;
  /** Folder levels below each root (default 6; the hub cache needs 3: models--x/snapshots/REV). */
  maxDepth?: number;
  /** Stop after this many directory entries in all (default 200,000), so a huge tree cannot hang a scan. */
  maxEntries?: number;
}

export interface DiscoverResult {
  folders: string[];
  /** Folders that could not be read, with the reason; the scan went on without them. */
  errors: { path: string; error: string }[];
  /** Set when maxEntries stopped the walk early. */
  truncated: boolean;
}

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  'blobs',
  '.vscode-test',
]);

export async function discoverModels(roots: readonly string[], opts: DiscoverOptions = {}): Promise<DiscoverResult> {
  const maxDepth = opts.maxDepth ?? 6;
  let budget = opts.maxEntries ?? 200_000;
  const result: DiscoverResult = { folders: [], errors: [], truncated: false };
  const seen = new Set<string>();
  const found = new Set<string>();
  let queue: { dir: string; depth: number }[] = roots.map((root) => ({
    dir: path.resolve(expandHome(root)),
    depth: 0,
  }));
  while (queue.length > 0) {
    const next: typeof queue = [];
    // One level at a time, a few folders in parallel: fast on SSDs, still gentle on network drives.
    for (let index = 0; index < queue.length; index += 16) {
      opts.signal?.throwIfAborted();
      await Promise.all(
        queue.slice(index, index + 16).map(async ({ dir, depth }) => {
          let real: string;
          let entries: import('node:fs').Dirent[];
          try {
            real = await fs.realpath(dir);
            if (seen.has(real)) return;
            seen.add(real);
            entries = await fs.readdir(dir, { withFileTypes: true });
          } catch (error) {
            result.errors.push({ path: dir, error: describeFsError(error) });
            return;
          }
          budget -= entries.length;
          if (budget < 0) {
            result.truncated = true;
            return;
          }
          const names = entries.map((entry) => entry.name);
          const recognised = recogniseModelFiles(names);
          if (recognised && !found.has(real)) {
            found.add(real);
            // Several GGUF files in one folder are several models (one per quantization), and so are the
            // precision variants of an onnx-community repo's onnx/ (model_fp16.onnx, model_q4f16.onnx, ...).
            const variants = recognised.format === 'onnx' ? variantPathsOf(dir, names) : [];
            if (recognised.format === 'gguf' && recognised.modelFiles.length > 1) {
              for (const file of recognised.modelFiles) result.folders.push(path.join(dir, file));
            } else if (variants.length > 0) result.folders.push(...variants);
            else result.folders.push(dir);
          }
          if (depth >= maxDepth) return;
          for (const entry of entries) {
            if (SKIP_DIRS.has(entry.name) || (entry.name.startsWith('.') && depth > 0)) continue;
            if (entry.isDirectory() || entry.isSymbolicLink()) {
              const child = path.join(dir, entry.name);
              if (entry.isSymbolicLink()) {
                const isDir = await fs.stat(child).then(
                  (s) => s.isDirectory(),
                  () => false,
                );
                if (!isDir) continue;
              }
              next.push({ dir: child, depth: depth + 1 });
            }
          }
        }),
      );
      if (result.truncated) break;
    }
    if (result.truncated) break;
    queue = next;
  }
  result.folders.sort();
  return result;
}

export async function discoverModelFolders(roots: readonly string[], opts: DiscoverOptions = {}): Promise<string[]> {
  return (await discoverModels(roots, opts)).folders;
}

export function expandHome(folder: string): string {
  return folder === '~' || folder.startsWith('~/') || folder.startsWith('~\\')
    ? path.join(os.homedir(), folder.slice(1))
    : folder;
}

/** HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (huggingface_hub constants). */
export function huggingFaceHubCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return expandHome(env.HF_HUB_CACHE);
  if (env.HF_HOME) return path.join(expandHome(env.HF_HOME), 'hub');
  const cacheHome = env.XDG_CACHE_HOME ? expandHome(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'huggingface', 'hub');
}

export function describeFsError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'folder not found';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'ENOTDIR':
      return 'not a folder';
    default:
      return err instanceof Error ? err.message : String(error);
  }
}
