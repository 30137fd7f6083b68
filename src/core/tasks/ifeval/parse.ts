/**
 * Instructions of a prompt line, in either of two forms:
 * - IFEval's own input_data.jsonl (google-research instruction_following_eval/evaluation_lib.py
 *   read_prompt_list): `{"key": 1000, "prompt": "...", "instruction_id_list": [...], "kwargs": [{...}, ...]}`,
 *   one kwargs object per id;
 * - our simple form: `"checks": [{"type": "max-words", "value": 50}, {"type": "json-only"}, ...]`, mapped onto the
 *   same registry (SIMPLE_CHECKS lists the types).
 * Every instruction is built once here so a bad id or kwarg is reported with its file and line, not mid-run.
 */
import type { InstructionSpec } from '../../../protocol/prompts';
import { InstructionError, buildCheck } from './instructions';

type Simple = (value: unknown, check: Record<string, unknown>) => InstructionSpec;

const spec = (id: string, kwargs: Record<string, unknown> = {}): InstructionSpec => ({ id, kwargs });
/** "at most N" is IFEval's "less than N + 1" (its relations are only "less than" and "at least"). */
const atMost = (value: unknown): unknown => (typeof value === 'number' ? value + 1 : value);

export const SIMPLE_CHECKS: Readonly<Record<string, Simple>> = {
  'max-words': (v) => spec('length_constraints:number_words', { num_words: atMost(v), relation: 'less than' }),
  'min-words': (v) => spec('length_constraints:number_words', { num_words: v, relation: 'at least' }),
  'max-sentences': (v) =>
    spec('length_constraints:number_sentences', { num_sentences: atMost(v), relation: 'less than' }),
  'min-sentences': (v) => spec('length_constraints:number_sentences', { num_sentences: v, relation: 'at least' }),
  sentences: (v) => spec('quant_drift:exact_sentences', { num_sentences: v }),
  paragraphs: (v) => spec('length_constraints:number_paragraphs', { num_paragraphs: v }),
  bullets: (v) => spec('detectable_format:number_bullet_lists', { num_bullets: v }),
  placeholders: (v) => spec('detectable_content:number_placeholders', { num_placeholders: v }),
  highlights: (v) => spec('detectable_format:number_highlighted_sections', { num_highlights: v }),
  'json-only': () => spec('quant_drift:json_only'),
  json: () => spec('detectable_format:json_format'),
  'no-preamble': () => spec('quant_drift:no_preamble'),
  'starts-with': (v) => spec('quant_drift:starts_with', { prefix: v }),
  'ends-with': (v) => spec('startend:end_checker', { end_phrase: v }),
  keywords: (v) => spec('keywords:existence', { keywords: v }),
  'forbidden-words': (v) => spec('keywords:forbidden_words', { forbidden_words: v }),
  'no-comma': () => spec('punctuation:no_comma'),
  lowercase: () => spec('change_case:english_lowercase'),
  uppercase: () => spec('change_case:english_capital'),
  title: () => spec('detectable_format:title'),
  quotation: () => spec('startend:quotation'),
  postscript: (v) => spec('detectable_content:postscript', { postscript_marker: v ?? 'P.S.' }),
  language: (v) => spec('language:response_language', { language: v }),
  'required-keys': (v) => spec('quant_drift:json_keys', { keys: v }),
  'key-types': (v) => spec('quant_drift:json_types', { types: v }),
  'max-chars': (v, c) => spec('quant_drift:json_string_length', { key: c.key, max_chars: v }),
  'min-chars': (v, c) => spec('quant_drift:json_string_length', { key: c.key, min_chars: v }),
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fromIfeval(record: Record<string, unknown>): InstructionSpec[] {
  const ids = record.instruction_id_list;
  const kwargs = record.kwargs ?? [];
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
    throw new InstructionError('"instruction_id_list" must be a list of instruction ids');
  if (!Array.isArray(kwargs) || !kwargs.every(isRecord))
    throw new InstructionError('"kwargs" must be a list of objects, one per instruction id');
  if (kwargs.length !== ids.length && kwargs.length !== 0)
    throw new InstructionError(`"kwargs" has ${kwargs.length} entries for ${ids.length} instruction ids`);
  return ids.map((id: string, i) => spec(id, kwargs[i] ?? {}));
}

function fromChecks(checks: unknown): InstructionSpec[] {
  if (!Array.isArray(checks)) throw new InstructionError('"checks" must be a list like [{"type": "max-words", ...}]');
  return checks.map((check) => {
    if (!isRecord(check) || typeof check.type !== 'string')
      throw new InstructionError('each check needs a "type", e.g. {"type": "max-words", "value": 50}');
    const make = SIMPLE_CHECKS[check.type];
    if (!make)
      throw new InstructionError(
        `unknown check type "${check.type}" (known: ${Object.keys(SIMPLE_CHECKS).join(', ')})`,
      );
    return make(check.value, check);
  });
}

/** The instructions a prompt line carries (undefined when it has none); throws InstructionError when malformed. */
export function instructionsOfRecord(record: Record<string, unknown>, prompt: string): InstructionSpec[] | undefined {
  const specs: InstructionSpec[] = [];
  if (record.instruction_id_list !== undefined) specs.push(...fromIfeval(record));
  if (record.checks !== undefined) specs.push(...fromChecks(record.checks));
  if (!specs.length) return undefined;
  for (const s of specs) buildCheck(s, prompt);
  return specs;
}

/** Keys of a prompt line that carry instructions (for the prompt parser's list of allowed keys). */
export const INSTRUCTION_KEYS: readonly string[] = ['key', 'instruction_id_list', 'kwargs', 'checks'];
