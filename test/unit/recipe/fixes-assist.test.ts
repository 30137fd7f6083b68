/** applyFixes semantics, hovers and completions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFixes, completionsAt, hoverAt, lintText, preferredFixes } from '../../../src/core/recipe/index';
import type { Fix } from '../../../src/core/recipe/types';

const edit = (start: number, end: number, newText: string): Fix => ({
  title: newText,
  edits: [{ span: { start, end }, newText }],
});

test('applyFixes: identical edits apply once, overlapping edits are dropped, order does not matter', () => {
  assert.equal(applyFixes('abcdef', [edit(2, 2, 'X'), edit(2, 2, 'X')]), 'abXcdef');
  assert.equal(applyFixes('abcdef', [edit(1, 4, 'Z'), edit(2, 3, 'Y')]), 'aZef');
  assert.equal(applyFixes('abcdef', [edit(4, 4, '!'), edit(1, 2, 'B')]), 'aBcd!ef');
  // An insertion at the end of a replaced range keeps both.
  assert.equal(
    applyFixes('--weight-format int4', [edit(16, 20, 'int4'), edit(20, 20, ' --sym')]),
    '--weight-format int4 --sym',
  );
  assert.equal(applyFixes('abc', [edit(2, 9, 'x')]), 'abc');
});

test('fixing a script twice gives the same text as once (every rule with a preferred fix)', () => {
  const script = [
    'optimum-cli export openvino -m org/a --weight-format int4 --group-size 1 --ratio 0.5 out1',
    'optimum-cli export openvino -m org/b --weight-format int4_sym_g128 out2',
    'optimum-cli export openvino --model_name_or_path org/c --weight-format int8 --ratio 0.9 --output-dir out3',
    'optimum-cli export openvino -m TinyLlama/TinyLlama-1.1B-Chat-v1.0 --weight-format int4 out4',
    'optimum-cli export openvino -m HuggingFaceH4/zephyr-7b-beta --weight-format int4 out5',
  ].join('\n');
  const ctx = { fileName: 'x.sh' };
  const once = applyFixes(script, preferredFixes(lintText(script, ctx).findings));
  const twice = applyFixes(once, preferredFixes(lintText(once, ctx).findings));
  assert.equal(twice, once);
  assert.deepEqual(
    lintText(once, ctx)
      .findings.filter((f) => f.severity === 'error')
      .map((f) => f.rule),
    [],
  );
  assert.equal(
    once.split('\n')[0],
    'optimum-cli export openvino -m org/a --weight-format int4 --sym --group-size -1 --ratio 1.0 out1',
  );
  assert.equal(once.split('\n')[2], 'optimum-cli export openvino --model org/c --weight-format int8 out3');
});

test('hover on a flag shows meaning, default, allowed values, device notes and the source', () => {
  const text = 'optimum-cli export openvino -m a/b --weight-format int4 --sym --group-size 128 out';
  const sym = hoverAt(text, text.indexOf('--sym') + 2, { fileName: 'x.sh' });
  assert.ok(sym);
  assert.match(sym.markdown, /Symmetric/);
  assert.match(sym.markdown, /34450/);
  assert.match(sym.markdown, /optimum-intel/);
  assert.equal(text.slice(sym.span.start, sym.span.end), '--sym');
  const format = hoverAt(text, text.indexOf('--weight-format') + 3, { fileName: 'x.sh' });
  assert.match(format!.markdown, /Allowed: `fp32`, `fp16`, `int8`, `int4`/);
  const value = hoverAt(text, text.indexOf('int4') + 1, { fileName: 'x.sh' });
  assert.match(value!.markdown, /asymmetric/);
  assert.equal(hoverAt(text, 3, { fileName: 'x.sh' }), null);
  const typo = 'optimum-cli export openvino -m a/b --output-dir out';
  assert.match(hoverAt(typo, typo.indexOf('--output-dir') + 2, { fileName: 'x.sh' })!.markdown, /positional/);
});

test('completions: flags not yet given, values of the flag before the cursor', () => {
  const text = 'optimum-cli export openvino -m a/b --weight-format int4 --s';
  const flags = completionsAt(text, text.length, { fileName: 'x.sh' });
  assert.ok(flags);
  assert.deepEqual(flags.replace, { start: text.length - 3, end: text.length });
  const labels = flags.items.map((item) => item.label);
  assert.ok(
    labels.includes('--sym') && labels.includes('--scale-estimation') && labels.includes('--smooth-quant-alpha'),
  );
  assert.ok(!labels.includes('--weight-format'));
  assert.ok(flags.items.every((item) => item.kind === 'flag'));

  const valueText = 'optimum-cli export openvino -m a/b --weight-format ';
  const values = completionsAt(valueText, valueText.length, { fileName: 'x.sh' });
  assert.deepEqual(
    values!.items.map((item) => item.label),
    ['fp32', 'fp16', 'int8', 'int4', 'mxfp4', 'nf4', 'cb4'],
  );
  assert.ok(values!.items.every((item) => item.kind === 'value'));

  assert.equal(completionsAt('echo hello', 4, { fileName: 'x.sh' }), null);
  const argv = 'cmd = ["optimum-cli", "export", "openvino", "--backup-precision", ""]';
  const argvValues = completionsAt(argv, argv.length - 2, { fileName: 'x.py' });
  assert.deepEqual(
    argvValues?.items.map((item) => item.label),
    ['none', 'int8_sym', 'int8_asym'],
  );
});

test('a config that only defaults to asymmetric INT4 gets a preferred fix that writes the symmetric key', () => {
  const cases: { fileName: string; text: string; fixed: string }[] = [
    {
      fileName: 'export.py',
      text: 'q = OVWeightQuantizationConfig(bits=4, group_size=128)',
      fixed: 'q = OVWeightQuantizationConfig(bits=4, group_size=128, sym=True)',
    },
    {
      fileName: 'export.py',
      text: "model = OVModelForCausalLM.from_pretrained(m, quantization_config={'bits': 4, 'ratio': 1.0})",
      fixed:
        "model = OVModelForCausalLM.from_pretrained(m, quantization_config={'bits': 4, 'ratio': 1.0, 'sym': True})",
    },
    {
      fileName: 'quantize.py',
      text: 'quant = MatMulNBitsQuantizer(model, block_size=128)',
      fixed: 'quant = MatMulNBitsQuantizer(model, block_size=128, is_symmetric=True)',
    },
    {
      fileName: 'openvino_config.json',
      text: '{\n  "quantization_config": {\n    "bits": 4,\n    "group_size": 128\n  }\n}',
      fixed: '{\n  "quantization_config": {\n    "bits": 4,\n    "group_size": 128,\n    "sym": true\n  }\n}',
    },
  ];
  for (const { fileName, text, fixed } of cases) {
    const ctx = { fileName, target: 'intel-npu-lnl' as const };
    const finding = lintText(text, ctx).findings.find((candidate) => candidate.rule === 'npu-asymmetric-int4');
    assert.ok(finding, `${fileName}: ${text}`);
    assert.ok(finding.fixes[0]?.preferred, `${fileName}: the fix is preferred`);
    const once = applyFixes(text, preferredFixes(lintText(text, ctx).findings));
    assert.equal(once, fixed);
    assert.equal(
      lintText(once, ctx).findings.filter((candidate) => candidate.rule === 'npu-asymmetric-int4').length,
      0,
    );
    assert.equal(applyFixes(once, preferredFixes(lintText(once, ctx).findings)), once, 'idempotent');
  }
  // load_in_4bit=True has no config to write into, and HQQ is never symmetric: no insertion is offered.
  const load = lintText('m = OVModelForCausalLM.from_pretrained("org/unlisted-7b", load_in_4bit=True)', {
    fileName: 'x.py',
  });
  assert.ok(load.findings.some((candidate) => candidate.rule === 'npu-asymmetric-int4'));
  assert.deepEqual(
    load.findings.flatMap((candidate) => candidate.fixes),
    [],
  );
});

test('hover on a config key inside a ```python fence of a README', () => {
  const text = '# Export\n\n```python\nq = OVWeightQuantizationConfig(bits=4, sym=True)\n```\n';
  const hover = hoverAt(text, text.indexOf('sym=') + 1, { fileName: 'README.md' });
  assert.ok(hover);
  assert.match(hover.markdown, /\*\*sym\*\*/);
  assert.equal(text.slice(hover.span.start, hover.span.end), 'sym');
});
