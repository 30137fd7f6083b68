/**
 * Opening a base/quant pair: both folders read and checked (layout, tokenizer, same vocabulary) before any
 * model runs, and the memory plan: both sessions at once when they fit in free memory, else one at a time.
 */
import { ModelLayout, loadModelLayout } from './model-folder';
import { DriftTokenizer, TokenizerError, assertSameVocabulary, loadTokenizer } from './tokenizer';

export interface PairInfo {
  readonly base: ModelLayout;
  readonly quant: ModelLayout;
  readonly tokenizer: DriftTokenizer;
  /** EOS ids: the model folders' own, else the tokenizer's. */
  readonly eosIds: readonly number[];
}

/** ORT keeps roughly the weights plus prepacked copies and arenas; this margin is deliberately generous. */
const SESSION_OVERHEAD = 1.3;
const FIXED_RESERVE = 512 * 1024 * 1024;

export type PairMode = 'together' | 'one-at-a-time';

export function planPairMemory(baseBytes: number, quantBytes: number, freeBytes: number): PairMode {
  const both = (baseBytes + quantBytes) * SESSION_OVERHEAD + FIXED_RESERVE;
  return both <= freeBytes ? 'together' : 'one-at-a-time';
}

export async function openPair(basePath: string, quantPath: string): Promise<PairInfo> {
  const [base, quant] = await Promise.all([loadModelLayout(basePath), loadModelLayout(quantPath)]);
  const [baseTok, quantTok] = await Promise.all([loadTokenizer(base.folder), loadTokenizer(quant.folder)]);
  assertSameVocabulary(baseTok, quantTok);
  if (base.vocabSize !== quant.vocabSize) {
    throw new TokenizerError(
      `the models' logits differ in size (base ${base.vocabSize}, quant ${quant.vocabSize}): not the same vocabulary`,
    );
  }
  if (baseTok.vocabSize > base.vocabSize) {
    throw new TokenizerError(
      `the tokenizer has ${baseTok.vocabSize} tokens but the model only ${base.vocabSize} logits`,
    );
  }
  const eosIds = base.eosTokenIds.length ? base.eosTokenIds : baseTok.eosTokenIds;
  return { base, quant, tokenizer: baseTok, eosIds };
}
