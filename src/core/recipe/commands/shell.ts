/**
 * Tokenizes one command in shell-like text (sh/bash, cmd, PowerShell, a decoded Python string),
 * starting at the program name. Lenient on purpose: backslashes inside words stay literal (Windows
 * paths), an unterminated quote ends at the end of its line, placeholders are kept as unknown words.
 */

/** A word of the command, in the coordinates of the text it was read from. */
export interface RawToken {
  /** The word with quotes removed. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The part inside the quotes when the whole word is one quoted string, else start/end. */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** Contains a placeholder: `$VAR`, `${VAR}`, `%VAR%`, `{expr}`, `<model>`, or is a Python expression. */
  readonly unknown: boolean;
  /** Offset of `=` in an unquoted `--flag=value` word. */
  readonly eqAt?: number;
  /** argv lists only: the range to delete to remove this element with its leading comma. */
  readonly removeStart?: number;
  readonly removeEnd?: number;
}

export interface ShellScan {
  readonly tokens: RawToken[];
  readonly continuation: '\\' | '^' | '`' | null;
  /** Comment lines met inside a continuation: bash ends the command there. */
  readonly commentLines: { start: number; end: number }[];
}

const MAX_TOKENS = 400;

/** Blanks inside a line: space, tab, CR, form feed, vertical tab, NBSP (NaN, past the end, is none). */
function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 12 || code === 11 || code === 160;
}

function isSpace(char: string | undefined): boolean {
  return char !== undefined && isSpaceCode(char.charCodeAt(0));
}

/** True when only blanks follow `from` up to the end of the line (or of the text). */
export function restOfLineBlank(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '\n') return true;
    if (!isSpace(c)) return false;
  }
  return true;
}

function lineEnd(s: string, from: number): number {
  const nl = s.indexOf('\n', from);
  return nl < 0 ? s.length : nl;
}

/** Index after the `close` that balances the opener at `from` (or the end of the line if none). */
function matchBracket(s: string, from: number, open: string, close: string): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
    else if (c === '\n') return i;
  }
  return s.length;
}

const PERCENT_VAR = /%[A-Za-z_][A-Za-z0-9_]*%/y;
const ANGLE_PLACEHOLDER = /<[^<>\s]+>/y;
const REDIRECT = /\d*>/y;
const DOLLAR_NAME = /\$[A-Za-z0-9_@*#?!-]+/y;

function stickyMatch(re: RegExp, s: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(s);
  return m ? m[0] : null;
}

function isWordBreak(c: string, terminator: string | undefined): boolean {
  return (
    c === '\n' ||
    isSpace(c) ||
    c === terminator ||
    c === '|' ||
    c === ';' ||
    c === '&' ||
    c === '>' ||
    c === ')' ||
    c === '`'
  );
}

/** Characters that end a plain run inside a word: blanks and controls, " $ % & \' ) ; < = > \\ ^ ` { | (and NBSP). */
const RUN_STOP = new Uint8Array(128);
for (let c = 0; c <= 32; c++) RUN_STOP[c] = 1;
for (const c of '"$%&\');<=>\\^`{|') RUN_STOP[c.charCodeAt(0)] = 1;

/** End of the run of ordinary word characters from `from` (none of them needs a decision). A table lookup per character. */
function plainRun(s: string, from: number, terminator: string | undefined): number {
  const stop = terminator === undefined ? -1 : terminator.charCodeAt(0);
  let i = from;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === stop || (c < 128 ? RUN_STOP[c] === 1 : c === 160)) break;
  }
  return i;
}

