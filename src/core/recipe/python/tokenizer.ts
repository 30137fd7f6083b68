/**
 * A small tolerant Python tokenizer: enough of the lexical grammar to find calls, keyword arguments and
 * dict literals with exact offsets. It never throws and always advances, so broken or partial code (a notebook
 * cell, a Markdown snippet, an unterminated string) still yields tokens up to where it makes sense.
 *
 * Handled: names, numbers, string literals with prefixes (r, b, u, f and pairs), triple quotes, f-string
 * replacement fields with nested strings (PEP 701 rules, which also accept every pre-3.12 f-string),
 * comments, brackets, backslash line continuations. Indentation is not tracked: nothing here needs it.
 */

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'open' | 'close' | 'newline';

export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  /** Source text for names, ops and brackets. */
  readonly text: string;
  /** Decoded value of a string literal (without prefix and quotes) or a number. */
  readonly value?: string | number;
  /** An f-string with at least one replacement field: its value is not known from the text. */
  readonly interpolated?: boolean;
}

const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER =
  /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?/y;
const STRING_PREFIX = /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/;
const OPS3 = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPS2 = new Set([
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  ':=',
  '->',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  '<<',
  '>>',
]);
const OPEN = '([{';
const CLOSE = ')]}';
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

interface ScannedString {
  readonly end: number;
  readonly interpolated: boolean;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let pos = 0;
  const length = text.length;
  while (pos < length) {
    const ch = text[pos];
    if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\r') {
      pos++;
      continue;
    }
    if (ch === '\n') {
      if (depth === 0) tokens.push({ kind: 'newline', start: pos, end: pos + 1, text: '\n' });
      pos++;
      continue;
    }
    if (ch === '#') {
      const lineEnd = text.indexOf('\n', pos);
      pos = lineEnd < 0 ? length : lineEnd;
      continue;
    }
    if (ch === '\\') {
      // A line continuation (or a stray backslash): skip it and the line break after it.
      pos++;
      if (text[pos] === '\r') pos++;
      if (text[pos] === '\n') pos++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      pos = pushString(text, pos, pos, tokens);
      continue;
    }
    const nameEnd = scanName(text, pos);
    if (nameEnd > pos) {
      const name = text.slice(pos, nameEnd);
      if ((text[nameEnd] === '"' || text[nameEnd] === "'") && STRING_PREFIX.test(name)) {
        pos = pushString(text, pos, nameEnd, tokens);
        continue;
      }
      tokens.push({ kind: 'name', start: pos, end: nameEnd, text: name });
      pos = nameEnd;
      continue;
    }
    if ((ch >= '0' && ch <= '9') || (ch === '.' && text[pos + 1] >= '0' && text[pos + 1] <= '9')) {
      NUMBER.lastIndex = pos;
      const number = NUMBER.exec(text);
      const numberText = number ? number[0] : ch;
      const end = pos + numberText.length;
      tokens.push({ kind: 'number', start: pos, end, text: numberText, value: numberValue(numberText) });
      pos = end;
      continue;
    }
    if (OPEN.includes(ch)) {
      depth++;
      tokens.push({ kind: 'open', start: pos, end: pos + 1, text: ch });
      pos++;
      continue;
    }
    if (CLOSE.includes(ch)) {
      if (depth > 0) depth--;
      tokens.push({ kind: 'close', start: pos, end: pos + 1, text: ch });
      pos++;
      continue;
    }
    const op = OPS3.has(text.slice(pos, pos + 3))
      ? text.slice(pos, pos + 3)
      : OPS2.has(text.slice(pos, pos + 2))
        ? text.slice(pos, pos + 2)
        : ch;
    tokens.push({ kind: 'op', start: pos, end: pos + op.length, text: op });
    pos += op.length;
  }
  return tokens;
}

function isAsciiNameChar(code: number, first: boolean): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (!first && code >= 48 && code <= 57)
  );
}

/** End of the identifier starting at `pos` (== pos when there is none); ASCII fast, Unicode via the regex. */
function scanName(text: string, pos: number): number {
  let end = pos;
  while (end < text.length && isAsciiNameChar(text.charCodeAt(end), end === pos)) end++;
  if (end < text.length && text.charCodeAt(end) > 127) {
    NAME.lastIndex = pos;
    const name = NAME.exec(text);
    return name ? pos + name[0].length : end;
  }
  return end;
}

