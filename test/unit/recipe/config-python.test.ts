import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { extractPythonConfigs } from '../../../src/core/recipe/python';
import { tokenize } from '../../../src/core/recipe/python/tokenizer';
import type { Recipe, RecipeDialect, RecipeSetting, SettingKey, Span } from '../../../src/core/recipe/types';
import { isUnknown } from '../../../src/core/recipe/types';

// Tests run from out/test/unit/recipe; the corpus copy lives beside this source file.
const CORPUS_DIR = path.resolve(__dirname, '../../../../test/unit/recipe/config-corpus');

interface CorpusSnippet {
  readonly id: string;
  readonly apis: readonly string[];
  readonly text: string;
}

function loadCorpus(): CorpusSnippet[] {
  return readFileSync(path.join(CORPUS_DIR, 'python.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusSnippet);
}

const slice = (text: string, span: Span): string => text.slice(span.start, span.end);

/** `?` stands for an UnknownValue (a variable or expression). */
type Expected = [SettingKey, string | number | boolean | null, string];

function settingRows(text: string, recipe: Recipe): Expected[] {
  return recipe.settings
    .filter((setting) => setting.key !== 'other')
    .map((setting): Expected => [
      setting.key,
      isUnknown(setting.value) ? '?' : setting.value,
      slice(text, setting.span),
    ]);
}

function only(recipes: Recipe[], dialect?: RecipeDialect): Recipe {
  assert.equal(recipes.length, 1, `expected one recipe, got ${recipes.length}`);
  if (dialect) assert.equal(recipes[0].dialect, dialect);
  return recipes[0];
}

function setting(recipe: Recipe, key: SettingKey): RecipeSetting {
  const found = recipe.settings.find((candidate) => candidate.key === key);
  assert.ok(found, `no ${key} setting`);
  return found;
}

/** Every span of every recipe lies inside the text, and settings lie inside their own spans' order. */
function assertSpansInRange(text: string, recipes: readonly Recipe[]): void {
  for (const recipe of recipes) {
    const spans: Span[] = [recipe.span];
    for (const item of [...recipe.settings, ...recipe.unknown]) {
      spans.push(item.span);
      if (item.valueSpan) spans.push(item.valueSpan);
      if (item.keySpan) spans.push(item.keySpan);
      if (item.removeSpan) spans.push(item.removeSpan);
    }
    if (recipe.style) spans.push({ start: recipe.style.insertAt, end: recipe.style.insertAt });
    for (const span of spans) {
      assert.ok(span.start >= 0 && span.start <= span.end && span.end <= text.length, `span out of range`);
    }
  }
}

// Expected non-`other` settings of every corpus snippet, per recipe, in source order.
/** An nncf int mode: one written `mode=...` gives a weight format and a symmetry, both at its span. */
function intMode(format: 'int4' | 'int8', sym: boolean, written: string): Expected[] {
  return [
    ['weightFormat', format, written],
    ['sym', sym, written],
  ];
}

const CORPUS_EXPECTED: Record<string, Array<{ dialect: RecipeDialect; settings: Expected[] }>> = {
  'py-001': [
    {
      dialect: 'ov-quant-config',
      settings: [
        ['quantMode', 'int8', 'dtype="int8"'],
        ['dataset', 'librispeech', 'dataset="librispeech"'],
        ['numSamples', 50, 'num_samples=50'],
      ],
    },
  ],
  'py-006': [
    {
      dialect: 'ov-quant-config',
      settings: [
        ['numSamples', 10, 'num_samples=10'],
        ['dataset', 'librispeech', 'dataset="librispeech"'],
        ['smoothQuantAlpha', 0.95, 'smooth_quant_alpha=0.95'],
      ],
    },
  ],
  'py-009': [
    { dialect: 'ov-quant-config', settings: [['bits', 8, 'bits=8']] },
    { dialect: 'ov-weight-config', settings: [['bits', 8, 'bits=8']] },
  ],
  'py-013': [
    {
      dialect: 'ov-weight-config',
      settings: [
        ['bits', 4, 'bits=4'],
        ['groupSize', 16, 'group_size=16'],
      ],
    },
  ],
  'py-014': [
    {
      dialect: 'ov-quant-config',
      settings: [
        ['bits', 8, 'bits=8'],
        ['dataset', '?', 'dataset=dataset'],
        ['numSamples', '?', 'num_samples=num_samples'],
      ],
    },
  ],
  'py-015': [
    { dialect: 'ov-quant-config', settings: [['bits', 8, 'bits=8']] },
    { dialect: 'ov-weight-config', settings: [['bits', 8, 'bits=8']] },
    { dialect: 'ov-weight-config', settings: [['bits', 8, 'bits=8']] },
  ],
  'py-017': [{ dialect: 'nncf-compress-weights', settings: [['dataset', '?', 'dataset=dataset']] }],
  'py-019': [
    {
      dialect: 'nncf-compress-weights',
      settings: [...intMode('int8', true, 'mode=CompressWeightsMode.INT8_SYM')],
    },
  ],
  'py-020': [
    {
      dialect: 'nncf-compress-weights',
      settings: [...intMode('int4', true, 'mode=CompressWeightsMode.INT4_SYM')],
    },
  ],
  'py-022': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int4', false, 'mode=CompressWeightsMode.INT4_ASYM'),
        ['groupSize', 64, 'group_size=64'],
        ['ratio', 0.9, 'ratio=0.9'],
      ],
    },
  ],
  'py-023': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int4', true, 'mode=CompressWeightsMode.INT4_SYM'),
        ['ratio', 0.8, 'ratio=0.8'],
        ['dataset', '?', 'dataset=nncf_dataset'],
      ],
    },
  ],
  'py-025': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int4', true, 'mode=CompressWeightsMode.INT4_SYM'),
        ['ratio', 0.8, 'ratio=0.8'],
        ['dataset', '?', 'dataset=nncf_dataset'],
        ['gptq', true, 'gptq=True'],
      ],
    },
  ],
  'py-026': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int4', true, 'mode=CompressWeightsMode.INT4_SYM'),
        ['ratio', 0.8, 'ratio=0.8'],
        ['dataset', '?', 'dataset=nncf_dataset'],
        ['loraCorrection', true, 'lora_correction=True'],
      ],
    },
  ],
  'py-027': [{ dialect: 'nncf-compress-weights', settings: [['weightFormat', 'nf4', 'mode=CompressWeightsMode.NF4']] }],
  'py-037': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ['dataset', '?', 'dataset=nncf_dataset'],
        ['weightFormat', '?', 'mode=COMPRESSION_MODE'],
        ['sym', '?', 'mode=COMPRESSION_MODE'],
        ['ratio', '?', 'ratio=ratio'],
        ['groupSize', '?', 'group_size=group_size'],
        ['awq', '?', 'awq=awq'],
        [
          'sensitivityMetric',
          'max_activation_variance',
          'sensitivity_metric=nncf.parameters.SensitivityMetric.MAX_ACTIVATION_VARIANCE',
        ],
      ],
    },
  ],
  'py-043': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ['dataset', '?', 'dataset=quantization_dataset'],
        ...intMode('int4', true, 'mode=nncf.CompressWeightsMode.INT4_SYM'),
        ['ratio', 0.8, 'ratio=0.8'],
        [
          'sensitivityMetric',
          'hessian_input_activation',
          'sensitivity_metric=nncf.SensitivityMetric.HESSIAN_INPUT_ACTIVATION',
        ],
      ],
    },
  ],
  'py-045': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int8', false, 'mode=nncf.CompressWeightsMode.INT8_ASYM'),
        ['dataset', '?', 'dataset=dataset'],
      ],
    },
  ],
  'py-047': [{ dialect: 'hf-bitsandbytes', settings: [['bits', 4, 'load_in_4bit=True']] }],
  'py-052': [
    {
      dialect: 'ort-matmulnbits',
      settings: [
        ['bits', '?', 'bits=self.quant_attrs["bits"]'],
        ['groupSize', '?', 'block_size=self.quant_attrs["qdq_block_size"]'],
        ['sym', '?', 'is_symmetric=self.quant_attrs["is_symmetric"]'],
        ['accuracyLevel', '?', 'accuracy_level=self.quant_attrs["accuracy_level"]'],
      ],
    },
  ],
  'py-053': [
    {
      dialect: 'nncf-compress-weights',
      settings: [...intMode('int4', true, 'mode=CompressWeightsMode.INT4_SYM')],
    },
  ],
  'py-054': [
    {
      dialect: 'hf-bitsandbytes',
      settings: [
        ['model', 'Qwen/Qwen-1_8B-Chat', '"Qwen/Qwen-1_8B-Chat"'],
        ['bits', 4, 'load_in_4bit=True'],
      ],
    },
  ],
  'py-055': [
    {
      dialect: 'hf-bitsandbytes',
      settings: [
        ['model', '?', 'model_name'],
        ['bits', 4, 'load_in_4bit=True'],
      ],
    },
  ],
  'py-058': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int4', true, 'mode=nncf.CompressWeightsMode.INT4_SYM'),
        ['ratio', 0.8, 'ratio=0.8'],
        ['groupSize', 128, 'group_size=128'],
      ],
    },
  ],
  'py-060': [
    {
      dialect: 'ov-weight-config',
      settings: [
        ['bits', 4, 'bits=4'],
        ['sym', false, 'sym=False'],
        ['ratio', 0.8, 'ratio=0.8'],
        ['awq', true, 'quant_method="awq"'],
        ['groupSize', 128, 'group_size=128'],
        ['dataset', 'wikitext2', 'dataset="wikitext2"'],
      ],
    },
  ],
  'py-062': [{ dialect: 'ort-matmulnbits', settings: [] }],
  'py-063': [
    {
      dialect: 'ort-matmulnbits',
      settings: [
        ['groupSize', '?', 'block_size=block_size'],
        ['sym', '?', 'is_symmetric=request.param'],
      ],
    },
  ],
  'py-064': [{ dialect: 'ort-matmulnbits', settings: [] }],
  'py-068': [
    {
      dialect: 'ort-matmulnbits',
      settings: [
        ['groupSize', '?', 'block_size=config["block_size"]'],
        ['sym', '?', 'is_symmetric=config["is_symmetric"]'],
        ['accuracyLevel', '?', 'accuracy_level=config["accuracy_level"]'],
      ],
    },
  ],
  'py-069': [
    {
      dialect: 'ort-matmulnbits',
      settings: [
        ['groupSize', '?', 'block_size=config["block_size"]'],
        ['sym', '?', 'is_symmetric=config["is_symmetric"]'],
      ],
    },
  ],
  'py-072': [
    {
      dialect: 'hf-bitsandbytes',
      settings: [
        ['bits', 4, 'load_in_4bit=True'],
        ['quantType', '?', 'bnb_4bit_quant_type=config["quant_type"]'],
      ],
    },
  ],
  'py-075': [{ dialect: 'hf-gptq', settings: [] }],
  'py-080': [
    {
      dialect: 'hf-gptq',
      settings: [
        ['bits', '?', 'bits=bits'],
        ['sym', true, 'sym=True'],
      ],
    },
  ],
  'py-081': [
    {
      dialect: 'hf-gptq',
      settings: [
        ['bits', '?', 'bits=bits'],
        ['sym', true, 'sym=True'],
      ],
    },
  ],
  'py-085': [
    {
      dialect: 'nncf-compress-weights',
      settings: [
        ...intMode('int4', false, '"mode": nncf.CompressWeightsMode.INT4_ASYM'),
        ['groupSize', 128, '"group_size": 128'],
        ['ratio', 1, '"ratio": 1'],
        ['allLayers', true, '"all_layers": True'],
      ],
    },
    {
      dialect: 'nncf-compress-weights',
      settings: [...intMode('int8', false, '"mode": nncf.CompressWeightsMode.INT8_ASYM')],
    },
    { dialect: 'nncf-compress-weights', settings: [] },
  ],
};

