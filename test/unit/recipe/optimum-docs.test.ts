/**
 * Export commands as the optimum-intel and OpenVINO GenAI docs show them (issue 14): the implicit 8-bit export of a
 * model with a billion parameters or more, and MDX pages with the `<OptimumCLI ... />` component. Each class has an
 * example that was missed before and a near miss that stays clean.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyFixes, lintText, preferredFixes } from '../../../src/core/recipe/index';
import type { Finding } from '../../../src/core/recipe/types';
import { isRecipeLanguage, languageIdForFile, WORKSPACE_GLOB } from '../../../src/features/recipe/scope';

function rules(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.severity}:${finding.rule}`);
}

// huggingface/optimum-intel@e1de5be docs/source/openvino/export.mdx, "Using the CLI" (with its <Tip> JSX block).
const EXPORT_MDX = `## Using the CLI

To export your model to the OpenVINO IR format with the CLI :

\`\`\`bash
optimum-cli export openvino --model meta-llama/Meta-Llama-3-8B ov_model/
\`\`\`

<Tip warning={true}>

Models larger than 1 billion parameters are exported to the OpenVINO format with 8-bit weights by default. You can disable it with \`--weight-format fp32\`.

</Tip>
`;
// Same file, the local-model example: the size is not in the name.
const LOCAL_MODEL = `\`\`\`bash
optimum-cli export openvino --model local_llama --task text-generation-with-past ov_model/
\`\`\`
`;

test('implicit 8-bit: no --weight-format on a model of 1B+ parameters gets the info explicit int8 gets', () => {
  const { findings } = lintText(EXPORT_MDX, { fileName: 'export.mdx', target: 'intel-npu-lnl' });
  assert.deepEqual(rules(findings), ['info:npu-undocumented-precision']);
  assert.match(
    findings[0].message,
    /^With no --weight-format, optimum compresses .*\(Meta-Llama-3-8B\) to INT8 asymmetric/,
  );
  assert.equal(findings[0].fixes[0].title, 'Add --weight-format int4 --sym');
  assert.equal(preferredFixes(findings).length, 0, 'a precision change is the user’s call: not applied by fixAll');
  const fixed = applyFixes(EXPORT_MDX, [findings[0].fixes[0]]);
  assert.match(fixed, /openvino --weight-format int4 --sym --model meta-llama\/Meta-Llama-3-8B ov_model\/\n/);
  assert.deepEqual(rules(lintText(fixed, { fileName: 'export.mdx' }).findings), []);
  // Only NPU targets hear about it.
  assert.deepEqual(rules(lintText(EXPORT_MDX, { fileName: 'export.mdx', target: 'gpu' }).findings), []);
  // Near misses: a model whose size the name does not state, one under a billion, an explicit fp16 export.
  assert.deepEqual(rules(lintText(LOCAL_MODEL, { fileName: 'export.mdx' }).findings), []);
  assert.deepEqual(
    rules(lintText('optimum-cli export openvino -m Qwen/Qwen3-0.6B out', { fileName: 'x.sh' }).findings),
    [],
  );
  assert.deepEqual(
    rules(
      lintText('optimum-cli export openvino -m Qwen/Qwen3-8B --weight-format fp16 out', { fileName: 'x.sh' }).findings,
    ),
    [],
  );
});

// openvinotoolkit/openvino.genai@da1db86 site/docs/concepts/optimization-techniques/speculative-decoding.mdx.
const SPECULATIVE_MDX = `Export both models with \`optimum-cli\`. The draft model must use the same tokenizer as the target:

<OptimumCLI model='Qwen/Qwen3-8B' outputDir='Qwen3-8B-ov-int4' weightFormat='int4' task='text-generation-with-past' />

<OptimumCLI model='Qwen/Qwen3-0.6B' outputDir='Qwen3-0.6B-ov-int4' weightFormat='int4' task='text-generation-with-past' />
`;
// openvinotoolkit/openvino.genai@da1db86 site/docs/guides/model-preparation/convert-to-openvino.mdx.
const CONVERT_MDX = `2. Download and convert a model to the OpenVINO IR format using \`optimum-cli\` tool from Hugging Face:
    <OptimumCLI />

    <Tabs groupId="export-precision">
        <TabItem label="INT8" value="int8">
            <OptimumCLI weightFormat='int8' />
        </TabItem>
        <TabItem label="FP16" value="fp16">
            <OptimumCLI weightFormat='fp16' />
        </TabItem>
    </Tabs>
`;

test('MDX: the <OptimumCLI ... /> component is read as the command it renders (it was invisible)', () => {
  const { findings, recipes } = lintText(SPECULATIVE_MDX, { fileName: 'speculative-decoding.mdx' });
  assert.equal(recipes.length, 2);
  assert.deepEqual(rules(findings), ['error:npu-asymmetric-int4', 'error:npu-asymmetric-int4']);
  assert.match(findings[0].message, /per-model default for Qwen\/Qwen3-8B/);
  assert.equal(SPECULATIVE_MDX.slice(findings[0].span.start, findings[0].span.end), "weightFormat='int4'");
  const model = recipes[0].settings.find((setting) => setting.key === 'model');
  assert.equal(model?.value, 'Qwen/Qwen3-8B');
  assert.equal(SPECULATIVE_MDX.slice(model.valueSpan!.start, model.valueSpan!.end), 'Qwen/Qwen3-8B');
  // The same with the MDX extension's language id.
  assert.equal(lintText(SPECULATIVE_MDX, { fileName: 'page', languageId: 'mdx' }).findings.length, 2);
  // Near miss: the component with no precision, INT8 for an unnamed model and FP16 stay clean.
  const convert = lintText(CONVERT_MDX, { fileName: 'convert-to-openvino.mdx' });
  assert.equal(convert.recipes.length, 3);
  assert.deepEqual(rules(convert.findings), []);
});

test('MDX files are in scope for the editor and for Lint Recipes in Workspace', () => {
  assert.equal(isRecipeLanguage('mdx'), true);
  assert.equal(languageIdForFile('/docs/export.mdx'), 'mdx');
  assert.match(WORKSPACE_GLOB, /\*\.mdx/);
  // The extension contributes the `mdx` language, so .mdx files are `mdx` even without an MDX extension.
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8')) as {
    activationEvents: string[];
    contributes: { languages: { id: string; extensions: string[] }[]; codeActions: { languages: string[] }[] };
  };
  assert.ok(
    manifest.contributes.languages.some((language) => language.id === 'mdx' && language.extensions.includes('.mdx')),
  );
  assert.ok(manifest.activationEvents.includes('onLanguage:mdx'));
  assert.ok(manifest.contributes.codeActions[0].languages.includes('mdx'));
});

test('property: <OptimumCLI /> props in any order and quoting give the same command, spans on the values', () => {
  const props = fc.shuffledSubarray(
    [
      ['model', 'Qwen/Qwen3-8B'],
      ['outputDir', 'out-dir'],
      ['weightFormat', 'int4'],
      ['task', 'text-generation-with-past'],
    ] as const,
    { minLength: 1 },
  );
  fc.assert(
    fc.property(props, fc.constantFrom("'", '"'), fc.constantFrom(' ', '\n    '), (chosen, quote, gap) => {
      const attributes = chosen.map(([name, value]) => `${name}=${quote}${value}${quote}`).join(gap);
      const doc = `Export:\n\n<OptimumCLI ${attributes} />\n`;
      const recipes = lintText(doc, { fileName: 'page.mdx' }).recipes;
      assert.equal(recipes.length, 1);
      for (const [name, value] of chosen) {
        const raw = { model: '--model', outputDir: 'output', weightFormat: '--weight-format', task: '--task' }[name];
        const setting = recipes[0].settings.find((candidate) => candidate.raw === raw);
        assert.ok(setting?.valueSpan, `${name} read`);
        assert.equal(setting.value, value);
        assert.equal(doc.slice(setting.valueSpan.start, setting.valueSpan.end), value);
      }
    }),
    { numRuns: 150 },
  );
});
