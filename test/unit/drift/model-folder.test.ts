import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm, symlink, truncate, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { openPair, planPairMemory } from '../../../src/core/drift/pair';
import { loadPromptsFile } from '../../../src/core/drift/prompts';
import { loadTokenizer, tokenPieces } from '../../../src/core/drift/tokenizer';
import { useTinyPair } from './fixtures';

describe('model folders', () => {
  const pair = useTinyPair();

  test('reads the KV layout, IO dtype, EOS and precision from config and graph', async () => {
    const layout = await loadModelLayout(pair.fp32);
    assert.equal(layout.numLayers, 2);
    assert.equal(layout.numKvHeads, 2);
    assert.equal(layout.headSize, 16);
    assert.equal(layout.vocabSize, 300);
    assert.equal(layout.ioDtype, 'float32');
    assert.deepEqual(layout.eosTokenIds, [2]);
    assert.equal(layout.weights, 'fp32');
    assert.equal(layout.accuracyLevel, null);
    assert.equal(layout.io.kv[1].pastKey, 'past_key_values.1.key');
    const half = await loadModelLayout(pair.fp16);
    assert.equal(half.ioDtype, 'float16');
    assert.equal(half.weights, 'fp16');
  });

  test('tokenizer encodes through the chat template and round-trips text', async () => {
    const tokenizer = await loadTokenizer(pair.fp32);
    assert.ok(tokenizer.hasChatTemplate);
    const ids = tokenizer.encodePrompt('Hello');
    assert.ok(ids.length > 3);
    assert.match(tokenizer.decode(ids), /Hello/);
    assert.equal(tokenizer.decode(tokenizer.encodeText('naïve {"a": 1}')), 'naïve {"a": 1}');
  });

  test('a folder without tokenizer.json is a clear error before any run', async () => {
    const dir = join(pair.models.root, 'no-tokenizer');
    await cp(pair.fp32, dir, { recursive: true });
    await rm(join(dir, 'tokenizer.json'));
    await assert.rejects(openPair(pair.fp32, dir), /no tokenizer\.json in .*no-tokenizer/);
  });

  test('different vocabularies are a clear error', async () => {
    const dir = join(pair.models.root, 'other-vocab');
    await cp(pair.fp32, dir, { recursive: true });
    const file = join(dir, 'tokenizer.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { model: { vocab: Record<string, number> } };
    const vocab = json.model.vocab;
    const [first, second] = Object.keys(vocab).slice(20, 22);
    [vocab[first], vocab[second]] = [vocab[second], vocab[first]];
    await writeFile(file, JSON.stringify(json));
    await assert.rejects(openPair(pair.fp32, dir), /vocabularies differ/);
  });

  test('a truncated model file is a clear error', async () => {
    const dir = join(pair.models.root, 'truncated');
    await cp(pair.fp32, dir, { recursive: true });
    await truncate(join(dir, 'model.onnx'), 40_000);
    await assert.rejects(loadModelLayout(dir), /cannot read .*model\.onnx as an ONNX model: .*truncated/);
  });

  test('a missing folder or a folder with no model says so', async () => {
    await assert.rejects(loadModelLayout(join(pair.models.root, 'nope')), /no such folder/);
    const empty = join(pair.models.root, 'empty');
    await cp(join(pair.fp32, 'config.json'), join(empty, 'config.json'));
    await assert.rejects(loadModelLayout(empty), /no \.onnx model/);
  });
});

describe('ORT GenAI folders and memory planning', () => {
  const pair = useTinyPair();

  test('genai_config.json gives the layout, names and EOS when config.json is absent', async () => {
    const dir = join(pair.models.root, 'genai');
    await cp(pair.fp32, dir, { recursive: true });
    await rm(join(dir, 'config.json'));
    await rm(join(dir, 'generation_config.json'));
    await writeFile(
      join(dir, 'genai_config.json'),
      JSON.stringify({
        model: {
          bos_token_id: 1,
          eos_token_id: [2, 5],
          vocab_size: 300,
          context_length: 256,
          decoder: {
            filename: 'model.onnx',
            head_size: 16,
            hidden_size: 64,
            num_attention_heads: 4,
            num_hidden_layers: 2,
            num_key_value_heads: 2,
            inputs: {
              input_ids: 'input_ids',
              attention_mask: 'attention_mask',
              position_ids: 'position_ids',
              past_key_names: 'past_key_values.%d.key',
              past_value_names: 'past_key_values.%d.value',
            },
            outputs: { logits: 'logits', present_key_names: 'present.%d.key', present_value_names: 'present.%d.value' },
          },
        },
      }),
    );
    const layout = await loadModelLayout(dir);
    assert.deepEqual(layout.eosTokenIds, [2, 5]);
    assert.equal(layout.numLayers, 2);
    assert.equal(layout.maxPositions, 256);
  });

  test('both models load together only when they fit in free memory', () => {
    const gib = 1024 ** 3;
    assert.equal(planPairMemory(2 * gib, 0.6 * gib, 16 * gib), 'together');
    assert.equal(planPairMemory(2 * gib, 0.6 * gib, 3 * gib), 'one-at-a-time');
  });
});

describe('token pieces', () => {
  const pair = useTinyPair();

  test('concatenate to the decoded text, multi-byte characters included, over long outputs', async () => {
    const tokenizer = await loadTokenizer(pair.fp32);
    const text = 'Grüße — naïve café 日本語 {"k": [1, 2]} '.repeat(12);
    const ids = tokenizer.encodeText(text);
    assert.ok(ids.length > 100);
    const pieces = tokenPieces(tokenizer, ids);
    assert.equal(pieces.length, ids.length);
    assert.equal(pieces.join(''), tokenizer.decode(ids));
  });

  // The run path reads configs, the tokenizer and prompt files through the same bounded, non-blocking reader as the
  // model scan: a FIFO would block a plain readFile forever, and a link to /dev/zero would never end.
  test('a FIFO or a link to /dev/zero as config.json, tokenizer.json or a prompt file fails at once', async () => {
    const dir = join(pair.models.root, 'hostile-run-files');
    await cp(pair.fp32, dir, { recursive: true });
    await rm(join(dir, 'config.json'));
    execFileSync('mkfifo', [join(dir, 'config.json')]);
    await assert.rejects(loadModelLayout(dir), /config\.json: .*not a regular file/);
    await rm(join(dir, 'config.json'));
    await symlink('/dev/zero', join(dir, 'config.json'));
    await assert.rejects(loadModelLayout(dir), /config\.json: .*not a regular file/);
    await rm(join(dir, 'tokenizer.json'));
    execFileSync('mkfifo', [join(dir, 'tokenizer.json')]);
    await assert.rejects(loadTokenizer(dir), /cannot read .*tokenizer\.json: .*not a regular file/);
    const prompts = join(dir, 'prompts.jsonl');
    await symlink('/dev/zero', prompts);
    await assert.rejects(loadPromptsFile(prompts), /cannot read .*prompts\.jsonl/);
  });
});