void describe('extractPythonConfigs over the corpus', () => {
  const corpus = loadCorpus();

  void test('the corpus copy is complete and every snippet has an expectation', () => {
    assert.equal(corpus.length, 34);
    assert.deepEqual(corpus.map((snippet) => snippet.id).sort(), Object.keys(CORPUS_EXPECTED).sort());
  });

  for (const snippet of corpus) {
    void test(`${snippet.id} (${snippet.apis.join(', ')})`, () => {
      const recipes = extractPythonConfigs(snippet.text);
      const expected = CORPUS_EXPECTED[snippet.id] ?? [];
      assert.deepEqual(
        recipes.map((recipe) => ({ dialect: recipe.dialect, settings: settingRows(snippet.text, recipe) })),
        expected,
      );
      assertSpansInRange(snippet.text, recipes);
      for (const recipe of recipes) {
        assert.deepEqual(recipe.unknown, [], 'no unknown keywords in real code');
        for (const item of recipe.settings) {
          if (item.valueSpan) assert.ok(slice(snippet.text, item.span).endsWith(slice(snippet.text, item.valueSpan)));
        }
      }
    });
  }

  void test('the call span covers the callee through the closing parenthesis', () => {
    const text = corpus.find((snippet) => snippet.id === 'py-043')?.text ?? '';
    const recipe = only(extractPythonConfigs(text));
    assert.ok(slice(text, recipe.span).startsWith('nncf.compress_weights('));
    assert.ok(slice(text, recipe.span).endsWith(')'));
  });
});

