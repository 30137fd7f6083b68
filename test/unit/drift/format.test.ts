import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReport } from '../../../src/core/drift/format';
import type { CompareReport, PromptResult } from '../../../src/protocol/report';

const evil = '<script>alert(1)</script> | ``` & "q"';

function prompt(id: string, diverge: number | null): PromptResult {
  return {
    id,
    prompt: `say ${evil}`,
    expectsJson: true,
    base: {
      text: `{"a": 1} ${evil}`,
      tokens: 3,
      tokenTexts: ['{"a": 1}', ' ', evil],
      finishReason: 'eos',
      jsonValid: { strict: false, extracted: true, schemaErrors: [] },
    },
    quant: {
      text: `{"a": 2} <b>`,
      tokens: 3,
      tokenTexts: ['{"a": 2}', ' ', '<b>'],
      finishReason: 'length',
      jsonValid: { strict: false, extracted: true, schemaErrors: ['/a must be 1'], schemaValid: false },
    },
    firstDivergence: diverge,
    teacherForced: {
      tokens: 4,
      meanKld: 0.02,
      maxKld: 0.05,
      sameTop1: 0.75,
      deltaPRms: 0.03,
      pplBase: 1.5,
      pplQuant: 1.6,
      kldPerToken: [0.01, 0.02, 0.05, 0],
    },
    ...(diverge === null
      ? {}
      : {
          topKAtDivergence: { base: [{ token: '<x>', id: 5, prob: 0.6 }], quant: [{ token: 'y', id: 6, prob: 0.5 }] },
        }),
  };
}

const report: CompareReport = {
  base: { path: '/m/base', weights: 'fp16' },
  quant: { path: '/m/int4', weights: 'int4 sym g32' },
  settings: { maxNewTokens: 16, executionProvider: 'cpu', accuracyLevel: 4, threads: 2 },
  prompts: [prompt('p1', 1), prompt('p|2', null)],
  summary: {
    prompts: 2,
    identicalOutputs: 1,
    meanKld: 0.02,
    kldP99: 0.05,
    sameTop1: 0.75,
    pplRatio: 1.04,
    deltaPRms: 0.03,
    jsonValidBase: 0,
    jsonValidQuant: 0,
    eosShift: 0,
    verdict: 'warn',
    reasons: ['perplexity ratio 1.040 is above 1.03'],
  },
};

describe('report formats', () => {
  test('json round-trips the report shape', () => {
    assert.deepEqual(JSON.parse(formatReport(report, 'json')), report);
  });

  test('html escapes model text and marks the divergent tail', () => {
    const html = formatReport(report, 'html');
    assert.ok(!html.includes('<script>'), 'no raw script from model text');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('<mark> &lt;b&gt;</mark>'), 'quant tail from the divergence point is marked');
    assert.match(html, /<span class="verdict warn">WARN<\/span>/);
    assert.match(html, /default-src 'none'/);
    assert.ok(!/<script/i.test(html));
  });

  test('markdown keeps tables intact and fences model text', () => {
    const md = formatReport(report, 'md');
    assert.match(md, /^# Quant Drift report: WARN/);
    assert.ok(md.includes('| `p1` | token 1 |'));
    assert.ok(md.includes('````text'), 'a longer fence when the text contains ```');
    assert.ok(md.includes('| `p\\|2` | identical |'), 'pipes in cells are escaped');
    assert.match(md, /Top candidates at token 1/);
  });
});
