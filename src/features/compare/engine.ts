/**
 * The compare panel's connection to the drift engine: the runner child process (one per panel, started on
 * the first run, replaced if it dies) and the prompt suites shipped in the extension's prompts/ folder.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listSuites, loadSuite, parsePromptsJsonl, type SuiteInfo } from '../../core/drift/prompts';
import { RunnerClient } from '../../core/drift/runner-client';
import { isPanelPrompt, type PanelPrompt } from '../../protocol/webview';
import { loadChoiceFile } from '../../core/tasks/choice/load';
import type { RunPair, RunSettings } from './controller';
import type { TaskEngineSettings } from './task-settings';

/** What a run reads when it starts: the panel's runtime settings and the task-evaluation settings. */
export type EngineSettings = RunSettings & Partial<TaskEngineSettings>;

/**
 * A RunPair over one lazily started runner; `dispose` kills it. The new-token limits come with the request (the
 * ones the panel's header showed); the runtime settings are read when the run starts.
 */
export function runnerBackedRunPair(
  extensionPath: string,
  settings: () => EngineSettings,
): { runPair: RunPair; dispose(): void } {
  let client: RunnerClient | null = null;
  const runPair: RunPair = async (request, onEvent, signal) => {
    if (!client || !client.alive) client = RunnerClient.start({ runnerPath: join(extensionPath, 'dist', 'runner.js') });
    const { executionProvider, threads, thresholds, taskThresholds, choicesFile, sampling } = settings();
    const choiceItems = choicesFile ? await loadChoiceFile(choicesFile) : undefined;
    return client.compare(
      {
        basePath: request.basePath,
        quantPath: request.quantPath,
        prompts: request.prompts,
        maxNewTokens: request.maxNewTokens,
        jsonMaxNewTokens: request.jsonMaxNewTokens,
        executionProvider,
        threads,
        thresholds,
        ...(taskThresholds ? { taskThresholds } : {}),
        ...(choiceItems ? { choiceItems, choiceFile: choicesFile } : {}),
        ...(sampling ? { sampling } : {}),
      },
      onEvent,
      signal,
    );
  };
  return {
    runPair,
    dispose: () => {
      client?.dispose();
      client = null;
    },
  };
}

function toPanelPrompts(
  prompts: readonly { id: string; prompt: string; expectsJson?: boolean; schema?: object }[],
): PanelPrompt[] {
  // Suites and imported files become panel prompts only if they pass the same guard the page's messages do.
  return prompts.filter((prompt) => isPanelPrompt(prompt)) as PanelPrompt[];
}

export function suitesDir(extensionPath: string): string {
  return join(extensionPath, 'prompts');
}

export async function shippedSuites(extensionPath: string): Promise<SuiteInfo[]> {
  return listSuites(suitesDir(extensionPath));
}

export async function suitePrompts(extensionPath: string, name: string): Promise<PanelPrompt[]> {
  return toPanelPrompts(await loadSuite(name, suitesDir(extensionPath)));
}

/** Parses a user's JSONL prompt file; errors name the file and line (PromptFileError). */
export async function promptsFromFile(path: string): Promise<PanelPrompt[]> {
  return toPanelPrompts(parsePromptsJsonl(await readFile(path, 'utf8'), path).prompts);
}
