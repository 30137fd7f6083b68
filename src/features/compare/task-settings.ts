/**
 * The task-level settings of a compare run (issue 15): the thresholds of task deltas in the verdict, a
 * multiple-choice file scored on both models, and sampling mode. Read when a run starts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SamplingSettings, TaskThresholds } from '../../protocol/report';
import { get, Setting } from '../common/config';

export interface TaskEngineSettings {
  readonly taskThresholds: TaskThresholds;
  /** Absolute path of the multiple-choice file, if one is set. */
  readonly choicesFile?: string;
  readonly sampling?: SamplingSettings;
}

function resolveInWorkspace(file: string): string | undefined {
  if (!file.trim()) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return folder ? path.resolve(folder, file) : path.resolve(file);
}

export function taskEngineSettings(): TaskEngineSettings {
  const samples = Math.floor(get(Setting.Samples, 0));
  const choicesFile = resolveInWorkspace(get(Setting.ChoicesFile, ''));
  return {
    taskThresholds: { deltaWarnPp: get(Setting.TaskDeltaWarnPp, 2), deltaFailPp: get(Setting.TaskDeltaFailPp, 5) },
    ...(choicesFile ? { choicesFile } : {}),
    ...(samples > 0
      ? {
          sampling: {
            k: samples,
            temperature: Math.max(0, get(Setting.SampleTemperature, 0.7)),
            topP: Math.min(1, Math.max(0.01, get(Setting.SampleTopP, 0.95))),
            seed: 1,
          },
        }
      : {}),
  };
}
