/**
 * A small hand-made byte-level BPE tokenizer in the Hugging Face tokenizer.json format: the three
 * special tokens, 256 byte tokens (GPT-2's byte-to-unicode alphabet) and a few dozen merges for
 * common English and JSON fragments. Real enough that @huggingface/tokenizers and transformers.js load it,
 * round-trip any UTF-8 text, and render a chat template; small enough for ~300-token test vocabularies.
 */

export interface TokenizerFiles {
  /** Contents of tokenizer.json. */
  tokenizer: Record<string, unknown>;
  /** Contents of tokenizer_config.json (with chat_template). */
  tokenizerConfig: Record<string, unknown>;
  /** Number of ids the tokenizer uses (the model's vocab must be at least this). */
  vocabSize: number;
  padTokenId: number;
  bosTokenId: number;
  eosTokenId: number;
}

export const TEST_SPECIAL_TOKENS = { pad: '<pad>', bos: '<s>', eos: '</s>' } as const;

/** GPT-2's reversible byte -> printable unicode character map used by ByteLevel pre-tokenizers. */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let code = 0x21; code <= 0x7e; code++) printable.push(code);
  for (let code = 0xa1; code <= 0xac; code++) printable.push(code);
  for (let code = 0xae; code <= 0xff; code++) printable.push(code);
  const map: string[] = new Array<string>(256);
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    map[byte] = printable.includes(byte) ? String.fromCharCode(byte) : String.fromCharCode(256 + extra++);
  }
  return map;
}

// Each merge joins two existing tokens; order is merge priority. 'Ġ' is the byte-level space.
const MERGES: [string, string][] = [
  ['Ġ', 'a'],
  ['Ġ', 't'],
  ['h', 'e'],
  ['i', 'n'],
  ['e', 'r'],
  ['a', 'n'],
  ['o', 'n'],
  ['r', 'e'],
  ['Ġt', 'he'],
  ['Ġ', 's'],
  ['e', 'n'],
  ['a', 't'],
  ['o', 'r'],
  ['Ġ', 'w'],
  ['Ġ', 'c'],
  ['in', 'g'],
  ['Ġ', 'o'],
  ['Ġ', 'i'],
  ['e', 's'],
  ['Ġ', 'b'],
  ['Ġ', 'p'],
  ['Ġa', 'n'],
  ['Ġan', 'd'],
  ['i', 's'],
  ['o', 'u'],
  ['Ġ', 'f'],
  ['Ġ', 'm'],
  ['Ġo', 'f'],
  ['Ġt', 'o'],
  ['Ġi', 's'],
  ['"', ':'],
  ['Ġ', '"'],
  ['Ġ', '{'],
  ['"', ','],
  ['Ġ', '}'],
  ['Ġ', '['],
  ['l', 'l'],
  ['e', 'd'],
  ['Ġ', 'n'],
];

export const TEST_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

/**
 * The test tokenizer: ids 0 <pad>, 1 <s>, 2 </s>, 3..258 the bytes in byte order, then the merges.
 * Encoding adds no BOS (the chat template writes it), like Llama 3 style templates.
 */
export function testTokenizerFiles(): TokenizerFiles {
  const specials = [TEST_SPECIAL_TOKENS.pad, TEST_SPECIAL_TOKENS.bos, TEST_SPECIAL_TOKENS.eos];
  const vocab: Record<string, number> = {};
  specials.forEach((token, id) => (vocab[token] = id));
  for (const char of byteToUnicode()) vocab[char] = Object.keys(vocab).length;
  for (const [left, right] of MERGES) {
    if (vocab[left] === undefined || vocab[right] === undefined) {
      throw new Error(`merge ${left} ${right} uses an unknown token`);
    }
    vocab[left + right] ??= Object.keys(vocab).length;
  }
  return byteLevelTokenizerFiles({
    vocab,
    merges: MERGES.map(([left, right]) => `${left} ${right}`),
    specials: {
      pad: [TEST_SPECIAL_TOKENS.pad, 0],
      bos: [TEST_SPECIAL_TOKENS.bos, 1],
      eos: [TEST_SPECIAL_TOKENS.eos, 2],
    },
    chatTemplate: TEST_CHAT_TEMPLATE,
    modelMaxLength: 2048,
  });
}

export interface ByteLevelSpec {
  /** Token -> id, including the byte alphabet, merges and the special tokens. */
  vocab: Record<string, number>;
  merges: string[];
  specials: { pad: [string, number]; bos: [string, number]; eos: [string, number] };
  chatTemplate: string;
  modelMaxLength: number;
}

/** tokenizer.json + tokenizer_config.json of a ByteLevel BPE, as Hugging Face tokenizers writes them. */
export function byteLevelTokenizerFiles(spec: ByteLevelSpec): TokenizerFiles {
  const specials = [spec.specials.pad, spec.specials.bos, spec.specials.eos].sort((a, b) => a[1] - b[1]);
  const flags = { lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(([content, id]) => ({ id, content, ...flags })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: spec.vocab,
      merges: spec.merges,
    },
  };
  const tokenizerConfig = {
    add_bos_token: false,
    add_eos_token: false,
    bos_token: spec.specials.bos[0],
    eos_token: spec.specials.eos[0],
    pad_token: spec.specials.pad[0],
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: spec.modelMaxLength,
    tokenizer_class: 'PreTrainedTokenizerFast',
    chat_template: spec.chatTemplate,
    added_tokens_decoder: Object.fromEntries(specials.map(([content, id]) => [String(id), { content, ...flags }])),
  };
  return {
    tokenizer,
    tokenizerConfig,
    vocabSize: Object.keys(spec.vocab).length,
    padTokenId: spec.specials.pad[1],
    bosTokenId: spec.specials.bos[1],
    eosTokenId: spec.specials.eos[1],
  };
}
