/**
 * Issue 13: an answer cut off at the new-token limit is "truncated", counted apart from invalid JSON (summary,
 * verdict reasons, reports); an unterminated answer reads "incomplete JSON", not schema errors; a cancelled run
 * gets a partial summary rebuilt from its prompt results.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkJson } from '../../../src/core/drift/json-check';
import { formatReport } from '../../../src/core/drift/format';
import { buildSummary, partialSummary } from '../../../src/core/drift/summary';
import { jsonOutcome } from '../../../src/protocol/json-outcome';
import type { CompareReport, GenerationSide, PromptResult } from '../../../src/protocol/report';

const SCHEMA = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };

function side(text: string, finishReason: GenerationSide['finishReason'], tokens = 64): GenerationSide {
  return { text, tokens, finishReason, jsonValid: checkJson(text, SCHEMA) };
}

function result(id: string, base: GenerationSide, quant: GenerationSide, meanKld = 0.01): PromptResult {
  return {
    id,
    prompt: `Describe ${id} as JSON.`,
    expectsJson: true,
    base,
    quant,
    firstDivergence: null,
    teacherForced: {
      tokens: 10,
      meanKld,
      maxKld: meanKld * 3,
      sameTop1: 0.9,
      deltaPRms: 0.02,
      pplBase: 2,
      pplQuant: 2.02,
      kldPerToken: Array.from({ length: 10 }, (_, i) => (meanKld * (i + 1)) / 5.5),
      deltaPMean: -0.001,
    },
  };
}

const cut = () => side('{"name": "libfoo", "summary": "a very long', 'length');
const whole = () => side('{"name": "libfoo"}', 'eos', 8);

describe('truncated JSON answers', () => {
  test('an unterminated answer is incomplete JSON, without schema errors', () => {
    const validity = checkJson('{"name": "libfoo", "depends": ["a", "b"', SCHEMA);
    assert.equal(validity.incomplete, true);
    assert.deepEqual(validity.schemaErrors, []);
    assert.equal(validity.schemaValid, false);
    assert.equal(jsonOutcome({ text: '', tokens: 9, finishReason: 'eos', jsonValid: validity }), 'incomplete');
    // Prose with no JSON at all is still "no JSON value found", and a mismatched bracket is not "incomplete".
    assert.deepEqual(checkJson('Whatherbails.', SCHEMA).schemaErrors, ['no JSON value found']);
    assert.equal(checkJson('{"a": 1]', SCHEMA).incomplete, undefined);
  });

  test('an answer cut off at the limit is truncated, not invalid', () => {
    assert.equal(jsonOutcome(cut()), 'truncated');
    assert.equal(jsonOutcome(side('Whamertion.', 'eos')), 'invalid');
    assert.equal(jsonOutcome(whole()), 'valid');
    // Valid JSON that happens to end exactly at the limit is valid.
    assert.equal(jsonOutcome(side('{"name": "x"}', 'length')), 'valid');
  });

  test('the summary counts truncated answers apart and judges validity over the answers that ended', () => {
    // 9 of 10 cut off on both sides; the one that ended is valid on both.
    const results = [
      result('p0', whole(), whole()),
      ...Array.from({ length: 9 }, (_, i) => result(`p${i + 1}`, cut(), cut())),
    ];
    const summary = partialSummary(results);
    assert.equal(summary.jsonPrompts, 10);
    assert.equal(summary.jsonTruncatedBase, 9);
    assert.equal(summary.jsonTruncatedQuant, 9);
    assert.equal(summary.jsonValidFinishedBase, 1);
    assert.equal(summary.jsonValidFinishedQuant, 1);
    // The old share over every answer stays what the contract says it is.
    assert.equal(summary.jsonValidBase, 0.1);
    assert.match(
      summary.reasons.join('\n'),
      /most JSON answers were truncated at the new-token limit \(base 9 of 10, quantized 9 of 10\).*rerun with a higher limit/,
    );
    assert.doesNotMatch(summary.reasons.join('\n'), /JSON validity dropped/);
  });

  test('a quantized model that runs into the limit more often than the base warns (it fails to stop)', () => {
    const results = Array.from({ length: 10 }, (_, i) => result(`p${i}`, whole(), i < 3 ? cut() : whole()));
    const summary = buildSummary(results, []);
    assert.equal(summary.verdict, 'warn');
    assert.match(summary.reasons.join('\n'), /ran into the token limit on 3 more JSON answers than the base/);
    // The truncated quantized answers are not counted as a JSON validity drop.
    assert.equal(summary.jsonValidFinishedQuant, 1);
    assert.doesNotMatch(summary.reasons.join('\n'), /JSON validity dropped/);
  });

  test('a real JSON drop among finished answers still warns', () => {
    const broken = () => side('{"name": 3}', 'eos', 6);
    const results = Array.from({ length: 4 }, (_, i) => result(`p${i}`, whole(), i < 2 ? broken() : whole()));
    const summary = buildSummary(results, []);
    assert.match(summary.reasons.join('\n'), /schema validity dropped from 100\.0% to 50\.0%/);
  });

  test('the reports say truncated, with the counts', () => {
    const results = [result('p0', whole(), cut())];
    const report: CompareReport = {
      base: { path: '/m/fp16', weights: 'fp16' },
      quant: { path: '/m/int4', weights: 'int4' },
      settings: { maxNewTokens: 64, jsonMaxNewTokens: 512, executionProvider: 'cpu', accuracyLevel: 0, threads: 1 },
      prompts: results,
      summary: partialSummary(results),
    };
    const md = formatReport(report, 'md');
    assert.match(md, /JSON truncated at the token limit \(base \/ quant\) \| 0 \/ 1 of 1/);
    assert.match(md, /truncated at 64 tokens \(not judged\)/);
    assert.match(md, /JSON prompts: until EOS, up to 512/);
    assert.match(md, /partial: cancelled/);
    assert.match(formatReport(report, 'html'), /truncated at 64 tokens/);
  });
});

describe('partial summary of a cancelled run', () => {
  test('token-weighted drift rebuilt from the prompt blocks, marked partial', () => {
    const results = [result('a', whole(), whole(), 0.01), result('b', whole(), whole(), 0.03)];
    const summary = partialSummary(results);
    assert.equal(summary.partial, true);
    assert.equal(summary.prompts, 2);
    assert.equal(summary.tokensScored, 20);
    assert.ok(Math.abs(summary.meanKld - 0.02) < 1e-12);
    assert.ok(Math.abs(summary.pplRatio - 1.01) < 1e-9);
    assert.ok(Math.abs(summary.sameTop1 - 0.9) < 1e-12);
    assert.ok(Math.abs(summary.deltaPRms - 0.02) < 1e-12);
    assert.equal(summary.maxKld, 0.09);
    assert.ok(summary.kldP99 > 0);
    assert.match(summary.reasons[0], /partial: the run was cancelled after 2 prompts/);
  });
});
