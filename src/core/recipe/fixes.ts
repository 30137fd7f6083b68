/**
 * Fixes are plain text edits. Helpers here write them in the recipe's own style (shell word, argv item,
 * JSON-escaped notebook text), and apply them so that applying twice equals applying once.
 */
import { escapeJsonText } from './commands/mapped';
import type { Finding, Fix, Recipe, Span, TextEdit } from './types';

function encode(recipe: Recipe, text: string): string {
  return recipe.style?.escape === 'json' ? escapeJsonText(text) : text;
}

export function replaceEdit(recipe: Recipe, span: Span, text: string): TextEdit {
  return { span, newText: encode(recipe, text) };
}

export function deleteEdit(span: Span): TextEdit {
  return { span, newText: '' };
}

/**
 * Inserts command-line words after offset `at` (the end of a flag's value, or after `openvino`),
 * as ` --sym` in a shell line or `, "--sym"` in an argv list. Null where the syntax has no flags.
 */
export function insertWordsEdit(recipe: Recipe, at: number, words: readonly string[]): TextEdit | null {
  const style = recipe.style;
  if (!style || style.shell === 'none') return null;
  const text =
    style.shell === 'python-argv'
      ? words.map((word) => `${style.separator}${style.quote ?? '"'}${word}${style.quote ?? '"'}`).join('')
      : words.map((word) => ` ${word}`).join('');
  return { span: { start: at, end: at }, newText: encode(recipe, text) };
}

export function fix(title: string, edits: readonly (TextEdit | null)[], preferred = false): Fix[] {
  const real = edits.filter((edit): edit is TextEdit => edit !== null);
  if (!real.length) return [];
  return [{ title, edits: real, ...(preferred ? { preferred: true } : {}) }];
}

/** The preferred fix of each finding (for fixAll and `quant-drift lint --fix`). */
export function preferredFixes(findings: readonly Finding[]): Fix[] {
  const out: Fix[] = [];
  for (const finding of findings) {
    const preferred = finding.fixes.find((candidate) => candidate.preferred);
    if (preferred) out.push(preferred);
  }
  return out;
}

function conflicts(a: TextEdit, b: TextEdit): boolean {
  const aEmpty = a.span.start === a.span.end;
  const bEmpty = b.span.start === b.span.end;
  if (aEmpty && bEmpty) return a.span.start === b.span.start;
  if (aEmpty) return b.span.start < a.span.start && a.span.start < b.span.end;
  if (bEmpty) return a.span.start < b.span.start && b.span.start < a.span.end;
  return a.span.start < b.span.end && b.span.start < a.span.end;
}

/**
 * Applies the edits of `fixes`. Identical edits (the same fix reached from two findings) apply once;
 * an edit that overlaps one already taken is dropped, so the result is always well-formed.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): string {
  const accepted: TextEdit[] = [];
  for (const candidate of fixes) {
    const edits = candidate.edits.filter(
      (edit) =>
        !accepted.some(
          (taken) =>
            taken.span.start === edit.span.start && taken.span.end === edit.span.end && taken.newText === edit.newText,
        ),
    );
    if (edits.some((edit) => edit.span.start < 0 || edit.span.end > text.length || edit.span.end < edit.span.start))
      continue;
    if (edits.some((edit) => accepted.some((taken) => conflicts(taken, edit)))) continue;
    accepted.push(...edits);
  }
  accepted.sort((a, b) => b.span.start - a.span.start || b.span.end - a.span.end);
  let out = text;
  for (const edit of accepted) out = out.slice(0, edit.span.start) + edit.newText + out.slice(edit.span.end);
  return out;
}
