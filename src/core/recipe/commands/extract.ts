/**
 * Finds `optimum-cli export openvino` (and `python -m optimum.commands.optimum_cli export openvino`)
 * wherever it appears and turns each into a Recipe whose spans point at the document's own text.
 */
import type { CommandStyle, Recipe, Span } from '../types';
import { scanArgvList } from './argv';
import { buildCommandRecipe } from './build';
import { escapeJsonText, mapRecipe, offsetMapper, type MappedText, type Mapper } from './mapped';
import { concatenatedLiteral, lexPython, regionAt, regionIndexAfter, type PyRegion } from './pylex';
import { appendedWords, PythonScope, resolveToken } from './pyscope';
import { scanShellCommand } from './shell';
import { extractNotebookCells } from './notebook';
import { emitHelperCalls } from './helper';
import { emitJsxCommands } from './jsx';

export type SourceKind = 'shell' | 'cmd' | 'powershell' | 'python' | 'markdown' | 'notebook' | 'generic';

const ANCHORS = ['optimum-cli', 'optimum.commands.optimum_cli'];

/**
 * The program-name anchor starting at `at` (an offset where "optimum" was found), or undefined.
 * Callers loop with indexOf: a generator of match objects allocated more than the rest of the scan.
 */
function anchorAt(text: string, at: number): string | undefined {
  for (const anchor of ANCHORS) if (text.startsWith(anchor, at)) return anchor;
  return undefined;
}

export function hasCommandAnchor(text: string): boolean {
  return text.includes('optimum-cli') || text.includes('optimum.commands.optimum_cli') || text.includes('optimum_cli(');
}

export interface CommandExtraction {
  readonly recipes: Recipe[];
  /** Set when the text is not what its kind promises (an .ipynb that is not JSON). */
  readonly problem?: string;
}

/**
 * Where extractors put each recipe as they find it: an array, or lintText's evaluator, which keeps only the
 * findings (a large file's recipes then never all live at once, which was most of lint's garbage-collection time).
 */
export interface RecipeSink {
  push(recipe: Recipe): void;
}

/** A sink that moves each recipe found in decoded text onto the document before passing it on. */
function mappingSink(out: RecipeSink, mapper: Mapper | MappedText, escape?: 'json'): RecipeSink {
  return { push: (recipe) => out.push(mapRecipe(recipe, mapper, escape)) };
}

export function byStart(a: Recipe, b: Recipe): number {
  return a.span.start - b.span.start;
}

/** The export commands of `text`, in document order. */
export function extractCommands(text: string, kind: SourceKind): CommandExtraction {
  const recipes: Recipe[] = [];
  const problem = emitCommands(text, kind, recipes);
  recipes.sort(byStart);
  return problem ? { recipes, problem } : { recipes };
}

/**
 * Visits each piece of Python text in a file (the file itself, a ```python fence, a notebook code cell) with the
 * sink that places what it finds on the document: how lintText reads config calls in one pass over the file.
 */
export type PythonVisitor = (python: string, out: RecipeSink) => void;

/** Visits the code of each ```json fence of a Markdown text (or Markdown cell) the same way. */
export type JsonVisitor = (json: string, out: RecipeSink) => void;

/** What lintText reads besides commands: Python anywhere, and JSON fences in Markdown. */
export interface CodeVisitors {
  readonly python?: PythonVisitor;
  readonly json?: JsonVisitor;
}

/**
 * Pushes the export commands of `text` to `out` as they are found (not in document order), and shows the visitors
 * every piece of Python text and every JSON fence; returns a problem (a notebook that is not JSON).
 */
export function emitCommands(
  text: string,
  kind: SourceKind,
  out: RecipeSink,
  visitors: CodeVisitors = {},
): string | undefined {
  const commands = hasCommandAnchor(text) || (kind === 'markdown' && text.includes('<OptimumCLI'));
  if (!commands && !visitors.python && !visitors.json) return undefined;
  switch (kind) {
    case 'python':
      if (commands) emitPython(text, out);
      visitors.python?.(text, out);
      return undefined;
    case 'markdown':
      emitMarkdown(text, out, visitors);
      return undefined;
    case 'notebook':
      return emitNotebook(text, out, visitors);
    default:
      if (commands) emitGeneric(text, kind, out);
      return undefined;
  }
}

