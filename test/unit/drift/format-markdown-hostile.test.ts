/**
 * Issue 12 item 11: every value interpolated into the Markdown report outside code fences (prompt ids, paths,
 * reasons, top-k tokens, schema errors, finish reasons, weights) reaches a renderer as text. The report is
 * rendered with markdown-it (CommonMark + GFM tables, raw HTML and linkify on, as permissive as a viewer gets).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { formatReport, mdCode, mdText } from '../../../src/core/drift/format';
import type { CompareReport, PromptResult } from '../../../src/protocol/report';

type Renderer = { render(markdown: string): string };
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options: object) => Renderer;
const markdown = new MarkdownIt({ html: true, linkify: false });

const HOSTILE_IDS = [
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  'a|b\n# Injected heading',
  '`tick` and ``double``',
  '*em* _u_ ~~s~~ \\',
];

function result(id: string): PromptResult {
  return {
    id,
    prompt: 'p',
    expectsJson: true,
    base: {
      text: 'x',
      tokens: 1,
      finishReason: '<i>eos</i>' as 'eos',
      jsonValid: { strict: true, extracted: true, schemaErrors: [] },
    },
    quant: {
      text: 'y',
      tokens: 1,
      finishReason: '**length**' as 'length',
      jsonValid: {
        strict: false,
        extracted: true,
        schemaErrors: ['<b>bold</b> *x* [y](javascript:z)', '\n# h\n<script>s()</script>'],
        schemaValid: false,
      },
    },
    firstDivergence: 0,
    teacherForced: { tokens: 1, meanKld: 0.1, maxKld: 0.1, sameTop1: 0, deltaPRms: 0.1, pplBase: 1, pplQuant: 1.1 },
    topKAtDivergence: {
      base: [{ token: '<script>alert(1)</script>', id: 1, prob: 0.5 }],
      quant: [{ token: '|`', id: 2, prob: 0.4 }],
    },
  };
}

const report: CompareReport = {
  base: { path: '/m/<script>alert(1)</script>/[x](javascript:e)', weights: '**fp16**' },
  quant: { path: '/m/q|uant`', weights: '<u>int4</u>' },
  settings: { maxNewTokens: 4, executionProvider: '<b>cpu</b>', accuracyLevel: 4, threads: 1 },
  prompts: HOSTILE_IDS.map(result),
  summary: {
    prompts: HOSTILE_IDS.length,
    identicalOutputs: 0,
    meanKld: 0.1,
    kldP99: 0.1,
    sameTop1: 0,
    pplRatio: 1.1,
    deltaPRms: 0.1,
    jsonValidBase: 1,
    jsonValidQuant: 0,
    eosShift: 0,
    verdict: 'fail',
    reasons: [
      '<img src=x onerror=alert(2)>',
      '# not a heading',
      '1. not a list',
      '[a](javascript:x)',
      'line\n<script>',
    ],
  },
};

const rendered = markdown.render(formatReport(report, 'md'));

test('no hostile value becomes HTML, a link, emphasis or a block in the rendered Markdown report', () => {
  for (const tag of ['<script', '<img', '<b>', '<i>', '<u>', '<a ', '<em>', '<s>', '<del>', '<ol', '<h4']) {
    assert.ok(!rendered.includes(tag), `rendered report contains ${tag}`);
  }
  assert.equal(rendered.match(/<h1>/g)?.length, 1, 'one title');
  assert.equal(rendered.match(/<h3>/g)?.length, HOSTILE_IDS.length, 'one heading per prompt');
  assert.equal(rendered.match(/<li>/g)?.length, report.summary.reasons.length, 'one list item per reason');
  // **Prompt**, **Base**, **Quant** per prompt are the only bold text.
  assert.equal(rendered.match(/<strong>/g)?.length, 3 * HOSTILE_IDS.length);
});

test('tables keep their columns and every value reads as it was', () => {
  for (const row of rendered.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = row.match(/<t[dh]/g)?.length ?? 0;
    assert.ok([3, 2, 9, 10].includes(cells), `a row with ${cells} cells: ${row}`);
  }
  const escape = (text: string): string =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  assert.ok(rendered.includes(`<code>${escape('<img src=x onerror=alert(1)>')}</code>`));
  assert.ok(rendered.includes(`<code>${escape('a|b # Injected heading')}</code>`));
  assert.ok(rendered.includes(`<code>${escape('/m/<script>alert(1)</script>/[x](javascript:e)')}</code>`));
  assert.ok(rendered.includes(`<code>${escape('"<script>alert(1)</script>"')}</code>`));
  assert.ok(rendered.includes(`<code>${escape('"|`"')}</code>`));
  assert.ok(rendered.includes(escape('<b>bold</b> *x* [y](javascript:z)')));
  assert.ok(rendered.includes(`<li>${escape('# not a heading')}</li>`));
  assert.ok(rendered.includes(`<li>${escape('1. not a list')}</li>`));
});

test('mdText and mdCode on their own', () => {
  assert.equal(mdText('a <b> & *c*\n# d'), 'a &lt;b&gt; &amp; \\*c\\* # d');
  assert.equal(mdText('12) x'), '12\\) x');
  assert.equal(mdCode('a`b'), '``a`b``');
  assert.equal(mdCode('`x'), '`` `x ``');
});