void describe('OVWeightQuantizationConfig', () => {
  void test('maps every documented keyword with its spans', () => {
    const text = [
      'cfg = OVWeightQuantizationConfig(',
      '    bits=4, sym=False, group_size=-1, ratio=1.0, all_layers=True, dataset="wikitext2",',
      '    quant_method="awq", scale_estimation=True, gptq=False, lora_correction=None, dtype="nf4",',
      '    backup_precision="int8_sym", sensitivity_metric="max_activation_variance", num_samples=64,',
      '    statistics_path="./stats", group_size_fallback="adjust", trust_remote_code=True, tokenizer=tok,',
      ')',
    ].join('\n');
    const recipe = only(extractPythonConfigs(text), 'ov-weight-config');
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, 'bits=4'],
      ['sym', false, 'sym=False'],
      ['groupSize', -1, 'group_size=-1'],
      ['ratio', 1, 'ratio=1.0'],
      ['allLayers', true, 'all_layers=True'],
      ['dataset', 'wikitext2', 'dataset="wikitext2"'],
      ['awq', true, 'quant_method="awq"'],
      ['scaleEstimation', true, 'scale_estimation=True'],
      ['gptq', false, 'gptq=False'],
      ['loraCorrection', null, 'lora_correction=None'],
      ['weightFormat', 'nf4', 'dtype="nf4"'],
      ['backupPrecision', 'int8_sym', 'backup_precision="int8_sym"'],
      ['sensitivityMetric', 'max_activation_variance', 'sensitivity_metric="max_activation_variance"'],
      ['numSamples', 64, 'num_samples=64'],
      ['statisticsPath', './stats', 'statistics_path="./stats"'],
      ['groupSizeFallback', 'adjust', 'group_size_fallback="adjust"'],
      ['trustRemoteCode', true, 'trust_remote_code=True'],
    ]);
    const sym = setting(recipe, 'sym');
    assert.equal(sym.raw, 'sym');
    assert.equal(slice(text, sym.valueSpan as Span), 'False');
    assert.equal(slice(text, sym.keySpan as Span), 'sym');
    assert.equal(slice(text, sym.removeSpan as Span), 'sym=False, ');
    assert.equal(slice(text, setting(recipe, 'groupSize').valueSpan as Span), '-1');
    assert.equal(recipe.unknown.length, 0);
    assert.equal(recipe.facts?.['defaultSym'], false);
  });

  void test('deprecated weight_format still maps to weightFormat, quant_method hybrid to quantMethod', () => {
    const text = 'OVWeightQuantizationConfig(bits=4, weight_format="int4", quant_method="hybrid")';
    const recipe = only(extractPythonConfigs(text));
    assert.equal(setting(recipe, 'weightFormat').raw, 'weight_format');
    assert.equal(setting(recipe, 'quantMethod').value, 'hybrid');
    assert.equal(
      recipe.settings.some((item) => item.key === 'awq'),
      false,
    );
  });

  void test('variables, f-strings and expressions are unknown values, never guesses', () => {
    const text = 'OVWeightQuantizationConfig(bits=args.bits, sym=not asym, dataset=f"{name}", ratio=0.5 * 2)';
    const recipe = only(extractPythonConfigs(text));
    for (const item of recipe.settings) assert.ok(isUnknown(item.value), `${item.key} should be unknown`);
    const dataset = setting(recipe, 'dataset');
    assert.deepEqual(dataset.value, { kind: 'unknown', text: 'f"{name}"' });
  });

  void test('an f-string without replacement fields and implicit concatenation are known strings', () => {
    const text = 'OVWeightQuantizationConfig(bits=4, dataset=f"wiki" "text2")';
    assert.equal(setting(only(extractPythonConfigs(text)), 'dataset').value, 'wikitext2');
  });

  void test('a misspelt keyword is reported as unknown with its span', () => {
    const text = 'OVWeightQuantizationConfig(bits=4, symmetric=True)';
    const recipe = only(extractPythonConfigs(text));
    assert.equal(recipe.unknown.length, 1);
    assert.equal(recipe.unknown[0].raw, 'symmetric');
    assert.equal(slice(text, recipe.unknown[0].span), 'symmetric=True');
  });

  void test('positional arguments follow the signature (bits, sym, group_size)', () => {
    const text = 'OVWeightQuantizationConfig(4, True, 128)';
    const recipe = only(extractPythonConfigs(text));
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, '4'],
      ['sym', true, 'True'],
      ['groupSize', 128, '128'],
    ]);
    assert.equal(setting(recipe, 'sym').keySpan, undefined);
  });

  void test('style inserts after the last argument, or right after ( in an empty call', () => {
    const text = 'q = OVWeightQuantizationConfig(bits=4, group_size=128)\np = OVWeightQuantizationConfig()';
    const [first, second] = extractPythonConfigs(text);
    assert.equal(first.style?.insertAt, text.indexOf('128') + 3);
    assert.equal(first.style?.separator, ', ');
    assert.equal(second.style?.insertAt, text.lastIndexOf('(') + 1);
    assert.equal(second.style?.separator, '');
    const fixed = `${text.slice(0, first.style?.insertAt)}, sym=True${text.slice(first.style?.insertAt)}`;
    assert.equal(setting(extractPythonConfigs(fixed)[0], 'sym').value, true);
  });

  void test('OVMixedQuantizationConfig and pipeline configs yield one recipe per nested config with its role', () => {
    const text = [
      'q = OVMixedQuantizationConfig(',
      '    weight_quantization_config=OVWeightQuantizationConfig(bits=4, sym=True, group_size=-1),',
      '    full_quantization_config=OVQuantizationConfig(dtype="f8e4m3", dataset="wikitext2"),',
      ')',
    ].join('\n');
    const recipes = extractPythonConfigs(text);
    assert.deepEqual(
      recipes.map((recipe) => [recipe.dialect, recipe.facts?.['role']]),
      [
        ['ov-weight-config', 'weight_quantization_config'],
        ['ov-quant-config', 'full_quantization_config'],
      ],
    );
    assert.equal(setting(recipes[1], 'quantMode').value, 'f8e4m3');
  });
});

