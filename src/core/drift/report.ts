/**
 * The compare report: the JSON shape `quant-drift compare --format json` prints (the drift-engine issue
 * spells it out; scripts depend on it), and what the compare panel renders. Extra fields may be added,
 * never renamed or removed.
 */
export type FinishReason = 'eos' | 'length' | 'cancelled' | 'error';
export type Verdict = 'ok' | 'warn' | 'fail';

export interface ModelSide {
  readonly path: string;
  /** Weight precision as inspected, e.g. "fp16", "int4 sym g128", "int4 asym channel-wise". */
  readonly weights: string;
}

export interface JsonValidity {
  /** JSON.parse of the whole output succeeds. */
  readonly strict: boolean;
  /** A JSON value can be extracted from fences or surrounding text the way a user's parser would. */
  readonly extracted: boolean;
  /** Schema errors (ajv), empty when no schema or when valid. */
  readonly schemaErrors: readonly string[];
  /** True when a schema was given and the extracted value satisfies it. */
  readonly schemaValid?: boolean;
}

export interface GenerationSide {
  readonly text: string;
  readonly tokens: number;
  readonly tokenIds?: readonly number[];
  /** Decoded text of each generated token, for highlighting from the divergence point on. */
  readonly tokenTexts?: readonly string[];
  readonly finishReason: FinishReason;
  /** null when the prompt does not expect JSON. */
  readonly jsonValid: JsonValidity | null;
}

export interface TopKCandidate {
  readonly token: string;
  readonly id: number;
  readonly prob: number;
}

export interface TeacherForced {
  /** Number of scored tokens (the base model's continuation). */
  readonly tokens: number;
  readonly meanKld: number;
  readonly maxKld: number;
  readonly sameTop1: number;
  readonly deltaPRms: number;
  readonly pplBase: number;
  readonly pplQuant: number;
  /** KL(base||quant) per scored position, for the chart and the drift-growth statistic. */
  readonly kldPerToken?: readonly number[];
  /** Mean KL of the last quarter of the continuation over the first quarter. */
  readonly kldGrowth?: number;
}

export interface PromptResult {
  readonly id: string;
  readonly prompt: string;
  readonly expectsJson: boolean;
  readonly base: GenerationSide;
  readonly quant: GenerationSide;
  /** Index of the first generated token where the two greedy outputs differ; null if identical. */
  readonly firstDivergence: number | null;
  readonly teacherForced: TeacherForced;
  /** Top-k of each side at the divergence point. */
  readonly topKAtDivergence?: { readonly base: readonly TopKCandidate[]; readonly quant: readonly TopKCandidate[] };
}

export interface CompareSettings {
  readonly maxNewTokens: number;
  readonly executionProvider: string;
  readonly accuracyLevel: number | null;
  readonly threads: number;
}

export interface CompareSummary {
  readonly prompts: number;
  readonly identicalOutputs: number;
  readonly meanKld: number;
  readonly kldP99: number;
  readonly sameTop1: number;
  readonly pplRatio: number;
  readonly deltaPRms: number;
  /** Share of JSON-expecting prompts whose output is valid (strict parse), 0..1; null if none expect JSON. */
  readonly jsonValidBase: number | null;
  readonly jsonValidQuant: number | null;
  /** Mean (quant length - base length) in tokens; positive means INT4 answers run longer. */
  readonly eosShift: number;
  readonly verdict: Verdict;
  readonly reasons: readonly string[];
}

export interface CompareReport {
  readonly base: ModelSide;
  readonly quant: ModelSide;
  readonly settings: CompareSettings;
  readonly prompts: readonly PromptResult[];
  readonly summary: CompareSummary;
}
