/**
 * The prompt files the panel offers: the workspace's own `*.jsonl` files in our prompt schema first, then the suites
 * shipped in the extension's prompts/ folder. A pair gets the prompt file nearest to its base model preselected:
 * from the model folder up to its workspace folder, the first level holding a `*.jsonl` file (or a `prompts/` folder
 * with one) wins. The demo does exactly that: `demo/models/fp16` finds `demo/prompts/debian-heldout-tasks.jsonl`, the
 * prompts held apart from the model's training. No `vscode` import: the file search comes in as a list of paths.
 */
import { promises as fs } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parsePromptsJsonl, type SuiteInfo } from '../../core/drift/prompts';
import type { SuiteOption } from '../../protocol/webview';

/** Larger JSONL files are not prompt files we offer (a 1000-prompt suite is well under this). */
export const MAX_PROMPT_FILE_BYTES = 5 * 2 ** 20;
/** All the files read for one listing together: a workspace full of JSONL logs stops costing at this. */
export const MAX_PROMPT_BYTES_TOTAL = 32 * 2 ** 20;
export const WORKSPACE_PREFIX = 'workspace:';

export interface WorkspacePromptFile {
  readonly path: string;
  /** Path relative to its workspace folder, with `/`. */
  readonly label: string;
  readonly count: number;
  readonly description: string;
}

/** The files among `paths` that parse as our prompt schema (bounded in size); the others are skipped. */
export async function readPromptFiles(
  paths: readonly string[],
  roots: readonly string[],
  onSkip: (path: string, why: string) => void = () => undefined,
): Promise<WorkspacePromptFile[]> {
  const files: WorkspacePromptFile[] = [];
  let budget = MAX_PROMPT_BYTES_TOTAL;
  for (const path of paths) {
    try {
      const { size } = await fs.stat(path);
      if (size > MAX_PROMPT_FILE_BYTES || size > budget) {
        onSkip(
          path,
          size > budget
            ? 'the listing read its byte budget already'
            : `larger than ${MAX_PROMPT_FILE_BYTES / 2 ** 20} MB`,
        );
        continue;
      }
      budget -= size;
      const parsed = parsePromptsJsonl(await fs.readFile(path, 'utf8'), path);
      const root = roots.find((r) => path.startsWith(r + sep)) ?? dirname(path);
      files.push({
        path,
        label: relative(root, path).split(sep).join('/'),
        count: parsed.prompts.length,
        description: parsed.description,
      });
    } catch (error) {
      onSkip(path, error instanceof Error ? error.message : String(error));
    }
  }
  return files.sort((a, b) => a.label.localeCompare(b.label));
}

/** The prompt file nearest to `modelFolder`, looking up to (and including) the workspace folder that holds it. */
export function nearestPromptFile(
  modelFolder: string,
  files: readonly WorkspacePromptFile[],
  roots: readonly string[],
): WorkspacePromptFile | null {
  const root = roots.find((r) => modelFolder === r || modelFolder.startsWith(r + sep));
  if (!root) return null;
  for (let dir = modelFolder; ; dir = dirname(dir)) {
    const here = files.filter((f) => dirname(f.path) === dir || dirname(f.path) === join(dir, 'prompts'));
    if (here.length > 0) return here[0];
    if (dir === root || dirname(dir) === dir) return null;
  }
}

export function workspaceOption(file: WorkspacePromptFile): SuiteOption {
  const count = `${file.count} prompt${file.count === 1 ? '' : 's'}`;
  return {
    id: `${WORKSPACE_PREFIX}${file.path}`,
    label: file.label,
    detail: `${count} in this workspace${file.description ? `: ${file.description}` : ''}`,
    source: 'workspace',
  };
}

export function builtinOption(suite: SuiteInfo): SuiteOption {
  return {
    id: suite.name,
    label: `${suite.name} (built in)`,
    detail: `${suite.count} prompt${suite.count === 1 ? '' : 's'} shipped with Quant Drift${suite.description ? `: ${suite.description}` : ''}`,
    source: 'builtin',
  };
}
