import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairRefusalMessage, type FolderPrecision } from '../../../src/core/pairing';
import { pairView } from '../../../src/features/compare/sides';

const side = (path: string, format: FolderPrecision['format'], bits: number | null): FolderPrecision => ({
  path,
  format,
  bits,
  sym: bits ? true : null,
  groupSize: bits ? 128 : null,
  accuracyLevel: bits ? 4 : null,
  precision: bits ? 'int4 sym g128' : 'fp16',
  precisionClass: bits ? 'int4' : 'base',
  source: bits ? 'quantization_recipe.json' : 'folder name',
});
const settings = { executionProvider: 'cpu', threads: 0, maxNewTokens: 64 };

test('an ONNX pair in a trusted workspace can run; the header carries recipe and accuracy_level', () => {
  const view = pairView({ base: side('/m/fp16', 'onnx', null), quant: side('/m/int4', 'onnx', 4) }, settings, true);
  assert.equal(view.blocked, null);
  assert.equal(view.accuracyLevel, 4);
  assert.equal(view.base.recipe, null);
  assert.equal(view.quant.recipe, 'symmetric, block 128, accuracy_level 4 (from quantization_recipe.json)');
});

test('an untrusted workspace or an OpenVINO IR pair is blocked with the reason', () => {
  const untrusted = pairView(
    { base: side('/m/fp16', 'onnx', null), quant: side('/m/int4', 'onnx', 4) },
    settings,
    false,
  );
  assert.match(untrusted.blocked ?? '', /not trusted/);
  const ir = pairView(
    { base: side('/m/fp16', 'openvino-ir', null), quant: side('/m/int4', 'openvino-ir', 4) },
    settings,
    true,
  );
  assert.match(ir.blocked ?? '', /OpenVINO runtime/);
  assert.equal(ir.quant.precision, 'int4 sym g128', 'inspection facts still shown');
});

test('a layout the runner refuses blocks the pair with its reason, naming the side', () => {
  const refusal = pairRefusalMessage(null, 'model.onnx is compiled for QNNExecutionProvider (EPContext nodes ...)');
  const view = pairView(
    { base: side('/m/fp16', 'onnx', null), quant: side('/m/qnn', 'onnx', 4) },
    settings,
    true,
    undefined,
    refusal,
  );
  assert.match(view.blocked ?? '', /^The quantized model is refused: model\.onnx is compiled for QNN/);
  assert.equal(pairRefusalMessage(null, null), null);
  assert.match(pairRefusalMessage('a.', 'b.') ?? '', /^Both models are refused\. Base: a\. Quantized: b\./);
});
