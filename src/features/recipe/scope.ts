/**
 * Which documents the recipe checks look at. Pure (no `vscode` import) so the rules of scope are the same for
 * open editors and for "Lint Recipes in Workspace", and cheap enough to run on every open event.
 */
import { namesOlivePass } from '../../core/recipe/index';

/** VS Code language ids whose documents can hold export commands or quantization configs. */
export const RECIPE_LANGUAGES = [
  'shellscript',
  'markdown',
  // MDX pages (the MDX extension's language id) are Markdown with JSX: read like Markdown.
  'mdx',
  'python',
  'dockerfile',
  'yaml',
  'powershell',
  'bat',
  'json',
  'jsonc',
] as const;

/** JSON files that are quantization configs by name, whatever their content. */
const CONFIG_FILE_NAMES = new Set(['openvino_config.json', 'config.json', 'quant_config.json', 'genai_config.json']);

/**
 * Text that marks any other JSON file as worth linting (an Olive workflow, a config holding a quantization block).
 * Every other JSON document (package.json, tokenizer.json, ...) is left alone, so opening one costs nothing.
 */
const JSON_MARKERS = ['"passes"', '"quantization_config"', '"quant_method"', '"ov_quant_config"', 'optimum-cli'];

/** Glob for "Lint Recipes in Workspace": every file name the extractors understand. */
export const WORKSPACE_GLOB =
  '**/{*.sh,*.bash,*.md,*.mdx,*.py,*.ipynb,*.ps1,*.cmd,*.bat,*.yml,*.yaml,*.json,*.jsonc,Dockerfile,*.Dockerfile,Dockerfile.*}';
export const WORKSPACE_EXCLUDE = '**/{node_modules,.git,.venv,venv,__pycache__,dist,out}/**';

export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}

export function isJsonLanguage(languageId: string): boolean {
  return languageId === 'json' || languageId === 'jsonc';
}

export function isConfigFileName(path: string): boolean {
  const name = baseName(path).toLowerCase();
  return CONFIG_FILE_NAMES.has(name) || name.includes('olive') || name.endsWith('.ipynb');
}

/** Whether a language id is one the checks run on at all (cheap: no text needed). */
export function isRecipeLanguage(languageId: string): boolean {
  return (RECIPE_LANGUAGES as readonly string[]).includes(languageId);
}

/**
 * Whether this document is worth linting. JSON counts only when its name says it is a config, or its text
 * carries one of the markers; every other language in scope always counts.
 */
export function isRelevant(languageId: string, fileName: string, text: () => string): boolean {
  if (!isRecipeLanguage(languageId)) return isConfigFileName(fileName);
  if (!isJsonLanguage(languageId)) return true;
  if (isConfigFileName(fileName)) return true;
  const content = text();
  // An Olive pass on its own (`{ "type": "GptqQuantizer", ... }`) has none of the markers but names its pass type.
  return JSON_MARKERS.some((marker) => content.includes(marker)) || namesOlivePass(content);
}

/** Language id VS Code would give a file, for files linted from disk (Lint Recipes in Workspace). */
export function languageIdForFile(path: string): string | undefined {
  const name = baseName(path).toLowerCase();
  if (name === 'dockerfile' || name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'dockerfile';
  const ext = name.slice(name.lastIndexOf('.') + 1);
  const byExtension: Record<string, string> = {
    sh: 'shellscript',
    bash: 'shellscript',
    md: 'markdown',
    mdx: 'mdx',
    py: 'python',
    ipynb: 'jupyter',
    ps1: 'powershell',
    cmd: 'bat',
    bat: 'bat',
    yml: 'yaml',
    yaml: 'yaml',
    json: 'json',
    jsonc: 'jsonc',
  };
  return byExtension[ext];
}

/** A NUL in the first bytes means a binary file: skipped with a reason, never parsed. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}
