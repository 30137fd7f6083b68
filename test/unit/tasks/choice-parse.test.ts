import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadChoiceFile } from '../../../src/core/tasks/choice/load';
import { parseChoiceFile, parseCsv } from '../../../src/core/tasks/choice/parse';
import { encodeItem } from '../../../src/core/tasks/choice/score';

describe('multiple-choice files', () => {
  test('MMLU CSV: quoted commas, doubled quotes and newlines; the lm-evaluation-harness prompt', () => {
    const csv = '"What is 2, plus ""2""?",3,4,"five\nor so",22,B\r\nNext?,a,b,c,d,d\n';
    assert.deepEqual(parseCsv(csv)[0], ['What is 2, plus "2"?', '3', '4', 'five\nor so', '22', 'B']);
    const items = parseChoiceFile(csv, '/data/test/high_school_mathematics_test.csv');
    assert.equal(items.length, 2);
    assert.equal(items[0].id, 'high_school_mathematics-1');
    assert.equal(
      items[0].context,
      'The following are multiple choice questions (with answers) about high school mathematics.\n\n' +
        'What is 2, plus "2"?\nA. 3\nB. 4\nC. five\nor so\nD. 22\nAnswer:',
    );
    assert.deepEqual(items[0].choices, [' A', ' B', ' C', ' D']);
    assert.equal(items[0].answer, 1);
    assert.equal(items[1].answer, 3);
  });

  test("the Hub dataset's JSONL (question, subject, choices, answer index)", () => {
    const line = JSON.stringify({ question: ' Q? ', subject: 'virology', choices: ['w', 'x', 'y', 'z'], answer: 3 });
    const [item] = parseChoiceFile(line, 'mmlu.jsonl');
    assert.equal(item.subject, 'virology');
    assert.match(item.context, /about virology\.\n\nQ\?\nA\. w\n/);
    assert.equal(item.answer, 3);
  });

  test('cloze items: answer by index, letter or text; errors name the file and line', () => {
    const ok = [
      JSON.stringify({ id: 'a', context: 'x', choices: ['p', 'q'], answer: 'q' }),
      JSON.stringify({ id: 'b', context: 'x', choices: ['p', 'q'], answer: 'B' }),
    ].join('\n');
    assert.deepEqual(
      parseChoiceFile(ok, 'c.jsonl').map((i) => i.answer),
      [1, 1],
    );
    assert.throws(
      () => parseChoiceFile('{"context": "x", "choices": ["p"], "answer": 0}', 'c.jsonl'),
      /c\.jsonl:1: "choices" must be a list of 2 or more strings/,
    );
    assert.throws(
      () => parseChoiceFile('{"context": "x", "choices": ["p", "q"], "answer": 5}', 'c.jsonl'),
      /c\.jsonl:1/,
    );
    assert.throws(() => parseChoiceFile('q,a,b,c,d\n', 'x.csv'), /expected 6 columns/);
    assert.throws(() => parseChoiceFile('"open,a,b,c,d,A\n', 'x.csv'), /unterminated quoted field/);
  });

  test('a file over the size bound is refused before it is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qd-mc-'));
    try {
      const file = join(dir, 'big.jsonl');
      await writeFile(file, 'x'.repeat(2048));
      await assert.rejects(loadChoiceFile(file, 1024), /limited to/);
      await assert.rejects(loadChoiceFile(join(dir, 'missing.csv')), /cannot read .*ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('tokenising: the context once (chat prompt first, else BOS), each choice as the tail of context + choice', () => {
    // A toy tokenizer that merges "ab" into one token, so a boundary merge changes the context's own tokens.
    const encodeText = (text: string): number[] => {
      const ids: number[] = [];
      for (let i = 0; i < text.length; i++) {
        if (text[i] === 'a' && text[i + 1] === 'b') {
          ids.push(1000);
          i++;
        } else ids.push(text.charCodeAt(i));
      }
      return ids;
    };
    const tokenizer = { encodeText, encodePrompt: (p: string) => [1, ...encodeText(p), 2], bosTokenId: 7 };
    const plain = encodeItem({ id: 'i', context: 'xy', choices: ['z', 'w'], answer: 0 }, tokenizer);
    assert.deepEqual(plain.context, [7, 120, 121]);
    assert.deepEqual(plain.continuations, [[122], [119]]);
    // "a" + "b": the whole encoding does not start with the context's tokens, so the choice is encoded alone.
    const merged = encodeItem({ id: 'j', prompt: 'q', context: 'xa', choices: ['b', 'c'], answer: 0 }, tokenizer);
    assert.deepEqual(merged.context, [1, 113, 2, 120, 97]);
    assert.deepEqual(merged.continuations, [[98], [99]]);
  });
});
