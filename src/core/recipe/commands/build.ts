/**
 * Turns the words of an `optimum-cli export openvino` command into a Recipe, argparse-style:
 * `--flag value`, `--flag=value`, unique prefixes, the output positional anywhere.
 */
import { KNOWN_MISTAKES, MISTAKE_TAKES_NO_VALUE, flagByName, resolveFlag, type FlagInfo } from '../flags';
import type { CommandStyle, Recipe, RecipeSetting, SettingValue, Span, SyntaxNote } from '../types';
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
}

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

export function buildCommandRecipe(input: CommandInput): Recipe | null {
  const { tokens, mapper } = input;
  if (tokens.length < 3 || tokens[1].text !== 'export' || tokens[2].text !== 'openvino') return null;
  const settings: RecipeSetting[] = [];
  const unknown: RecipeSetting[] = [];
  const facts: Record<string, string | number | boolean> = { program: tokens[0].text };
  let positionals = 0;
  let unknownPositionals = 0;

  const removeSpan = (first: number, last: number): Span => {
    const a = tokens[first];
    const b = tokens[last];
    if (input.kind === 'argv') return mapper.span(a.removeStart ?? a.start, b.removeEnd ?? b.end);
    const src = input.source;
    const lineStart = src.lastIndexOf('\n', a.start - 1) + 1;
    if (onlyBlanks(src, lineStart, a.start)) {
      // The setting fills a continuation line of its own: remove the whole line.
      const restEnd = continuationEnd(src, b.end);
      if (restEnd !== -1 && tokens[last + 1]) return mapper.span(lineStart, restEnd);
    }
    const next = tokens[last + 1];
    if (next && onlyBlanks(src, b.end, next.start)) return mapper.span(a.start, next.start);
    const prev = tokens[first - 1];
    return mapper.span(prev.end, b.end);
  };
  const keySpan = (token: RawToken): Span =>
    token.eqAt !== undefined ? mapper.span(token.start, token.eqAt) : mapper.span(token.valueStart, token.valueEnd);

  for (let k = 3; k < tokens.length; k++) {
    const token = tokens[k];
    if (isEllipsis(token.text)) {
      facts['elided'] = true;
      continue;
    }
    if (!isFlagWord(token)) {
      positionals++;
      if (token.unknown) unknownPositionals++;
      if (positionals === 1)
        settings.push({
          key: 'output',
          raw: 'output',
          value: parseValue(undefined, token, token.text),
          span: mapper.span(token.start, token.end),
          valueSpan: mapper.span(token.valueStart, token.valueEnd),
          removeSpan: removeSpan(k, k),
        });
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
    const span = mapper.span(token.start, (valueToken ?? token).end);
    const valueSpan =
      inlineValue !== undefined
        ? mapper.span(token.eqAt! + 1, token.end)
        : valueToken
          ? mapper.span(valueToken.valueStart, valueToken.valueEnd)
          : undefined;
    let value: SettingValue;
    if (inlineValue !== undefined) value = parseValue(flag, token, inlineValue);
    else if (valueToken) value = parseValue(flag, valueToken, valueToken.text);
    else value = flag && flag.type === 'none' ? true : null;
    const setting: RecipeSetting = {
      key: flag?.key ?? 'other',
      raw: resolved?.canonical ?? name,
      value,
      span,
      keySpan: keySpan(token),
      removeSpan: removeSpan(k, last),
      valueSpan,
    };
    if (flag) {
      if (flag.names.includes('--help')) facts['help'] = true;
      if (wantsValue && value === null) facts[`missingValue:${setting.raw}`] = true;
      if (resolved && resolved.canonical !== name) facts[`abbreviated:${name}`] = resolved.canonical;
      settings.push(setting);
    } else {
      unknown.push(setting);
      // Keep what the user meant, so the other rules still judge the intended recipe.
      const intended = mistake?.replacement ? mistake.replacement.split(' ') : null;
      const intendedFlag = intended ? flagByName(intended[0]) : undefined;
      if (intendedFlag && intendedFlag.key !== 'other') {
        const intendedValue = intended!.length > 1 ? intended![1] : intendedFlag.type === 'none' ? true : value;
        settings.push({ ...setting, key: intendedFlag.key, value: intendedValue });
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
  const style: CommandStyle = {
    shell: input.shell,
    insertAt,
    separator: input.kind === 'argv' ? (input.argvIndent != null ? `,\n${input.argvIndent}` : ', ') : ' ',
    ...(input.quote ? { quote: input.quote } : {}),
  };
  const notes: SyntaxNote[] = (input.commentLines ?? []).map((line) => ({
    kind: 'comment-in-continuation' as const,
    span: mapper.span(line.start, line.end),
  }));
  return {
    dialect: 'optimum-cli',
    span: mapper.span(tokens[0].start, lastToken.end),
    settings,
    unknown,
    facts,
    style,
    ...(notes.length ? { notes } : {}),
  };
}