function shellOf(kind: SourceKind, continuation: string | null): CommandStyle['shell'] {
  if (continuation === '^' || kind === 'cmd') return 'cmd';
  if (continuation === '`' || kind === 'powershell') return 'powershell';
  return 'sh';
}

function precededByWord(text: string, at: number): boolean {
  if (at === 0) return false;
  const c = text.charCodeAt(at - 1);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function inRanges(ranges: readonly Span[], at: number): boolean {
  return ranges.some((range) => at >= range.start && at < range.end);
}

function shellRecipe(text: string, at: number, kind: SourceKind, terminator?: string): Recipe | null {
  const scan = scanShellCommand(text, at, terminator);
  return buildCommandRecipe({
    tokens: scan.tokens,
    mapper: offsetMapper(0),
    source: text,
    kind: 'shell',
    shell: shellOf(kind, scan.continuation),
    commentLines: scan.commentLines,
  });
}

/** An argv list; in Python, with module constants read and the words appended after it in the same block. */
function argvRecipe(
  text: string,
  quoteAt: number,
  python?: { regions: readonly PyRegion[]; scope: PythonScope },
): Recipe | null {
  const argv = scanArgvList(text, quoteAt);
  if (!argv) return null;
  let tokens = argv.tokens;
  let partlyHidden = false;
  if (python) {
    const open = text.lastIndexOf('[', quoteAt);
    const appended =
      open >= 0 && /^\s*$/.test(text.slice(open + 1, quoteAt)) && text[argv.end] === ']'
        ? appendedWords(text, python.regions, open, argv.end)
        : null;
    if (appended) {
      tokens = [...tokens, ...appended.tokens];
      partlyHidden = appended.conditional;
    }
    tokens = tokens.map((token) => resolveToken(token, python.scope));
  }
  const recipe = buildCommandRecipe({
    tokens,
    mapper: offsetMapper(0),
    source: text,
    kind: 'argv',
    shell: 'python-argv',
    quote: argv.quote,
    argvIndent: argv.lineIndent,
  });
  return recipe && partlyHidden ? { ...recipe, facts: { ...recipe.facts, opaque: true } } : recipe;
}

/** Shell-like text: scripts, Dockerfiles, YAML, JSON strings, anything unknown. */
function emitGeneric(text: string, kind: SourceKind, out: RecipeSink, exclude: readonly Span[] = []): void {
  let consumed = 0;
  for (let at = text.indexOf('optimum'); at >= 0; at = text.indexOf('optimum', at + 1)) {
    const anchor = anchorAt(text, at);
    if (anchor === undefined || at < consumed || precededByWord(text, at) || inRanges(exclude, at)) continue;
    const before = text[at - 1];
    let recipe: Recipe | null = null;
    if (before === '"' || before === "'") {
      if (text[at + anchor.length] === before) recipe = argvRecipe(text, at - 1);
      recipe ??= shellRecipe(text, at, kind, before);
    } else if (before === '`') {
      recipe = shellRecipe(text, at, kind, '`');
    } else {
      recipe = shellRecipe(text, at, kind);
    }
    if (recipe) {
      out.push(recipe);
      consumed = recipe.span.end;
    }
  }
}

const CELL_MAGIC_SHELL = /^\s*%%(bash|sh|script|cmd|powershell|pwsh)\b/;

/** Python source (also a notebook cell as VS Code gives it, with `!` lines). */
function emitPython(text: string, out: RecipeSink): void {
  if (CELL_MAGIC_SHELL.test(text)) {
    emitGeneric(text, 'shell', out);
    return;
  }
  if (!hasCommandAnchor(text)) return;
  const regions = lexPython(text);
  const python = { regions, scope: new PythonScope(text, regions) };
  let consumed = 0;
  for (let at = text.indexOf('optimum'); at >= 0; at = text.indexOf('optimum', at + 1)) {
    const anchor = anchorAt(text, at);
    if (anchor === undefined || at < consumed || precededByWord(text, at)) continue;
    const region = regionAt(regions, at);
    let recipe: Recipe | null = null;
    if (!region || region.kind !== 'string') {
      recipe = shellRecipe(text, at, 'shell');
    } else if (region.contentEnd - region.contentStart === anchor.length && region.contentStart === at) {
      recipe = argvRecipe(text, region.contentStart - region.quote.length, python);
    } else {
      const { mapped } = concatenatedLiteral(text, regions, regionIndexAfter(regions, region.start));
      const from = mapped.indexOf(at);
      if (from >= 0) {
        const scan = scanShellCommand(mapped.text, from);
        recipe = buildCommandRecipe({
          tokens: scan.tokens,
          mapper: mapped,
          source: mapped.text,
          kind: 'shell',
          shell: 'python-string',
          commentLines: scan.commentLines,
        });
      }
    }
    if (recipe) {
      out.push(recipe);
      consumed = recipe.span.end;
    }
  }
  emitHelperCalls(text, regions, out);
}

const FENCE = /^([ \t]{0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*$/gm;
const PYTHON_FENCES = new Set(['python', 'py', 'python3', 'ipython', 'ipython3', 'pycon', 'jupyter']);
const JSON_FENCES = new Set(['json', 'jsonc', 'json5']);

interface Fences {
  readonly python: Span[];
  readonly json: Span[];
}

/** The contents of the closed ```python (py, ipython, pycon, ...) and ```json fences of a Markdown text, in order. */
function codeFences(text: string): Fences {
  const fences: Fences = { python: [], json: [] };
  if (!text.includes('```') && !text.includes('~~~')) return fences;
  let open: { marker: string; lang: string; contentStart: number } | null = null;
  for (const match of text.matchAll(FENCE)) {
    const marker = match[2];
    if (!open) {
      open = { marker, lang: match[3].toLowerCase(), contentStart: match.index + match[0].length + 1 };
    } else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && match[3] === '') {
      const content = { start: Math.min(open.contentStart, match.index), end: match.index };
      if (PYTHON_FENCES.has(open.lang)) fences.python.push(content);
      else if (JSON_FENCES.has(open.lang)) fences.json.push(content);
      open = null;
    }
  }
  return fences;
}

/**
 * Markdown (and MDX): Python fences are read as Python; JSON fences go to the JSON visitor (Olive passes as the
 * docs show them); everything else (other fences, inline code, prose, JSX attributes) as shell.
 */
function emitMarkdown(text: string, out: RecipeSink, visitors: CodeVisitors = {}): void {
  const fences = codeFences(text);
  emitGeneric(text, 'generic', out, fences.python);
  emitJsxCommands(text, out);
  for (const block of fences.python) {
    const fence = text.slice(block.start, block.end);
    const inFence = mappingSink(out, offsetMapper(block.start));
    emitPython(fence, inFence);
    visitors.python?.(fence, inFence);
  }
  if (visitors.json)
    for (const block of fences.json)
      visitors.json(text.slice(block.start, block.end), mappingSink(out, offsetMapper(block.start)));
}

/** A notebook's cells; a notebook that did not parse as a whole shows the visitors nothing (its commands still count). */
function emitNotebook(text: string, out: RecipeSink, visitors: CodeVisitors): string | undefined {
  const { cells, problem } = extractNotebookCells(text);
  const visit = problem ? {} : visitors;
  for (const cell of cells) {
    const inCell = mappingSink(out, cell.mapped, 'json');
    if (cell.cellType === 'markdown') emitMarkdown(cell.mapped.text, inCell, visit);
    else if (cell.cellType === 'code') {
      emitPython(cell.mapped.text, inCell);
      visit.python?.(cell.mapped.text, inCell);
    }
  }
  return problem;
}

export { escapeJsonText };
