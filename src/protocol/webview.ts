/**
 * Messages between the compare panel's webview and the extension host. Both sides validate every
 * message with these guards: an unknown or malformed message is dropped and logged, never executed.
 * The host holds the state; the webview renders it and asks for it again when it becomes ready.
 */
import type {
  CompareReport,
  CompareSettings,
  CompareSummary,
  GenerationSide,
  JsonValidity,
  PromptResult,
  TaskReport,
  TeacherForced,
  TopKCandidate,
} from './report';
import { isTaskReport } from './task-guards';
import {
  arrayOf,
  isBoolean,
  isInteger,
  isJsonObject,
  isNumber,
  isString,
  literal,
  nullable,
  object,
  optional,
  type Guard,
} from './guards';

/** A prompt as the panel edits it; the same shape as the runner's PromptSpec. */
export interface PanelPrompt {
  readonly id: string;
  readonly prompt: string;
  readonly expectsJson?: boolean;
  readonly schema?: Record<string, unknown>;
}

/** A prompt file the panel offers: the workspace's own JSONL files first, then the suites shipped with us. */
export interface SuiteOption {
  /** A shipped suite's name, or `workspace:` and the file's path relative to its workspace folder. */
  readonly id: string;
  readonly label: string;
  /** Prompt count and where it comes from, for the dropdown's tooltip. */
  readonly detail: string;
  readonly source: 'workspace' | 'builtin';
}

export interface SideView {
  readonly path: string;
  readonly format: string;
  /** e.g. "fp16", "int4 sym g128". */
  readonly precision: string;
  /** Quantization recipe as recorded beside the model, e.g. "sym, block 128, accuracy_level 4"; null if none. */
  readonly recipe: string | null;
  /** What inspection knows beyond precision (params, size, device verdicts), one line each. */
  readonly facts: readonly string[];
}

export interface PairView {
  readonly base: SideView;
  readonly quant: SideView;
  readonly executionProvider: string;
  readonly accuracyLevel: number | null;
  readonly threads: number;
  /** The settings in force for the next run (refreshed when they change). */
  readonly maxNewTokens: number;
  /** JSON prompts generate until EOS up to this limit; absent in states saved before it existed. */
  readonly jsonMaxNewTokens?: number;
  /** True when the JSON limit is this panel's own (a rerun with a higher limit), not the setting. */
  readonly jsonLimitRaised?: boolean;
  /** Why this pair cannot run here (OpenVINO IR, GGUF, untrusted workspace); null when it can. */
  readonly blocked: string | null;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

export interface RunView {
  readonly status: RunStatus;
  /** Prompts finished so far, of `total`. */
  readonly done: number;
  readonly total: number;
  /** The runner's current phase ("loading base", "generating 3/8"...). */
  readonly phase: string;
  readonly error: string | null;
}

/** One saved run, as the history lists it (its report is read only when it is opened). */
export interface HistoryEntry {
  readonly id: string;
  /** ISO time the run ended. */
  readonly savedAt: string;
  readonly status: 'done' | 'cancelled' | 'error';
  readonly basePath: string;
  readonly quantPath: string;
  readonly basePrecision: string;
  readonly quantPrecision: string;
  /** Prompts finished, of `total`. */
  readonly done: number;
  readonly total: number;
  readonly suite: string | null;
  readonly summary: CompareSummary | null;
  readonly settings: CompareSettings | null;
}

/** What the history keeps of a run: its entry, the pair and prompts it ran, and the report (partial if cancelled). */
export interface SavedRun {
  readonly entry: HistoryEntry;
  readonly pair: PairView;
  readonly prompts: readonly PanelPrompt[];
  readonly report: CompareReport;
}

export interface PanelState {
  readonly pair: PairView | null;
  readonly prompts: readonly PanelPrompt[];
  readonly suites: readonly SuiteOption[];
  readonly suite: string | null;
  readonly run: RunView;
  readonly results: readonly PromptResult[];
  readonly summary: CompareSummary | null;
  readonly settings: CompareSettings | null;
  /** The task section of the last run's report (instruction checks, multiple choice, sampling), if it had tasks. */
  readonly tasks?: TaskReport | null;
  /** Saved runs of this workspace, newest first (absent in states saved before the history existed). */
  readonly history?: readonly HistoryEntry[];
  /** The history id of the run shown, once it is saved. */
  readonly runId?: string | null;
}

export type ExportFormat = 'json' | 'md' | 'html';

export type HostToWebview =
  | { readonly type: 'state'; readonly state: PanelState }
  | { readonly type: 'progress'; readonly run: RunView }
  | { readonly type: 'promptResult'; readonly index: number; readonly result: PromptResult }
  | { readonly type: 'notice'; readonly level: 'info' | 'error'; readonly text: string };

export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'setPrompts'; readonly prompts: readonly PanelPrompt[] }
  | { readonly type: 'loadSuite'; readonly name: string }
  | { readonly type: 'importPrompts' }
  | { readonly type: 'run' }
  | { readonly type: 'cancel' }
  | { readonly type: 'export'; readonly format: ExportFormat }
  | { readonly type: 'pickFolder'; readonly side: 'base' | 'quant' }
  | { readonly type: 'makeTwin' }
  /** Show a saved run from the history (here, or in a new panel while this one runs). */
  | { readonly type: 'openRun'; readonly id: string }
  /** Run again with a higher limit for JSON prompts (after most answers were truncated); this panel only. */
  | { readonly type: 'rerun'; readonly jsonMaxNewTokens: number }
  /** The page rendered a state: how many results it shows and the run status (tests wait on it). */
  | { readonly type: 'rendered'; readonly results: number; readonly status: RunStatus };

