/**
 * Downloading a Hub repo into the Hugging Face cache layout, so Python tools (transformers, optimum,
 * huggingface_hub) find the same files (huggingface_hub `file_download.py`):
 *   <cache>/models--org--name/blobs/<etag>                   the bytes, named by LFS sha256 or git blob sha1
 *   <cache>/models--org--name/snapshots/<commit>/<path>      relative symlink to the blob
 *   <cache>/models--org--name/refs/<branch>                  the commit the branch pointed to
 * A transfer goes to blobs/<etag>.incomplete, resumes with a Range request, is verified (LFS sha256 or git
 * blob sha1, and size) and only then renamed into place: a partial or corrupt file is never where a
 * complete one is expected. Listing uses @huggingface/hub (it takes the hub URL); transfers use fetch.
 */
import { writeFileAtomic } from '../fs/atomic-write';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { formatSize } from '../models/format';
import { HubDownloadError } from './errors';
import { anySignal, fetchFromHub, listingFetch } from './fetch';
import { fileFolderClash, hubFileProblem, snapshotPath } from './paths';
import { matchesAny } from './patterns';
import { redact } from './token';

export interface HubFile {
  path: string;
  size: number;
  /** git blob sha1 (always) */
  oid: string;
  /** sha256 of the content, for LFS files */
  lfsSha256?: string;
}

export interface DownloadProgress {
  file: string;
  fileBytes: number;
  fileTotal: number;
  doneBytes: number;
  totalBytes: number;
  /** Bytes skipped because a partial transfer was resumed or the blob was already there. */
  reusedBytes: number;
}

export interface DownloadOptions {
  hubUrl: string;
  repo: string;
  revision?: string;
  patterns?: readonly string[];
  cacheDir: string;
  accessToken?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Injected for tests; defaults to global fetch. */
  fetch?: typeof fetch;
  /** A transfer that receives nothing for this long stops (and resumes next time); default 60 s. */
  idleTimeoutMs?: number;
  /** Free bytes where the cache is; injected for tests (default: statfs). */
  freeSpace?: (folder: string) => Promise<number | null>;
}

/** Pages of a file listing (1000 entries each on huggingface.co): far beyond any model repo. */
const MAX_LIST_PAGES = 1000;
const MAX_LISTED_FILES = 200_000;
const LIST_REQUEST_TIMEOUT_MS = 60_000;
const IDLE_TIMEOUT_MS = 60_000;

export interface DownloadResult {
  repo: string;
  commit: string;
  snapshotDir: string;
  files: { path: string; size: number; status: 'downloaded' | 'resumed' | 'cached' }[];
}

export { HubDownloadError };

export function repoCacheDir(cacheDir: string, repo: string): string {
  return path.join(cacheDir, `models--${repo.split('/').join('--')}`);
}

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function validateRepoId(repo: string): string | null {
  if (!REPO_ID.test(repo) || repo.includes('--') || repo.includes('..'))
    return 'A repo id looks like org/name (letters, digits, - _ .).';
  return null;
}

