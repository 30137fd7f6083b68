/**
 * lintText: text -> extractors (per syntax) -> Recipe[] -> rules(target) -> Finding[].
 * Never throws: unreadable input comes back as `skipped` with the reason.
 *
 * Each recipe is judged as soon as an extractor finds it and only its findings are kept: holding every recipe of
 * a large file until the end was its largest cost (garbage collection copied them all, twice). The recipes
 * themselves are extracted again when a caller reads `recipes` (extractRecipes, for hovers and completions).
 */
import type { DeviceProfileId } from '../devices/profiles';
import { DEFAULT_TARGET, isDeviceProfileId } from '../devices/profiles';
import { byStart, emitCommands, type CodeVisitors, type RecipeSink, type SourceKind } from './commands/extract';
import { extractJsonConfigs, extractJsonFence } from './json/index';
import { extractPythonConfigs } from './python/index';
import { evaluateCommand } from './rules/cli';
import { evaluateConfig } from './rules/config';
import type { Finding, Recipe } from './types';

export interface LintContext {
  readonly fileName: string;
  readonly languageId?: string;
  readonly target?: DeviceProfileId;
}

export interface LintResult {
  readonly findings: Finding[];
  /** The recipes found, in document order. */
  readonly recipes: Recipe[];
  readonly recipeCount: number;
  readonly target: DeviceProfileId;
  readonly skipped?: string;
}

export interface Extraction {
  readonly recipes: Recipe[];
  readonly target: DeviceProfileId;
  readonly skipped?: string;
}

/** Larger texts are skipped with a reason (a 50 MB log is not a recipe). */
export const MAX_LINT_CHARS = 20 * 1024 * 1024;

const DIRECTIVE = /quant-drift:\s*target\s*=\s*([A-Za-z0-9_-]+)/;

/** The target named by a `quant-drift: target=ID` comment, if any and valid. */
export function directiveTarget(text: string): DeviceProfileId | undefined {
  const match = DIRECTIVE.exec(text);
  return match && isDeviceProfileId(match[1]) ? match[1] : undefined;
}

/**
 * Applies a rule set to one recipe. `text` (the document) lets config rules write fixes that keep the
 * user's literal spelling (`False` -> `True`); without it those findings come without fixes.
 */
export function evaluateRecipe(recipe: Recipe, target: DeviceProfileId, text?: string): Finding[] {
  return recipe.dialect === 'optimum-cli' ? evaluateCommand(recipe, target) : evaluateConfig(recipe, target, text);
}

type FileKind = SourceKind | 'json';

const LANGUAGE_KINDS: Record<string, FileKind> = {
  shellscript: 'shell',
  bat: 'cmd',
  powershell: 'powershell',
  python: 'python',
  markdown: 'markdown',
  mdx: 'markdown',
  dockerfile: 'shell',
  yaml: 'shell',
  json: 'json',
  jsonc: 'json',
};