void describe('other config calls', () => {
  void test('nncf.compress_weights with string modes, enums and backup mode', () => {
    const text = 'nncf.compress_weights(model, mode="int4_asym", backup_mode=nncf.BackupMode.INT8_SYM, subset_size=64)';
    const recipe = only(extractPythonConfigs(text), 'nncf-compress-weights');
    assert.deepEqual(settingRows(text, recipe), [
      ['weightFormat', 'int4', 'mode="int4_asym"'],
      ['sym', false, 'mode="int4_asym"'],
      ['backupPrecision', 'int8_sym', 'backup_mode=nncf.BackupMode.INT8_SYM'],
      ['numSamples', 64, 'subset_size=64'],
    ]);
    assert.equal(recipe.facts?.['defaultMode'], 'int8_asym');
  });

  void test('BitsAndBytesConfig nf4', () => {
    const text = 'BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True)';
    const recipe = only(extractPythonConfigs(text), 'hf-bitsandbytes');
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, 'load_in_4bit=True'],
      ['quantType', 'nf4', 'bnb_4bit_quant_type="nf4"'],
    ]);
  });

  void test('GPTQConfig keeps a negative group size and desc_act', () => {
    const text = 'GPTQConfig(bits=4, dataset="c4", tokenizer=tok, group_size=-1, desc_act=True, sym=False)';
    const recipe = only(extractPythonConfigs(text), 'hf-gptq');
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, 'bits=4'],
      ['dataset', 'c4', 'dataset="c4"'],
      ['groupSize', -1, 'group_size=-1'],
      ['descAct', true, 'desc_act=True'],
      ['sym', false, 'sym=False'],
    ]);
    assert.equal(recipe.facts?.['defaultSym'], true);
  });

  void test('AwqConfig zero_point=True is sym false, written as zero_point', () => {
    const text = 'AwqConfig(bits=4, group_size=128, zero_point=True, version="gemm")';
    const sym = setting(only(extractPythonConfigs(text), 'hf-awq'), 'sym');
    assert.equal(sym.value, false);
    assert.equal(sym.raw, 'zero_point');
    assert.equal(slice(text, sym.valueSpan as Span), 'True');
  });

  void test('MatMulNBitsQuantizer positional block_size and is_symmetric; class defaults as facts', () => {
    const text = 'quant = MatMulNBitsQuantizer(model, 32, False, accuracy_level=4)';
    const recipe = only(extractPythonConfigs(text), 'ort-matmulnbits');
    assert.deepEqual(settingRows(text, recipe), [
      ['groupSize', 32, '32'],
      ['sym', false, 'False'],
      ['accuracyLevel', 4, 'accuracy_level=4'],
    ]);
    assert.equal(setting(recipe, 'sym').raw, 'is_symmetric');
    assert.deepEqual(
      [recipe.facts?.['defaultSym'], recipe.facts?.['defaultGroupSize']],
      [false, 128],
      'the class default is asymmetric block 128',
    );
  });

  void test('DefaultWeightOnlyQuantConfig and RTNWeightOnlyQuantConfig', () => {
    const text =
      'a = DefaultWeightOnlyQuantConfig(block_size=64, is_symmetric=True, bits=4)\nb = RTNWeightOnlyQuantConfig()';
    const [first, second] = extractPythonConfigs(text);
    assert.deepEqual(settingRows(text, first), [
      ['groupSize', 64, 'block_size=64'],
      ['sym', true, 'is_symmetric=True'],
      ['bits', 4, 'bits=4'],
    ]);
    assert.equal(second.facts?.['className'], 'RTNWeightOnlyQuantConfig');
  });

  void test('**kwargs in a call is recorded, so absent settings are not assumed default', () => {
    const recipe = only(extractPythonConfigs('MatMulNBitsQuantizer(m, **opts)'));
    assert.equal(recipe.facts?.['kwargsSplat'], 'opts');
    assert.equal(recipe.facts?.['defaultSym'], undefined, 'is_symmetric may be in opts');
    const starred = only(extractPythonConfigs('MatMulNBitsQuantizer(*parts, False)'));
    assert.equal(starred.facts?.['argsSplat'], 'parts');
    assert.deepEqual(starred.settings, [], 'no position is known after *args');
  });

  void test('OVModelForCausalLM.from_pretrained(..., load_in_4bit=True) records the model id for the default table', () => {
    const text =
      'm = OVModelForCausalLM.from_pretrained("HuggingFaceH4/zephyr-7b-beta", export=True, load_in_4bit=True)';
    const recipe = only(extractPythonConfigs(text), 'ov-weight-config');
    assert.deepEqual(settingRows(text, recipe), [
      ['model', 'HuggingFaceH4/zephyr-7b-beta', '"HuggingFaceH4/zephyr-7b-beta"'],
      ['bits', 4, 'load_in_4bit=True'],
    ]);
    assert.equal(recipe.facts?.['optimumDefault4bitTable'], true);
    // zephyr-7b-beta is listed in optimum's per-model table: sym, group 128, ratio 0.8, AWQ.
    assert.deepEqual(
      [recipe.facts?.['defaultSym'], recipe.facts?.['defaultGroupSize'], recipe.facts?.['defaultRatio']],
      [true, 128, 0.8],
    );
    const unlisted = only(extractPythonConfigs('OVModelForCausalLM.from_pretrained("me/my-model", load_in_4bit=True)'));
    assert.equal(unlisted.facts?.['defaultSym'], false, 'the generic default is asymmetric');
    assert.equal(unlisted.facts?.['defaultsFrom'], 'optimum generic 4-bit default');
    const byKeyword = only(extractPythonConfigs('OVModelForCausalLM.from_pretrained(model_id=mid, load_in_8bit=True)'));
    assert.deepEqual(setting(byKeyword, 'model').value, { kind: 'unknown', text: 'mid' });
    assert.equal(
      only(extractPythonConfigs('OVModelForCausalLM.from_pretrained(m, load_in_4bit=True)')).facts?.['defaultSym'],
      undefined,
    );
    assert.equal(setting(byKeyword, 'bits').value, 8);
  });

  void test('from_pretrained without load_in_* is not a recipe', () => {
    assert.deepEqual(extractPythonConfigs('OVModelForCausalLM.from_pretrained(mid, export=True)'), []);
  });
});

