import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_THRESHOLDS, decideVerdict } from '../../../src/core/drift/summary';

const json = { base: null, quant: null };

describe('verdict', () => {
  test('defaults: ratio ≤ 1.03 ok, above 1.05 fail, in between warn; mean KL above 0.05 warns', () => {
    assert.equal(decideVerdict({ pplRatio: 1.02, meanKld: 0.01, tokens: 100 }, json, DEFAULT_THRESHOLDS).verdict, 'ok');
    assert.equal(
      decideVerdict({ pplRatio: 1.04, meanKld: 0.01, tokens: 100 }, json, DEFAULT_THRESHOLDS).verdict,
      'warn',
    );
    const fail = decideVerdict({ pplRatio: 1.08, meanKld: 0.2, tokens: 100 }, json, DEFAULT_THRESHOLDS);
    assert.equal(fail.verdict, 'fail');
    assert.equal(fail.reasons.length, 2);
    assert.match(fail.reasons[0], /perplexity ratio 1\.080 is above 1\.05/);
    assert.match(fail.reasons[1], /mean KL divergence 0\.2000 is above 0\.05/);
    assert.equal(
      decideVerdict({ pplRatio: 1.0, meanKld: 0.06, tokens: 100 }, json, DEFAULT_THRESHOLDS).verdict,
      'warn',
    );
  });

  test('user thresholds apply', () => {
    const strict = { pplRatioWarn: 1.005, pplRatioFail: 1.01, meanKldWarn: 0.001 };
    assert.equal(decideVerdict({ pplRatio: 1.02, meanKld: 0, tokens: 10 }, json, strict).verdict, 'fail');
  });

  test('a JSON validity drop warns; no scored tokens warns', () => {
    const r = decideVerdict({ pplRatio: 1, meanKld: 0, tokens: 10 }, { base: 1, quant: 0.5 }, DEFAULT_THRESHOLDS);
    assert.equal(r.verdict, 'warn');
    assert.match(r.reasons.join(), /JSON validity dropped from 100\.0% to 50\.0%/);
    assert.equal(decideVerdict({ pplRatio: 1, meanKld: 0, tokens: 0 }, json, DEFAULT_THRESHOLDS).verdict, 'warn');
  });
});
