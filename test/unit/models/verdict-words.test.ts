import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceVerdicts, recipeFromModel, verdictWords, type WeightsInfo } from '../../../src/core/models';
import { evaluateModelRecipe } from '../../../src/core/models/rules';

function verdictsFor(weights: WeightsInfo, format: 'onnx' | 'openvino-ir' = 'onnx') {
  const subject = { format, weights, isLlm: true, matMulNBits: format === 'onnx' };
  return deviceVerdicts(subject, recipeFromModel(weights, format, true), evaluateModelRecipe);
}

const SYM_G128: WeightsInfo = { dtype: 'int4', bits: 4, sym: true, groupSize: 128, source: 'MatMulNBits' };

// Issue 13: an ONNX twin with the NPU recipe read as a defect ("outside the recipe") on every Intel NPU.
void describe('verdict words shared by the tree, Make INT4 Twin and Lint Recipe', () => {
  void test('an ONNX INT4 twin with the NPU recipe: a prediction for its IR export, not a defect', () => {
    const npu = verdictsFor(SYM_G128)['intel-npu-lnl'];
    assert.equal(npu.verdict, 'warn');
    assert.equal(npu.asExport, 'openvino-ir');
    assert.match(npu.reasons[0]!, /optimum-cli export openvino --weight-format int4 --sym --group-size 128/);
    assert.equal(verdictWords(npu), 'recipe fits; the NPU runs it as OpenVINO IR');
  });

  void test('the asymmetric twin will not run, and the format note does not soften it', () => {
    const npu = verdictsFor({ ...SYM_G128, sym: false, groupSize: -1 })['intel-npu-lnl'];
    assert.equal(npu.verdict, 'no');
    assert.equal(npu.asExport, undefined);
    assert.equal(verdictWords(npu), 'will not run');
  });

  void test('a group size outside the NPU recipe stays "outside the recipe"', () => {
    const npu = verdictsFor({ ...SYM_G128, groupSize: 32 })['intel-npu-lnl'];
    assert.equal(npu.verdict, 'warn');
    assert.equal(npu.asExport, undefined);
    assert.equal(verdictWords(npu), 'outside the recipe');
  });

  void test('the same recipe as IR runs; CPU runs the ONNX file', () => {
    assert.equal(verdictWords(verdictsFor(SYM_G128, 'openvino-ir')['intel-npu-lnl']), 'runs');
    assert.equal(verdictWords(verdictsFor(SYM_G128).cpu), 'runs');
  });
});
