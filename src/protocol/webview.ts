/**
 * Messages between the compare panel's webview and the extension host. Both sides validate every
 * message with these guards: an unknown or malformed message is dropped and logged, never executed.
 * The host holds the state; the webview renders it and asks for it again when it becomes ready.
 */
import type {
  CompareSettings,
  CompareSummary,
  GenerationSide,
  JsonValidity,
  PromptResult,
  TeacherForced,
  TopKCandidate,
} from './report';
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
  readonly maxNewTokens: number;
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

export interface PanelState {
  readonly pair: PairView | null;
  readonly prompts: readonly PanelPrompt[];
  readonly suites: readonly string[];
  readonly suite: string | null;
  readonly run: RunView;
  readonly results: readonly PromptResult[];
  readonly summary: CompareSummary | null;
  readonly settings: CompareSettings | null;
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
  /** The page rendered a state: how many results it shows and the run status (tests wait on it). */
  | { readonly type: 'rendered'; readonly results: number; readonly status: RunStatus };

export const MAX_PROMPTS = 1000;
export const MAX_PROMPT_CHARS = 100_000;

const isShortString: Guard<string> = (v): v is string => isString(v) && v.length <= 1_000_000;
const isPromptText: Guard<string> = (v): v is string => isString(v) && v.length > 0 && v.length <= MAX_PROMPT_CHARS;
const isId: Guard<string> = (v): v is string => isString(v) && v.length > 0 && v.length <= 200;
const isCount = isInteger(0);

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

const isPairView = object<PairView>({
  base: isSideView,
  quant: isSideView,
  executionProvider: isShortString,
  accuracyLevel: nullable(isNumber),
  threads: isCount,
  maxNewTokens: isCount,
  blocked: nullable(isShortString),
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
});

export const isSettings = object<CompareSettings>({
  maxNewTokens: isCount,
  executionProvider: isShortString,
  accuracyLevel: nullable(isNumber),
  threads: isCount,
});

export const isPanelState: Guard<PanelState> = object<PanelState>({
  pair: nullable(isPairView),
  prompts: arrayOf(isPanelPrompt, MAX_PROMPTS),
  suites: arrayOf(isId, 1000),
  suite: nullable(isId),
  run: isRunView,
  results: arrayOf(isPromptResult, MAX_PROMPTS),
  summary: nullable(isSummary),
  settings: nullable(isSettings),
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
  loadSuite: object({ type: literal('loadSuite'), name: isId }),
  importPrompts: object({ type: literal('importPrompts') }),
  run: object({ type: literal('run') }),
  cancel: object({ type: literal('cancel') }),
  export: object({ type: literal('export'), format: literal('json', 'md', 'html') }),
  pickFolder: object({ type: literal('pickFolder'), side: literal('base', 'quant') }),
  makeTwin: object({ type: literal('makeTwin') }),
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