void describe('dict literals as quantization configs', () => {
  void test('quantization_config={...} passed inline', () => {
    const text = 'm = OVModelForCausalLM.from_pretrained(mid, quantization_config={"bits": 4, "sym": False})';
    const recipe = only(extractPythonConfigs(text), 'ov-weight-config');
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, '"bits": 4'],
      ['sym', false, '"sym": False'],
    ]);
    assert.equal(slice(text, recipe.span), '{"bits": 4, "sym": False}');
    const sym = setting(recipe, 'sym');
    assert.equal(slice(text, sym.keySpan as Span), '"sym"');
    assert.equal(slice(text, sym.removeSpan as Span), ', "sym": False');
  });

  void test('a dict assigned to a name and later passed as quantization_config', () => {
    const text = [
      'qc = {"bits": 4, "sym": True, "group_size": -1}',
      'other = {"bits": 8}',
      'm = OVModelForCausalLM.from_pretrained(mid, quantization_config=qc)',
    ].join('\n');
    const recipe = only(extractPythonConfigs(text), 'ov-weight-config');
    assert.equal(slice(text, recipe.span), '{"bits": 4, "sym": True, "group_size": -1}');
    assert.equal(setting(recipe, 'groupSize').value, -1);
  });

  void test('HF dicts are classified by quant_method and keys', () => {
    const text = [
      'a = GPTQ(quantization_config={"quant_method": "gptq", "bits": 4, "sym": False})',
      'b = load(quantization_config={"quant_method": "awq", "zero_point": True, "bits": 4})',
      'c = load(quantization_config={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4"})',
    ].join('\n');
    assert.deepEqual(
      extractPythonConfigs(text).map((recipe) => recipe.dialect),
      ['hf-gptq', 'hf-awq', 'hf-bitsandbytes'],
    );
  });

  void test('ov_quant_config dicts use the optimum-cli vocabulary', () => {
    const text = 'ov_quant_config = {"weight_format": "int4", "sym": False, "group_size": 128, "ratio": 0.8}';
    const recipe = only(extractPythonConfigs(text), 'olive-pass');
    assert.deepEqual(settingRows(text, recipe), [
      ['weightFormat', 'int4', '"weight_format": "int4"'],
      ['sym', false, '"sym": False'],
      ['groupSize', 128, '"group_size": 128'],
      ['ratio', 0.8, '"ratio": 0.8'],
    ]);
  });

  void test('plain dicts, sets and comprehensions are not configs', () => {
    const text = 'a = {"bits": 4}\nb = {1, 2}\nc = {k: v for k, v in x}\nd = {}';
    assert.deepEqual(extractPythonConfigs(text), []);
  });
});

