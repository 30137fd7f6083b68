/**
 * Prompt suites: JSONL files, one prompt per line: `{"prompt": "...", "id"?: "...", "expectsJson"?: true,
 * "schema"?: {...}}`. A line holding only `{"description": "..."}` describes the suite. The shipped suites live in
 * the extension's prompts/ folder; users pass their own file. Errors name the file and line.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PromptSpec, SuiteInfo } from '../../protocol/prompts';
import { readTextBounded } from '../models/bounds';
import { assertUsableSchema } from './json-check';
import { INSTRUCTION_KEYS, instructionsOfRecord } from '../tasks/ifeval/parse';

export type { PromptSpec, SuiteInfo };

export class PromptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptFileError';
  }
}

const KNOWN_KEYS = new Set(['id', 'prompt', 'expectsJson', 'schema', ...INSTRUCTION_KEYS]);

export interface ParsedPrompts {
  readonly prompts: PromptSpec[];
  readonly description: string;
}

export function parsePromptsJsonl(text: string, sourceName = 'prompts.jsonl'): ParsedPrompts {
  const prompts: PromptSpec[] = [];
  const ids = new Set<string>();
  let description = '';
  const stem = path.basename(sourceName).replace(/\.jsonl?$/i, '');
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const where = `${sourceName}:${index + 1}`;
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new PromptFileError(
        `${where}: not valid JSON (${(error as Error).message}); each line must be one JSON object`,
      );
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new PromptFileError(`${where}: expected a JSON object like {"prompt": "..."}`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === 'description' && typeof record.description === 'string') {
      description = record.description;
      return;
    }
    const unknown = keys.filter((k) => !KNOWN_KEYS.has(k));
    if (unknown.length) {
      throw new PromptFileError(
        `${where}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: prompt, id, expectsJson, schema, checks, and IFEval's key, instruction_id_list, kwargs)`,
      );
    }
    if (typeof record.prompt !== 'string' || !record.prompt.trim())
      throw new PromptFileError(`${where}: "prompt" must be a non-empty string`);
    if (record.expectsJson !== undefined && typeof record.expectsJson !== 'boolean') {
      throw new PromptFileError(`${where}: "expectsJson" must be true or false`);
    }
    if (
      record.schema !== undefined &&
      (typeof record.schema !== 'object' || record.schema === null || Array.isArray(record.schema))
    ) {
      throw new PromptFileError(`${where}: "schema" must be a JSON Schema object`);
    }
    if (record.id !== undefined && (typeof record.id !== 'string' || !record.id))
      throw new PromptFileError(`${where}: "id" must be a non-empty string`);
    // IFEval's input_data.jsonl numbers its prompts with "key".
    const ifevalKey = typeof record.key === 'number' || typeof record.key === 'string' ? `${stem}-${record.key}` : null;
    const id = record.id ?? ifevalKey ?? `${stem}-${prompts.length + 1}`;
    if (ids.has(id)) throw new PromptFileError(`${where}: duplicate id "${id}"`);
    ids.add(id);
    const schema = record.schema;
    if (schema) {
      try {
        assertUsableSchema(schema, where);
      } catch (error) {
        throw new PromptFileError((error as Error).message);
      }
    }
    const expectsJson = record.expectsJson ?? (schema ? true : undefined);
    let instructions;
    try {
      instructions = instructionsOfRecord(record, record.prompt);
    } catch (error) {
      throw new PromptFileError(`${where}: ${(error as Error).message}`);
    }
    prompts.push({
      id,
      prompt: record.prompt,
      ...(expectsJson === undefined ? {} : { expectsJson }),
      ...(schema ? { schema } : {}),
      ...(instructions ? { instructions } : {}),
    });
  });
  if (!prompts.length)
    throw new PromptFileError(`${sourceName}: no prompts (one JSON object with a "prompt" per line)`);
  return { prompts, description };
}

/** A prompt file is read whole; 64 MB is far above any suite (the demo's 50 prompts are 26 KB) and bounds a mistake. */
const PROMPT_FILE_MAX_BYTES = 64 * 1024 * 1024;

export async function loadPromptsFile(file: string): Promise<PromptSpec[]> {
  let text: string;
  try {
    text = await readTextBounded(file, PROMPT_FILE_MAX_BYTES);
  } catch (error) {
    throw new PromptFileError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parsePromptsJsonl(text, file).prompts;
}

/** The shipped prompts/ folder: next to package.json above this module (dist/ bundle or out/ test build). */
export function defaultSuitesDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'prompts');
    if (existsSync(candidate) && existsSync(path.join(dir, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new PromptFileError(`no prompts/ folder found above ${start}`);
    dir = parent;
  }
}

export async function listSuites(dir: string = defaultSuitesDir()): Promise<SuiteInfo[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  const suites: SuiteInfo[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    const parsed = parsePromptsJsonl(await readTextBounded(full, PROMPT_FILE_MAX_BYTES), full);
    suites.push({
      name: file.replace(/\.jsonl$/, ''),
      path: full,
      description: parsed.description,
      count: parsed.prompts.length,
    });
  }
  return suites;
}

export async function loadSuite(name: string, dir: string = defaultSuitesDir()): Promise<PromptSpec[]> {
  const file = path.join(dir, `${name}.jsonl`);
  if (!/^[\w.-]+$/.test(name) || !existsSync(file)) {
    const known = (await listSuites(dir)).map((s) => s.name).join(', ');
    throw new PromptFileError(`no prompt suite named "${name}" (suites: ${known})`);
  }
  return parsePromptsJsonl(await readTextBounded(file, PROMPT_FILE_MAX_BYTES), file).prompts;
}
