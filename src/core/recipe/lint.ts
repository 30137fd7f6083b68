/**
 * lintText: text -> extractors (per syntax) -> Recipe[] -> rules(target) -> Finding[].
 * Never throws: unreadable input comes back as `skipped` with the reason.
 */
import type { DeviceProfileId } from '../devices/profiles';
import { DEFAULT_TARGET, isDeviceProfileId } from '../devices/profiles';
import { extractCommands, mapRecipe, pythonFences, type SourceKind } from './commands/extract';
import { offsetMapper, type MappedText } from './commands/mapped';
import { extractNotebookCells } from './commands/notebook';
import { extractJsonConfigs } from './json/index';
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

function extractAll(text: string, kind: FileKind, fileName: string, problems: string[]): Recipe[] {
  const recipes: Recipe[] = [];
  if (kind === 'json') {
    const json = safely(problems, 'JSON config extractor', () => extractJsonConfigs(text, fileName), { recipes: [] });
    if (json.parseError && !json.recipes.length) problems.push(`not valid JSON: ${json.parseError.message}`);
    recipes.push(...json.recipes);
    recipes.push(...safely(problems, 'command extractor', () => extractCommands(text, 'generic').recipes, []));
    return recipes;
  }
  const commands = safely(problems, 'command extractor', () => extractCommands(text, kind), {
    recipes: [] as Recipe[],
  });
  if (commands.problem) problems.push(commands.problem);
  recipes.push(...commands.recipes);
  const configs = (pythonText: string): Recipe[] =>
    safely(problems, 'Python config extractor', () => extractPythonConfigs(pythonText), []);
  if (kind === 'python') recipes.push(...configs(text));
  if (kind === 'markdown') recipes.push(...fencedConfigs(text, configs));
  if (kind === 'notebook' && !commands.problem) {
    for (const cell of safely(problems, 'notebook reader', () => extractNotebookCells(text).cells, [])) {
      if (cell.cellType === 'code') {
        recipes.push(...configs(cell.mapped.text).map((recipe) => mapRecipe(recipe, cell.mapped, 'json')));
      } else if (cell.cellType === 'markdown') {
        recipes.push(...fencedConfigs(cell.mapped.text, configs, cell.mapped));
      }
    }
  }
  return recipes;
}

/**
 * Config calls in the ```python fences of Markdown (a README, or a notebook's Markdown cell, whose decoded text
 * `cell` maps back into the notebook's JSON), placed on the document.
 */
function fencedConfigs(markdown: string, configs: (pythonText: string) => Recipe[], cell?: MappedText): Recipe[] {
  const recipes: Recipe[] = [];
  for (const fence of pythonFences(markdown)) {
    const inFence = offsetMapper(fence.start);
    const toDocument = cell ? cell.compose(inFence) : inFence;
    for (const recipe of configs(markdown.slice(fence.start, fence.end)))
      recipes.push(mapRecipe(recipe, toDocument, cell ? 'json' : undefined));
  }
  return recipes;
}

export function lintText(text: string, ctx: LintContext): LintResult {
  const fallbackTarget = ctx.target ?? DEFAULT_TARGET;
  if (text.length > MAX_LINT_CHARS) {
    return {
      findings: [],
      recipes: [],
      target: fallbackTarget,
      skipped: `larger than ${MAX_LINT_CHARS / 1024 / 1024} MB (${(text.length / 1024 / 1024).toFixed(1)} MB); not checked`,
    };
  }
  if (looksBinary(text))
    return { findings: [], recipes: [], target: fallbackTarget, skipped: 'binary content; not checked' };
  const target = directiveTarget(text) ?? fallbackTarget;
  const problems: string[] = [];
  const recipes = extractAll(text, fileKind(ctx.fileName, ctx.languageId, text), ctx.fileName, problems).sort(
    (a, b) => a.span.start - b.span.start,
  );
  const findings: Finding[] = [];
  for (const recipe of recipes) {
    for (const finding of safely(problems, 'rules', () => evaluateRecipe(recipe, target, text), NO_FINDINGS))
      findings.push(finding);
  }
  findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return problems.length ? { findings, recipes, target, skipped: problems.join('; ') } : { findings, recipes, target };
}
