/**
 * Structure on top of the token stream: matching brackets, argument lists, dict entries, and the value of an
 * expression when (and only when) the text states it. Anything else is an UnknownValue carrying the text.
 */
import type { SettingValue, Span, UnknownValue } from '../types';
import type { Token } from './tokenizer';

export interface Structure {
  readonly tokens: readonly Token[];
  readonly text: string;
  /** For an opening bracket: index of its closing bracket, or tokens.length when it is never closed. */
  readonly match: Int32Array;
  /** For every token: index of the innermost enclosing opening bracket, or -1. */
  readonly parent: Int32Array;
}

const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

export function buildStructure(text: string, tokens: readonly Token[]): Structure {
  const match = new Int32Array(tokens.length).fill(-1);
  const parent = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'close') {
      // A stray closer closes the nearest matching opener; closers with no opener are ignored.
      const opener = PAIRS[token.text];
      let found = stack.length - 1;
      while (found >= 0 && tokens[stack[found]].text !== opener) found--;
      if (found >= 0) {
        while (stack.length > found + 1) match[stack.pop() as number] = i;
        match[stack.pop() as number] = i;
      }
    }
    parent[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
    if (token.kind === 'open') stack.push(i);
  }
  for (const open of stack) match[open] = tokens.length;
  return { tokens, text, match, parent };
}

/** Token index range [from, to) of one item of a bracketed, comma-separated list. */
export interface Item {
  readonly from: number;
  readonly to: number;
}

/** Split the contents of the bracket opened at `open` at its top-level commas; empty items are dropped. */
export function splitItems(structure: Structure, open: number): Item[] {
  const { tokens, match } = structure;
  const close = Math.min(match[open], tokens.length);
  const items: Item[] = [];
  let from = open + 1;
  let i = open + 1;
  while (i < close) {
    const token = tokens[i];
    if (token.kind === 'open') {
      i = match[i] + 1;
      continue;
    }
    if (token.kind === 'op' && token.text === ',') {
      if (i > from) items.push({ from, to: i });
      from = i + 1;
    }
    i++;
  }
  if (close > from) items.push({ from, to: close });
  return items.filter((item) => item.to > item.from && tokens[item.from].kind !== 'newline');
}

export function spanOf(structure: Structure, from: number, to: number): Span {
  const { tokens } = structure;
  if (to <= from) {
    const at = from < tokens.length ? tokens[from].start : structure.text.length;
    return { start: at, end: at };
  }
  return { start: tokens[from].start, end: tokens[Math.min(to, tokens.length) - 1].end };
}

/** nncf / optimum enums whose members are written `Enum.MEMBER` and mean the lower-case member name. */
const KNOWN_ENUMS = new Set([
  'CompressWeightsMode',
  'SensitivityMetric',
  'BackupMode',
  'CompressionFormat',
  'OVQuantizationMethod',
  'QuantizationMode',
  'QuantizationMethod',
]);

function unknown(text: string): UnknownValue {
  return { kind: 'unknown', text: text.length > 120 ? `${text.slice(0, 117)}...` : text };
}

/** The value an expression states, or an UnknownValue with its text. Never a guess. */
export function evaluate(structure: Structure, from: number, to: number): SettingValue {
  const { tokens, text } = structure;
  const span = spanOf(structure, from, to);
  const source = text.slice(span.start, span.end);
  if (to <= from) return unknown(source);
  const first = tokens[from];
  if (first.kind === 'string') {
    let value = '';
    for (let i = from; i < to; i++) {
      const token = tokens[i];
      if (token.kind !== 'string' || token.interpolated) return unknown(source);
      value += token.value as string;
    }
    return value;
  }
  if (to - from === 1) {
    if (first.kind === 'number') return typeof first.value === 'number' ? first.value : unknown(source);
    if (first.kind === 'name') {
      if (first.text === 'True') return true;
      if (first.text === 'False') return false;
      if (first.text === 'None') return null;
    }
    return unknown(source);
  }
  if (to - from === 2 && first.kind === 'op' && (first.text === '-' || first.text === '+')) {
    const number = tokens[from + 1];
    if (number.kind === 'number' && typeof number.value === 'number') {
      return first.text === '-' ? -number.value : number.value;
    }
  }
  const member = enumMember(tokens, from, to);
  return member ?? unknown(source);
}

/** `CompressWeightsMode.INT4_ASYM`, `nncf.CompressWeightsMode.INT4_ASYM` -> 'int4_asym'. */
function enumMember(tokens: readonly Token[], from: number, to: number): string | undefined {
  if ((to - from) % 2 === 0) return undefined;
  for (let i = from; i < to; i++) {
    const expected = (i - from) % 2 === 0 ? 'name' : 'op';
    if (tokens[i].kind !== expected || (expected === 'op' && tokens[i].text !== '.')) return undefined;
  }
  if (to - from < 3 || !KNOWN_ENUMS.has(tokens[to - 3].text)) return undefined;
  return tokens[to - 1].text.toLowerCase();
}

/** What to delete to remove item `index` of a list with one neighbouring comma: `a=1, ` or `, a=1`. */
export function removalSpan(structure: Structure, items: readonly Item[], index: number): Span {
  const { tokens } = structure;
  const item = items[index];
  const next = items[index + 1];
  if (next) return { start: tokens[item.from].start, end: tokens[next.from].start };
  const previous = items[index - 1];
  const end = tokens[item.to - 1].end;
  return previous ? { start: tokens[previous.to - 1].end, end } : { start: tokens[item.from].start, end };
}
