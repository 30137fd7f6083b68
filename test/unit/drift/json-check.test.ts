import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkJson, extractJson } from '../../../src/core/drift/json-check';

describe('JSON validity', () => {
  test('strict accepts a whole JSON answer, with surrounding whitespace', () => {
    assert.deepEqual(checkJson(' {"a": 1}\n'), { strict: true, extracted: true, schemaErrors: [] });
  });

  test('extracted finds fenced JSON and the first balanced value in prose', () => {
    assert.deepEqual(extractJson('Here you go:\n```json\n{"a": [1, 2]}\n```\nDone.'), {
      found: true,
      value: { a: [1, 2] },
    });
    assert.deepEqual(extractJson('Sure! {"name": "x}y", "n": {"m": 2}} hope that helps'), {
      found: true,
      value: { name: 'x}y', n: { m: 2 } },
    });
    assert.deepEqual(extractJson('primes: [2, 3, 5] and more'), { found: true, value: [2, 3, 5] });
    const v = checkJson('Answer: {"a": 1}');
    assert.equal(v.strict, false);
    assert.equal(v.extracted, true);
  });

  test('broken JSON is neither strict nor extracted', () => {
    const v = checkJson('{"name": "Ann", "age": 3');
    assert.equal(v.strict, false);
    assert.equal(v.extracted, false);
  });

  test('schema is checked on the extracted value, with readable errors', () => {
    const schema = { type: 'object', required: ['name', 'age'], properties: { age: { type: 'integer' } } };
    const ok = checkJson('```json\n{"name": "A", "age": 4}\n```', schema);
    assert.equal(ok.schemaValid, true);
    assert.deepEqual(ok.schemaErrors, []);
    const bad = checkJson('{"name": "A", "age": "four"}', schema);
    assert.equal(bad.schemaValid, false);
    assert.match(bad.schemaErrors.join(), /\/age must be integer/);
    const none = checkJson('no json here', schema);
    assert.equal(none.schemaValid, false);
  });
});