export const MAX_PROMPTS = 1000;
/** The highest JSON limit a rerun may ask for (the model's context bounds it further). */
export const MAX_JSON_NEW_TOKENS = 8192;
export const MAX_HISTORY = 100;
export const MAX_PROMPT_CHARS = 100_000;

const isShortString: Guard<string> = (v): v is string => isString(v) && v.length <= 1_000_000;
const isPromptText: Guard<string> = (v): v is string => isString(v) && v.length > 0 && v.length <= MAX_PROMPT_CHARS;
const isId: Guard<string> = (v): v is string => isString(v) && v.length > 0 && v.length <= 200;
const isCount = isInteger(0);
const isRunId: Guard<string> = (v): v is string => isString(v) && /^[\w-]{1,80}$/.test(v);
const isSuiteId: Guard<string> = (v): v is string => isString(v) && v.length > 0 && v.length <= 4096;

export const isPanelPrompt: Guard<PanelPrompt> = object<PanelPrompt>({
  id: isId,
  prompt: isPromptText,
  expectsJson: optional(isBoolean),
  schema: optional((v): v is Record<string, unknown> => isJsonObject(v)),
});

const isSideView = object<SideView>({
  path: isShortString,
  format: isShortString,
  precision: isShortString,
  recipe: nullable(isShortString),
  facts: arrayOf(isShortString, 100),
});

export const isPairView = object<PairView>({
  base: isSideView,
  quant: isSideView,
  executionProvider: isShortString,
  accuracyLevel: nullable(isNumber),
  threads: isCount,
  maxNewTokens: isCount,
  jsonMaxNewTokens: optional(isCount),
  jsonLimitRaised: optional(isBoolean),
  blocked: nullable(isShortString),
});

const isSuiteOption = object<SuiteOption>({
  id: isSuiteId,
  label: isShortString,
  detail: isShortString,
  source: literal('workspace', 'builtin'),
});

export const isRunView = object<RunView>({
  status: literal('idle', 'running', 'done', 'cancelled', 'error'),
  done: isCount,
  total: isCount,
  phase: isShortString,
  error: nullable(isShortString),
});

const isJsonValidity = object<JsonValidity>({
  strict: isBoolean,
  extracted: isBoolean,
  schemaErrors: arrayOf(isShortString, 1000),
  schemaValid: optional(isBoolean),
  incomplete: optional(isBoolean),
});

export const isGenerationSide = object<GenerationSide>({
  text: isShortString,
  tokens: isCount,
  tokenIds: optional(arrayOf(isInteger())),
  tokenTexts: optional(arrayOf(isShortString)),
  finishReason: literal('eos', 'length', 'cancelled', 'error'),
  jsonValid: nullable(isJsonValidity),
});

const isTeacherForced = object<TeacherForced>({
  tokens: isCount,
  meanKld: isNumber,
  maxKld: isNumber,
  sameTop1: isNumber,
  deltaPRms: isNumber,
  pplBase: isNumber,
  pplQuant: isNumber,
  kldPerToken: optional(arrayOf(isNumber)),
  kldGrowth: optional(isNumber),
});

const isTopK = object<TopKCandidate>({ token: isShortString, id: isInteger(), prob: isNumber });

export const isPromptResult: Guard<PromptResult> = object<PromptResult>({
  id: isShortString,
  prompt: isShortString,
  expectsJson: isBoolean,
  base: isGenerationSide,
  quant: isGenerationSide,
  firstDivergence: nullable(isCount),
  teacherForced: isTeacherForced,
  topKAtDivergence: optional(object({ base: arrayOf(isTopK, 100), quant: arrayOf(isTopK, 100) })),
});

const isCountOpt = optional(isCount);
const isShareOpt = optional(nullable(isNumber));

