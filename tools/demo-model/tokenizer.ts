/**
 * The demo model's tokenizer: byte-level, as it was trained (tools/demo-model/train.py): ids 0..255 are the
 * bytes themselves, then <s> 256, </s> 257, <pad> 258. Written in the Hugging Face tokenizer.json format (a
 * ByteLevel BPE with no merges), so @huggingface/tokenizers, transformers.js and Python load it unchanged.
 */
import { byteToUnicode, type TokenizerFiles } from '../model-builder/tokenizer';

export const DEMO_SPECIALS = { bos: '<s>', eos: '</s>', pad: '<pad>' } as const;
export const DEMO_BOS_ID = 256;
export const DEMO_EOS_ID = 257;
export const DEMO_PAD_ID = 258;

/** Must render exactly what train.py's chat() fed the model: "<s><|user|>\nPROMPT\n<|assistant|>\n". */
export const DEMO_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

export function demoTokenizerFiles(): TokenizerFiles {
  const vocab: Record<string, number> = {};
  byteToUnicode().forEach((char, byte) => (vocab[char] = byte));
  const specials: [string, number][] = [
    [DEMO_SPECIALS.bos, DEMO_BOS_ID],
    [DEMO_SPECIALS.eos, DEMO_EOS_ID],
    [DEMO_SPECIALS.pad, DEMO_PAD_ID],
  ];
  for (const [content, id] of specials) vocab[content] = id;
  const addedToken = (content: string, id: number) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(([content, id]) => addedToken(content, id)),
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
      vocab,
      merges: [],
    },
  };
  const tokenizerConfig = {
    add_bos_token: false,
    add_eos_token: false,
    bos_token: DEMO_SPECIALS.bos,
    eos_token: DEMO_SPECIALS.eos,
    pad_token: DEMO_SPECIALS.pad,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: 512,
    tokenizer_class: 'PreTrainedTokenizerFast',
    chat_template: DEMO_CHAT_TEMPLATE,
    added_tokens_decoder: Object.fromEntries(
      specials.map(([content, id]) => [
        String(id),
        { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
      ]),
    ),
  };
  return { tokenizer, tokenizerConfig, vocabSize: 259, padTokenId: DEMO_PAD_ID, bosTokenId: DEMO_BOS_ID, eosTokenId: DEMO_EOS_ID };
}
