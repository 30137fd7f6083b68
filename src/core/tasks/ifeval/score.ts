/**
 * Strict and loose scoring of one response against a prompt's instructions, as
 * google-research/google-research instruction_following_eval/evaluation_lib.py does it:
 * - strict: an instruction is followed when the response is not blank and its check passes;
 * - loose: followed when any of 8 variants passes: the response, without its first line, without its last line,
 *   without both, and each of those four with every '*' removed (markdown emphasis). Loose is an upper bound.
 * Prompt-level: all instructions followed; instruction-level: the share of instructions followed.
 */
import type { InstructionSpec } from '../../../protocol/prompts';
import type { InstructionOutcome } from '../../../protocol/report';
import { Check, buildCheck } from './instructions';

/** The 8 response variants of test_instruction_following_loose, in the reference's order. */
export function looseVariants(response: string): string[] {
  const lines = response.split('\n');
  const removeFirst = lines.slice(1).join('\n').trim();
  const removeLast = lines.slice(0, -1).join('\n').trim();
  const removeBoth = lines.slice(1, -1).join('\n').trim();
  const noStars = (text: string): string => text.split('*').join('');
  return [
    response,
    noStars(response),
    removeFirst,
    removeLast,
    removeBoth,
    noStars(removeFirst),
    noStars(removeLast),
    noStars(removeBoth),
  ];
}

const follows = (check: Check, response: string): boolean => response.trim() !== '' && check(response);

/** Prebuilt checks of a prompt, so sampling k responses builds them once. */
export class InstructionSet {
  private readonly checks: Check[];

  constructor(
    readonly specs: readonly InstructionSpec[],
    prompt = '',
  ) {
    this.checks = specs.map((spec) => buildCheck(spec, prompt));
  }

  evaluate(response: string): InstructionOutcome {
    const variants = looseVariants(response);
    return {
      strict: this.checks.map((check) => follows(check, response)),
      loose: this.checks.map((check) => variants.some((variant) => follows(check, variant))),
    };
  }
}