void describe('tokenizer robustness', () => {
  void test('calls inside strings, comments and docstrings are not extracted', () => {
    const text = [
      '# OVWeightQuantizationConfig(bits=4, sym=False)',
      's = "OVWeightQuantizationConfig(bits=4)"',
      "t = '''",
      'nncf.compress_weights(model, mode=CompressWeightsMode.INT4_ASYM)',
      "'''",
      'u = f"{OVWeightQuantizationConfig}"',
    ].join('\n');
    assert.deepEqual(extractPythonConfigs(text), []);
  });

  void test('names of Object.prototype members are neither config classes nor known keywords', () => {
    assert.deepEqual(extractPythonConfigs('x.constructor(a=1)\ny = toString()\nz = hasOwnProperty(k)'), []);
    const recipe = only(extractPythonConfigs('OVWeightQuantizationConfig(constructor=1, __proto__=2)'));
    assert.deepEqual(
      recipe.unknown.map((item) => item.raw),
      ['constructor', '__proto__'],
    );
  });

  void test('def and class statements of the same name are not calls', () => {
    const text = 'def compress_weights(model, mode=None):\n    pass\nclass AwqConfig(Base):\n    pass';
    assert.deepEqual(extractPythonConfigs(text), []);
  });

  void test('line continuations, comments between arguments and nested f-string quotes', () => {
    const text = [
      'cfg = OVWeightQuantizationConfig(bits=4, \\',
      '    # a comment, with a ) paren',
      '    sym=True,  # trailing',
      '    dataset=f"{names["a"]}",',
      ')',
    ].join('\n');
    const recipe = only(extractPythonConfigs(text));
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, 'bits=4'],
      ['sym', true, 'sym=True'],
      ['dataset', '?', 'dataset=f"{names["a"]}"'],
    ]);
  });

  void test('an unclosed call still yields its settings, spanning to the end', () => {
    const text = 'cfg = OVWeightQuantizationConfig(bits=4, sym=False';
    const recipe = only(extractPythonConfigs(text));
    assert.equal(setting(recipe, 'sym').value, false);
    assert.equal(recipe.span.end, text.length);
  });

  void test('an unterminated string ends at the line break', () => {
    const text = 'x = "abc\nOVWeightQuantizationConfig(bits=4)';
    assert.equal(only(extractPythonConfigs(text)).settings.length, 1);
    const strings = tokenize(text).filter((token) => token.kind === 'string');
    assert.equal(strings[0].value, 'abc');
  });

  void test('non-ASCII identifiers are names', () => {
    const names = tokenize('größe = OVWeightQuantizationConfig(bits=4) # € \n π = 3').filter((t) => t.kind === 'name');
    assert.deepEqual(
      names.map((token) => token.text),
      ['größe', 'OVWeightQuantizationConfig', 'bits', 'π'],
    );
  });

  void test('string escapes, raw strings and byte prefixes decode as Python would for simple cases', () => {
    const tokens = tokenize(String.raw`a = "x\"y" r"\d" b'q' """tri"ple"""`);
    assert.deepEqual(
      tokens.filter((token) => token.kind === 'string').map((token) => token.value),
      ['x"y', String.raw`\d`, 'q', 'tri"ple'],
    );
  });
});

