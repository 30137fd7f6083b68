/**
 * A prompt as it crosses the host/runner and host/webview boundaries, and the description of a shipped suite.
 * Parsing and loading prompt files lives in src/core/drift/prompts.ts; this file holds only the shapes.
 */
export interface PromptSpec {
  readonly id: string;
  readonly prompt: string;
  readonly expectsJson?: boolean;
  readonly schema?: object;
  /** Verifiable instructions checked on both outputs (IFEval ids and kwargs, or ours under quant_drift:). */
  readonly instructions?: readonly InstructionSpec[];
}

/** One verifiable instruction: an id of IFEval's registry (e.g. "length_constraints:number_words") and its kwargs. */
export interface InstructionSpec {
  readonly id: string;
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/**
 * A multiple-choice item scored by log-likelihood: each choice is a continuation of `context`. When `prompt` is
 * set it goes through the model's chat template first and `context` follows the assistant turn's start (the
 * cloze form: a JSON answer's prefix).
 */
export interface ChoiceItemSpec {
  readonly id: string;
  readonly context: string;
  readonly choices: readonly string[];
  /** Index of the right choice. */
  readonly answer: number;
  readonly prompt?: string;
  readonly subject?: string;
}

export interface SuiteInfo {
  readonly name: string;
  readonly path: string;
  readonly description: string;
  readonly count: number;
}
