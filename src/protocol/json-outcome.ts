/**
 * How one JSON-expecting answer reads, the single classification the summary, the reports and the panel's badges
 * share. An answer that stopped at the new-token limit before its JSON closed is "truncated": it was never given
 * the chance to be valid, so it is counted apart from invalid JSON (and the fix is a higher limit, not a better
 * recipe). An answer that ended on its own with an unclosed `{`/`[` is "incomplete", which says more than the
 * schema errors a missing value would produce.
 */
import type { GenerationSide } from './report';

export type JsonOutcome = 'valid' | 'extracted' | 'schema' | 'invalid' | 'incomplete' | 'truncated';

/** The answer hit the new-token limit and is not strict JSON: its validity was not measured. */
export function isTruncated(side: GenerationSide): boolean {
  return side.jsonValid !== null && side.finishReason === 'length' && !side.jsonValid.strict;
}

/** null when the prompt does not expect JSON. */
export function jsonOutcome(side: GenerationSide): JsonOutcome | null {
  const validity = side.jsonValid;
  if (!validity) return null;
  if (isTruncated(side)) return 'truncated';
  const schemaFailed = validity.schemaErrors.length > 0 || validity.schemaValid === false;
  if (validity.incomplete === true && !validity.extracted) return 'incomplete';
  if (schemaFailed) return validity.extracted || validity.strict ? 'schema' : 'invalid';
  if (validity.strict) return 'valid';
  return validity.extracted ? 'extracted' : 'invalid';
}

/** What a JSON outcome means, for badges and report cells. */
export const JSON_OUTCOME_TEXT: { readonly [K in JsonOutcome]: string } = {
  valid: 'JSON valid (strict)',
  extracted: 'JSON valid (extracted)',
  schema: 'JSON schema errors',
  invalid: 'JSON invalid',
  incomplete: 'incomplete JSON',
  truncated: 'truncated at the token limit',
};
