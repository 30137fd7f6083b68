/**
 * Turns the words of an `optimum-cli export openvino` command into a Recipe, argparse-style:
 * `--flag value`, `--flag=value`, unique prefixes, the output positional anywhere.
 */
import { KNOWN_MISTAKES, MISTAKE_TAKES_NO_VALUE, flagByName, resolveFlag, type FlagInfo } from '../flags';
import type { CommandStyle, Recipe, RecipeSetting, SettingKey, SettingValue, Span, SyntaxNote } from '../types';
import type { Mapper } from './mapped';
import type { RawToken } from './shell';

export interface CommandInput {
  readonly tokens: readonly RawToken[];
  /** Maps token offsets (in `source`) onto the document. */
  readonly mapper: Mapper;
  /** The text the tokens were read from (decoded, for Python strings). */
  readonly source: string;
  readonly kind: 'shell' | 'argv';
  readonly shell: CommandStyle['shell'];
  readonly quote?: string;
  readonly argvIndent?: string | null;
  readonly commentLines?: readonly { start: number; end: number }[];
  /** The words come from a notebook helper call (`optimum_cli(...)`): its span is the recipe's, marked `helper`. */
  readonly helperCall?: Span;
}

const HELP = flagByName('--help');
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ELLIPSIS = new Set(['...', '…', '[...]', '[options]', '[OPTIONS]']);

/** `...`, `[options]`: words that stand for flags not shown. The first-character test spares hashing every word. */
function isEllipsis(word: string): boolean {
  const first = word.charCodeAt(0);
  return (first === 46 || first === 91 || first === 0x2026) && ELLIPSIS.has(word);
}

function isFlagWord(token: RawToken): boolean {
  return !token.unknown && token.text.length > 1 && token.text.startsWith('-') && !NUMBER.test(token.text);
}

export function parseValue(flag: FlagInfo | undefined, token: RawToken, text: string): SettingValue {
  if (token.unknown) return { kind: 'unknown', text };
  if (flag && (flag.type === 'int' || flag.type === 'float') && NUMBER.test(text)) return Number(text);
  return text;
}

/** Whether the word after a flag is that flag's value (argparse takes `-1` as a value, not a flag). */
function takesNext(next: RawToken | undefined): next is RawToken {
  return next !== undefined && !isFlagWord(next) && !isEllipsis(next.text);
}

