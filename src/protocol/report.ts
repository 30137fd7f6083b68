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
  /** True when the output opens a JSON object or array that never closes (an unterminated answer). */
  readonly incomplete?: boolean;
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
  /** KL percentiles over this prompt's positions. */
  readonly kldPercentiles?: PercentileSet;
  /** Mean p(quant) - p(base) of the scored tokens. */
  readonly deltaPMean?: number;
}

/** Percentiles as llama.cpp prints them (p999 = 99.9th). */
export interface PercentileSet {
  readonly p1: number;
  readonly p5: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
}

export interface DriftThresholds {
  readonly pplRatioWarn: number;
  readonly pplRatioFail: number;
  readonly meanKldWarn: number;
}

/** Corpus mode (`--text FILE --context N`): both models scored over the same windows of the user's text. */
export interface CorpusResult {
  readonly file: string;
  readonly context: number;
  readonly windows: number;
  /** Tokens scored (the second half of each window, as llama.cpp does). */
  readonly tokens: number;
  readonly pplBase: number;
  readonly pplQuant: number;
  readonly pplRatio: number;
  readonly meanKld: number;
  readonly maxKld: number;
  readonly kldPercentiles: PercentileSet;
  readonly sameTop1: number;
  readonly deltaPMean: number;
  readonly deltaPRms: number;
  readonly deltaPPercentiles: PercentileSet;
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
  /** The prompt's instruction ids, and which of them each side's greedy output followed. */
  readonly instructionIds?: readonly string[];
  readonly instructions?: { readonly base: InstructionOutcome; readonly quant: InstructionOutcome };
  /** Sampling mode: rates over k seeded samples per side. */
  readonly samples?: { readonly base: SampleRates; readonly quant: SampleRates };
}

/** Which instructions a response followed, one entry per instruction of the prompt, strict and loose. */
export interface InstructionOutcome {
  readonly strict: readonly boolean[];
  readonly loose: readonly boolean[];
}

/** Per-prompt rates over k samples of one side (null when the prompt has nothing of that kind to check). */
export interface SampleRates {
  readonly k: number;
  /** Share of samples whose whole output parses as JSON (prompts that expect JSON). */
  readonly jsonValid: number | null;
  /** Share of samples that follow all instructions (strict). */
  readonly instructionsStrict: number | null;
  /** Share of samples that follow all instructions (loose). */
  readonly instructionsLoose: number | null;
}

export interface SamplingSettings {
  readonly k: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
}

/** Task-level thresholds: a drop in percentage points counts only when its 95% interval excludes zero. */
export interface TaskThresholds {
  readonly deltaWarnPp: number;
  readonly deltaFailPp: number;
}

/**
 * A task metric on both sides and their paired difference: "IFEval prompt-level strict -3.0 pp [-6.2, +0.1],
 * p = 0.08, n = 200". Rates are 0..1, the delta and its interval in percentage points (quant - base).
 */
export interface TaskDelta {
  readonly metric: string;
  readonly label: string;
  readonly n: number;
  readonly base: number;
  readonly quant: number;
  readonly deltaPp: number;
  readonly ciLowPp: number;
  readonly ciHighPp: number;
  /**
   * Two-sided p-value of the paired difference: McNemar's exact test when each item is a pass or a fail, a paired
   * sign-flip test for rates and per-prompt shares (`test` says which); null when it could not be computed.
   */
  readonly pValue: number | null;
  readonly test?: 'mcnemar-exact' | 'sign-flip';
  /** Items only base passed / only quant passed (binary outcomes). */
  readonly discordant?: { readonly baseOnly: number; readonly quantOnly: number };
}

/** One side's scores of a multiple-choice item. */
export interface ChoiceScores {
  /** Summed log-probability of each choice's tokens given the context. */
  readonly loglikelihoods: readonly number[];
  /** softmax of the log-likelihoods over the choices. */
  readonly probs: readonly number[];
  /** argmax of the log-likelihoods (acc) and of log-likelihood / choice length in characters (acc_norm). */
  readonly pred: number;
  readonly predNorm: number;
}

export interface ChoiceItemResult {
  readonly id: string;
  readonly subject?: string;
  readonly context: string;
  readonly choices: readonly string[];
  readonly answer: number;
  readonly base: ChoiceScores;
  readonly quant: ChoiceScores;
}

export interface TaskReport {
  /** Every task metric with its paired delta, in a stable order. */
  readonly deltas: readonly TaskDelta[];
  readonly thresholds: TaskThresholds;
  readonly multipleChoice?: { readonly file?: string; readonly items: readonly ChoiceItemResult[] };
  readonly sampling?: SamplingSettings;
}

export interface CompareSettings {
  /** New-token limit of prompts that do not expect JSON (and of all prompts when jsonMaxNewTokens is absent). */
  readonly maxNewTokens: number;
  /** New-token limit of JSON-expecting prompts, which generate until EOS up to it. */
  readonly jsonMaxNewTokens?: number;
  readonly executionProvider: string;
  readonly accuracyLevel: number | null;
  readonly threads: number;
  /** 'together' when both models fit in free memory, else 'one-at-a-time'. */
  readonly pairMode?: 'together' | 'one-at-a-time';
  readonly thresholds?: DriftThresholds;
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
  /** Extras (additive): the fuller llama.cpp-style statistics over all scored tokens. */
  readonly tokensScored?: number;
  readonly pplBase?: number;
  readonly pplQuant?: number;
  readonly maxKld?: number;
  readonly kldPercentiles?: PercentileSet;
  readonly deltaPMean?: number;
  readonly deltaPPercentiles?: PercentileSet;
  /** Mean over prompts of each prompt's kldGrowth (where defined). */
  readonly kldGrowth?: number | null;
  /** Share of JSON-expecting prompts where a JSON value could be extracted. */
  readonly jsonExtractedBase?: number | null;
  readonly jsonExtractedQuant?: number | null;
  /** Share of prompts with a schema whose output satisfies it. */
  readonly schemaValidBase?: number | null;
  readonly schemaValidQuant?: number | null;
  /** JSON-expecting prompts (the denominator of the counts below). */
  readonly jsonPrompts?: number;
  /** JSON answers cut off at the new-token limit before they were valid: not judged, counted apart from invalid. */
  readonly jsonTruncatedBase?: number;
  readonly jsonTruncatedQuant?: number;
  /** Share of JSON answers that ended (not truncated) whose output is valid (strict parse); null if none ended. */
  readonly jsonValidFinishedBase?: number | null;
  readonly jsonValidFinishedQuant?: number | null;
  /** True when the summary covers only the prompts a cancelled run finished. */
  readonly partial?: boolean;
}

export interface CompareReport {
  readonly base: ModelSide;
  readonly quant: ModelSide;
  readonly settings: CompareSettings;
  readonly prompts: readonly PromptResult[];
  readonly summary: CompareSummary;
  /** Present in corpus mode. */
  readonly corpus?: CorpusResult;
  /** Wall time of the run. */
  readonly durationMs?: number;
  /** Task-level evaluation (instruction checks, multiple choice, sampling): present when the run had tasks. */
  readonly tasks?: TaskReport;
}
