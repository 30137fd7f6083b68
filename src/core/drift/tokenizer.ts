/**
 * The model folder's own tokenizer (tokenizer.json via @huggingface/tokenizers) and chat template
 * (tokenizer_config.json via @huggingface/jinja), so prompts reach the model formatted the way it was trained.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { readTextBounded } from '../models/bounds';

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

export interface DriftTokenizer {
  readonly folder: string;
  /** Vocabulary size including added tokens. */
  readonly vocabSize: number;
  /** sha256 over the sorted vocabulary (token -> id), to tell whether two folders tokenize alike. */
  readonly vocabHash: string;
  readonly hasChatTemplate: boolean;
  /** Token ids of a user prompt, through the chat template when there is one. */
  encodePrompt(prompt: string): number[];
  /** Token ids of plain text, no special tokens. */
  encodeText(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The text of one token as it reads inside a decoded sequence. */
  tokenText(id: number): string;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
}

type Json = Record<string, unknown>;

function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string')
    return (value as Json).content as string;
  return null;
}

/**
 * Bounds of the tokenizer reads: the largest published tokenizer.json files (Gemma 3's 262k vocabulary) are about
 * 33 MB; a chat template makes tokenizer_config.json at most a few hundred KB. Regular files only, never blocking.
 */
const TOKENIZER_MAX_BYTES = 128 * 1024 * 1024;
const CONFIG_MAX_BYTES = 16 * 1024 * 1024;

export async function loadTokenizer(folder: string): Promise<DriftTokenizer> {
  const dir = path.resolve(folder);
  const jsonPath = path.join(dir, 'tokenizer.json');
  let jsonText: string;
  try {
    jsonText = await readTextBounded(jsonPath, TOKENIZER_MAX_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new TokenizerError(`cannot read ${jsonPath}: ${(error as Error).message}`);
    }
    throw new TokenizerError(
      `no tokenizer.json in ${dir}: Quant Drift tokenizes prompts with the model's own Hugging Face tokenizer.json; copy it (and tokenizer_config.json) from the base model's folder`,
    );
  }
  let tokenizerJson: Json;
  let config: Json = {};
  try {
    tokenizerJson = JSON.parse(jsonText) as Json;
  } catch (error) {
    throw new TokenizerError(`${jsonPath} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    config = JSON.parse(await readTextBounded(path.join(dir, 'tokenizer_config.json'), CONFIG_MAX_BYTES)) as Json;
  } catch {
    // tokenizer_config.json is optional: no chat template, default special-token handling.
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (error) {
    throw new TokenizerError(`${jsonPath} cannot be loaded: ${(error as Error).message}`);
  }
  const vocab = tokenizer.get_vocab(true);
  const sorted = [...vocab.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const vocabHash = createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
  const vocabSize = sorted.length ? sorted[sorted.length - 1][1] + 1 : 0;

  const bosToken = tokenContent(config.bos_token);
  const eosToken = tokenContent(config.eos_token);
  const bosTokenId = bosToken ? (tokenizer.token_to_id(bosToken) ?? null) : null;
  const eosId = eosToken ? tokenizer.token_to_id(eosToken) : undefined;
  const templateSource = typeof config.chat_template === 'string' ? config.chat_template : null;
  let template: Template | null = null;
  if (templateSource) {
    try {
      template = new Template(templateSource);
    } catch (error) {
      throw new TokenizerError(
        `the chat_template in ${path.join(dir, 'tokenizer_config.json')} does not parse: ${(error as Error).message}`,
      );
    }
  }
  // A byte-level piece that is only part of a UTF-8 character decodes to U+FFFD; show the vocabulary entry instead.
  const decodeOne = (id: number): string => {
    const text = tokenizer.decode([id], { skip_special_tokens: false });
    return text.includes('\uFFFD') ? (tokenizer.id_to_token(id) ?? text) : text;
  };
  return {
    folder: dir,
    vocabSize,
    vocabHash,
    hasChatTemplate: template !== null,
    bosTokenId,
    eosTokenIds: eosId === undefined ? [] : [eosId],
    encodePrompt(prompt: string): number[] {
      if (!template) return tokenizer.encode(prompt, { add_special_tokens: true }).ids;
      const rendered = template.render({
        messages: [{ role: 'user', content: prompt }],
        add_generation_prompt: true,
        bos_token: bosToken ?? '',
        eos_token: eosToken ?? '',
      });
      return tokenizer.encode(rendered, { add_special_tokens: false }).ids;
    },
    encodeText(text: string): number[] {
      return tokenizer.encode(text, { add_special_tokens: false }).ids;
    },
    decode(tokenIds: readonly number[]): string {
      return tokenizer.decode([...tokenIds], { skip_special_tokens: true });
    },
    tokenText: decodeOne,
  };
}

/** Throws a clear error when the two folders would not tokenize the same text into the same ids. */
export function assertSameVocabulary(base: DriftTokenizer, quant: DriftTokenizer): void {
  if (base.vocabHash === quant.vocabHash) return;
  throw new TokenizerError(
    `the two models' vocabularies differ (base ${base.folder}: ${base.vocabSize} tokens, quant ${quant.folder}: ${quant.vocabSize} tokens); ` +
      'drift can only be measured between a model and its quantized twin that share one tokenizer',
  );
}

/**
 * Per-token texts of a generated sequence such that their concatenation equals decode(ids): each piece is the
 * growth of the decoded prefix, so multi-byte characters split over tokens come out whole on the last one.
 */
export function tokenPieces(tokenizer: Pick<DriftTokenizer, 'decode'>, tokenIds: readonly number[]): string[] {
  const pieces: string[] = [];
  // Decode a short window, not the whole prefix (O(n) instead of O(n^2) on long outputs). The window keeps a few
  // tokens before the new one so both decodes start on the same token (decoders that strip a leading space agree).
  const WINDOW = 16;
  const KEEP = 4;
  let anchor = 0;
  let previous = '';
  for (let i = 0; i < tokenIds.length; i++) {
    const text = tokenizer.decode(tokenIds.slice(anchor, i + 1));
    const last = i === tokenIds.length - 1;
    // An incomplete UTF-8 sequence decodes to U+FFFD: wait for the token that completes it.
    if (!last && text.endsWith('\uFFFD')) {
      pieces.push('');
      continue;
    }
    pieces.push(text.startsWith(previous) ? text.slice(previous.length) : text);
    previous = text;
    if (i + 1 - anchor > WINDOW) {
      anchor = i + 1 - KEEP;
      previous = tokenizer.decode(tokenIds.slice(anchor, i + 1));
    }
  }
  return pieces;
}
