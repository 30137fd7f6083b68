/**
 * Multiple choice by log-likelihood, as lm-evaluation-harness scores `output_type: multiple_choice`
 * (lm_eval/api/task.py process_results): each choice is a continuation of the context, its log-likelihood the sum
 * of its tokens' log-probs; `acc` is argmax(ll) == gold, `acc_norm` is argmax(ll / len(choice)) == gold, where
 * len is the choice string's length in characters (Python len of the str, i.e. code points).
 *
 * Tokenising: lm-eval encodes context + continuation together and takes the tail after the context's tokens
 * (_encode_pair), so a BPE merge across the boundary is scored the way the model would see it. Reusing the
 * context's KV cache needs every choice to share the context's tokens exactly, so we encode the context once and
 * each choice as (context + choice) minus that prefix when the whole encoding starts with it, else the choice
 * alone. For byte-level tokenizers (the demo model) both are the same. An item's `prompt` goes through the chat
 * template first (the cloze form over a model's own answer format).
 */
import type { ChoiceItemSpec } from '../../../protocol/prompts';
import type { ChoiceScores } from '../../../protocol/report';

/** What scoring needs from the runtime (LanguageModel implements it). */
export interface ContinuationScorer {
  continuationLogProbs(
    context: readonly number[],
    continuations: readonly (readonly number[])[],
  ): Promise<Float64Array[]>;
}

/** What tokenising needs from the tokenizer. */
export interface ChoiceTokenizer {
  encodePrompt(prompt: string): number[];
  encodeText(text: string): number[];
  readonly bosTokenId: number | null;
}

export interface EncodedItem {
  readonly context: number[];
  readonly continuations: number[][];
}

const startsWith = (whole: readonly number[], prefix: readonly number[]): boolean =>
  whole.length > prefix.length && prefix.every((id, i) => whole[i] === id);

export function encodeItem(item: ChoiceItemSpec, tokenizer: ChoiceTokenizer): EncodedItem {
  // Without a chat prompt the context starts with BOS when the tokenizer has one (lm-eval's add_bos_token=True).
  const bos = tokenizer.bosTokenId === null ? [] : [tokenizer.bosTokenId];
  const head = item.prompt !== undefined ? tokenizer.encodePrompt(item.prompt) : bos;
  const contextTokens = item.context ? tokenizer.encodeText(item.context) : [];
  const context = [...head, ...contextTokens];
  if (!context.length) throw new Error(`${item.id}: empty context (nothing to condition the choices on)`);
  const continuations = item.choices.map((choice) => {
    const whole = tokenizer.encodeText(item.context + choice);
    const tail = startsWith(whole, contextTokens) ? whole.slice(contextTokens.length) : tokenizer.encodeText(choice);
    if (!tail.length) throw new Error(`${item.id}: choice ${JSON.stringify(choice)} encodes to no tokens`);
    return tail;
  });
  return { context, continuations };
}

function argmaxOf(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** acc/acc_norm predictions and the choice distribution from per-choice log-likelihoods. */
export function choiceScores(loglikelihoods: readonly number[], choices: readonly string[]): ChoiceScores {
  const max = Math.max(...loglikelihoods);
  const exp = loglikelihoods.map((ll) => Math.exp(ll - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const normalised = loglikelihoods.map((ll, i) => ll / Math.max(1, [...choices[i]].length));
  return {
    loglikelihoods: [...loglikelihoods],
    probs: exp.map((e) => e / sum),
    pred: argmaxOf(loglikelihoods),
    predNorm: argmaxOf(normalised),
  };
}

const sum = (values: Float64Array): number => values.reduce((a, b) => a + b, 0);

export async function scoreItem(
  item: ChoiceItemSpec,
  encoded: EncodedItem,
  scorer: ContinuationScorer,
): Promise<ChoiceScores> {
  const perToken = await scorer.continuationLogProbs(encoded.context, encoded.continuations);
  return choiceScores(perToken.map(sum), item.choices);
}
