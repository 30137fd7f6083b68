import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameStem, precisionFromName, stemMatch } from '../../../src/core/pairing/names';

test('nameStem drops precision and recipe words only', () => {
  assert.equal(nameStem('model-ov-fp16'), 'model-ov');
  assert.equal(nameStem('model-ov-int4'), 'model-ov');
  assert.equal(nameStem('FP16'), '');
  assert.equal(nameStem('int4-sym-g128'), '');
  assert.equal(nameStem('Qwen2.5-0.5B-Instruct-int4-sym-g128'), 'qwen2-5-0-5b-instruct');
  assert.equal(nameStem('Llama-3.2-1B.Q4_K_M'), 'llama-3-2-1b');
});

test('precisionFromName reads what folder names claim', () => {
  assert.equal(precisionFromName('FP16'), 'base');
  assert.equal(precisionFromName('model-ov-int4'), 'int4');
  assert.equal(precisionFromName('llama-q8_0'), 'int8');
  assert.equal(precisionFromName('Llama-3.2-1B.Q4_K_M.gguf'), 'int4');
  assert.equal(precisionFromName('phi-3-mini'), 'unknown');
});

test('stemMatch: same model 2, bare precision folder 1, other model 0', () => {
  assert.equal(stemMatch('model-ov-fp16', 'model-ov-int4'), 2);
  assert.equal(stemMatch('tiny-llama', 'int4'), 1);
  assert.equal(stemMatch('qwen-0.5b-fp16', 'qwen-1.5b-int4'), 0);
});
