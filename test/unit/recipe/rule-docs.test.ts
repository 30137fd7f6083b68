import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const RULES_DIR = path.resolve(__dirname, '../../../../docs/rules');

// Issue 13: rule pages cited "DOMAIN-REFERENCE.md §..." and shared/corpus files users do not have, and issue
// numbers that were not links. Every page's sources are public links.
test('docs/rules pages cite public sources as links, never internal notes or bare issue numbers', () => {
  const pages = readdirSync(RULES_DIR).filter((name) => name.endsWith('.md'));
  assert.ok(pages.length >= 10);
  for (const page of pages) {
    const text = readFileSync(path.join(RULES_DIR, page), 'utf8');
    assert.doesNotMatch(text, /DOMAIN-REFERENCE|shared\/corpus|shared\/docs/, page);
    const source = text.slice(text.indexOf('## Source'));
    assert.match(source, /\]\(https:\/\//, `${page}: its Source section links a public page`);
    // owner/repo#123 only inside a link's text; "PR #123" never bare.
    assert.doesNotMatch(text, /(?<!\[)\b[\w.-]+\/[\w.-]+#\d+(?!\])/, `${page}: a bare issue number`);
    assert.doesNotMatch(text, /\bPR #\d+/, `${page}: a bare PR number`);
  }
});
