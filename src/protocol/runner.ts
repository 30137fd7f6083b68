/**
 * Messages between the host (extension or CLI) and the model runner child process (src/runner/main.ts).
 * Discriminated unions with runtime guards: both sides check what arrives, since a message crosses a process
 * boundary and a malformed one must become a clear error, not an exception deep in a handler.
 */
import type { ChoiceItemSpec, PromptSpec } from './prompts';
import type {
  CompareReport,
  DriftThresholds,
  GenerationSide,
  ModelSide,
  PromptResult,
  SamplingSettings,
  TaskThresholds,
} from './report';
import {
  arrayOf,
  isInteger,
  isNumber as isAnyNumber,
  isString as isAnyString,
  object,
  optional,
  type Guard,
} from './guards';
import { isTaskReport } from './task-guards';
import { isGenerationSide, isPromptResult, isSettings, isSummary } from './webview';

export type { PromptSpec };

export interface CompareRequest {
  readonly basePath: string;
  readonly quantPath: string;
  readonly prompts: readonly PromptSpec[];
  readonly maxNewTokens: number;
  /** Limit for JSON-expecting prompts (they generate until EOS up to it); maxNewTokens when absent. */
  readonly jsonMaxNewTokens?: number;
  readonly executionProvider: string;
  readonly threads: number;
  readonly thresholds?: Partial<DriftThresholds>;
  /** Force one model in memory at a time (otherwise decided from free memory). */
  readonly oneAtATime?: boolean;
  /** Multiple-choice items scored by log-likelihood on both models, and the file they came from. */
  readonly choiceItems?: readonly ChoiceItemSpec[];
  readonly choiceFile?: string;
  /** Sampling mode: k seeded samples per prompt and side besides the greedy run. */
  readonly sampling?: SamplingSettings;
  readonly taskThresholds?: Partial<TaskThresholds>;
}

/** Corpus mode: score both models over a text in windows of `context` tokens. */
export interface CorpusRequest {
  readonly basePath: string;
  readonly quantPath: string;
  readonly text: string;
  readonly file: string;
  readonly context: number;
  readonly executionProvider: string;
  readonly threads: number;
  readonly thresholds?: Partial<DriftThresholds>;
  /** Stop after this many windows (0: all). */
  readonly maxWindows?: number;
}

export interface GenerateRequest {
  readonly modelPath: string;
  readonly prompt: string;
  readonly maxNewTokens: number;
  readonly executionProvider: string;
  readonly threads: number;
}

export interface LoadRequest {
  readonly modelPath: string;
  readonly executionProvider: string;
  readonly threads: number;
}

export interface LoadedModelInfo {
  readonly path: string;
  readonly weights: string;
  readonly accuracyLevel: number | null;
  readonly numLayers: number;
  readonly vocabSize: number;
  readonly ioDtype: string;
  readonly sizeBytes: number;
  readonly loadMs: number;
}

export type CompareEvent =
  | { readonly type: 'progress'; readonly promptIndex: number; readonly total: number; readonly phase: string }
  | { readonly type: 'prompt-result'; readonly result: PromptResult };

/** Host -> runner. */
export type HostMessage =
  | { readonly type: 'load'; readonly id: number; readonly request: LoadRequest }
  | { readonly type: 'generate'; readonly id: number; readonly request: GenerateRequest }
  | { readonly type: 'score'; readonly id: number; readonly request: CorpusRequest }
  | { readonly type: 'compare'; readonly id: number; readonly request: CompareRequest }
  | { readonly type: 'cancel'; readonly id: number };

export type ResultValue = CompareReport | GenerationSide | LoadedModelInfo;

/** Runner -> host. */
export type RunnerMessage =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'progress'; readonly id: number; readonly event: CompareEvent }
  | { readonly type: 'result'; readonly id: number; readonly value: ResultValue }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly cancelled?: boolean };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const isInstructionSpec = (value: unknown): boolean => isObject(value) && isString(value.id) && isObject(value.kwargs);

export function isPromptSpec(value: unknown): value is PromptSpec {
  return (
    isObject(value) &&
    isString(value.id) &&
    isString(value.prompt) &&
    (value.expectsJson === undefined || typeof value.expectsJson === 'boolean') &&
    (value.schema === undefined || isObject(value.schema)) &&
    (value.instructions === undefined ||
      (Array.isArray(value.instructions) && value.instructions.every(isInstructionSpec)))
  );
}

