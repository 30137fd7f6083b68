/**
 * Reads an argv list (`["optimum-cli", "export", "openvino", "-m", model_id, ...]`) in Python,
 * JSON (Dockerfile exec form) or YAML flow syntax. String items become words; any other item
 * (a variable, `str(path)`, `sys.executable`) is an unknown word carrying its source text.
 */
import type { RawToken } from './shell';

const MAX_ITEMS = 400;

export interface ArgvScan {
  readonly tokens: RawToken[];
  readonly quote: string;
  /** Indentation before the items when the list has one item per line, else null. */
  readonly lineIndent: string | null;
  /** Where reading stopped: the closing bracket of the list, if it has one. */
  readonly end: number;
}

function skipBlank(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (s[i] === '#') {
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    return i;
  }
}

/** Reads a quoted string at `i` (optional f/r/b prefix already skipped). */
function readQuoted(
  s: string,
  i: number,
): { text: string; end: number; contentStart: number; contentEnd: number; hasBraces: boolean } {
  const quote = s[i];
  let j = i + 1;
  let text = '';
  let hasBraces = false;
  while (j < s.length && s[j] !== quote && s[j] !== '\n') {
    if (s[j] === '\\' && j + 1 < s.length) {
      text += s[j + 1];
      j += 2;
      continue;
    }
    if (s[j] === '{') hasBraces = true;
    text += s[j];
    j++;
  }
  return { text, end: s[j] === quote ? j + 1 : j, contentStart: i + 1, contentEnd: j, hasBraces };
}

/** Reads an expression item up to the next top-level `,` or closing bracket. */
function readExpression(s: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === '"' || c === "'") {
      j = readQuoted(s, j).end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
    j++;
  }
  while (j > i && /\s/.test(s[j - 1])) j--;
  return j;
}

/**
 * Parses the list from the quoted program name at `quoteAt`. Returns null when what follows is not
 * a list item separator (then the caller treats the text as a shell command).
 */
export function scanArgvList(s: string, quoteAt: number): ArgvScan | null {
  const first = readQuoted(s, quoteAt);
  const afterFirst = skipBlank(s, first.end);
  if (s[afterFirst] !== ',') return null;
  const tokens: RawToken[] = [
    {
      text: first.text,
      start: quoteAt,
      end: first.end,
      valueStart: first.contentStart,
      valueEnd: first.contentEnd,
      unknown: false,
      removeStart: quoteAt,
      removeEnd: first.end,
    },
  ];
  const items = readItems(s, afterFirst, tokens, first.end);
  return { tokens, quote: s[quoteAt], lineIndent: items.lineIndent, end: items.end };
}

/**
 * The items of a bracketed list or call arguments whose opening bracket is at `openAt` (`cmd.append("--sym")`,
 * `cmd += ["--ratio", RATIO]`), read like the items of an argv list.
 */
export function scanArgvItems(s: string, openAt: number): { tokens: RawToken[]; end: number } {
  const tokens: RawToken[] = [];
  const { end } = readItems(s, openAt, tokens, openAt + 1);
  return { tokens, end };
}

/** Reads items after the separator (or opening bracket) at `i` into `tokens`, up to the closing bracket. */
function readItems(
  s: string,
  i: number,
  tokens: RawToken[],
  previousEnd: number,
): { lineIndent: string | null; end: number } {
  let multiline = true;
  let indent: string | null = null;
  let first = s[i] !== ',';
  while (tokens.length < MAX_ITEMS && (s[i] === ',' || first)) {
    first = false;
    const itemStart = skipBlank(s, i + 1);
    if (itemStart >= s.length) break;
    const c = s[itemStart];
    if (c === ']' || c === ')' || c === '}') {
      i = itemStart;
      break;
    }
    const between = s.slice(i + 1, itemStart);
    if (!between.includes('\n')) multiline = false;
    else if (indent === null) indent = /([ \t]*)$/.exec(between)?.[1] ?? '';
    let prefixEnd = itemStart;
    while (prefixEnd < itemStart + 2 && /[fFrRbBuU]/.test(s[prefixEnd] ?? '')) prefixEnd++;
    const quoteChar = s[prefixEnd];
    if (quoteChar === '"' || quoteChar === "'") {
      const item = readQuoted(s, prefixEnd);
      const afterItem = skipBlank(s, item.end);
      // An item like "x" + suffix or "x".format(...) is an expression.
      if (s[afterItem] === ',' || s[afterItem] === ']' || s[afterItem] === ')' || afterItem >= s.length) {
        const formatted = /f/i.test(s.slice(itemStart, prefixEnd)) && item.hasBraces;
        tokens.push({
          text: item.text,
          start: itemStart,
          end: item.end,
          valueStart: item.contentStart,
          valueEnd: item.contentEnd,
          unknown: formatted,
          removeStart: previousEnd,
          removeEnd: item.end,
        });
        previousEnd = item.end;
        i = afterItem;
        continue;
      }
    }
    const end = readExpression(s, itemStart);
    if (end <= itemStart) break;
    tokens.push({
      text: s.slice(itemStart, end),
      start: itemStart,
      end,
      valueStart: itemStart,
      valueEnd: end,
      unknown: true,
      removeStart: previousEnd,
      removeEnd: end,
    });
    previousEnd = end;
    i = skipBlank(s, end);
  }
  return { lineIndent: multiline && indent !== null ? indent : null, end: i };
}