function onlyBlanks(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * End (after the newline) of a line continuation that follows `from`: blanks, one of `\\` `^` `` ` ``, blanks or
 * CR, then LF; -1 when the rest of the line is anything else. A plain scan: this runs for every setting.
 */
function continuationEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  const mark = s.charCodeAt(i);
  if (mark !== 92 && mark !== 94 && mark !== 96) return -1;
  i++;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9 || s.charCodeAt(i) === 13)) i++;
  return s.charCodeAt(i) === 10 ? i + 1 : -1;
}

/**
 * The start of the line holding `at` when only blanks come before `at` on that line, else -1. Scans back over
 * blanks only: a long line of flags would otherwise be walked once per flag.
 */
function blankLineStart(s: string, at: number): number {
  let i = at;
  while (i > 0 && (s.charCodeAt(i - 1) === 32 || s.charCodeAt(i - 1) === 9)) i--;
  return i === 0 || s.charCodeAt(i - 1) === 10 ? i : -1;
}

/**
 * What to delete to remove the setting made of `tokens[first..last]`: its own continuation line, or the words
 * with one separator. Written into `out` so that no object is allocated per setting.
 */
function removalRange(input: CommandInput, first: number, last: number, out: SettingOffsets): void {
  const { tokens } = input;
  const a = tokens[first];
  const b = tokens[last];
  if (input.kind === 'argv') {
    out.removeFrom = a.removeStart ?? a.start;
    out.removeTo = b.removeEnd ?? b.end;
    return;
  }
  const src = input.source;
  const next = tokens[last + 1];
  const lineStart = next ? blankLineStart(src, a.start) : -1;
  if (lineStart !== -1) {
    // The setting fills a continuation line of its own: remove the whole line.
    const restEnd = continuationEnd(src, b.end);
    if (restEnd !== -1) {
      out.removeFrom = lineStart;
      out.removeTo = restEnd;
      return;
    }
  }
  if (next && onlyBlanks(src, b.end, next.start)) {
    out.removeFrom = a.start;
    out.removeTo = next.start;
  } else {
    out.removeFrom = tokens[first - 1].end;
    out.removeTo = b.end;
  }
}

/** Where a setting's parts sit in the command's source: filled for each setting, then copied into it. */
interface SettingOffsets {
  spanFrom: number;
  spanTo: number;
  /** -1 when the value is not written separately. */
  valueFrom: number;
  valueTo: number;
  /** -1 when the setting has no key of its own (the output positional). */
  keyFrom: number;
  keyTo: number;
  removeFrom: number;
  removeTo: number;
}

/**
 * A setting read from command words. Its spans are kept as offsets in the command's source and mapped onto the
 * document when asked: rules read them only for the few settings they report or fix, and four span objects for
 * every flag of every command made up most of what a lint run kept alive (and so most of its garbage-collection
 * time). Private fields keep the offsets out of spreads; toJSON writes the spans.
 */
class CommandSetting implements RecipeSetting {
  readonly #mapper: Mapper;
  readonly #spanFrom: number;
  readonly #spanTo: number;
  readonly #valueFrom: number;
  readonly #valueTo: number;
  readonly #keyFrom: number;
  readonly #keyTo: number;
  readonly #removeFrom: number;
  readonly #removeTo: number;

  constructor(
    readonly key: SettingKey,
    readonly raw: string,
    readonly value: SettingValue,
    mapper: Mapper,
    at: Readonly<SettingOffsets>,
  ) {
    this.#mapper = mapper;
    this.#spanFrom = at.spanFrom;
    this.#spanTo = at.spanTo;
    this.#valueFrom = at.valueFrom;
    this.#valueTo = at.valueTo;
    this.#keyFrom = at.keyFrom;
    this.#keyTo = at.keyTo;
    this.#removeFrom = at.removeFrom;
    this.#removeTo = at.removeTo;
  }

  /** The same words read as another setting (what a known mistake meant). */
  as(key: SettingKey, value: SettingValue): CommandSetting {
    return new CommandSetting(key, this.raw, value, this.#mapper, {
      spanFrom: this.#spanFrom,
      spanTo: this.#spanTo,
      valueFrom: this.#valueFrom,
      valueTo: this.#valueTo,
      keyFrom: this.#keyFrom,
      keyTo: this.#keyTo,
      removeFrom: this.#removeFrom,
      removeTo: this.#removeTo,
    });
  }

  get span(): Span {
    return this.#mapper.span(this.#spanFrom, this.#spanTo);
  }

  get valueSpan(): Span | undefined {
    return this.#valueFrom < 0 ? undefined : this.#mapper.span(this.#valueFrom, this.#valueTo);
  }

  get keySpan(): Span | undefined {
    return this.#keyFrom < 0 ? undefined : this.#mapper.span(this.#keyFrom, this.#keyTo);
  }

  get removeSpan(): Span {
    return this.#mapper.span(this.#removeFrom, this.#removeTo);
  }

  toJSON(): RecipeSetting {
    const { key, raw, value, span, valueSpan, keySpan, removeSpan } = this;
    return { key, raw, value, span, ...(valueSpan ? { valueSpan } : {}), ...(keySpan ? { keySpan } : {}), removeSpan };
  }
}

/** Reused for every setting (its fields are copied into the setting). */
const offsets: SettingOffsets = {
  spanFrom: 0,
  spanTo: 0,
  valueFrom: -1,
  valueTo: -1,
  keyFrom: -1,
  keyTo: -1,
  removeFrom: 0,
  removeTo: 0,
};

export function buildCommandRecipe(input: CommandInput): Recipe | null {
  const { tokens, mapper } = input;
  if (tokens.length < 3 || tokens[1].text !== 'export' || tokens[2].text !== 'openvino') return null;
  const settings: RecipeSetting[] = [];
  const unknown: RecipeSetting[] = [];
  const facts: Record<string, string | number | boolean> = { program: tokens[0].text };
  if (input.helperCall) facts['helper'] = true;
  let positionals = 0;
  let unknownPositionals = 0;

  for (let k = 3; k < tokens.length; k++) {
    const token = tokens[k];
    if (isEllipsis(token.text)) {
      facts['elided'] = true;
      continue;
    }
    if (!isFlagWord(token)) {
      positionals++;
      if (token.unknown) unknownPositionals++;
      if (positionals === 1) {
        offsets.spanFrom = token.start;
        offsets.spanTo = token.end;
        offsets.valueFrom = token.valueStart;
        offsets.valueTo = token.valueEnd;
        offsets.keyFrom = offsets.keyTo = -1;
        removalRange(input, k, k, offsets);
        settings.push(
          new CommandSetting('output', 'output', parseValue(undefined, token, token.text), mapper, offsets),
        );
      }
      continue;
    }
    const name = token.eqAt !== undefined ? token.text.slice(0, token.text.indexOf('=')) : token.text;
    const inlineValue = token.eqAt !== undefined ? token.text.slice(token.text.indexOf('=') + 1) : undefined;
    const resolved = resolveFlag(name);
    const flag = resolved?.flag;
    const mistake = flag ? undefined : KNOWN_MISTAKES[name];
    const wantsValue = flag
      ? flag.type !== 'none'
      : mistake
        ? !MISTAKE_TAKES_NO_VALUE.has(name) && !mistake.replacement?.includes(' ')
        : true;
    let valueToken: RawToken | undefined;
    let last = k;
    if (inlineValue === undefined && wantsValue && takesNext(tokens[k + 1])) {
      valueToken = tokens[k + 1];
      last = k + 1;
    }
    offsets.spanFrom = token.start;
    offsets.spanTo = (valueToken ?? token).end;
    if (inlineValue !== undefined) {
      offsets.valueFrom = token.eqAt! + 1;
      offsets.valueTo = token.end;
    } else if (valueToken) {
      offsets.valueFrom = valueToken.valueStart;
      offsets.valueTo = valueToken.valueEnd;
    } else {
      offsets.valueFrom = offsets.valueTo = -1;
    }
    offsets.keyFrom = token.eqAt !== undefined ? token.start : token.valueStart;
    offsets.keyTo = token.eqAt !== undefined ? token.eqAt : token.valueEnd;
    removalRange(input, k, last, offsets);
    let value: SettingValue;
    if (inlineValue !== undefined) value = parseValue(flag, token, inlineValue);
    else if (valueToken) value = parseValue(flag, valueToken, valueToken.text);
    else value = flag && flag.type === 'none' ? true : null;
    const setting = new CommandSetting(flag?.key ?? 'other', resolved?.canonical ?? name, value, mapper, offsets);
    if (flag) {
      if (flag === HELP) facts['help'] = true;
      if (wantsValue && value === null) facts[`missingValue:${setting.raw}`] = true;
      // A unique-prefix match is shorter than its flag (comparing lengths spares a string comparison per flag).
      if (resolved && resolved.canonical.length !== name.length) facts[`abbreviated:${name}`] = resolved.canonical;
      settings.push(setting);
    } else {
      unknown.push(setting);
      // Keep what the user meant, so the other rules still judge the intended recipe.
      const intended = mistake?.replacement ? mistake.replacement.split(' ') : null;
      const intendedFlag = intended ? flagByName(intended[0]) : undefined;
      if (intendedFlag && intendedFlag.key !== 'other') {
        const intendedValue = intended!.length > 1 ? intended![1] : intendedFlag.type === 'none' ? true : value;
        settings.push(setting.as(intendedFlag.key, intendedValue));
      }
      if (!mistake && !wantsValue) facts['opaque'] = true;
    }
    k = last;
  }
  if (positionals > 1) {
    facts['extraPositionals'] = positionals - 1;
    if (unknownPositionals > 0) facts['opaque'] = true;
  }
  const lastToken = tokens[tokens.length - 1];
  const openvino = tokens[2];
  const insertAt = mapper.span(openvino.end, openvino.end).start;
  const separator = input.kind === 'argv' ? (input.argvIndent != null ? `,\n${input.argvIndent}` : ', ') : ' ';
  // Plain literals without conditional spreads: this runs once per command found.
  const style: CommandStyle = input.quote
    ? { shell: input.shell, insertAt, separator, quote: input.quote }
    : { shell: input.shell, insertAt, separator };
  const span = input.helperCall ?? mapper.span(tokens[0].start, lastToken.end);
  const commentLines = input.commentLines;
  if (!commentLines || commentLines.length === 0)
    return { dialect: 'optimum-cli', span, settings, unknown, facts, style };
  const notes: SyntaxNote[] = commentLines.map((line) => ({
    kind: 'comment-in-continuation' as const,
    span: mapper.span(line.start, line.end),
  }));
  return { dialect: 'optimum-cli', span, settings, unknown, facts, style, notes };
}
