/**
 * A ByteSource for header-only inspection that reads with positional synchronous reads (pread).
 *
 * Why synchronous: a header walk is a chain of tiny dependent reads (each field's length says where the next
 * one starts), so nothing can overlap them; every async read costs a thread-pool round trip that, on a busy
 * machine, is worth far more than the microseconds a 1 KB pread from the page cache takes. A 1 GB ONNX model
 * needs ~70 such reads (bench/inspect). Whole files are never read this way: the chunk cache holds at most
 * `maxCachedChunks` small chunks, a read longer than MAX_READ is refused (the inspectors never ask for
 * payloads, and cap the strings they decode below it), and every byte read is charged to the folder's
 * ReadBudget. Only regular files are opened, without blocking (src/core/models/bounds.ts).
 */
import { closeSync, readSync } from 'node:fs';
import { openRegularSync, type ReadBudget } from '../models/bounds';
import type { ByteSource } from './wire';

/** The longest single read: GGUF's 16 MB string cap plus its read window; ONNX reads 64 KB messages. */
export const MAX_READ = 32 * 1024 * 1024;

export class SyncHeaderSource implements ByteSource {
  bytesRead = 0;
  private readonly cache = new Map<number, Uint8Array>();
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly chunkSize: number,
    private readonly maxCachedChunks: number,
    private readonly budget: ReadBudget | undefined,
  ) {}

  static open(path: string, chunkSize = 1024, maxCachedChunks = 512, budget?: ReadBudget): SyncHeaderSource {
    const { fd, size } = openRegularSync(path);
    return new SyncHeaderSource(fd, size, chunkSize, maxCachedChunks, budget);
  }

  /** Opens `path`, runs `inspect` on it and closes it whatever happens. */
  static async inspect<T>(
    path: string,
    chunkSize: number,
    maxCachedChunks: number,
    inspect: (source: SyncHeaderSource) => Promise<T>,
    budget?: ReadBudget,
  ): Promise<T> {
    const source = SyncHeaderSource.open(path, chunkSize, maxCachedChunks, budget);
    try {
      return await inspect(source);
    } finally {
      await source.close();
    }
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readNow(offset, length));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private readNow(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    if (end - offset > MAX_READ)
      throw new Error(
        `refusing to read ${end - offset} bytes at offset ${offset}: a header field this long is corrupt or hostile`,
      );
    if (end - offset > this.chunkSize * 64) {
      // Messages the inspector reads whole (nodes, value infos) are small; anything larger is read directly.
      const out = Buffer.allocUnsafe(end - offset);
      const done = this.pread(out, offset);
      return out.subarray(0, done);
    }
    const first = Math.floor(offset / this.chunkSize);
    const last = Math.floor((end - 1) / this.chunkSize);
    if (first === last) {
      const base = first * this.chunkSize;
      return this.chunk(first).subarray(offset - base, end - base);
    }
    const out = new Uint8Array(end - offset);
    for (let index = first; index <= last; index++) {
      const chunk = this.chunk(index);
      const base = index * this.chunkSize;
      const from = Math.max(offset, base);
      const to = Math.min(end, base + chunk.length);
      out.set(chunk.subarray(from - base, to - base), from - offset);
    }
    return out;
  }

  private pread(buffer: Buffer, position: number): number {
    let done = 0;
    while (done < buffer.length) {
      const count = readSync(this.fd, buffer, done, buffer.length - done, position + done);
      if (count === 0) break;
      done += count;
    }
    this.bytesRead += done;
    this.budget?.charge(done);
    return done;
  }

  private chunk(index: number): Uint8Array {
    const cached = this.cache.get(index);
    if (cached) return cached;
    const start = index * this.chunkSize;
    const buffer = Buffer.allocUnsafe(Math.min(this.chunkSize, this.size - start));
    const chunk = buffer.subarray(0, this.pread(buffer, start));
    if (this.cache.size >= this.maxCachedChunks) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(index, chunk);
    return chunk;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
    return Promise.resolve();
  }
}
