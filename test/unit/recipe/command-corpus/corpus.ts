/**
 * The command corpus (a copy of shared/corpus/commands.jsonl) and the file name each item stands in, so the
 * extractor picks the syntax a user would have: shared by the corpus tests and bench/lint.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface CorpusItem {
  id: string;
  kind: string;
  dialect: string;
  text: string;
}

/** This folder in the source tree, found from here whether it runs from out/ or from the repository. */
const SOURCE_DIR = path.resolve(__dirname, '../../../../../test/unit/recipe/command-corpus');

export function loadCommandCorpus(): CorpusItem[] {
  return readFileSync(path.join(SOURCE_DIR, 'commands.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as CorpusItem);
}

const FILE_NAMES: Record<string, string> = {
  python: 'export.py',
  notebook: 'cell.py',
  markdown: 'README.md',
  shell: 'export.sh',
  yaml: 'ci.yml',
};

export function corpusFileName(item: Pick<CorpusItem, 'kind' | 'dialect'>): string {
  if (item.dialect === 'cmd') return 'export.cmd';
  if (item.dialect === 'powershell') return 'export.ps1';
  return FILE_NAMES[item.kind] ?? 'notes.txt';
}