/** Commit and file list of a repo at a revision, through @huggingface/hub. */
export async function listRepoFiles(
  opts: Pick<DownloadOptions, 'hubUrl' | 'repo' | 'revision' | 'accessToken' | 'fetch' | 'signal'>,
): Promise<{ commit: string; files: HubFile[] }> {
  const hub = await import('@huggingface/hub');
  const credentials = opts.accessToken ? { accessToken: opts.accessToken } : {};
  const guarded = listingFetch({
    hubUrl: opts.hubUrl,
    signal: opts.signal,
    fetch: opts.fetch,
    maxRequests: MAX_LIST_PAGES + 1,
    requestTimeoutMs: LIST_REQUEST_TIMEOUT_MS,
  });
  const common = { hubUrl: opts.hubUrl, fetch: guarded, ...credentials } as const;
  try {
    const info = await hub.modelInfo({
      name: opts.repo,
      revision: opts.revision ?? 'main',
      additionalFields: ['sha'],
      ...common,
    });
    const commit = (info as { sha?: string }).sha;
    if (!commit || !/^[0-9a-f]{40}$/.test(commit))
      throw new HubDownloadError(`the hub did not report a commit for ${opts.repo}@${opts.revision ?? 'main'}`);
    const files: HubFile[] = [];
    for await (const entry of hub.listFiles({
      repo: { type: 'model', name: opts.repo },
      revision: commit,
      recursive: true,
      ...common,
    })) {
      opts.signal?.throwIfAborted();
      if (files.length >= MAX_LISTED_FILES)
        throw new HubDownloadError(`${opts.repo} lists more than ${MAX_LISTED_FILES} files; stopped`);
      if (entry.type !== 'file') continue;
      files.push({
        path: entry.path,
        size: entry.lfs?.size ?? entry.size,
        oid: entry.oid ?? '',
        ...(entry.lfs ? { lfsSha256: entry.lfs.oid } : {}),
      });
    }
    return { commit, files };
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? error;
    if (error instanceof HubDownloadError) throw error;
    throw new HubDownloadError(
      redact(`cannot list ${opts.repo}: ${error instanceof Error ? error.message : String(error)}`, opts.accessToken),
    );
  }
}

