/**
 * The 76 real export commands of the corpus (copied from shared/corpus/commands.jsonl): every one is
 * recognised, and where the answer is clear the findings are asserted per id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFixes, evaluateRecipe, extractRecipes, lintText, preferredFixes } from '../../../src/core/recipe/index';
import type { Finding } from '../../../src/core/recipe/types';
import { corpusFileName, loadCommandCorpus, type CorpusItem } from './command-corpus/corpus';

const ITEMS: CorpusItem[] = loadCommandCorpus();

function lint(item: CorpusItem, target?: 'cpu' | 'intel-npu-mtl') {
  return lintText(item.text, { fileName: corpusFileName(item), ...(target ? { target } : {}) });
}

function rules(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((finding) => `${finding.severity}:${finding.rule}`))].sort();
}

function item(id: string): CorpusItem {
  const found = ITEMS.find((candidate) => candidate.id === id);
  assert.ok(found, `corpus item ${id}`);
  return found;
}

test('the corpus has 76 commands and every one is recognised as an optimum-cli export', () => {
  assert.equal(ITEMS.length, 76);
  for (const entry of ITEMS) {
    const { recipes, skipped } = lint(entry);
    assert.equal(skipped, undefined, entry.id);
    assert.ok(recipes.length >= 1, `${entry.id} not recognised`);
    for (const recipe of recipes) {
      assert.equal(recipe.dialect, 'optimum-cli', entry.id);
      for (const setting of [...recipe.settings, ...recipe.unknown]) {
        assert.ok(
          setting.span.start >= 0 && setting.span.end <= entry.text.length && setting.span.start <= setting.span.end,
          `${entry.id} span`,
        );
      }
    }
  }
});

const EXPECTED: Record<string, string[]> = {
  // TinyLlama is in optimum's per-model table: asymmetric, group 64, AWQ.
  'cmd-014': ['error:npu-asymmetric-int4', 'warning:npu-group-size'],
  'cmd-131': ['error:npu-asymmetric-int4', 'error:unknown-flag', 'warning:npu-group-size'],
  // Llama-2-7b-chat-hf's per-model default is symmetric: int4 alone is fine on the NPU.
  'cmd-082': [],
  'cmd-083': [],
  'cmd-130': ['error:unknown-flag'],
  // Explicit compression flags: the generic (asymmetric) default applies even for a listed model.
  'cmd-183': ['error:npu-asymmetric-int4'],
  'cmd-038': ['error:npu-asymmetric-int4'],
  'cmd-052': ['error:npu-asymmetric-int4'],
  'cmd-037': ['error:npu-asymmetric-int4'],
  'cmd-036': ['error:npu-asymmetric-int4', 'warning:npu-group-size'],
  'cmd-143': ['error:npu-asymmetric-int4', 'warning:npu-group-size', 'warning:npu-ratio-below-one'],
  // Model not in the table: generic default.
  'cmd-079': ['error:npu-asymmetric-int4'],
  'cmd-081': ['error:npu-asymmetric-int4'],
  'cmd-184': ['error:npu-asymmetric-int4'],
  // Model is a placeholder: a warning that names it, never a guess.
  'cmd-114': ['warning:npu-asymmetric-int4'],
  // Listed models whose default is asymmetric g64.
  'cmd-064': ['error:npu-asymmetric-int4', 'warning:npu-group-size'],
  // Recipes that follow the NPU guide.
  'cmd-011': [],
  'cmd-145': [],
  'cmd-148': [],
  'cmd-154': [],
  'cmd-182': [],
  'cmd-116': [],
  'cmd-123': [],
  // Compression flags without --weight-format.
  'cmd-144': ['error:needs-weight-format', 'warning:npu-ratio-below-one'],
  'cmd-146': ['error:needs-weight-format', 'warning:npu-ratio-below-one'],
  'cmd-147': ['error:unknown-flag'],
  'cmd-169': ['error:invalid-value'],
  'cmd-172': ['warning:npu-ratio-below-one'],
  'cmd-065': ['warning:needs-dataset'],
  // Baselines and non-LLM exports.
  'cmd-010': [],
  'cmd-012': [],
  'cmd-015': [],
  // gpt2 exported with --task text-generation (no KV cache): an info, never more.
  'cmd-085': ['info:task-without-past'],
  'cmd-092': [],
  'cmd-097': [],
  'cmd-158': [],
  'cmd-173': [],
  'cmd-178': [],
  'cmd-046': [],
  // Help, elided flags and opaque extra arguments never get absence-based findings.
  'cmd-027': [],
  'cmd-137': [],
  'cmd-050': [],
  'cmd-071': [],
  // Placeholders are unknown values, never errors.
  'cmd-023': [],
  'cmd-058': [],
  'cmd-127': [],
};

for (const [id, expected] of Object.entries(EXPECTED)) {
  test(`corpus ${id}: ${expected.join(', ') || 'no findings'}`, () => {
    assert.deepEqual(rules(lint(item(id)).findings), expected);
  });
}

test('corpus cmd-185 (a diff): both commands are read and both are asymmetric', () => {
  const { recipes, findings } = lint(item('cmd-185'));
  assert.equal(recipes.length, 2);
  assert.equal(findings.filter((finding) => finding.rule === 'npu-asymmetric-int4').length, 2);
});

test('corpus: no finding anywhere is an error on a CPU target except CLI usage errors', () => {
  const usage = new Set([
    'unknown-flag',
    'invalid-value',
    'needs-weight-format',
    'needs-dataset',
    'conflicting-options',
    'int8-incompatible-option',
  ]);
  for (const entry of ITEMS) {
    for (const finding of lint(entry, 'cpu').findings) {
      assert.ok(usage.has(finding.rule) || finding.severity !== 'error', `${entry.id}: ${finding.rule}`);
      assert.ok(!finding.rule.startsWith('npu-'), `${entry.id}: ${finding.rule} on cpu`);
    }
  }
});

test('corpus: applying the preferred fixes twice gives the same text as once', () => {
  for (const entry of ITEMS) {
    const ctx = { fileName: corpusFileName(entry) };
    const once = applyFixes(entry.text, preferredFixes(lintText(entry.text, ctx).findings));
    const twice = applyFixes(once, preferredFixes(lintText(once, ctx).findings));
    assert.equal(twice, once, entry.id);
    if (once !== entry.text) {
      const left = lintText(once, ctx).findings.filter((finding) => finding.rule === 'npu-asymmetric-int4');
      assert.deepEqual(left, [], `${entry.id}: asymmetric INT4 left after fixing`);
    }
  }
});

test('lintText judges each recipe as it is found: the same findings as extracting every recipe, then judging it', () => {
  const documents = new Map<string, string[]>();
  for (const entry of ITEMS)
    documents.set(corpusFileName(entry), [...(documents.get(corpusFileName(entry)) ?? []), entry.text]);
  const configs = [
    'q = OVWeightQuantizationConfig(bits=4, sym=False, group_size=1)',
    '```python\nq = OVWeightQuantizationConfig(bits=4, ratio=0.8)\n```',
  ];
  documents.set('export.py', [...(documents.get('export.py') ?? []), configs[0]]);
  documents.set('README.md', [...(documents.get('README.md') ?? []), configs[1]]);
  let total = 0;
  for (const [fileName, texts] of documents) {
    const text = texts.join('\n\n');
    for (const target of ['intel-npu-mtl', 'cpu'] as const) {
      const ctx = { fileName, target };
      const streamed = lintText(text, ctx);
      const { recipes } = extractRecipes(text, ctx);
      const judged = recipes
        .flatMap((recipe) => evaluateRecipe(recipe, streamed.target, text))
        .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
      assert.equal(streamed.recipeCount, recipes.length, `${fileName}: recipe count`);
      total += streamed.findings.length;
      assert.deepEqual(streamed.findings, judged, `${fileName} on ${target}`);
      assert.deepEqual(streamed.recipes, recipes, `${fileName}: the recipes read from the result`);
    }
  }
  assert.ok(total > 40, `findings to compare (${total})`);
});