function numberValue(numberText: string): number | string {
  const clean = numberText.replace(/_/g, '');
  if (/[jJ]$/.test(clean)) return clean;
  const value = /^0[oObB]/.test(clean) ? parseInt(clean.slice(2), /^0[oO]/.test(clean) ? 8 : 2) : Number(clean);
  return Number.isNaN(value) ? clean : value;
}

/** Scan the string literal whose prefix starts at `start` and whose quote is at `quoteAt`; push its token. */
function pushString(text: string, start: number, quoteAt: number, tokens: Token[]): number {
  const prefix = text.slice(start, quoteAt).toLowerCase();
  const raw = prefix.includes('r');
  const formatted = prefix.includes('f');
  const scanned = scanString(text, quoteAt, formatted);
  const quote = text[quoteAt];
  const triple = text.startsWith(quote.repeat(3), quoteAt);
  const bodyStart = quoteAt + (triple ? 3 : 1);
  const closed = triple
    ? scanned.end - bodyStart >= 3 && text.startsWith(quote.repeat(3), scanned.end - 3)
    : scanned.end > bodyStart && text[scanned.end - 1] === quote;
  const bodyEnd = closed ? scanned.end - (triple ? 3 : 1) : scanned.end;
  const body = text.slice(bodyStart, Math.max(bodyStart, bodyEnd));
  const value = decodeBody(body, raw, formatted);
  tokens.push({
    kind: 'string',
    start,
    end: scanned.end,
    text: text.slice(start, scanned.end),
    value,
    ...(scanned.interpolated ? { interpolated: true } : {}),
  });
  return scanned.end;
}

/**
 * Find the end of a string literal whose opening quote is at `quoteAt`. An unterminated single-quoted string
 * ends at the line break, an unterminated triple-quoted one at the end of the text.
 */
function scanString(text: string, quoteAt: number, formatted: boolean): ScannedString {
  const quote = text[quoteAt];
  const triple = text.startsWith(quote.repeat(3), quoteAt);
  let pos = quoteAt + (triple ? 3 : 1);
  let interpolated = false;
  const length = text.length;
  while (pos < length) {
    const ch = text[pos];
    if (ch === '\\') {
      pos += 2;
      continue;
    }
    if (ch === '\n' && !triple) return { end: pos, interpolated };
    if (ch === quote) {
      if (!triple) return { end: pos + 1, interpolated };
      if (text.startsWith(quote.repeat(3), pos)) return { end: pos + 3, interpolated };
    }
    if (formatted && ch === '{') {
      if (text[pos + 1] === '{') {
        pos += 2;
        continue;
      }
      interpolated = true;
      const fieldEnd = scanReplacementField(text, pos + 1, triple);
      if (fieldEnd < 0) return { end: -fieldEnd, interpolated };
      pos = fieldEnd;
      continue;
    }
    pos++;
  }
  return { end: Math.min(pos, length), interpolated };
}

/**
 * Skip an f-string replacement field starting after its `{`. Returns the offset after the closing `}`, or
 * the negated offset where the enclosing single-quoted string must end (a line break inside the field).
 */
function scanReplacementField(text: string, from: number, triple: boolean): number {
  let depth = 0;
  let pos = from;
  const length = text.length;
  while (pos < length) {
    const ch = text[pos];
    if (ch === '\n' && !triple) return -pos;
    if (ch === '"' || ch === "'") {
      let prefixStart = pos;
      while (prefixStart > from && /[rRbBfFuU]/.test(text[prefixStart - 1])) prefixStart--;
      const nestedFormatted = /f/i.test(text.slice(prefixStart, pos));
      const nested = scanString(text, pos, nestedFormatted);
      if (!triple && text[nested.end - 1] !== ch && text[nested.end] === '\n') return -nested.end;
      pos = Math.max(nested.end, pos + 1);
      continue;
    }
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) {
      if (depth === 0 && ch === '}') return pos + 1;
      if (depth > 0) depth--;
    }
    pos++;
  }
  return -length;
}

function decodeBody(body: string, raw: boolean, formatted: boolean): string {
  let out = formatted ? body.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : body;
  if (raw || !out.includes('\\')) return out;
  out = out.replace(/\\(\r?\n|.)/g, (_match, escaped: string) => {
    if (escaped === '\n' || escaped === '\r\n') return '';
    return SIMPLE_ESCAPES[escaped] ?? `\\${escaped}`;
  });
  return out;
}
