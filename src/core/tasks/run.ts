/**
 * Task-level evaluation inside a paired run (runner process): instruction checks on each side's greedy output,
 * k seeded samples per prompt and side in sampling mode, multiple-choice items scored on each model, and the
 * task section of the report with its deltas and their part in the verdict. compare-run.ts calls these hooks at
 * the points where each model is loaded, so both memory modes (together, one at a time) work unchanged.
 */
import type { CompareRequest } from '../../protocol/runner';
import type { ChoiceItemSpec, PromptSpec } from '../../protocol/prompts';
import type {
  ChoiceItemResult,
  ChoiceScores,
  CompareSummary,
  PromptResult,
  SampleRates,
  TaskReport,
} from '../../protocol/report';
import { checkJson } from '../drift/json-check';
import { ChoiceTokenizer, ContinuationScorer, EncodedItem, encodeItem, scoreItem } from './choice/score';
import { DEFAULT_TASK_THRESHOLDS, applyTaskVerdict, taskDeltas } from './deltas';
import { InstructionSet } from './ifeval/score';
import { makeSampler, sampleSeed } from './sampling';

/** What sampling needs from the runtime (LanguageModel.generate). */
export interface SamplingModel {
  generate(
    promptIds: readonly number[],
    maxNewTokens: number,
    shouldStop: () => boolean,
    eosIds: readonly number[],
    choose: (logits: Float32Array) => number,
  ): Promise<{ tokens: number[]; finishReason: string }>;
}

export class CancelledTask extends Error {}

const rate = (values: readonly boolean[]): number | null =>
  values.length ? values.filter(Boolean).length / values.length : null;

export class TaskRun {
  private readonly sets: (InstructionSet | null)[];
  private readonly items: readonly ChoiceItemSpec[];
  private encodedItems: EncodedItem[] | null = null;

  constructor(
    private readonly request: CompareRequest,
    private readonly tokenizer: ChoiceTokenizer & { decode(ids: readonly number[]): string },
  ) {
    this.sets = request.prompts.map((p: PromptSpec) =>
      p.instructions?.length ? new InstructionSet(p.instructions, p.prompt) : null,
    );
    this.items = request.choiceItems ?? [];
  }

  get active(): boolean {
    return this.sets.some(Boolean) || this.items.length > 0 || this.request.sampling !== undefined;
  }

  /** k seeded samples of one side for prompt `index`; undefined outside sampling mode. */
  async sample(
    lm: SamplingModel,
    index: number,
    promptIds: readonly number[],
    eosIds: readonly number[],
    cancelled: () => boolean,
  ): Promise<SampleRates | undefined> {
    const sampling = this.request.sampling;
    if (!sampling) return undefined;
    const spec = this.request.prompts[index];
    const set = this.sets[index];
    const expectsJson = spec.expectsJson ?? spec.schema !== undefined;
    const json: boolean[] = [];
    const strict: boolean[] = [];
    const loose: boolean[] = [];
    for (let j = 0; j < sampling.k; j++) {
      const choose = makeSampler({ ...sampling, seed: sampleSeed(sampling.seed, index, j) });
      const gen = await lm.generate(promptIds, this.request.maxNewTokens, cancelled, eosIds, choose);
      if (gen.finishReason === 'cancelled') throw new CancelledTask('cancelled');
      const text = this.tokenizer.decode(gen.tokens);
      if (expectsJson) json.push(checkJson(text).strict); // the greedy output's rule: the whole output parses
      if (set) {
        const outcome = set.evaluate(text);
        strict.push(outcome.strict.every(Boolean));
        loose.push(outcome.loose.every(Boolean));
      }
    }
    return {
      k: sampling.k,
      jsonValid: rate(json),
      instructionsStrict: rate(strict),
      instructionsLoose: rate(loose),
    };
  }

  /** The prompt result with its instruction outcomes and sample rates. */
  decorate(result: PromptResult, index: number, samples: { base?: SampleRates; quant?: SampleRates }): PromptResult {
    const set = this.sets[index];
    return {
      ...result,
      ...(set
        ? {
            instructionIds: set.specs.map((s) => s.id),
            instructions: { base: set.evaluate(result.base.text), quant: set.evaluate(result.quant.text) },
          }
        : {}),
      ...(samples.base && samples.quant ? { samples: { base: samples.base, quant: samples.quant } } : {}),
    };
  }

  /** Scores every multiple-choice item on one model (the shared context's KV cache reused for its choices). */
  async scoreChoices(
    lm: ContinuationScorer,
    progress: (index: number, total: number) => void,
  ): Promise<ChoiceScores[]> {
    if (!this.items.length) return [];
    this.encodedItems ??= this.items.map((item) => encodeItem(item, this.tokenizer));
    const scores: ChoiceScores[] = [];
    for (let i = 0; i < this.items.length; i++) {
      progress(i, this.items.length);
      try {
        scores.push(await scoreItem(this.items[i], this.encodedItems[i], lm));
      } catch (error) {
        throw new Error(`multiple-choice item ${this.items[i].id}: ${(error as Error).message}`);
      }
    }
    return scores;
  }

  /** The report's task section and the summary with the task deltas in its verdict; null when no tasks ran. */
  finish(
    results: readonly PromptResult[],
    summary: CompareSummary,
    baseChoices: readonly ChoiceScores[],
    quantChoices: readonly ChoiceScores[],
  ): { tasks: TaskReport; summary: CompareSummary } | null {
    if (!this.active) return null;
    const thresholds = { ...DEFAULT_TASK_THRESHOLDS, ...(this.request.taskThresholds ?? {}) };
    const items: ChoiceItemResult[] = this.items.map((item, i) => ({
      id: item.id,
      ...(item.subject ? { subject: item.subject } : {}),
      context: item.context,
      choices: item.choices,
      answer: item.answer,
      base: baseChoices[i],
      quant: quantChoices[i],
    }));
    const deltas = taskDeltas(results, items);
    return {
      tasks: {
        deltas,
        thresholds,
        ...(items.length
          ? { multipleChoice: { ...(this.request.choiceFile ? { file: this.request.choiceFile } : {}), items } }
          : {}),
        ...(this.request.sampling ? { sampling: this.request.sampling } : {}),
      },
      summary: applyTaskVerdict(summary, deltas, thresholds),
    };
  }
}
