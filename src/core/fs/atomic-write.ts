/**
 * The one way the product writes a file: a temporary name in the same folder, written, fsynced, then renamed over
 * the target. A reader (or a crash, or kill -9) sees the old file or the new one, never a truncated mix; rename
 * stays on one file system because the temporary name is a sibling. An existing file keeps its permission bits
 * (and, when we may, its owner); a symbolic link, a folder or another special file at the path is refused rather
 * than replaced or written through (rename would swap a link for a regular file; opening would follow it).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class UnsafeWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeWriteError';
  }
}

/** A sibling name nobody else uses: the leading dot hides it from folder listings while it exists. */
export function temporarySibling(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.${tag}`);
}

/** Why `existing` may not be replaced by a regular file at `path`, or null when it may. */
export function replaceRefusal(path: string, existing: Stats | null): string | null {
  if (!existing || existing.isFile()) return null;
  if (existing.isSymbolicLink()) return `${path} is a symbolic link; write to its target instead`;
  return `${path} exists and is not a regular file`;
}

/** lstat, or null when nothing is at the path (other errors are thrown). */
export async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** fsync the folder so the rename itself survives a power cut; folders cannot be opened for that on Windows. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(folder, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems (network, FUSE) refuse fsync on folders; the data itself was synced.
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /** Permission bits of a new file (before the umask); an existing file keeps its own. Default 0o666. */
  readonly mode?: number;
}

/** Writes `data` to `path` atomically (see the module comment). Throws UnsafeWriteError for a link or special file. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const existing = await lstatOrNull(path);
  const refusal = replaceRefusal(path, existing);
  if (refusal) throw new UnsafeWriteError(refusal);
  const temporary = temporarySibling(path);
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o666);
  const handle = await fs.open(temporary, 'wx', mode);
  try {
    await handle.writeFile(data);
    if (existing) {
      // open() applied the umask; the replaced file's bits come back exactly.
      await handle.chmod(mode);
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
        await handle.chown(existing.uid, existing.gid).catch(() => undefined); // only root may give files away
      }
    }
    await handle.sync();
    await handle.close();
    await fs.rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}
