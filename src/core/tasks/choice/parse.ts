/**
 * Multiple-choice files, three layouts:
 * - MMLU's CSV (hendrycks/test data/{dev,val,test}/SUBJECT_test.csv): no header; question, A, B, C, D, answer
 *   letter. The subject comes from the file name.
 * - The Hub dataset's JSONL (cais/mmlu rows): {"question", "subject", "choices": [4 strings], "answer": 0-3}.
 * - Ours, the cloze form: {"id"?, "prompt"?, "context", "choices": [...], "answer": index or the right choice}.
 * MMLU items are rendered as lm-evaluation-harness does (lm_eval/tasks/mmlu/default/_default_template_yaml and
 * the per-subject yaml's description): "The following are multiple choice questions (with answers) about
 * SUBJECT.\n\n" + "{question.strip()}\nA. ...\nB. ...\nC. ...\nD. ...\nAnswer:", choices " A".." D" (the task's
 * target_delimiter " " before each letter).
 */
import * as path from 'node:path';
import type { ChoiceItemSpec } from '../../../protocol/prompts';

export class ChoiceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChoiceFileError';
  }
}

const LETTERS = ['A', 'B', 'C', 'D'];

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (quoted) throw new ChoiceFileError('unterminated quoted field at the end of the CSV');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function mmluSubject(file: string): string {
  return path
    .basename(file)
    .replace(/\.(csv|jsonl?)$/i, '')
    .replace(/_(test|dev|val)$/i, '');
}

export function mmluItem(
  id: string,
  subject: string,
  question: string,
  choices: readonly string[],
  answer: number,
): ChoiceItemSpec {
  const description = subject
    ? `The following are multiple choice questions (with answers) about ${subject.replace(/_/g, ' ')}.\n\n`
    : '';
  const lines = choices.map((choice, i) => `${LETTERS[i]}. ${choice}`).join('\n');
  return {
    id,
    ...(subject ? { subject } : {}),
    context: `${description}${question.trim()}\n${lines}\nAnswer:`,
    choices: choices.map((_, i) => ` ${LETTERS[i]}`),
    answer,
  };
}

export function parseMmluCsv(text: string, file: string): ChoiceItemSpec[] {
  const subject = mmluSubject(file);
  return parseCsv(text).map((row, index) => {
    const where = `${file}:row ${index + 1}`;
    if (row.length !== 6) throw new ChoiceFileError(`${where}: expected 6 columns (question, A, B, C, D, answer)`);
    const answer = LETTERS.indexOf(row[5].trim().toUpperCase());
    if (answer < 0) throw new ChoiceFileError(`${where}: the answer must be A, B, C or D, not "${row[5]}"`);
    return mmluItem(`${subject}-${index + 1}`, subject, row[0], row.slice(1, 5), answer);
  });
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length >= 2 && value.every((v) => typeof v === 'string');

function answerIndex(value: unknown, choices: readonly string[], where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < choices.length) return value;
  if (typeof value === 'string') {
    const letter = LETTERS.indexOf(value.trim().toUpperCase());
    if (value.trim().length === 1 && letter >= 0 && letter < choices.length) return letter;
    const exact = choices.indexOf(value);
    if (exact >= 0) return exact;
  }
  throw new ChoiceFileError(
    `${where}: "answer" must be a choice index (0-${choices.length - 1}) or one of the choices`,
  );
}

function jsonlItem(record: Record<string, unknown>, where: string, fallbackId: string, stem: string): ChoiceItemSpec {
  if (!isStrings(record.choices)) throw new ChoiceFileError(`${where}: "choices" must be a list of 2 or more strings`);
  const choices = record.choices;
  const answer = answerIndex(record.answer, choices, where);
  const id = typeof record.id === 'string' && record.id ? record.id : fallbackId;
  if (typeof record.question === 'string') {
    if (choices.length > LETTERS.length)
      throw new ChoiceFileError(`${where}: an MMLU-style question has at most 4 choices`);
    const subject = typeof record.subject === 'string' ? record.subject : stem;
    return mmluItem(id, subject, record.question, choices, answer);
  }
  if (typeof record.context !== 'string')
    throw new ChoiceFileError(`${where}: needs "context" (cloze form) or "question" (MMLU form)`);
  if (record.prompt !== undefined && typeof record.prompt !== 'string')
    throw new ChoiceFileError(`${where}: "prompt" must be a string`);
  return {
    id,
    context: record.context,
    choices,
    answer,
    ...(typeof record.prompt === 'string' ? { prompt: record.prompt } : {}),
    ...(typeof record.subject === 'string' ? { subject: record.subject } : {}),
  };
}

export function parseChoiceJsonl(text: string, file: string): ChoiceItemSpec[] {
  const stem = mmluSubject(file);
  const items: ChoiceItemSpec[] = [];
  const ids = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ChoiceFileError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw new ChoiceFileError(`${where}: expected a JSON object`);
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record.description === 'string') return;
    const item = jsonlItem(record, where, `${stem}-${items.length + 1}`, stem);
    if (ids.has(item.id)) throw new ChoiceFileError(`${where}: duplicate id "${item.id}"`);
    ids.add(item.id);
    items.push(item);
  });
  return items;
}

/** Parses a multiple-choice file by its extension (.csv: MMLU; .jsonl/.json: the Hub layout or ours). */
export function parseChoiceFile(text: string, file: string): ChoiceItemSpec[] {
  const items = /\.csv$/i.test(file) ? parseMmluCsv(text, file) : parseChoiceJsonl(text, file);
  if (!items.length) throw new ChoiceFileError(`${file}: no multiple-choice items`);
  return items;
}
