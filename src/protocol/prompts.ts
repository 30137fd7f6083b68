/**
 * A prompt as it crosses the host/runner and host/webview boundaries, and the description of a shipped suite.
 * Parsing and loading prompt files lives in src/core/drift/prompts.ts; this file holds only the shapes.
 */
export interface PromptSpec {
  readonly id: string;
  readonly prompt: string;
  readonly expectsJson?: boolean;
  readonly schema?: object;
}

export interface SuiteInfo {
  readonly name: string;
  readonly path: string;
  readonly description: string;
  readonly count: number;
}
