/**
 * Reads a multiple-choice file with a size bound (a stray multi-GB file must become a message, not an
 * out-of-memory host), then parses it by layout (parse.ts).
 */
import { promises as fs } from 'node:fs';
import type { ChoiceItemSpec } from '../../../protocol/prompts';
import { ChoiceFileError, parseChoiceFile } from './parse';

/** MMLU's whole test split is ~7 MB as CSV; 64 MB leaves room without letting a huge file in. */
export const MAX_CHOICE_FILE_BYTES = 64 * 1024 * 1024;

export async function loadChoiceFile(file: string, maxBytes = MAX_CHOICE_FILE_BYTES): Promise<ChoiceItemSpec[]> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (error) {
    throw new ChoiceFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (size > maxBytes)
    throw new ChoiceFileError(
      `${file} is ${(size / 1048576).toFixed(0)} MB; multiple-choice files are limited to ${maxBytes / 1048576} MB`,
    );
  return parseChoiceFile(await fs.readFile(file, 'utf8'), file);
}