export function fileKind(fileName: string, languageId?: string, text?: string): FileKind {
  const lower = fileName.toLowerCase();
  if (languageId === 'jupyter' || (!languageId && lower.endsWith('.ipynb'))) {
    // VS Code hands notebook cells over as python text; a whole .ipynb file is JSON.
    return text !== undefined && /^\s*\{/.test(text) ? 'notebook' : 'python';
  }
  if (languageId && LANGUAGE_KINDS[languageId]) return LANGUAGE_KINDS[languageId];
  const base = lower.split(/[\\/]/).pop() ?? lower;
  if (
    /\.(sh|bash|zsh|ksh)$/.test(base) ||
    base.startsWith('dockerfile') ||
    base.endsWith('.dockerfile') ||
    /\.(ya?ml)$/.test(base)
  )
    return 'shell';
  if (/\.(cmd|bat)$/.test(base)) return 'cmd';
  if (/\.(ps1|psm1)$/.test(base)) return 'powershell';
  if (/\.(py|pyw|pyi)$/.test(base)) return 'python';
  if (/\.(md|mdx|markdown|rst)$/.test(base)) return 'markdown';
  if (/\.(json|jsonc)$/.test(base)) return 'json';
  return 'generic';
}

function looksBinary(text: string): boolean {
  const head = text.slice(0, 8192);
  return head.includes('\u0000') || (head.match(/\uFFFD/g)?.length ?? 0) > 16;
}

const NO_FINDINGS: readonly Finding[] = [];

function safely<T>(problems: string[], what: string, run: () => T, fallback: T): T {
  try {
    return run();
  } catch (error) {
    problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return fallback;
  }
}

function emitAll(text: string, kind: FileKind, fileName: string, problems: string[], out: RecipeSink): void {
  if (kind === 'json') {
    const json = safely(problems, 'JSON config extractor', () => extractJsonConfigs(text, fileName), { recipes: [] });
    if (json.parseError && !json.recipes.length) problems.push(`not valid JSON: ${json.parseError.message}`);
    for (const recipe of json.recipes) out.push(recipe);
    safely(problems, 'command extractor', () => emitCommands(text, 'generic', out), undefined);
    return;
  }
  // Config calls come from every piece of Python the command extractors meet: the file, fences, code cells; and
  // Olive passes or quantization configs from the JSON fences of Markdown text.
  const visitors: CodeVisitors = {
    python: (python, sink) => {
      for (const recipe of safely(problems, 'Python config extractor', () => extractPythonConfigs(python), []))
        sink.push(recipe);
    },
    json: (json, sink) => {
      for (const recipe of safely(problems, 'JSON config extractor', () => extractJsonFence(json), []))
        sink.push(recipe);
    },
  };
  const readsCode = kind === 'python' || kind === 'markdown' || kind === 'notebook';
  const problem = safely(
    problems,
    'command extractor',
    () => emitCommands(text, kind, out, readsCode ? visitors : {}),
    undefined,
  );
  if (problem) problems.push(problem);
}

/** Why `text` is not checked at all (too large, binary), or undefined. */
function unreadable(text: string): string | undefined {
  if (text.length > MAX_LINT_CHARS)
    return `larger than ${MAX_LINT_CHARS / 1024 / 1024} MB (${(text.length / 1024 / 1024).toFixed(1)} MB); not checked`;
  if (looksBinary(text)) return 'binary content; not checked';
  return undefined;
}

/** The recipes of `text` in document order, without judging them (hovers, completions, tests). */
export function extractRecipes(text: string, ctx: LintContext): Extraction {
  const fallbackTarget = ctx.target ?? DEFAULT_TARGET;
  const skipped = unreadable(text);
  if (skipped) return { recipes: [], target: fallbackTarget, skipped };
  const target = directiveTarget(text) ?? fallbackTarget;
  const problems: string[] = [];
  const recipes: Recipe[] = [];
  emitAll(text, fileKind(ctx.fileName, ctx.languageId, text), ctx.fileName, problems, recipes);
  recipes.sort(byStart);
  return problems.length ? { recipes, target, skipped: problems.join('; ') } : { recipes, target };
}

/** A lint result whose recipes are extracted again only if someone reads them (private fields stay out of JSON). */
class FindingsResult implements LintResult {
  readonly #text: string;
  readonly #ctx: LintContext;
  #recipes: Recipe[] | undefined;

  constructor(
    readonly findings: Finding[],
    readonly recipeCount: number,
    readonly target: DeviceProfileId,
    readonly skipped: string | undefined,
    text: string,
    ctx: LintContext,
  ) {
    this.#text = text;
    this.#ctx = ctx;
  }

  get recipes(): Recipe[] {
    this.#recipes ??= extractRecipes(this.#text, this.#ctx).recipes;
    return this.#recipes;
  }
}

export function lintText(text: string, ctx: LintContext): LintResult {
  const fallbackTarget = ctx.target ?? DEFAULT_TARGET;
  const skipped = unreadable(text);
  if (skipped) return { findings: [], recipes: [], recipeCount: 0, target: fallbackTarget, skipped };
  const target = directiveTarget(text) ?? fallbackTarget;
  const problems: string[] = [];
  const findings: Finding[] = [];
  let recipeCount = 0;
  const judge: RecipeSink = {
    push(recipe) {
      recipeCount++;
      for (const finding of safely(problems, 'rules', () => evaluateRecipe(recipe, target, text), NO_FINDINGS))
        findings.push(finding);
    },
  };
  emitAll(text, fileKind(ctx.fileName, ctx.languageId, text), ctx.fileName, problems, judge);
  findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const problem = problems.length ? problems.join('; ') : undefined;
  return new FindingsResult(findings, recipeCount, target, problem, text, ctx);
}