function readWord(s: string, from: number, terminator: string | undefined): RawToken | null {
  let i = from;
  let text = '';
  let unknown = false;
  let quotedParts = 0;
  let plainParts = 0;
  let valueStart = from;
  let valueEnd = from;
  let eqAt: number | undefined;
  while (i < s.length) {
    const run = plainRun(s, i, terminator);
    if (run > i) {
      plainParts++;
      text += s.slice(i, run);
      i = run;
      continue;
    }
    const c = s[i];
    if (isWordBreak(c, terminator)) break;
    if ((c === '\\' || c === '^') && restOfLineBlank(s, i + 1)) break;
    if (c === '"' || c === "'") {
      const quote = c;
      let j = i + 1;
      valueStart = j;
      // Quoted text is appended a run at a time (a character at a time built a string per character).
      let runStart = j;
      while (j < s.length && s[j] !== quote && s[j] !== '\n' && s[j] !== terminator) {
        const d = s[j];
        if (quote === '"' && d === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) {
          text += s.slice(runStart, j) + s[j + 1];
          j += 2;
          runStart = j;
          continue;
        }
        if (d === '$' || d === '{' || (d === '%' && stickyMatch(PERCENT_VAR, s, j))) unknown = true;
        j++;
      }
      text += s.slice(runStart, j);
      valueEnd = j;
      i = j < s.length && s[j] === quote ? j + 1 : j;
      quotedParts++;
      continue;
    }
    plainParts++;
    if (c === '{') {
      const end = matchBracket(s, i, '{', '}');
      text += s.slice(i, end);
      unknown = true;
      i = end;
      continue;
    }
    if (c === '$') {
      const next = s[i + 1];
      const end =
        next === '{'
          ? matchBracket(s, i + 1, '{', '}')
          : next === '('
            ? matchBracket(s, i + 1, '(', ')')
            : i + (stickyMatch(DOLLAR_NAME, s, i)?.length ?? 1);
      text += s.slice(i, end);
      unknown = unknown || end > i + 1;
      i = Math.max(end, i + 1);
      continue;
    }
    if (c === '%') {
      const name = stickyMatch(PERCENT_VAR, s, i);
      if (name) {
        text += name;
        unknown = true;
        i += name.length;
        continue;
      }
    }
    if (c === '<' && i === from) {
      const placeholder = stickyMatch(ANGLE_PLACEHOLDER, s, i);
      if (placeholder) {
        text += placeholder;
        unknown = true;
        i += placeholder.length;
        continue;
      }
    }
    if (c === '=' && eqAt === undefined && quotedParts === 0 && text.startsWith('-')) eqAt = i;
    text += c;
    i++;
  }
  if (i === from) return null;
  const wholeQuoted = quotedParts === 1 && plainParts === 0;
  return {
    text,
    start: from,
    end: i,
    valueStart: wholeQuoted ? valueStart : from,
    valueEnd: wholeQuoted ? valueEnd : i,
    unknown,
    eqAt,
  };
}

/**
 * Reads the words of one command from `from` until its end: a newline without a continuation
 * character, a shell operator (`|`, `;`, `&&`, redirection), a comment, or `terminator` (the quote or
 * backtick that encloses the command in Markdown, YAML or JSX).
 */
export function scanShellCommand(s: string, from: number, terminator?: string): ShellScan {
  const tokens: RawToken[] = [];
  const commentLines: { start: number; end: number }[] = [];
  let continuation: ShellScan['continuation'] = null;
  let i = from;
  while (i < s.length && tokens.length < MAX_TOKENS) {
    while (isSpaceCode(s.charCodeAt(i))) i++;
    if (i >= s.length) break;
    const c = s[i];
    if (c === '\n' || c === terminator) break;
    const isContinuation =
      (c === '\\' || c === '^' || (c === '`' && (i === 0 || isSpace(s[i - 1]) || s[i - 1] === '\n'))) &&
      restOfLineBlank(s, i + 1);
    if (isContinuation) {
      continuation ??= c;
      i = lineEnd(s, i) + 1;
      // bash ends the command at a comment line, even inside a continuation: remember where.
      for (;;) {
        let j = i;
        while (isSpaceCode(s.charCodeAt(j))) j++;
        if (s[j] !== '#') break;
        const end = lineEnd(s, j);
        commentLines.push({ start: j, end });
        i = end + 1;
      }
      if (i >= s.length || restOfLineBlank(s, i)) break;
      continue;
    }
    if (c === '#' || c === '|' || c === ';' || c === '&' || c === '>' || c === ')' || c === '`') break;
    if (c === '<' && !stickyMatch(ANGLE_PLACEHOLDER, s, i)) break;
    if (c >= '0' && c <= '9' && stickyMatch(REDIRECT, s, i)) break;
    const word = readWord(s, i, terminator);
    if (!word) break;
    tokens.push(word);
    i = word.end;
  }
  return { tokens, continuation, commentLines };
}
