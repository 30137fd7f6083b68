import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { testTokenizerFiles } from '../../../tools/model-builder/tokenizer';

const files = testTokenizerFiles();
const tokenizer = new Tokenizer(files.tokenizer, files.tokenizerConfig);

void test('the test tokenizer round-trips UTF-8 text', () => {
  for (const text of [
    'Hello, world!',
    'the cat and the hat',
    '{"name": "zstd", "tags": [1, 2]}',
    'café ☕ 日本',
    '  leading\nand\ttabs ',
  ]) {
    const { ids } = tokenizer.encode(text);
    assert.ok(
      ids.every((id) => id >= 3 && id < files.vocabSize),
      text,
    );
    assert.equal(tokenizer.decode(ids), text);
  }
});

void test('merges apply and specials are single tokens', () => {
  const { tokens } = tokenizer.encode(' the and');
  assert.deepEqual(tokens, ['Ġthe', 'Ġand']);
  const { ids } = tokenizer.encode('<s>hi</s>');
  assert.equal(ids[0], files.bosTokenId);
  assert.equal(ids.at(-1), files.eosTokenId);
  assert.equal(tokenizer.decode(ids, { skip_special_tokens: true }), 'hi');
});

void test('the chat template renders', () => {
  const rendered = new Template(files.tokenizerConfig.chat_template as string).render({
    messages: [{ role: 'user', content: 'Say hi' }],
    bos_token: '<s>',
    eos_token: '</s>',
    add_generation_prompt: true,
  });
  assert.equal(rendered, '<s><|user|>\nSay hi</s>\n<|assistant|>\n');
});
