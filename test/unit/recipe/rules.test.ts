/** Each rule, its severity per target, config dialects, target precedence and the rule catalogue. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { applyFixes, evaluateRecipe, lintText, preferredFixes, RULES } from '../../../src/core/recipe/index';
import type { Recipe, RecipeDialect, RecipeSetting, SettingKey, SettingValue } from '../../../src/core/recipe/types';
import type { DeviceProfileId } from '../../../src/core/devices/profiles';

const ROOT = path.resolve(__dirname, '../../../..');

function cli(command: string, target: DeviceProfileId = 'intel-npu-lnl') {
  return lintText(command, { fileName: 'x.sh', target });
}

function ruleList(command: string, target: DeviceProfileId = 'intel-npu-lnl'): string[] {
  return cli(command, target)
    .findings.map((finding) => `${finding.severity}:${finding.rule}`)
    .sort();
}

function fixed(command: string, target: DeviceProfileId = 'intel-npu-lnl'): string {
  return applyFixes(command, preferredFixes(cli(command, target).findings));
}

const BASE = 'optimum-cli export openvino -m org/some-model';

test('npu-asymmetric-int4: error on Intel NPUs, silent on CPU/GPU/other NPUs', () => {
  const command = `${BASE} --weight-format int4 --group-size 128 out`;
  for (const target of ['intel-npu-mtl', 'intel-npu-lnl', 'intel-npu-ptl'] as const)
    assert.deepEqual(ruleList(command, target), ['error:npu-asymmetric-int4']);
  for (const target of ['cpu', 'gpu', 'qualcomm-htp', 'apple-ane'] as const)
    assert.deepEqual(ruleList(command, target), []);
  assert.equal(fixed(command), `${BASE} --weight-format int4 --sym --group-size 128 out`);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --group-size 128 out`), []);
});

test("npu-asymmetric-int4 follows optimum's per-model default table (by id and by local folder name)", () => {
  assert.deepEqual(ruleList('optimum-cli export openvino -m HuggingFaceH4/zephyr-7b-beta --weight-format int4 out'), [
    'warning:npu-ratio-below-one',
  ]);
  assert.deepEqual(ruleList('optimum-cli export openvino -m ./models/Llama-2-7b-chat-hf --weight-format int4 out'), []);
  assert.deepEqual(ruleList('optimum-cli export openvino -m Qwen/Qwen3-4B --weight-format int4 out'), []);
  // Any compression flag switches the table off: the generic default is asymmetric.
  assert.deepEqual(ruleList('optimum-cli export openvino -m Qwen/Qwen3-4B --weight-format int4 --ratio 1.0 out'), [
    'error:npu-asymmetric-int4',
  ]);
  const message = cli('optimum-cli export openvino -m Qwen/Qwen3-8B --weight-format int4 out').findings[0].message;
  assert.match(message, /per-model default for Qwen\/Qwen3-8B/);
  // The one table fix resolves every table-derived finding at once.
  const zephyr = 'optimum-cli export openvino -m HuggingFaceH4/zephyr-7b-beta --weight-format int4 out';
  assert.equal(
    fixed(zephyr),
    'optimum-cli export openvino -m HuggingFaceH4/zephyr-7b-beta --weight-format int4 --sym out',
  );
  assert.deepEqual(ruleList(fixed(zephyr)), []);
});

test('unknown-flag with did-you-mean and fixes', () => {
  const cases: [string, string][] = [
    ['--output-dir out', `${BASE} --weight-format fp16 out`],
    ['--model_name_or_path org/m out', `${BASE} --weight-format fp16 --model org/m out`],
    ['--trust_remote_code out', `${BASE} --weight-format fp16 --trust-remote-code out`],
    ['--m org/m out', `${BASE} --weight-format fp16 -m org/m out`],
    ['--int8 out', `${BASE} --weight-format fp16 --weight-format int8 out`],
  ];
  for (const [tail, expected] of cases) {
    const command = `${BASE} --weight-format fp16 ${tail}`;
    assert.ok(ruleList(command).includes('error:unknown-flag'), tail);
    assert.equal(fixed(command), expected, tail);
  }
  const typo = cli(`${BASE} --weight-fromat int4 out`).findings.find((finding) => finding.rule === 'unknown-flag');
  assert.match(typo!.message, /did you mean --weight-format\?/);
});

test('argparse prefixes are accepted (--weight is --weight-format), ambiguous ones are not', () => {
  assert.deepEqual(ruleList(`${BASE} --weight int4 --sym out`), []);
  assert.ok(ruleList(`${BASE} --weight-format fp16 --dis out`).includes('error:unknown-flag'));
});

test('invalid-value: int4_sym_g128, ratio out of range, group size 0, missing value', () => {
  assert.deepEqual(ruleList(`${BASE} --weight-format int4_sym_g128 out`), ['error:invalid-value']);
  assert.equal(
    fixed(`${BASE} --weight-format int4_sym_g128 out`),
    `${BASE} --weight-format int4 --sym --group-size 128 out`,
  );
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --ratio 1.5 out`), ['error:invalid-value']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --group-size 0 out`), ['error:invalid-value']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --backup-precision int4_sym out`), [
    'error:invalid-value',
  ]);
  assert.deepEqual(ruleList(`${BASE} out --weight-format`), ['error:invalid-value']);
});

test('group-size-one: error on Intel NPU, warning elsewhere, fix to -1', () => {
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --group-size 1 out`), ['error:group-size-one']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --group-size 1 out`, 'cpu'), [
    'warning:group-size-one',
  ]);
  assert.equal(
    fixed(`${BASE} --weight-format int4 --sym --group-size 1 out`),
    `${BASE} --weight-format int4 --sym --group-size -1 out`,
  );
});

test('needs-dataset, needs-weight-format, conflicting-options', () => {
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --scale-estimation out`), ['error:needs-dataset']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --gptq --dataset wikitext2 out`), []);
  assert.deepEqual(ruleList(`${BASE} --sym --group-size 128 out`), ['error:needs-weight-format']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int8 --quant-mode int8 --dataset wikitext2 out`), [
    'error:conflicting-options',
  ]);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --gptq --lora-correction --dataset wikitext2 out`), [
    'error:conflicting-options',
  ]);
});

test('int8-incompatible-option: ratio/group size are silently replaced, 4-bit options are errors', () => {
  assert.deepEqual(ruleList(`${BASE} --weight-format int8 --ratio 0.8 --group-size 64 out`, 'cpu'), [
    'warning:int8-incompatible-option',
    'warning:int8-incompatible-option',
  ]);
  assert.equal(
    fixed(`${BASE} --weight-format int8 --ratio 0.8 --group-size 64 out`, 'cpu'),
    `${BASE} --weight-format int8 out`,
  );
  assert.deepEqual(ruleList(`${BASE} --weight-format int8 --awq out`, 'cpu'), ['error:int8-incompatible-option']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int8 --dataset laion/filtered-wit out`, 'cpu'), []);
});

test('npu-ratio-below-one and npu-group-size only on Intel NPU targets', () => {
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --ratio 0.8 out`), ['warning:npu-ratio-below-one']);
  assert.equal(
    fixed(`${BASE} --weight-format int4 --sym --ratio 0.8 out`),
    `${BASE} --weight-format int4 --sym --ratio 1.0 out`,
  );
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --ratio 0.8 out`, 'gpu'), []);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --group-size 64 out`), ['warning:npu-group-size']);
  assert.deepEqual(ruleList(`${BASE} --weight-format int4 --sym --group-size -1 out`), []);
});

test('nf4-needs-lunar-lake: error on Meteor Lake only', () => {
  const command = `${BASE} --weight-format nf4 --sym --group-size -1 --ratio 1.0 out`;
  assert.deepEqual(ruleList(command, 'intel-npu-mtl'), ['error:nf4-needs-lunar-lake']);
  assert.deepEqual(ruleList(command, 'intel-npu-lnl'), []);
  assert.deepEqual(ruleList(command, 'intel-npu-ptl'), []);
});

test('task-without-past: info on every target, fix to -with-past', () => {
  const command = `${BASE} --task text-generation --weight-format int4 --sym out`;
  assert.deepEqual(ruleList(command), ['info:task-without-past']);
  assert.deepEqual(ruleList(command, 'cpu'), ['info:task-without-past']);
  assert.equal(fixed(command), `${BASE} --task text-generation-with-past --weight-format int4 --sym out`);
});

test('a plain fp16/fp32 baseline export is never an error on any target', () => {
  for (const target of ['intel-npu-mtl', 'intel-npu-lnl', 'qualcomm-htp', 'apple-ane', 'cpu'] as const) {
    for (const format of ['fp16', 'fp32']) {
      assert.ok(
        cli(`${BASE} --task text-generation-with-past --weight-format ${format} out`, target).findings.every(
          (finding) => finding.severity !== 'error',
        ),
      );
    }
  }
});

test('target precedence: directive comment > ctx.target > default (intel-npu-lnl)', () => {
  const command = `${BASE} --weight-format int4 out`;
  assert.equal(lintText(command, { fileName: 'x.sh' }).target, 'intel-npu-lnl');
  assert.equal(lintText(command, { fileName: 'x.sh', target: 'cpu' }).findings.length, 0);
  const withDirective = `# quant-drift: target=intel-npu-mtl\n${command}`;
  const result = lintText(withDirective, { fileName: 'x.sh', target: 'cpu' });
  assert.equal(result.target, 'intel-npu-mtl');
  assert.equal(result.findings[0].target, 'intel-npu-mtl');
  assert.equal(
    lintText(`# quant-drift: target=cpu\n${command}`, { fileName: 'x.sh', target: 'intel-npu-mtl' }).findings.length,
    0,
  );
});

/** A config recipe over `text`, each setting at `raw=literal` (or `"raw": literal`). */
function configRecipe(
  dialect: RecipeDialect,
  text: string,
  settings: [SettingKey, string, SettingValue][],
  facts: Record<string, string | number | boolean> = {},
): Recipe {
  const out: RecipeSetting[] = settings.map(([key, raw, value]) => {
    const at = new RegExp(`\\b${raw}["\\s]*[=:]`).exec(text)?.index ?? -1;
    assert.ok(at >= 0, raw);
    const match = /^[\s"]*[=:]\s*/.exec(text.slice(at + raw.length));
    const valueStart = at + raw.length + (match ? match[0].length : 0);
    const valueEnd = valueStart + /^("[^"]*"|[^,)}\s]+)/.exec(text.slice(valueStart))![0].length;
    return { key, raw, value, span: { start: at, end: valueEnd }, valueSpan: { start: valueStart, end: valueEnd } };
  });
  return { dialect, span: { start: 0, end: text.length }, settings: out, unknown: [], facts };
}

function evaluate(recipe: Recipe, text: string, target: DeviceProfileId = 'intel-npu-lnl') {
  const findings = evaluateRecipe(recipe, target, text);
  return {
    rules: findings.map((finding) => `${finding.severity}:${finding.rule}`).sort(),
    fixed: applyFixes(text, preferredFixes(findings)),
  };
}

test('config dialects: asymmetric INT4 in every spelling', () => {
  const ov = 'OVWeightQuantizationConfig(bits=4, sym=False, group_size=128)';
  const ovResult = evaluate(
    configRecipe(
      'ov-weight-config',
      ov,
      [
        ['bits', 'bits', 4],
        ['sym', 'sym', false],
        ['groupSize', 'group_size', 128],
      ],
      { defaultSym: false, defaultBits: 8 },
    ),
    ov,
  );
  assert.deepEqual(ovResult.rules, ['error:npu-asymmetric-int4']);
  assert.equal(ovResult.fixed, 'OVWeightQuantizationConfig(bits=4, sym=True, group_size=128)');

  const json = '{"bits": 4, "sym": false, "group_size": 128, "ratio": 0.8}';
  const jsonResult = evaluate(
    configRecipe('ov-weight-config', json, [
      ['bits', 'bits', 4],
      ['sym', 'sym', false],
      ['groupSize', 'group_size', 128],
      ['ratio', 'ratio', 0.8],
    ]),
    json,
  );
  assert.deepEqual(jsonResult.rules, ['error:npu-asymmetric-int4', 'warning:npu-ratio-below-one']);
  assert.equal(jsonResult.fixed, '{"bits": 4, "sym": true, "group_size": 128, "ratio": 1.0}');

  const nncf = 'nncf.compress_weights(model, mode=CompressWeightsMode.INT4_ASYM, group_size=128)';
  const nncfRecipe = configRecipe(
    'nncf-compress-weights',
    nncf,
    [
      ['weightFormat', 'mode', 'int4'],
      ['sym', 'mode', false],
      ['groupSize', 'group_size', 128],
    ],
    { defaultMode: 'int8_asym' },
  );
  const nncfResult = evaluate(nncfRecipe, nncf);
  assert.deepEqual(nncfResult.rules, ['error:npu-asymmetric-int4']);
  assert.equal(nncfResult.fixed, 'nncf.compress_weights(model, mode=CompressWeightsMode.INT4_SYM, group_size=128)');

  const awq = '{"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": true}';
  const awqResult = evaluate(
    configRecipe('hf-awq', awq, [
      ['bits', 'bits', 4],
      ['sym', 'zero_point', false],
    ]),
    awq,
  );
  assert.deepEqual(awqResult.rules, ['error:npu-asymmetric-int4']);
  // A config.json quantization_config describes weights that exist: not a preferred rewrite.
  assert.equal(awqResult.fixed, awq);
  assert.deepEqual(evaluate(configRecipe('hf-awq', '{"bits": 4}', [['bits', 'bits', 4]]), '{"bits": 4}').rules, [
    'error:npu-asymmetric-int4',
  ]);

  const ort = 'MatMulNBitsQuantizer(model, block_size=128, is_symmetric=False)';
  const ortRecipe = configRecipe(
    'ort-matmulnbits',
    ort,
    [
      ['groupSize', 'block_size', 128],
      ['sym', 'is_symmetric', false],
    ],
    { defaultSym: false, defaultBits: 4 },
  );
  assert.deepEqual(evaluate(ortRecipe, ort).rules, ['error:npu-asymmetric-int4']);
  assert.deepEqual(evaluate(ortRecipe, ort, 'qualcomm-htp').rules, ['info:npu-asymmetric-int4']);
  assert.deepEqual(evaluate(ortRecipe, ort, 'cpu').rules, []);
  const ortDefault = 'MatMulNBitsQuantizer(model)';
  assert.deepEqual(
    evaluate(configRecipe('ort-matmulnbits', ortDefault, [], { defaultSym: false, defaultBits: 4 }), ortDefault).rules,
    ['error:npu-asymmetric-int4'],
  );

  const gptq = '{"quant_method": "gptq", "bits": 4, "sym": false}';
  assert.deepEqual(
    evaluate(
      configRecipe(
        'hf-gptq',
        gptq,
        [
          ['bits', 'bits', 4],
          ['sym', 'sym', false],
        ],
        { defaultSym: true },
      ),
      gptq,
    ).rules,
    ['error:npu-asymmetric-int4'],
  );
  const gptqDefault = '{"quant_method": "gptq", "bits": 4}';
  assert.deepEqual(
    evaluate(configRecipe('hf-gptq', gptqDefault, [['bits', 'bits', 4]], { defaultSym: true }), gptqDefault).rules,
    [],
  );
});

test('config dialects: group size, removed Olive pass, bitsandbytes NF4 is not an NNCF NF4', () => {
  const group = 'OVWeightQuantizationConfig(bits=4, sym=True, group_size=1)';
  const groupResult = evaluate(
    configRecipe('ov-weight-config', group, [
      ['bits', 'bits', 4],
      ['sym', 'sym', true],
      ['groupSize', 'group_size', 1],
    ]),
    group,
  );
  assert.deepEqual(groupResult.rules, ['error:group-size-one']);
  assert.equal(groupResult.fixed, 'OVWeightQuantizationConfig(bits=4, sym=True, group_size=-1)');

  const olive = '{"type": "OnnxMatMul4Quantizer", "block_size": 32}';
  const oliveResult = evaluate(
    configRecipe(
      'olive-pass',
      olive,
      [
        ['passType', 'type', 'OnnxMatMul4Quantizer'],
        ['groupSize', 'block_size', 32],
      ],
      { defaultSym: true, defaultBits: 4 },
    ),
    olive,
    'cpu',
  );
  assert.deepEqual(oliveResult.rules, ['error:removed-olive-pass']);
  assert.equal(oliveResult.fixed, '{"type": "OnnxBlockWiseRtnQuantization", "block_size": 32}');

  const bnb = 'BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")';
  assert.deepEqual(
    evaluate(
      configRecipe('hf-bitsandbytes', bnb, [
        ['bits', 'load_in_4bit', 4],
        ['quantType', 'bnb_4bit_quant_type', 'nf4'],
      ]),
      bnb,
      'intel-npu-mtl',
    ).rules,
    [],
  );

  const nf4 = 'OVWeightQuantizationConfig(bits=4, dtype="nf4", group_size=-1)';
  assert.deepEqual(
    evaluate(
      configRecipe('ov-weight-config', nf4, [
        ['bits', 'bits', 4],
        ['weightFormat', 'dtype', 'nf4'],
        ['groupSize', 'group_size', -1],
      ]),
      nf4,
      'intel-npu-mtl',
    ).rules,
    ['error:nf4-needs-lunar-lake'],
  );
});

test('model-files: INT8 and FP16 LLMs on the NPU are warnings (undocumented, crash reported)', () => {
  const model = (bits: number, format: string): Recipe => ({
    dialect: 'model-files',
    span: { start: 0, end: 0 },
    settings: [
      { key: 'bits', raw: 'bits', value: bits, span: { start: 0, end: 0 } },
      { key: 'weightFormat', raw: 'dtype', value: format, span: { start: 0, end: 0 } },
    ],
    unknown: [],
  });
  assert.deepEqual(
    evaluateRecipe(model(8, 'int8_asym'), 'intel-npu-lnl').map((f) => `${f.severity}:${f.rule}`),
    ['warning:npu-undocumented-precision'],
  );
  assert.deepEqual(
    evaluateRecipe(model(16, 'fp16'), 'intel-npu-lnl').map((f) => `${f.severity}:${f.rule}`),
    ['warning:npu-undocumented-precision'],
  );
  assert.deepEqual(evaluateRecipe(model(16, 'fp16'), 'cpu'), []);
  assert.deepEqual(
    evaluateRecipe(model(4, 'int4_asym'), 'intel-npu-lnl').map((f) => f.rule),
    ['npu-asymmetric-int4'],
  );
  assert.deepEqual(evaluateRecipe(model(4, 'int4_sym'), 'intel-npu-lnl'), []);
});

test("Python configs through lintText: R2's extractor feeds the same rules", () => {
  const text =
    'from optimum.intel import OVWeightQuantizationConfig\nq = OVWeightQuantizationConfig(bits=4, sym=False, group_size=128, ratio=1.0)\n';
  const result = lintText(text, { fileName: 'q.py' });
  assert.deepEqual(
    result.findings.map((finding) => finding.rule),
    ['npu-asymmetric-int4'],
  );
  assert.equal(applyFixes(text, preferredFixes(result.findings)), text.replace('sym=False', 'sym=True'));
});

test('JSON configs through lintText: openvino_config.json sym false with 4 bits', () => {
  const text =
    '{\n  "quantization_config": {"bits": 4, "sym": false, "group_size": 128, "ratio": 1.0},\n  "dtype": "int4"\n}\n';
  const result = lintText(text, { fileName: 'openvino_config.json' });
  assert.deepEqual(
    result.findings.map((finding) => finding.rule),
    ['npu-asymmetric-int4'],
  );
  assert.ok(applyFixes(text, preferredFixes(result.findings)).includes('"sym": true'));
});

test('RULES: every rule has a title and a doc page in docs/rules that cites a source', () => {
  assert.ok(Object.keys(RULES).length >= 10);
  for (const [id, rule] of Object.entries(RULES)) {
    assert.equal(rule.id, id);
    assert.equal(rule.docPath, `docs/rules/${id}.md`);
    const doc = path.join(ROOT, rule.docPath);
    assert.ok(existsSync(doc), `${rule.docPath} exists`);
    assert.match(readFileSync(doc, 'utf8'), /## Source/, `${rule.docPath} cites its source`);
  }
});