export const isSummary = object<CompareSummary>({
  prompts: isCount,
  identicalOutputs: isCount,
  meanKld: isNumber,
  kldP99: isNumber,
  sameTop1: isNumber,
  pplRatio: isNumber,
  deltaPRms: isNumber,
  jsonValidBase: nullable(isNumber),
  jsonValidQuant: nullable(isNumber),
  eosShift: isNumber,
  verdict: literal('ok', 'warn', 'fail'),
  reasons: arrayOf(isShortString, 100),
  jsonPrompts: isCountOpt,
  jsonTruncatedBase: isCountOpt,
  jsonTruncatedQuant: isCountOpt,
  jsonValidFinishedBase: isShareOpt,
  jsonValidFinishedQuant: isShareOpt,
  partial: optional(isBoolean),
});

export const isSettings = object<CompareSettings>({
  maxNewTokens: isCount,
  jsonMaxNewTokens: isCountOpt,
  executionProvider: isShortString,
  accuracyLevel: nullable(isNumber),
  threads: isCount,
});

export const isHistoryEntry = object<HistoryEntry>({
  id: isRunId,
  savedAt: isShortString,
  status: literal('done', 'cancelled', 'error'),
  basePath: isShortString,
  quantPath: isShortString,
  basePrecision: isShortString,
  quantPrecision: isShortString,
  done: isCount,
  total: isCount,
  suite: nullable(isSuiteId),
  summary: nullable(isSummary),
  settings: nullable(isSettings),
});

/** A saved run as read back from disk: every part checked, the report's prompts as strictly as the page's. */
export const isSavedRun = object<SavedRun>({
  entry: isHistoryEntry,
  pair: isPairView,
  prompts: arrayOf(isPanelPrompt, MAX_PROMPTS),
  report: object<CompareReport>({
    base: object({ path: isShortString, weights: isShortString }),
    quant: object({ path: isShortString, weights: isShortString }),
    settings: isSettings,
    prompts: arrayOf(isPromptResult, MAX_PROMPTS),
    summary: isSummary,
  }),
});

export const isPanelState: Guard<PanelState> = object<PanelState>({
  pair: nullable(isPairView),
  prompts: arrayOf(isPanelPrompt, MAX_PROMPTS),
  suites: arrayOf(isSuiteOption, 1000),
  suite: nullable(isSuiteId),
  run: isRunView,
  results: arrayOf(isPromptResult, MAX_PROMPTS),
  summary: nullable(isSummary),
  settings: nullable(isSettings),
  tasks: optional(nullable(isTaskReport)),
  history: optional(arrayOf(isHistoryEntry, MAX_HISTORY)),
  runId: optional(nullable(isRunId)),
});

const hostMessageGuards: { readonly [K in HostToWebview['type']]: Guard<Extract<HostToWebview, { type: K }>> } = {
  state: object({ type: literal('state'), state: isPanelState }),
  progress: object({ type: literal('progress'), run: isRunView }),
  promptResult: object({ type: literal('promptResult'), index: isInteger(0, MAX_PROMPTS), result: isPromptResult }),
  notice: object({ type: literal('notice'), level: literal('info', 'error'), text: isShortString }),
};

const webviewMessageGuards: { readonly [K in WebviewToHost['type']]: Guard<Extract<WebviewToHost, { type: K }>> } = {
  ready: object({ type: literal('ready') }),
  setPrompts: object({ type: literal('setPrompts'), prompts: arrayOf(isPanelPrompt, MAX_PROMPTS) }),
  loadSuite: object({ type: literal('loadSuite'), name: isSuiteId }),
  importPrompts: object({ type: literal('importPrompts') }),
  run: object({ type: literal('run') }),
  cancel: object({ type: literal('cancel') }),
  export: object({ type: literal('export'), format: literal('json', 'md', 'html') }),
  pickFolder: object({ type: literal('pickFolder'), side: literal('base', 'quant') }),
  makeTwin: object({ type: literal('makeTwin') }),
  openRun: object({ type: literal('openRun'), id: isRunId }),
  rerun: object({ type: literal('rerun'), jsonMaxNewTokens: isInteger(1, MAX_JSON_NEW_TOKENS) }),
  rendered: object({
    type: literal('rendered'),
    results: isInteger(0, MAX_PROMPTS),
    status: literal('idle', 'running', 'done', 'cancelled', 'error'),
  }),
};

function byType<M extends { type: string }>(guards: Record<string, Guard<M>>, value: unknown): value is M {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(guards, type)) return false;
  return guards[type](value);
}

export function isHostToWebview(value: unknown): value is HostToWebview {
  return byType<HostToWebview>(hostMessageGuards, value);
}

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  return byType<WebviewToHost>(webviewMessageGuards, value);
}

/** A short description of a rejected message for the log (its type if it has one, never its content). */
export function describeRejected(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a ${value === null ? 'null' : typeof value}`;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string'
    ? `"${type.slice(0, 40)}" with missing or invalid fields`
    : 'an object without a type';
}

export const EMPTY_RUN: RunView = { status: 'idle', done: 0, total: 0, phase: '', error: null };
