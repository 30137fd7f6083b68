/**
 * JSON validity of a model's output, judged two ways: "strict" (the whole output is JSON, what a program that
 * calls JSON.parse on the answer needs) and "extracted" (what a forgiving parser finds: a ```json fence, or the
 * first balanced {...} / [...] in the text). An optional JSON Schema is checked with ajv on the extracted value.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { JsonValidity } from '../../protocol/report';

const FENCE = /```(?:json|JSON|jsonc)?[ \t]*\r?\n([\s\S]*?)```/g;

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** balancedEnd's answer when the text ends inside the group (an unterminated value), as opposed to a mismatch. */
const UNCLOSED = -2;

/**
 * End index (exclusive) of the balanced bracket group that opens at `start`; -1 on a mismatched bracket, UNCLOSED
 * when the text ends first. Strings are skipped.
 */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return UNCLOSED;
}

/** The answer's first `{` or `[` opens a value the text never closes: the answer stopped mid-JSON. */
export function isUnterminatedJson(text: string): boolean {
  const start = text.search(/[[{]/);
  return start >= 0 && balancedEnd(text, start) === UNCLOSED;
}

/** The JSON value a forgiving parser would find in `text`, or undefined. */
export function extractJson(text: string): { found: true; value: unknown } | { found: false } {
  const whole = tryParse(text);
  if (whole.ok) return { found: true, value: whole.value };
  for (const match of text.matchAll(FENCE)) {
    const fenced = tryParse(match[1].trim());
    if (fenced.ok) return { found: true, value: fenced.value };
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    const end = balancedEnd(text, i);
    if (end < 0) continue;
    const parsed = tryParse(text.slice(i, end));
    if (parsed.ok) return { found: true, value: parsed.value };
  }
  return { found: false };
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validator(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Throws a readable error when a prompt's schema is not a usable JSON Schema (checked before any run). */
export function assertUsableSchema(schema: object, where: string): void {
  try {
    validator(schema);
  } catch (error) {
    throw new Error(`${where}: the schema does not compile: ${(error as Error).message}`);
  }
}

export function checkJson(text: string, schema?: object): JsonValidity {
  const strict = tryParse(text).ok;
  const extracted = extractJson(text);
  // An unterminated answer is "incomplete JSON"; schema errors about the value it never finished say nothing more.
  const incomplete = !extracted.found && isUnterminatedJson(text);
  const unfinished = incomplete ? { incomplete: true } : {};
  if (!schema) return { strict, extracted: extracted.found, schemaErrors: [], ...unfinished };
  if (!extracted.found) {
    return incomplete
      ? { strict, extracted: false, schemaErrors: [], schemaValid: false, incomplete: true }
      : { strict, extracted: false, schemaErrors: ['no JSON value found'], schemaValid: false };
  }
  const validate = validator(schema);
  const valid = validate(extracted.value);
  const schemaErrors = valid
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  return { strict, extracted: true, schemaErrors, schemaValid: valid };
}
