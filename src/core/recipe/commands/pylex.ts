/**
 * A small Python lexer that finds string literals and comments, enough to know whether an export
 * command sits in a string, an argv list, a comment, or an IPython `!` line. Single-quoted strings
 * end at the end of their line when unterminated, so one stray quote never swallows a file.
 */
import { MappedTextBuilder, type MappedText } from './mapped';

export interface PyRegion {
  readonly kind: 'string' | 'comment' | 'shell';
  readonly start: number;
  readonly end: number;
  /** Strings: the content between the quotes. */
  readonly contentStart: number;
  readonly contentEnd: number;
  readonly prefix: string;
  readonly quote: string;
}

const PREFIX = /[rRbBfFuU]{1,2}$/;

export function lexPython(text: string): PyRegion[] {
  const regions: PyRegion[] = [];
  let i = 0;
  let lineStart = true;
  const n = text.length;
  // Character codes, not one-character strings: this loop visits every character of the file.
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (lineStart && (c === 33 || c === 37)) {
      // IPython shell escape (`!`) or magic (`%`): the rest of the line is shell text.
      const end = endOfLine(text, i);
      regions.push({ kind: 'shell', start: i, end, contentStart: i + 1, contentEnd: end, prefix: '', quote: '' });
      i = end;
      continue;
    }
    lineStart = false;
    if (c === 35) {
      const end = endOfLine(text, i);
      regions.push({ kind: 'comment', start: i, end, contentStart: i + 1, contentEnd: end, prefix: '', quote: '' });
      i = end;
      continue;
    }
    if (c === 34 || c === 39) {
      const region = readString(text, i, prefixStart(text, i));
      regions.push(region);
      i = region.end;
      continue;
    }
    i++;
  }
  return regions;
}

/** Where a string literal whose quote is at `quoteAt` starts: at its prefix (`f`, `rb`, ...) if it has one. */
function prefixStart(text: string, quoteAt: number): number {
  const prefixMatch = PREFIX.exec(text.slice(Math.max(0, quoteAt - 2), quoteAt));
  if (!prefixMatch) return quoteAt;
  const candidate = quoteAt - prefixMatch[0].length;
  return candidate === 0 || !/[A-Za-z0-9_]/.test(text[candidate - 1]) ? candidate : quoteAt;
}

function endOfLine(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

function readString(text: string, quoteAt: number, prefixStart: number): PyRegion {
  const q = text[quoteAt];
  const triple = text.startsWith(q + q + q, quoteAt);
  const quote = triple ? q + q + q : q;
  const prefix = text.slice(prefixStart, quoteAt);
  const contentStart = quoteAt + quote.length;
  const quoteCode = text.charCodeAt(quoteAt);
  let i = contentStart;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i += 2; // a backslash escapes the next character
      continue;
    }
    if (!triple && c === 10)
      return { kind: 'string', start: prefixStart, end: i, contentStart, contentEnd: i, prefix, quote };
    if (c === quoteCode && (!triple || text.startsWith(quote, i)))
      return { kind: 'string', start: prefixStart, end: i + quote.length, contentStart, contentEnd: i, prefix, quote };
    i++;
  }
  return { kind: 'string', start: prefixStart, end: text.length, contentStart, contentEnd: text.length, prefix, quote };
}

/**
 * Index of the first region that ends after `offset`, by binary search (regions are sorted, non-empty and never
 * overlap): the region holding `offset` if there is one, else the next region (or `regions.length`).
 */
export function regionIndexAfter(regions: readonly PyRegion[], offset: number): number {
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (regions[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The region containing `offset`, or null. */
export function regionAt(regions: readonly PyRegion[], offset: number): PyRegion | null {
  const region = regions[regionIndexAfter(regions, offset)];
  return region !== undefined && region.start <= offset ? region : null;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/** Appends the decoded content of a string literal, each character mapped to its source. */
export function decodeStringInto(text: string, region: PyRegion, out: MappedTextBuilder): void {
  const raw = /r/i.test(region.prefix);
  if (raw) {
    out.pushVerbatim(text, region.contentStart, region.contentEnd);
    return;
  }
  let i = region.contentStart;
  while (i < region.contentEnd) {
    let plainEnd = i;
    while (plainEnd < region.contentEnd && text.charCodeAt(plainEnd) !== 92) plainEnd++;
    if (plainEnd > i) {
      out.pushVerbatim(text, i, plainEnd);
      i = plainEnd;
      continue;
    }
    const c = text[i];
    const next = text[i + 1];
    if (next === '\n') {
      i += 2; // line continuation inside the literal: produces nothing
      continue;
    }
    if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out.push(String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16)), i, i + 4);
      i += 4;
      continue;
    }
    const simple = next === undefined ? undefined : SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out.push(simple, i, i + 2);
      i += 2;
      continue;
    }
    out.push(c, i, i + 1);
    i++;
  }
}

/**
 * The literal at `index` plus the literals implicitly concatenated after it (separated only by
 * blanks, newlines, backslash continuations or comments), decoded into one mapped text.
 */
export function concatenatedLiteral(
  text: string,
  regions: readonly PyRegion[],
  index: number,
): { mapped: MappedText; regions: PyRegion[] } {
  const builder = new MappedTextBuilder();
  const used: PyRegion[] = [];
  let k = index;
  for (;;) {
    const region = regions[k];
    decodeStringInto(text, region, builder);
    used.push(region);
    let next = k + 1;
    while (
      next < regions.length &&
      regions[next].kind === 'comment' &&
      /^[\s\\]*$/.test(text.slice(regions[next - 1].end, regions[next].start))
    )
      next++;
    const candidate = regions[next];
    if (
      !candidate ||
      candidate.kind !== 'string' ||
      !/^[\s\\]*$/.test(text.slice(regions[next - 1].end, candidate.start))
    )
      break;
    k = next;
  }
  return { mapped: builder.build(regions[index].contentStart), regions: used };
}
