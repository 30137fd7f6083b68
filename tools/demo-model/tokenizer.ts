/**
 * The demo model's tokenizer: byte-level, as it was trained (tools/demo-model/train.py): ids 0..255 are the
 * bytes themselves, then <s> 256, </s> 257, <pad> 258. Written in the Hugging Face tokenizer.json format (a
 * ByteLevel BPE with no merges), so @huggingface/tokenizers, transformers.js and Python load it unchanged.
 */
import { byteLevelTokenizerFiles, byteToUnicode, type TokenizerFiles } from '../model-builder/tokenizer';

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
  const specials = { bos: ['<s>', DEMO_BOS_ID], eos: ['</s>', DEMO_EOS_ID], pad: ['<pad>', DEMO_PAD_ID] } as const;
  for (const [content, id] of Object.values(specials)) vocab[content] = id;
  return byteLevelTokenizerFiles({
    vocab,
    merges: [],
    specials: { bos: [...specials.bos], eos: [...specials.eos], pad: [...specials.pad] },
    chatTemplate: DEMO_CHAT_TEMPLATE,
    modelMaxLength: 512,
  });
}
