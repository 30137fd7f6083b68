/**
 * The run history: every finished or cancelled comparison, kept in the workspace's storage folder
 * (ExtensionContext.storageUri) so a result survives a new pair, a closed panel and a restart. No `vscode` import.
 *
 * Layout: `runs/<id>.json` holds one SavedRun (entry, pair, prompts, report); `index.json` lists the entries, newest
 * first, so the panel lists the history without reading every report. Both are written with writeFileAtomic
 * (a temporary sibling, fsynced, renamed), so a reader sees the old file or the new one. Everything read back is bounded in bytes and checked with
 * the protocol's guards; an unreadable index is rebuilt from the run files; a run file that fails its guard is
 * skipped, never rewritten. Only run files this store wrote (named by its ids) are ever deleted, when the history
 * grows past MAX_HISTORY.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/fs/atomic-write';
import { MAX_HISTORY, isHistoryEntry, isSavedRun, type HistoryEntry, type SavedRun } from '../../protocol/webview';

/** A report of 1000 prompts with per-token texts and KL stays well under this. */
const MAX_RUN_BYTES = 64 * 2 ** 20;
const MAX_INDEX_BYTES = 4 * 2 ** 20;
const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{6}$/;

export interface RunHistory {
  save(run: Omit<SavedRun, 'entry'> & { entry: Omit<HistoryEntry, 'id'> }): Promise<HistoryEntry>;
  list(): Promise<HistoryEntry[]>;
  load(id: string): Promise<SavedRun | null>;
}

export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp.slice(0, 8)}-${stamp.slice(8, 14)}-${randomBytes(3).toString('hex')}`;
}

/** The file's text, or null when it is missing or larger than `limit` (a size we refuse to parse). */
async function readBounded(path: string, limit: number): Promise<string | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > limit) return null;
    return await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
}

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class HistoryStore implements RunHistory {
  /** Saves run one after another, so two panels finishing together do not lose an index entry. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: { warn(message: string): void } = { warn: () => undefined },
  ) {}

  private get runsDir(): string {
    return join(this.dir, 'runs');
  }

  private get indexPath(): string {
    return join(this.dir, 'index.json');
  }

  private runPath(id: string): string {
    return join(this.runsDir, `${id}.json`);
  }

  save(run: Omit<SavedRun, 'entry'> & { entry: Omit<HistoryEntry, 'id'> }): Promise<HistoryEntry> {
    const saved = this.queue.then(() => this.saveNow(run));
    this.queue = saved.catch(() => undefined);
    return saved;
  }

  private async saveNow(run: Omit<SavedRun, 'entry'> & { entry: Omit<HistoryEntry, 'id'> }): Promise<HistoryEntry> {
    await fs.mkdir(this.runsDir, { recursive: true });
    const entry: HistoryEntry = { id: newRunId(), ...run.entry };
    await writeFileAtomic(this.runPath(entry.id), JSON.stringify({ ...run, entry }));
    const entries = [entry, ...(await this.list()).filter((e) => e.id !== entry.id)];
    const kept = entries.slice(0, MAX_HISTORY);
    await writeFileAtomic(this.indexPath, JSON.stringify(kept));
    for (const dropped of entries.slice(MAX_HISTORY)) {
      if (RUN_ID.test(dropped.id)) await fs.rm(this.runPath(dropped.id), { force: true });
    }
    return entry;
  }

  async list(): Promise<HistoryEntry[]> {
    const index = parse(await readBounded(this.indexPath, MAX_INDEX_BYTES));
    if (Array.isArray(index)) return index.filter((e): e is HistoryEntry => isHistoryEntry(e)).slice(0, MAX_HISTORY);
    if (index !== undefined || (await this.hasRuns())) {
      this.log.warn('run history: index.json is unreadable; rebuilding it from the saved runs');
      return this.rebuild();
    }
    return [];
  }

  private async hasRuns(): Promise<boolean> {
    return (await this.runIds()).length > 0;
  }

  private async runIds(): Promise<string[]> {
    try {
      return (await fs.readdir(this.runsDir))
        .map((name) => name.replace(/\.json$/, ''))
        .filter((id) => RUN_ID.test(id))
        .sort()
        .reverse();
    } catch {
      return [];
    }
  }

  /** The index again from the run files (newest first by id), each checked; written only when something was found. */
  private async rebuild(): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    for (const id of (await this.runIds()).slice(0, MAX_HISTORY)) {
      const run = await this.load(id);
      if (run) entries.push(run.entry);
    }
    if (entries.length > 0) await writeFileAtomic(this.indexPath, JSON.stringify(entries));
    return entries;
  }

  async load(id: string): Promise<SavedRun | null> {
    if (!RUN_ID.test(id)) return null;
    const value = parse(await readBounded(this.runPath(id), MAX_RUN_BYTES));
    if (value === undefined) return null;
    if (!isSavedRun(value) || value.entry.id !== id) {
      this.log.warn(`run history: ${id}.json is not a saved run this version can read; it is left as it is`);
      return null;
    }
    return value;
  }
}