export function isChoiceItemSpec(value: unknown): value is ChoiceItemSpec {
  return (
    isObject(value) &&
    isString(value.id) &&
    isString(value.context) &&
    Array.isArray(value.choices) &&
    value.choices.length >= 2 &&
    value.choices.every(isString) &&
    isNumber(value.answer) &&
    Number.isInteger(value.answer) &&
    value.answer >= 0 &&
    value.answer < value.choices.length &&
    (value.prompt === undefined || isString(value.prompt))
  );
}

const isSampling = (value: unknown): boolean =>
  isObject(value) &&
  isNumber(value.k) &&
  Number.isInteger(value.k) &&
  value.k >= 1 &&
  isNumber(value.temperature) &&
  value.temperature >= 0 &&
  isNumber(value.topP) &&
  value.topP > 0 &&
  value.topP <= 1 &&
  isNumber(value.seed);

const hasRuntime = (r: Record<string, unknown>): boolean =>
  isString(r.executionProvider) && isNumber(r.threads) && r.threads >= 0;

export function isCompareRequest(value: unknown): value is CompareRequest {
  return (
    isObject(value) &&
    isString(value.basePath) &&
    isString(value.quantPath) &&
    Array.isArray(value.prompts) &&
    value.prompts.every(isPromptSpec) &&
    isNumber(value.maxNewTokens) &&
    value.maxNewTokens >= 1 &&
    (value.jsonMaxNewTokens === undefined || (isNumber(value.jsonMaxNewTokens) && value.jsonMaxNewTokens >= 1)) &&
    hasRuntime(value) &&
    (value.choiceItems === undefined ||
      (Array.isArray(value.choiceItems) && value.choiceItems.every(isChoiceItemSpec))) &&
    (value.sampling === undefined || isSampling(value.sampling))
  );
}

export function isCorpusRequest(value: unknown): value is CorpusRequest {
  return (
    isObject(value) &&
    isString(value.basePath) &&
    isString(value.quantPath) &&
    isString(value.text) &&
    isString(value.file) &&
    isNumber(value.context) &&
    value.context >= 2 &&
    hasRuntime(value)
  );
}

export function isHostMessage(value: unknown): value is HostMessage {
  if (!isObject(value) || !isNumber(value.id)) return false;
  const request = value.request;
  switch (value.type) {
    case 'cancel':
      return true;
    case 'compare':
      return isCompareRequest(request);
    case 'score':
      return isCorpusRequest(request);
    case 'generate':
      return (
        isObject(request) &&
        isString(request.modelPath) &&
        isString(request.prompt) &&
        isNumber(request.maxNewTokens) &&
        hasRuntime(request)
      );
    case 'load':
      return isObject(request) && isString(request.modelPath) && hasRuntime(request);
    default:
      return false;
  }
}

export function isCompareEvent(value: unknown): value is CompareEvent {
  if (!isObject(value)) return false;
  if (value.type === 'progress') return isNumber(value.promptIndex) && isNumber(value.total) && isString(value.phase);
  return value.type === 'prompt-result' && isObject(value.result) && isString(value.result.id);
}

export function isRunnerMessage(value: unknown): value is RunnerMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'ready':
      return isNumber(value.pid);
    case 'progress':
      return isNumber(value.id) && isCompareEvent(value.event);
    case 'result':
      return isNumber(value.id) && isObject(value.value);
    case 'error':
      return isNumber(value.id) && isString(value.message);
    default:
      return false;
  }
}

const isModelSide = object<ModelSide>({ path: isAnyString, weights: isAnyString });

/**
 * What a `result` message must hold for the call it answers: a runner that answers with something else (a bug,
 * a version skew, a hostile process in its place) is an error, never a report passed on as if it were one.
 */
export const isCompareReport: Guard<CompareReport> = object<CompareReport>({
  base: isModelSide,
  quant: isModelSide,
  settings: isSettings,
  prompts: arrayOf(isPromptResult),
  summary: isSummary,
  tasks: optional(isTaskReport),
});

export const isLoadedModelInfo: Guard<LoadedModelInfo> = object<LoadedModelInfo>({
  path: isAnyString,
  weights: isAnyString,
  accuracyLevel: (v): v is number | null => v === null || isAnyNumber(v),
  numLayers: isInteger(0),
  vocabSize: isInteger(0),
  ioDtype: isAnyString,
  sizeBytes: isAnyNumber,
  loadMs: isAnyNumber,
});

export { isGenerationSide };
