/**
 * What a Python argv list holds once simple names are read: module-level constants (`WEIGHT_FORMAT = "int4"` at
 * column 0, assigned once in the file, to a string, number or boolean literal) and the words added after the list
 * in the same block (`cmd.append("--sym")`, `cmd += [...]`, `cmd.extend([...])`). An append in a nested block
 * (under an `if`) may or may not run: the recipe is then marked partly hidden, so rules that judge what is absent
 * stay silent, as for placeholders. A name that is not such a constant stays an unknown value.
 */
import type { PyRegion } from './pylex';
import { regionAt } from './pylex';
import { scanArgvItems } from './argv';
import type { RawToken } from './shell';

const MAX_CONSTANTS = 2000;
/** Appends are looked for this many lines after the list at most: a module-level list has no block end. */
const MAX_APPEND_LINES = 200;
const ASSIGNMENT = /^([A-Za-z_]\w*)[ \t]*(\+?=)(?!=)[ \t]*/gm;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface Constant {
  /** The value as a word of the command line (`int4`, `0.8`, `True`). */
  readonly text: string;
  /** The literal's content in the source (inside the quotes for a string): where a fix edits the value. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** Module-level constants of `text`, built once per Python text and only when an argv list names one. */
export class PythonScope {
  #constants: Map<string, Constant> | undefined;

  constructor(
    private readonly text: string,
    private readonly regions: readonly PyRegion[],
  ) {}

  constant(name: string): Constant | undefined {
    this.#constants ??= moduleConstants(this.text, this.regions);
    return this.#constants.get(name);
  }
}

function moduleConstants(text: string, regions: readonly PyRegion[]): Map<string, Constant> {
  const found = new Map<string, Constant | null>();
  // Any assignment of a name anywhere (indented too) counts, so a name assigned twice is never taken as constant.
  const anywhere = /^[ \t]*([A-Za-z_]\w*)[ \t]*(?:[+\-*/]?=)(?!=)/gm;
  const assignedAt = new Map<string, number>();
  for (const match of text.matchAll(anywhere)) {
    if (regionAt(regions, match.index + match[0].indexOf(match[1]))) continue;
    assignedAt.set(match[1], (assignedAt.get(match[1]) ?? 0) + 1);
  }
  for (const match of text.matchAll(ASSIGNMENT)) {
    if (found.size >= MAX_CONSTANTS) break;
    const [whole, name, op] = match;
    if (op !== '=' || assignedAt.get(name) !== 1 || regionAt(regions, match.index)) continue;
    found.set(name, literalAt(text, regions, match.index + whole.length));
  }
  const constants = new Map<string, Constant>();
  for (const [name, constant] of found) if (constant) constants.set(name, constant);
  return constants;
}

/** A string, number or boolean literal alone on the rest of the line from `at` (a trailing comment is fine). */
function literalAt(text: string, regions: readonly PyRegion[], at: number): Constant | null {
  const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
  const region = regionAt(regions, at);
  if (region) {
    if (region.kind !== 'string' || region.start !== at || /f/i.test(region.prefix) || region.quote.length > 1)
      return null;
    const rest = text.slice(region.end, lineEnd).trim();
    if (rest !== '' && !rest.startsWith('#')) return null;
    const content = text.slice(region.contentStart, region.contentEnd);
    if (content.includes('\\')) return null;
    return { text: content, valueStart: region.contentStart, valueEnd: region.contentEnd };
  }
  const word = /^[^\s#]+/.exec(text.slice(at, lineEnd))?.[0] ?? '';
  const rest = text.slice(at + word.length, lineEnd).trim();
  if (rest !== '' && !rest.startsWith('#')) return null;
  if (!NUMBER.test(word) && word !== 'True' && word !== 'False') return null;
  return { text: word, valueStart: at, valueEnd: at + word.length };
}

const NAME_ITEM = /^(?:([A-Za-z_]\w*)|str\(\s*([A-Za-z_]\w*)\s*\))$/;

/**
 * Replaces an item that names a module constant (`RATIO`, or `str(RATIO)`) with the constant's value, its value
 * span at the definition: a fix then edits the constant (`RATIO = 0.8` -> `RATIO = 1.0`), not the list.
 */
export function resolveToken(token: RawToken, scope: PythonScope): RawToken {
  const item = token.unknown ? NAME_ITEM.exec(token.text) : null;
  if (!item) return token;
  const constant = scope.constant(item[1] ?? item[2]);
  if (!constant) return token;
  return {
    ...token,
    text: constant.text,
    unknown: false,
    valueStart: constant.valueStart,
    valueEnd: constant.valueEnd,
  };
}

export interface Appended {
  readonly tokens: RawToken[];
  /** An append in a nested block: more words may be added than the text shows. */
  readonly conditional: boolean;
}

function indentOf(text: string, lineStart: number): number {
  let i = lineStart;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i - lineStart;
}

/**
 * Words added to the list assigned at `listOpen` (`NAME = [`), read from the statements that follow `listEnd` in
 * the same block, up to the block's end or the first statement that passes the list on (`run(cmd)`).
 */
export function appendedWords(
  text: string,
  regions: readonly PyRegion[],
  listOpen: number,
  listEnd: number,
): Appended | null {
  const lineStart = text.lastIndexOf('\n', listOpen - 1) + 1;
  const assigned = /^[ \t]*([A-Za-z_]\w*)[ \t]*=[ \t]*$/.exec(text.slice(lineStart, listOpen));
  if (!assigned) return null;
  const name = assigned[1];
  const indent = indentOf(text, lineStart);
  const tokens: RawToken[] = [];
  let conditional = false;
  const append = new RegExp(`^${name}[ \\t]*(?:\\.(append|extend)[ \\t]*\\(|\\+=)[ \\t]*`);
  let at = text.indexOf('\n', listEnd);
  for (let lines = 0; at >= 0 && at < text.length && lines < MAX_APPEND_LINES; lines++) {
    const start = at + 1;
    const next = text.indexOf('\n', start);
    const end = next < 0 ? text.length : next;
    at = next;
    const line = text.slice(start, end);
    if (line.trim() === '' || line.trimStart().startsWith('#') || regionAt(regions, start)) continue;
    const lineIndent = indentOf(text, start);
    if (lineIndent < indent) break;
    const statement = line.trimStart();
    const match = append.exec(statement);
    if (!match) {
      if (lineIndent === indent && new RegExp(`\\b${name}\\b`).test(statement)) break;
      continue;
    }
    const after = start + lineIndent + match[0].length;
    const bracket = match[1] === 'append' ? after - 1 : /[[(]/.test(text[after] ?? '') ? after : -1;
    if (lineIndent > indent || bracket < 0) {
      // Under an `if`, or words from an expression (`cmd += extra_args`): more may be added than the text shows.
      conditional = true;
      continue;
    }
    const items = scanArgvItems(text, match[1] === 'append' ? text.lastIndexOf('(', after) : bracket);
    tokens.push(...(match[1] === 'append' ? items.tokens.slice(0, 1) : items.tokens));
    if (items.end > end) at = text.indexOf('\n', items.end);
  }
  return { tokens, conditional };
}