void describe('fuzz', () => {
  const fragments = [
    'OVWeightQuantizationConfig(',
    'nncf.compress_weights(',
    'BitsAndBytesConfig(',
    'MatMulNBitsQuantizer(',
    'OVModelForCausalLM.from_pretrained(',
    'quantization_config=',
    '{',
    '}',
    '(',
    ')',
    '[',
    ']',
    ',',
    '=',
    ':',
    '**',
    '"',
    "'",
    '"""',
    "f'{",
    '\\\n',
    '#',
    '\n',
    'sym',
    'bits',
    '4',
    '-1',
    'True',
    'CompressWeightsMode.INT4_ASYM',
    '"mode"',
    ' ',
    'def ',
    'x',
  ];
  const soup = fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map((parts) => parts.join(''));

  void test('never throws and keeps every span in range', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        const recipes = extractPythonConfigs(text);
        assertSpansInRange(text, recipes);
      }),
      { numRuns: 1500 },
    );
  });

  void test('corpus snippets cut at any point never throw', { timeout: 120_000 }, () => {
    const corpus = loadCorpus();
    fc.assert(
      fc.property(fc.nat({ max: corpus.length - 1 }), fc.nat(), fc.nat(), (index, a, b) => {
        const text = corpus[index].text;
        const from = a % (text.length + 1);
        const to = from + (b % (text.length - from + 1));
        const cut = text.slice(0, from) + text.slice(to);
        assertSpansInRange(cut, extractPythonConfigs(cut));
      }),
      { numRuns: 1000 },
    );
  });

  void test('deep nesting and long inputs finish', () => {
    const deep = `OVWeightQuantizationConfig(bits=${'('.repeat(20_000)}${')'.repeat(20_000)})`;
    assert.equal(extractPythonConfigs(deep).length, 1);
    const long = 'OVWeightQuantizationConfig(bits=4, sym=False)\n'.repeat(5_000);
    assert.equal(extractPythonConfigs(long).length, 5_000);
    const unclosed = '"""' + 'x'.repeat(100_000);
    assert.deepEqual(extractPythonConfigs(unclosed), []);
  });
});
