import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listSuites, loadSuite, parsePromptsJsonl } from '../../../src/core/drift/prompts';

describe('prompt suites', () => {
  test('parses prompts, ids, expectsJson and schema; a schema implies expectsJson', () => {
    const text = [
      '{"description": "mine"}',
      '{"prompt": "a"}',
      '',
      '{"id": "j", "prompt": "b", "schema": {"type": "object"}}',
      '{"prompt": "c", "expectsJson": false}',
    ].join('\n');
    const parsed = parsePromptsJsonl(text, 'dir/my.jsonl');
    assert.equal(parsed.description, 'mine');
    assert.deepEqual(parsed.prompts, [
      { id: 'my-1', prompt: 'a' },
      { id: 'j', prompt: 'b', expectsJson: true, schema: { type: 'object' } },
      { id: 'my-3', prompt: 'c', expectsJson: false },
    ]);
  });

  test('errors name the file and line', () => {
    assert.throws(() => parsePromptsJsonl('{"prompt": "a"}\n{"prompt": ', 'p.jsonl'), /p\.jsonl:2: not valid JSON/);
    assert.throws(() => parsePromptsJsonl('{"promt": "a"}', 'p.jsonl'), /p\.jsonl:1: unknown field "promt"/);
    assert.throws(
      () => parsePromptsJsonl('{"prompt": ""}', 'p.jsonl'),
      /p\.jsonl:1: "prompt" must be a non-empty string/,
    );
    assert.throws(
      () => parsePromptsJsonl('{"prompt": "a", "expectsJson": "yes"}', 'p.jsonl'),
      /p\.jsonl:1: "expectsJson" must be true or false/,
    );
    assert.throws(
      () => parsePromptsJsonl('{"prompt": "a", "schema": {"type": "nonsense"}}', 'p.jsonl'),
      /p\.jsonl:1: the schema does not compile/,
    );
    assert.throws(
      () => parsePromptsJsonl('{"id": "x", "prompt": "a"}\n{"id": "x", "prompt": "b"}', 'p.jsonl'),
      /p\.jsonl:2: duplicate id "x"/,
    );
    assert.throws(() => parsePromptsJsonl('[1]', 'p.jsonl'), /p\.jsonl:1: expected a JSON object/);
    assert.throws(() => parsePromptsJsonl('\n\n', 'p.jsonl'), /no prompts/);
  });

  test('the shipped suites load and cover the failure modes', async () => {
    const suites = await listSuites();
    const names = suites.map((s) => s.name);
    for (const name of ['quick', 'structured-json', 'code', 'rare-tokens', 'long-decode', 'instructions'])
      assert.ok(names.includes(name), name);
    for (const suite of suites) {
      assert.ok(suite.description.length > 10, `${suite.name} has a description`);
      assert.ok(suite.count >= 4, `${suite.name} has prompts`);
    }
    const json = await loadSuite('structured-json');
    assert.ok(json.every((p) => p.expectsJson));
    assert.ok(json.some((p) => p.schema) && json.some((p) => !p.schema));
    await assert.rejects(loadSuite('nope'), /no prompt suite named "nope" \(suites: .*quick/);
    await assert.rejects(loadSuite('../etc/passwd'), /no prompt suite named/);
  });
});
