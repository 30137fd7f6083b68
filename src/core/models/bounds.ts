/**
 * How the model scan opens and reads files it did not write. The scan runs on its own a few seconds after a
 * workspace opens, trusted or not, so every file is hostile until proven otherwise:
 *  - only regular files are read: a symlink to /dev/zero or /dev/random is a character device, a FIFO named
 *    model.onnx would block a plain open() forever. Files are opened with O_NONBLOCK (a FIFO open returns at
 *    once, and O_NONBLOCK changes nothing for a regular file) and checked with fstat on the opened descriptor,
 *    so a file swapped between a check and the open cannot get past it;
 *  - each folder gets a budget of bytes read and of wall time (ReadBudget); past it the folder becomes an
 *    error item, and the scan goes on with the next folder.
 */
import { closeSync, constants, fstatSync, openSync, promises as fs, type Stats } from 'node:fs';

/** Bytes one folder's inspection may read: real headers take kilobytes, a large IR .xml tens of MB. */
export const FOLDER_MAX_BYTES = 256 * 1024 * 1024;
/** Wall time one folder's inspection may take (a 1 GB ONNX header walk takes milliseconds). */
export const FOLDER_MAX_MS = 20_000;

// O_NONBLOCK does not exist on Windows, where FIFOs are not files in a folder either.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

/** Bytes and time left for one folder; every reader charges what it read. */
export class ReadBudget {
  private used = 0;
  private readonly deadline: number;
  constructor(
    readonly maxBytes = FOLDER_MAX_BYTES,
    readonly maxMs = FOLDER_MAX_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.deadline = now() + maxMs;
  }

  /** Counts `bytes` read; throws once the folder is over its bytes or its time. */
  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.maxBytes)
      throw new BudgetExceededError(
        `stopped after reading ${Math.round(this.maxBytes / (1024 * 1024))} MB (the most one model folder may cost); a header this large is not a real model's`,
      );
    this.check();
  }

  /** Throws once the folder is over its time. */
  check(): void {
    if (this.now() > this.deadline)
      throw new BudgetExceededError(
        `stopped after ${Math.round(this.maxMs / 1000)} s (the most one model folder may take)`,
      );
  }
}

function notRegular(path: string, stat: Stats): Error {
  const kind = stat.isFIFO()
    ? 'a named pipe (FIFO)'
    : stat.isCharacterDevice() || stat.isBlockDevice()
      ? 'a device'
      : stat.isDirectory()
        ? 'a folder'
        : stat.isSocket()
          ? 'a socket'
          : 'not a regular file';
  const error = new Error(`${path} is ${kind}, not a regular file; it was not read`);
  (error as NodeJS.ErrnoException).code = 'ENOTREG';
  return error;
}

/** A descriptor for reading `path`, which must be a regular file (after symlinks). Never blocks in open(). */
export function openRegularSync(path: string): { fd: number; size: number } {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, stat);
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The async twin of openRegularSync. */
export async function openRegular(path: string): Promise<{ handle: fs.FileHandle; size: number }> {
  const handle = await fs.open(path, OPEN_FLAGS);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(path, stat);
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A small text file (a config), at most `maxBytes`: refused when it says it is larger, and never more than
 * maxBytes + 1 bytes read even if it grows while we read it.
 */
export async function readTextBounded(path: string, maxBytes: number, budget?: ReadBudget): Promise<string> {
  const { handle, size } = await openRegular(path);
  try {
    if (size > maxBytes) throw new Error(`larger than ${Math.round(maxBytes / (1024 * 1024))} MB (${size} bytes)`);
    const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await handle.read(buffer, done, buffer.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    budget?.charge(done);
    if (done > maxBytes) throw new Error(`larger than ${Math.round(maxBytes / (1024 * 1024))} MB (it grew while read)`);
    return buffer.toString('utf8', 0, done);
  } finally {
    await handle.close();
  }
}