export async function downloadRepo(opts: DownloadOptions): Promise<DownloadResult> {
  const invalid = validateRepoId(opts.repo);
  if (invalid) throw new HubDownloadError(invalid);
  // The revision names refs/<revision>: a branch name with folders is fine, one that climbs out is not.
  if (opts.revision !== undefined && hubFileProblem(opts.revision))
    throw new HubDownloadError(`not a usable revision name: ${JSON.stringify(opts.revision)}`);
  const { commit, files: all } = await listRepoFiles(opts);
  const files = all.filter((file) => matchesAny(file.path, opts.patterns ?? []));
  if (files.length === 0)
    throw new HubDownloadError(`no file in ${opts.repo} matches ${(opts.patterns ?? []).join(', ')}`);
  const repoDir = repoCacheDir(opts.cacheDir, opts.repo);
  const snapshotDir = path.join(repoDir, 'snapshots', commit);
  const local = new Map<string, string>();
  for (const file of files) {
    const checked = snapshotPath(snapshotDir, file.path);
    if ('problem' in checked)
      throw new HubDownloadError(
        `refusing the file name ${JSON.stringify(file.path)} from the hub: ${checked.problem}`,
        file.path,
      );
    local.set(file.path, checked.path);
  }
  const clash = fileFolderClash(files.map((file) => file.path));
  if (clash) throw new HubDownloadError(`the hub lists ${clash} as both a file and a folder; nothing was written`);
  await fs.mkdir(path.join(repoDir, 'blobs'), { recursive: true });
  await fs.mkdir(snapshotDir, { recursive: true });
  await checkFreeSpace(repoDir, files, opts);

  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let doneBytes = 0;
  let reusedBytes = 0;
  const result: DownloadResult = { repo: opts.repo, commit, snapshotDir, files: [] };
  for (const file of files) {
    opts.signal?.throwIfAborted();
    const etag = file.lfsSha256 ?? file.oid;
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(etag))
      throw new HubDownloadError(`the hub gave no usable hash for ${file.path}`, file.path);
    const blob = path.join(repoDir, 'blobs', etag);
    const before = doneBytes;
    const report = (fileBytes: number): void =>
      opts.onProgress?.({
        file: file.path,
        fileBytes,
        fileTotal: file.size,
        doneBytes: before + fileBytes,
        totalBytes,
        reusedBytes,
      });
    let status: 'downloaded' | 'resumed' | 'cached' = 'cached';
    const existing = await fs.stat(blob).catch(() => null);
    if (!existing || existing.size !== file.size) {
      const url = `${opts.hubUrl}/${opts.repo}/resolve/${commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
      const { resumedFrom } = await transfer(url, blob, file, opts, report);
      reusedBytes += resumedFrom;
      status = resumedFrom > 0 ? 'resumed' : 'downloaded';
    } else {
      reusedBytes += file.size;
    }
    doneBytes += file.size;
    report(file.size);
    await linkIntoSnapshot(local.get(file.path)!, file.path, blob);
    result.files.push({ path: file.path, size: file.size, status });
  }
  // refs/<branch> -> commit, as huggingface_hub writes it (not for a commit hash given as revision).
  const revision = opts.revision ?? 'main';
  if (revision !== commit) {
    const ref = path.join(repoDir, 'refs', revision);
    await fs.mkdir(path.dirname(ref), { recursive: true });
    await writeFileAtomic(ref, commit);
  }
  return result;
}

/** Bytes still to transfer: files whose blob is missing or partial (a partial one resumes). */
async function bytesToFetch(repoDir: string, files: readonly HubFile[]): Promise<number> {
  let needed = 0;
  for (const file of files) {
    const blob = path.join(repoDir, 'blobs', file.lfsSha256 ?? file.oid);
    const existing = await fs.stat(blob).catch(() => null);
    if (existing?.size === file.size) continue;
    const partial = await fs.stat(`${blob}.incomplete`).catch(() => null);
    needed += file.size - (partial && partial.size < file.size ? partial.size : 0);
  }
  return needed;
}

async function statfsFree(folder: string): Promise<number | null> {
  try {
    const stats = await fs.statfs(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return null; // no statfs here (or it failed): the transfer still stops cleanly on ENOSPC
  }
}

/** Refuses before the first byte when the listed sizes do not fit, rather than filling the disk. */
async function checkFreeSpace(repoDir: string, files: readonly HubFile[], opts: DownloadOptions): Promise<void> {
  const needed = await bytesToFetch(repoDir, files);
  if (needed === 0) return;
  const free = await (opts.freeSpace ?? statfsFree)(repoDir);
  if (free !== null && free < needed)
    throw new HubDownloadError(
      `not enough free space for ${opts.repo}: the files need ${formatSize(needed)}, ${formatSize(free)} is free in ${opts.cacheDir}`,
    );
}

async function hashExisting(file: string, hashes: Hash[]): Promise<void> {
  for await (const chunk of createReadStream(file)) for (const hash of hashes) hash.update(chunk as Buffer);
}

async function transfer(
  url: string,
  blob: string,
  file: HubFile,
  opts: DownloadOptions,
  report: (bytes: number) => void,
): Promise<{ resumedFrom: number }> {
  const incomplete = `${blob}.incomplete`;
  const partial = await fs.stat(incomplete).catch(() => null);
  let offset = partial && partial.size < file.size ? partial.size : 0;
  if (partial && offset === 0) await fs.rm(incomplete, { force: true });
  const headers: Record<string, string> = {};
  if (opts.accessToken) headers.authorization = `Bearer ${opts.accessToken}`;
  if (offset > 0) headers.range = `bytes=${offset}-`;
  // A server that accepts the connection and then sends nothing would hold the download forever.
  const idleMs = opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), idleMs);
  const stillAlive = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), idleMs);
  };
  const signal = anySignal([opts.signal, idle.signal])!;
  let written = offset;
  const idleError = (): HubDownloadError =>
    new HubDownloadError(
      `${file.path}: no data from the server for ${idleMs >= 1000 ? `${Math.round(idleMs / 1000)} s` : `${idleMs} ms`} after ${written} of ${file.size} bytes; run the download again to resume`,
      file.path,
    );
  try {
    let response: Response;
    try {
      response = await fetchFromHub(
        url,
        { headers },
        { hubUrl: opts.hubUrl, signal, fetch: opts.fetch, sameOriginOnly: false },
      );
    } catch (error) {
      if (opts.signal?.aborted) throw error;
      if (idle.signal.aborted) throw idleError();
      if (error instanceof HubDownloadError) throw error;
      throw new HubDownloadError(
        redact(`${file.path}: ${error instanceof Error ? error.message : String(error)}`, opts.accessToken),
        file.path,
      );
    }
    if (response.status === 416 && offset > 0) {
      // The server has nothing past our offset: the partial file is wrong; start over next time.
      await fs.rm(incomplete, { force: true });
      throw new HubDownloadError(
        `${file.path}: the partial download does not match the server's file; it was removed, try again`,
        file.path,
      );
    }
    if (!response.ok || !response.body)
      throw new HubDownloadError(`${file.path}: HTTP ${response.status} ${response.statusText}`, file.path);
    if (offset > 0 && response.status !== 206) offset = 0; // server ignored Range: restart from scratch
    written = offset;
    stillAlive();

    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1');
    sha1.update(`blob ${file.size}\0`);
    if (offset > 0) await hashExisting(incomplete, [sha256, sha1]);
    const handle = await fs.open(incomplete, offset > 0 ? 'a' : 'w');
    try {
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
      for await (const chunk of body as AsyncIterable<Buffer>) {
        stillAlive();
        await handle.write(chunk);
        sha256.update(chunk);
        sha1.update(chunk);
        written += chunk.length;
        if (written > file.size)
          throw new HubDownloadError(
            `${file.path}: the server sent more than the ${file.size} bytes the hub listed`,
            file.path,
          );
        report(written);
      }
    } catch (error) {
      await handle.close();
      // Interrupted (idle, cancelled, connection lost): keep the .incomplete file so the next attempt resumes.
      if (opts.signal?.aborted) throw error;
      if (idle.signal.aborted) throw idleError();
      if (error instanceof HubDownloadError) {
        await fs.rm(incomplete, { force: true });
        throw error;
      }
      throw new HubDownloadError(
        `${file.path}: transfer interrupted after ${written} of ${file.size} bytes (${error instanceof Error ? error.message : String(error)}); run the download again to resume`,
        file.path,
      );
    }
    await handle.close();
    if (written !== file.size) {
      throw new HubDownloadError(
        `${file.path}: transfer ended after ${written} of ${file.size} bytes; run the download again to resume`,
        file.path,
      );
    }
    const expected = file.lfsSha256 ?? file.oid;
    const actual = file.lfsSha256 ? sha256.digest('hex') : sha1.digest('hex');
    if (actual !== expected) {
      await fs.rm(incomplete, { force: true });
      throw new HubDownloadError(
        `${file.path}: checksum mismatch (expected ${file.lfsSha256 ? 'sha256' : 'git sha1'} ${expected}, got ${actual}); the corrupt file was removed`,
        file.path,
      );
    }
    await fs.rename(incomplete, blob);
    return { resumedFrom: offset };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * snapshots/<commit>/<path> -> ../../blobs/<etag> (relative, one `..` per folder level), or a copy where links
 * fail. `link` was checked by snapshotPath; a folder where a file belongs (or the reverse) left by an older
 * snapshot is reported, not replaced.
 */
async function linkIntoSnapshot(link: string, file: string, blob: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(link), { recursive: true });
  } catch (error) {
    throw clashError(error, file);
  }
  const existing = await fs.lstat(link).catch(() => null);
  if (existing?.isDirectory()) throw clashError({ code: 'EISDIR' }, file);
  const target = path.relative(path.dirname(link), blob);
  const current = await fs.readlink(link).catch(() => null);
  if (current === target) return;
  if (existing) await fs.rm(link, { force: true }); // a link or copy of ours, from an earlier download
  try {
    await fs.symlink(target, link);
  } catch {
    // Windows without developer mode cannot create symlinks; huggingface_hub copies then, so do we.
    await fs.copyFile(blob, link);
  }
}

function clashError(error: unknown, file: string): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
    return new HubDownloadError(
      `${file}: the snapshot already has a file where a folder belongs, or a folder where a file belongs; nothing was replaced`,
      file,
    );
  return error instanceof Error ? error : new Error(String(error));
}
