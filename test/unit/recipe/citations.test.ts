import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { linkCitations } from '../../../src/core/docs/citations';

// Issue 13: hovers and rule pages cited "DOMAIN-REFERENCE.md §..." (a file users do not have) and bare issue numbers.
void describe('linkCitations', () => {
  void test('issue numbers become links', () => {
    assert.equal(
      linkCitations('fails on Intel NPU (openvinotoolkit/openvino#34450).'),
      'fails on Intel NPU ([openvinotoolkit/openvino#34450](https://github.com/openvinotoolkit/openvino/issues/34450)).',
    );
  });

  void test('a repository path becomes a link to the file', () => {
    assert.equal(
      linkCitations('Source: huggingface/optimum-intel `optimum/commands/export/openvino.py`'),
      'Source: [huggingface/optimum-intel `optimum/commands/export/openvino.py`](https://github.com/huggingface/optimum-intel/blob/HEAD/optimum/commands/export/openvino.py)',
    );
  });

  void test('internal pointers are dropped', () => {
    assert.equal(
      linkCitations('huggingface/optimum-intel `a.py` (DOMAIN-REFERENCE.md §1.1)'),
      '[huggingface/optimum-intel `a.py`](https://github.com/huggingface/optimum-intel/blob/HEAD/a.py)',
    );
    assert.doesNotMatch(linkCitations('DOMAIN-REFERENCE.md §2, §3.6 (openvinotoolkit/openvino#1)'), /DOMAIN-REFERENCE/);
  });

  void test('idempotent, and leaves other text alone', () => {
    const once = linkCitations('openvinotoolkit/openvino#34450 and microsoft/Olive `olive/olive_config.json`');
    assert.equal(linkCitations(once), once);
    assert.equal(linkCitations('see #12 and a/b#3 and `x.py`'), 'see #12 and a/b#3 and `x.py`');
  });
});

void describe('linkCitations with escaping', () => {
  void test('escapes the plain text around the links only', () => {
    assert.equal(
      linkCitations('a_b (openvinotoolkit/openvino#34450)', (plain) => plain.replace(/[_()]/g, '\\$&')),
      'a\\_b \\([openvinotoolkit/openvino#34450](https://github.com/openvinotoolkit/openvino/issues/34450)\\)',
    );
  });
});
