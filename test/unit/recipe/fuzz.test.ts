/** Bad input: fuzzed extractors never throw, never hang, keep spans in range; big and binary input is skipped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { completionsAt, hoverAt, lintText } from '../../../src/core/recipe/index';
import { extractCommands, type SourceKind } from '../../../src/core/recipe/commands/extract';

const FRAGMENTS = [
  'optimum-cli',
  ' export',
  ' openvino',
  'optimum.commands.optimum_cli',
  ' --weight-format',
  ' int4',
  ' --sym',
  ' --group-size',
  ' 1',
  '=',
  ' -m',
  ' $X',
  ' ${Y}',
  ' %Z%',
  ' <m>',
  '{',
  '}',
  '"',
  "'",
  '`',
  '\\',
  '^',
  '\n',
  '\r\n',
  '#',
  '!',
  '[',
  ']',
  ',',
  '(',
  ')',
  ':',
  'f"',
  '"""',
  '```bash\n',
  '```python\n',
  '```json\n',
  '```\n',
  // Olive passes in JSON fences, the MDX <OptimumCLI /> component, Python constants and appends (issue 14).
  '{ "type": "GptqQuantizer"',
  '"passes": {',
  '"sym": false',
  '<OptimumCLI',
  " weightFormat='int4'",
  ' model={x}',
  ' />',
  'RATIO = 0.8\n',
  'cmd = [',
  'cmd.append(',
  'cmd += [',
  '    ',
  '{"cells": [',
  '"source": [',
  '"cell_type": "code"',
  '\\"',
  '\\n',
  '\u0000',
  '\uFFFD',
  '  ',
  '...',
  '|',
  '&&',
  '>',
  '2>&1',
];

const documents = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 80 })
  .map((parts) => parts.join(''));
const KINDS: SourceKind[] = ['shell', 'cmd', 'powershell', 'python', 'markdown', 'notebook', 'generic'];
const FILES = ['x.sh', 'x.cmd', 'x.ps1', 'x.py', 'x.md', 'x.mdx', 'x.ipynb', 'Dockerfile', 'x.yml', 'x.json', 'x.txt'];

function assertSpansInRange(text: string, spans: { start: number; end: number }[]): void {
  for (const span of spans)
    assert.ok(
      span.start >= 0 && span.end <= text.length && span.start <= span.end,
      `span ${span.start}-${span.end} in ${text.length}`,
    );
}

test('fuzz: every command extractor returns recipes with spans inside the text', () => {
  fc.assert(
    fc.property(documents, fc.constantFrom(...KINDS), (text, kind) => {
      const { recipes } = extractCommands(text, kind);
      for (const recipe of recipes) {
        assertSpansInRange(text, [
          recipe.span,
          ...recipe.settings.flatMap((s) => [
            s.span,
            ...(s.valueSpan ? [s.valueSpan] : []),
            ...(s.removeSpan ? [s.removeSpan] : []),
          ]),
          ...recipe.unknown.map((s) => s.span),
        ]);
        if (recipe.style) assert.ok(recipe.style.insertAt >= 0 && recipe.style.insertAt <= text.length);
      }
    }),
    { numRuns: 600 },
  );
});

test('fuzz: lintText, hoverAt and completionsAt never throw for any file type', () => {
  fc.assert(
    fc.property(documents, fc.constantFrom(...FILES), fc.nat(), (text, fileName, at) => {
      const result = lintText(text, { fileName });
      for (const finding of result.findings) {
        assertSpansInRange(text, [finding.span, ...finding.fixes.flatMap((f) => f.edits.map((e) => e.span))]);
      }
      const offset = text.length ? at % (text.length + 1) : 0;
      hoverAt(text, offset, { fileName });
      completionsAt(text, offset, { fileName });
    }),
    { numRuns: 400 },
  );
});

test('unterminated quotes, braces and continuations end at the line or the text', () => {
  for (const text of [
    'optimum-cli export openvino -m "a/b --weight-format int4 out\nnext line',
    "x = f'optimum-cli export openvino --model {m",
    'optimum-cli export openvino -m ${A \\',
    'optimum-cli export openvino \\',
  ]) {
    for (const fileName of ['x.sh', 'x.py', 'x.md']) lintText(text, { fileName });
  }
  const result = lintText('optimum-cli export openvino -m "a/b --weight-format int4 out\nnext', { fileName: 'x.sh' });
  assert.equal(result.recipes.length, 1);
});

test('deeply nested input does not overflow the stack', () => {
  const depth = 100_000;
  for (const [text, fileName] of [
    ['['.repeat(depth) + ']'.repeat(depth), 'x.json'],
    ['{"a":'.repeat(depth) + '1' + '}'.repeat(depth), 'x.ipynb'],
    ['x = ' + '('.repeat(depth) + '"optimum-cli", "export", "openvino"' + ')'.repeat(depth), 'x.py'],
    ['optimum-cli export openvino -m ' + '{'.repeat(depth), 'x.sh'],
  ] as const) {
    const result = lintText(text, { fileName });
    assert.ok(Array.isArray(result.findings));
  }
});

test('a 50 MB input is skipped with a reason; binary content is skipped', () => {
  const big = 'optimum-cli export openvino -m a --weight-format int4 o\n'.repeat(Math.ceil((50 * 1024 * 1024) / 56));
  const started = Date.now();
  const result = lintText(big, { fileName: 'big.sh' });
  assert.match(result.skipped ?? '', /larger than 20 MB/);
  assert.deepEqual(result.findings, []);
  assert.ok(Date.now() - started < 5000);
  assert.match(
    lintText('\u0000\u0001optimum-cli export openvino -m a --weight-format int4 o', { fileName: 'x.bin' }).skipped ??
      '',
    /binary/,
  );
});

test('many commands in one file are all read (no quadratic rescans)', () => {
  const text = 'optimum-cli export openvino -m a/b --weight-format int4 out\n'.repeat(5000);
  const result = lintText(text, { fileName: 'x.sh' });
  assert.equal(result.recipes.length, 5000);
});
