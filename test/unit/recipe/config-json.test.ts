import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { extractJsonConfigs } from '../../../src/core/recipe/json';
import type { Recipe, RecipeDialect, RecipeSetting, SettingKey, Span } from '../../../src/core/recipe/types';
import { isUnknown } from '../../../src/core/recipe/types';

// Tests run from out/test/unit/recipe; the corpus copy lives beside this source file.
const CORPUS_DIR = path.resolve(__dirname, '../../../../test/unit/recipe/config-corpus');

interface CorpusConfig {
  readonly id: string;
  readonly source: string;
  readonly format: string;
  readonly text: string;
}

function loadCorpus(): CorpusConfig[] {
  return readFileSync(path.join(CORPUS_DIR, 'json_configs.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusConfig);
}

const fileNameOf = (config: CorpusConfig): string => config.source.split('/').pop() ?? '';
const slice = (text: string, span: Span): string => text.slice(span.start, span.end);

type Expected = [SettingKey, string | number | boolean | null, string];

/** Normalised settings other than `other`, with the source text of each. */
function settingRows(text: string, recipe: Recipe): Expected[] {
  return recipe.settings
    .filter((item) => item.key !== 'other')
    .map((item): Expected => [item.key, isUnknown(item.value) ? '?' : item.value, slice(text, item.span)]);
}

function setting(recipe: Recipe, key: SettingKey): RecipeSetting {
  const found = recipe.settings.find((candidate) => candidate.key === key);
  assert.ok(found, `no ${key} setting`);
  return found;
}

function extractOk(text: string, fileName: string): Recipe[] {
  const result = extractJsonConfigs(text, fileName);
  assert.equal(result.parseError, undefined, result.parseError?.message);
  return result.recipes;
}

function assertSpansInRange(text: string, recipes: readonly Recipe[]): void {
  for (const recipe of recipes) {
    const spans: Span[] = [recipe.span];
    for (const item of [...recipe.settings, ...recipe.unknown]) {
      spans.push(item.span);
      for (const extra of [item.valueSpan, item.keySpan, item.removeSpan]) if (extra) spans.push(extra);
    }
    if (recipe.style) spans.push({ start: recipe.style.insertAt, end: recipe.style.insertAt });
    for (const span of spans) {
      assert.ok(span.start >= 0 && span.start <= span.end && span.end <= text.length, 'span out of range');
    }
  }
}

interface ExpectedRecipe {
  readonly dialect: RecipeDialect;
  readonly passType?: string;
  readonly settings: Expected[];
}

const GPTQ_QUANTIZER: ExpectedRecipe = {
  dialect: 'olive-pass',
  passType: 'GptqQuantizer',
  settings: [['passType', 'GptqQuantizer', '"type": "GptqQuantizer"']],
};

const OV_NPU_ENCAPSULATION: ExpectedRecipe = {
  dialect: 'olive-pass',
  passType: 'OpenVINOEncapsulation',
  settings: [['passType', 'OpenVINOEncapsulation', '"type": "OpenVINOEncapsulation"']],
};

function optimumConversion(model: string, settings: Expected[]): ExpectedRecipe {
  return {
    dialect: 'olive-pass',
    passType: 'OpenVINOOptimumConversion',
    settings: [
      ['model', model, `"model_path": "${model}"`],
      ['passType', 'OpenVINOOptimumConversion', '"type": "OpenVINOOptimumConversion"'],
      ...settings,
    ],
  };
}

function plainPass(passType: string): ExpectedRecipe {
  return { dialect: 'olive-pass', passType, settings: [['passType', passType, `"type": "${passType}"`]] };
}

function openvinoConfig(settings: Expected[]): ExpectedRecipe {
  return { dialect: 'ov-weight-config', settings };
}

const CORPUS_EXPECTED: Record<string, ExpectedRecipe[]> = {
  'json-002': [
    optimumConversion('microsoft/Phi-4-mini-instruct', [
      ['weightFormat', 'int4', '"weight_format": "int4"'],
      ['groupSize', 128, '"group_size": 128'],
      ['dataset', 'wikitext2', '"dataset": "wikitext2"'],
      ['ratio', 1, '"ratio": 1'],
      ['awq', true, '"awq": true'],
      ['scaleEstimation', true, '"scale_estimation": true'],
      ['sym', true, '"sym": true'],
      ['trustRemoteCode', true, '"trust_remote_code": true'],
      ['backupPrecision', 'int8_sym', '"backup_precision": "int8_sym"'],
    ]),
    plainPass('OpenVINOIoUpdate'),
    OV_NPU_ENCAPSULATION,
  ],
  'json-003': [
    optimumConversion('meta-llama/Llama-3.1-8B-Instruct', [
      ['weightFormat', 'int4', '"weight_format": "int4"'],
      ['groupSize', 128, '"group_size": 128'],
      ['dataset', 'wikitext2', '"dataset": "wikitext2"'],
      ['ratio', 1, '"ratio": 1'],
      ['sym', true, '"sym": true'],
      ['trustRemoteCode', true, '"trust_remote_code": true'],
      ['awq', true, '"awq": true'],
      ['scaleEstimation', true, '"scale_estimation": true'],
      ['backupPrecision', 'int8_sym', '"backup_precision": "int8_sym"'],
    ]),
    plainPass('OpenVINOIoUpdate'),
    OV_NPU_ENCAPSULATION,
  ],
  'json-006': [
    optimumConversion('google/gemma-3-1b-it', [
      ['weightFormat', 'int4', '"weight_format": "int4"'],
      ['groupSize', 128, '"group_size": 128'],
      ['ratio', 1, '"ratio": 1'],
      ['dataset', 'wikitext2', '"dataset": "wikitext2"'],
      ['sym', true, '"sym": true'],
      ['trustRemoteCode', true, '"trust_remote_code": true'],
      ['sensitivityMetric', 'weight_quantization_error', '"sensitivity_metric": "weight_quantization_error"'],
    ]),
    OV_NPU_ENCAPSULATION,
  ],
  'json-012': [
    {
      dialect: 'olive-pass',
      passType: 'ModelBuilder',
      settings: [
        ['passType', 'ModelBuilder', '"type": "ModelBuilder"'],
        ['weightFormat', 'int4', '"precision": "int4"'],
        ['groupSize', 32, '"int4_block_size": 32'],
        ['sym', true, '"int4_is_symmetric": true'],
      ],
    },
    plainPass('MatMulNBitsToQDQ'),
  ],
  'json-013': [plainPass('QuarkQuantization'), plainPass('RyzenGenerateModelLLM')],
  'json-014': [
    plainPass('OnnxConversion'),
    plainPass('OrtTransformersOptimization'),
    plainPass('OrtTransformersOptimization'),
    plainPass('OnnxDynamicQuantization'),
    {
      dialect: 'olive-pass',
      passType: 'OnnxMatMul4Quantizer',
      settings: [
        ['passType', 'OnnxMatMul4Quantizer', '"type": "OnnxMatMul4Quantizer"'],
        ['groupSize', 32, '"block_size": 32'],
        ['sym', true, '"is_symmetric": true'],
      ],
    },
    GPTQ_QUANTIZER,
  ],
  'json-016': [GPTQ_QUANTIZER],
  'json-017': [
    plainPass('OnnxConversion'),
    plainPass('OrtTransformersOptimization'),
    {
      dialect: 'olive-pass',
      passType: 'OnnxMatMul4Quantizer',
      settings: [
        ['passType', 'OnnxMatMul4Quantizer', '"type": "OnnxMatMul4Quantizer"'],
        ['groupSize', 32, '"block_size": 32'],
      ],
    },
  ],
  'json-019': [{ dialect: 'genai-config', settings: [] }],
  'json-021': [
    openvinoConfig([
      ['allLayers', null, '"all_layers": null'],
      ['bits', 4, '"bits": 4'],
      ['dataset', null, '"dataset": null'],
      ['groupSize', 128, '"group_size": 128'],
      ['numSamples', null, '"num_samples": null'],
      ['awq', false, '"quant_method": "default"'],
      ['ratio', 1, '"ratio": 1'],
      ['scaleEstimation', null, '"scale_estimation": null'],
      ['sensitivityMetric', null, '"sensitivity_metric": null'],
      ['sym', false, '"sym": false'],
      ['trustRemoteCode', false, '"trust_remote_code": false'],
    ]),
  ],
  'json-028': [
    openvinoConfig([
      ['allLayers', null, '"all_layers": null'],
      ['bits', 4, '"bits": 4'],
      ['dataset', 'wikitext2', '"dataset": "wikitext2"'],
      ['groupSize', 128, '"group_size": 128'],
      ['numSamples', null, '"num_samples": null'],
      ['awq', true, '"quant_method": "awq"'],
      ['ratio', 0.2, '"ratio": 0.2'],
      ['scaleEstimation', null, '"scale_estimation": null'],
      ['sensitivityMetric', null, '"sensitivity_metric": null'],
      ['sym', false, '"sym": false'],
    ]),
  ],
  'json-029': [
    openvinoConfig([
      ['allLayers', null, '"all_layers": null'],
      ['bits', 4, '"bits": 4'],
      ['dataset', 'wikitext2', '"dataset": "wikitext2"'],
      ['gptq', null, '"gptq": null'],
      ['groupSize', 64, '"group_size": 64'],
      ['numSamples', 20, '"num_samples": 20'],
      ['awq', true, '"quant_method": "awq"'],
      ['ratio', 1, '"ratio": 1.0'],
      ['scaleEstimation', true, '"scale_estimation": true'],
      ['sensitivityMetric', null, '"sensitivity_metric": null'],
      ['sym', false, '"sym": false'],
      ['trustRemoteCode', false, '"trust_remote_code": false'],
      ['weightFormat', 'int4', '"weight_format": "int4"'],
    ]),
  ],
  'json-034': [
    {
      dialect: 'hf-awq',
      settings: [
        ['sym', false, '"zero_point": true'],
        ['groupSize', 128, '"q_group_size": 128'],
        ['bits', 4, '"w_bit": 4'],
      ],
    },
  ],
};

void describe('extractJsonConfigs over the corpus', () => {
  const corpus = loadCorpus();

  void test('the corpus copy is complete and every config has an expectation', () => {
    assert.equal(corpus.length, 13);
    assert.deepEqual(corpus.map((config) => config.id).sort(), Object.keys(CORPUS_EXPECTED).sort());
  });

  for (const config of corpus) {
    void test(`${config.id} (${config.format}, ${fileNameOf(config)})`, () => {
      const recipes = extractOk(config.text, fileNameOf(config));
      assert.deepEqual(
        recipes.map((recipe) => ({
          dialect: recipe.dialect,
          ...(recipe.facts?.['passType'] !== undefined ? { passType: recipe.facts['passType'] } : {}),
          settings: settingRows(config.text, recipe),
        })),
        CORPUS_EXPECTED[config.id],
      );
      assertSpansInRange(config.text, recipes);
      for (const recipe of recipes) assert.deepEqual(recipe.unknown, []);
    });
  }

  void test('the removed OnnxMatMul4Quantizer pass is a fact with its replacement', () => {
    const config = corpus.find((item) => item.id === 'json-017') as CorpusConfig;
    const recipe = extractOk(config.text, fileNameOf(config)).find(
      (item) => item.facts?.['passType'] === 'OnnxMatMul4Quantizer',
    );
    assert.equal(recipe?.facts?.['removedPass'], true);
    assert.equal(recipe?.facts?.['replacement'], 'OnnxBlockWiseRtnQuantization');
    assert.equal(slice(config.text, setting(recipe, 'passType').valueSpan as Span), '"OnnxMatMul4Quantizer"');
  });

  void test('GptqQuantizer without sym: asymmetric by default, as a default fact, not a written setting', () => {
    const config = corpus.find((item) => item.id === 'json-016') as CorpusConfig;
    const [recipe] = extractOk(config.text, fileNameOf(config));
    assert.equal(
      recipe.settings.some((item) => item.key === 'sym'),
      false,
    );
    assert.equal(recipe.facts?.['defaultSym'], false);
    assert.ok(slice(config.text, recipe.span).startsWith('{ "type": "GptqQuantizer"'));
  });

  void test('genai provider options and Olive genai_config_override give device facts', () => {
    const genai = corpus.find((item) => item.id === 'json-019') as CorpusConfig;
    const [recipe] = extractOk(genai.text, 'genai_config.json');
    assert.equal(recipe.facts?.['providers'], 'qnn');
    const olive = corpus.find((item) => item.id === 'json-002') as CorpusConfig;
    const encapsulation = extractOk(olive.text, fileNameOf(olive)).find(
      (item) => item.facts?.['passType'] === 'OpenVINOEncapsulation',
    );
    assert.equal(encapsulation?.facts?.['deviceType'], 'NPU');
    assert.equal(encapsulation?.facts?.['maxPromptLen'], 4096);
    assert.equal(encapsulation?.facts?.['device'], 'npu');
  });
});

void describe('openvino_config.json', () => {
  void test('comments and trailing commas are tolerated, as in VS Code', () => {
    const text =
      '{\n  // exported by optimum\n  "quantization_config": {\n    "bits": 4,\n    "sym": false, /* asym */\n  },\n}';
    const [recipe] = extractOk(text, 'openvino_config.json');
    assert.deepEqual(settingRows(text, recipe), [
      ['bits', 4, '"bits": 4'],
      ['sym', false, '"sym": false'],
    ]);
    const sym = setting(recipe, 'sym');
    assert.equal(slice(text, sym.valueSpan as Span), 'false');
    assert.equal(slice(text, sym.keySpan as Span), '"sym"');
  });

  void test('mixed and pipeline configs give one recipe per nested config', () => {
    const text = JSON.stringify(
      {
        quantization_config: {
          quantization_configs: {
            lm_model: {
              weight_quantization_config: { bits: 4, sym: true, group_size: -1 },
              full_quantization_config: { dtype: 'f8e4m3', smooth_quant_alpha: 0.5 },
            },
            text_embeddings_model: { bits: 8, sym: true },
          },
        },
      },
      null,
      2,
    );
    const recipes = extractOk(text, 'openvino_config.json');
    assert.deepEqual(
      recipes.map((recipe) => [recipe.dialect, recipe.facts?.['role']]),
      [
        ['ov-weight-config', 'weight_quantization_config'],
        ['ov-quant-config', 'full_quantization_config'],
        ['ov-weight-config', 'text_embeddings_model'],
      ],
    );
    assert.equal(setting(recipes[0], 'groupSize').value, -1);
  });

  void test('an unknown key is reported for did-you-mean', () => {
    const [recipe] = extractOk('{"quantization_config": {"bits": 4, "symmetric": true}}', 'openvino_config.json');
    assert.deepEqual(
      recipe.unknown.map((item) => item.raw),
      ['symmetric'],
    );
  });

  void test('style inserts a property the way the last one is written, and the result stays valid', () => {
    const text = '{\n  "quantization_config": {\n    "bits": 4,\n    "group_size": 128\n  }\n}';
    const [recipe] = extractOk(text, 'openvino_config.json');
    const style = recipe.style;
    assert.ok(style);
    assert.equal(style.separator, ',\n    ');
    const fixed = `${text.slice(0, style.insertAt)}${style.separator}"sym": true${text.slice(style.insertAt)}`;
    assert.equal((JSON.parse(fixed) as { quantization_config: { sym: boolean } }).quantization_config.sym, true);
  });

  void test('removeSpan deletes a property with one comma', () => {
    const text = '{"quantization_config": {"bits": 4, "sym": false, "ratio": 1}}';
    const [recipe] = extractOk(text, 'openvino_config.json');
    for (const item of recipe.settings) {
      const removed = text.slice(0, item.removeSpan?.start) + text.slice(item.removeSpan?.end);
      assert.doesNotThrow(() => JSON.parse(removed), removed);
    }
  });
});

void describe('Hugging Face and quantizer configs', () => {
  void test('config.json quantization_config by quant_method', () => {
    const cases: Array<[object, RecipeDialect, Expected[]]> = [
      [
        { quant_method: 'gptq', bits: 4, group_size: 128, desc_act: true, sym: false },
        'hf-gptq',
        [
          ['bits', 4, '"bits": 4'],
          ['groupSize', 128, '"group_size": 128'],
          ['descAct', true, '"desc_act": true'],
          ['sym', false, '"sym": false'],
        ],
      ],
      [
        { quant_method: 'awq', bits: 4, group_size: 128, zero_point: true, version: 'gemm' },
        'hf-awq',
        [
          ['bits', 4, '"bits": 4'],
          ['groupSize', 128, '"group_size": 128'],
          ['sym', false, '"zero_point": true'],
        ],
      ],
      [
        { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4', _load_in_8bit: false },
        'hf-bitsandbytes',
        [
          ['bits', 4, '"load_in_4bit": true'],
          ['quantType', 'nf4', '"bnb_4bit_quant_type": "nf4"'],
        ],
      ],
      [
        { quant_method: 'auto-round', bits: 4, group_size: 128, sym: true },
        'hf-auto-round',
        [
          ['bits', 4, '"bits": 4'],
          ['groupSize', 128, '"group_size": 128'],
          ['sym', true, '"sym": true'],
        ],
      ],
    ];
    for (const [quantizationConfig, dialect, expected] of cases) {
      const config = { architectures: ['LlamaForCausalLM'], quantization_config: quantizationConfig };
      const text = JSON.stringify(config, null, 2);
      const [recipe] = extractOk(text, 'config.json');
      assert.equal(recipe.dialect, dialect);
      assert.deepEqual(settingRows(text, recipe), expected);
    }
  });

  void test('quant methods without a dialect and configs without quantization give no recipe', () => {
    assert.deepEqual(extractOk('{"quantization_config": {"quant_method": "fp8"}}', 'config.json'), []);
    assert.deepEqual(extractOk('{"architectures": ["LlamaForCausalLM"], "torch_dtype": "float16"}', 'config.json'), []);
    assert.deepEqual(extractOk('', 'config.json'), []);
    assert.deepEqual(extractOk('[1, 2]', 'config.json'), []);
  });

  void test('AutoGPTQ quantize_config.json', () => {
    const text = '{"bits": 4, "group_size": 128, "desc_act": false, "sym": true, "true_sequential": true}';
    const [recipe] = extractOk(text, 'quantize_config.json');
    assert.equal(recipe.dialect, 'hf-gptq');
    assert.equal(setting(recipe, 'sym').value, true);
  });
});

void describe('Olive passes', () => {
  function passes(passMap: object): { text: string; recipes: Recipe[] } {
    const text = JSON.stringify(
      { input_model: { type: 'HfModel', model_path: 'Qwen/Qwen3-4B' }, passes: passMap },
      null,
      4,
    );
    return { text, recipes: extractOk(text, 'olive.json') };
  }

  void test('OnnxBlockWiseRtnQuantization: is_symmetric false is written, defaults are symmetric block 128', () => {
    const { text, recipes } = passes({
      rtn: { type: 'OnnxBlockWiseRtnQuantization', is_symmetric: false, accuracy_level: 4 },
      rtn2: { type: 'onnxblockwisertnquantization' },
    });
    assert.deepEqual(settingRows(text, recipes[0]).slice(1), [
      ['sym', false, '"is_symmetric": false'],
      ['accuracyLevel', 4, '"accuracy_level": 4'],
    ]);
    assert.equal(recipes[1].facts?.['wraps'], 'ort-matmulnbits', 'pass types match case-insensitively');
    assert.deepEqual([recipes[1].facts?.['defaultSym'], recipes[1].facts?.['defaultGroupSize']], [true, 128]);
  });

  void test('Gptq, GptqQuantizer and GptqModel defaults differ', () => {
    const { recipes } = passes({ a: { type: 'Gptq' }, b: { type: 'GptqQuantizer' }, c: { type: 'GptqModel' } });
    assert.deepEqual(
      recipes.map((recipe) => [recipe.facts?.['defaultSym'], recipe.facts?.['defaultGroupSize']]),
      [
        [false, 128],
        [false, 128],
        [true, -1],
      ],
    );
    assert.equal(recipes[2].facts?.['defaultDescAct'], true);
  });

  void test('OpenVINOWeightCompression compress_config is an nncf recipe', () => {
    const { text, recipes } = passes({
      wc: { type: 'OpenVINOWeightCompression', compress_config: { mode: 'INT4_ASYM', group_size: 64 } },
    });
    assert.equal(recipes[0].facts?.['wraps'], 'nncf-compress-weights');
    assert.deepEqual(settingRows(text, recipes[0]).slice(1), [
      ['weightFormat', 'int4', '"mode": "INT4_ASYM"'],
      ['sym', false, '"mode": "INT4_ASYM"'],
      ['groupSize', 64, '"group_size": 64'],
    ]);
  });

  void test('older Olive configs nest options under config', () => {
    const text = JSON.stringify(
      {
        input_model: { type: 'HfModel', config: { model_path: 'microsoft/phi-2' } },
        systems: { local: { type: 'LocalSystem', config: { accelerators: [{ device: 'npu' }] } } },
        passes: {
          q: { type: 'OnnxMatMul4Quantizer', config: { block_size: 32, is_symmetric: false } },
          ov: { type: 'OpenVINOOptimumConversion', config: { ov_quant_config: { weight_format: 'int4', sym: true } } },
        },
      },
      null,
      2,
    );
    const [rtn, ov] = extractOk(text, 'olive_config.json');
    assert.deepEqual(settingRows(text, rtn), [
      ['passType', 'OnnxMatMul4Quantizer', '"type": "OnnxMatMul4Quantizer"'],
      ['groupSize', 32, '"block_size": 32'],
      ['sym', false, '"is_symmetric": false'],
    ]);
    assert.equal(rtn.facts?.['device'], 'npu');
    assert.equal(rtn.style?.insertAt, text.indexOf('false') + 'false'.length);
    assert.equal(setting(ov, 'model').value, 'microsoft/phi-2');
    assert.equal(setting(ov, 'sym').value, true);
  });

  void test('a pass type named like an Object.prototype member is just an unknown pass', () => {
    const { recipes } = passes({ odd: { type: 'constructor' }, odder: { type: '__proto__' } });
    assert.deepEqual(
      recipes.map((recipe) => [recipe.dialect, recipe.facts?.['wraps']]),
      [
        ['olive-pass', undefined],
        ['olive-pass', undefined],
      ],
    );
  });

  void test('OpenVINOOptimumConversion: model id, ov_quant_config and its insertion point', () => {
    const { text, recipes } = passes({
      conv: { type: 'OpenVINOOptimumConversion', ov_quant_config: { weight_format: 'int4', ratio: 0.8 } },
    });
    const [recipe] = recipes;
    assert.equal(setting(recipe, 'model').value, 'Qwen/Qwen3-4B');
    assert.equal(setting(recipe, 'ratio').value, 0.8);
    assert.equal(recipe.style?.insertAt, text.indexOf('0.8') + 3);
    const noConfig = passes({ conv: { type: 'OpenVINOOptimumConversion' } }).recipes[0];
    assert.equal(noConfig.facts?.['noQuantizationConfig'], true);
  });

  void test('ModelBuilder extra_options and a passes list', () => {
    const { text, recipes } = passes({
      mb: {
        type: 'ModelBuilder',
        precision: 'int4',
        extra_options: { int4_is_symmetric: false, int4_block_size: 128 },
      },
      multi: [{ type: 'OnnxStaticQuantization', weight_symmetric: true }, { type: 'OnnxConversion' }],
    });
    assert.deepEqual(settingRows(text, recipes[0]).slice(1), [
      ['weightFormat', 'int4', '"precision": "int4"'],
      ['sym', false, '"int4_is_symmetric": false'],
      ['groupSize', 128, '"int4_block_size": 128'],
    ]);
    assert.deepEqual(
      recipes.map((recipe) => recipe.facts?.['passName']),
      ['mb', 'multi', 'multi'],
    );
  });
});

void describe('bad input', () => {
  void test('invalid JSON gives a parseError with a span and never throws', () => {
    const text = '{"quantization_config": {"bits": 4 "sym": false}}';
    const result = extractJsonConfigs(text, 'openvino_config.json');
    assert.ok(result.parseError);
    assert.match(result.parseError.message, /comma expected/);
    assert.equal(result.parseError.span.start, text.indexOf('"sym"'));
    assert.ok(result.parseError.span.end > result.parseError.span.start);
  });

  void test('an unterminated file reports where it ends', () => {
    const text = '{"quantization_config": {"bits": 4';
    const result = extractJsonConfigs(text, 'openvino_config.json');
    assert.ok(result.parseError);
    assert.ok(result.parseError.span.end <= text.length);
  });

  void test('10,000 levels of nesting are skipped with a reason, not a stack overflow', () => {
    for (const text of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)]) {
      const result = extractJsonConfigs(text, 'config.json');
      assert.deepEqual(result.recipes, []);
      assert.match(result.parseError?.message ?? '', /nests deeper/);
    }
  });

  void test('a large config finishes', () => {
    const entries = Array.from({ length: 20_000 }, (_, index) => `"key${index}": [${index}, "x", null]`).join(',\n');
    const text = `{\n"quantization_config": {"bits": 4, "sym": false},\n${entries}\n}`;
    assert.equal(extractOk(text, 'openvino_config.json').length, 1);
  });

  void test('fuzz: arbitrary text and JSON-ish soup never throw, spans stay in range', { timeout: 120_000 }, () => {
    const fragments = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"quantization_config"',
      '"passes"',
      '"type"',
      '"sym"',
      'true',
      '4',
    ];
    const soup = fc
      .array(fc.constantFrom(...fragments, '"', '//', '/*', '\n', ' ', '"GptqQuantizer"', 'null'), { maxLength: 80 })
      .map((parts) => parts.join(''));
    const names = fc.constantFrom('openvino_config.json', 'config.json', 'olive.json', 'genai_config.json', 'x.json');
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 200 }), fc.json()), names, (text, name) => {
        const result = extractJsonConfigs(text, name);
        assertSpansInRange(text, result.recipes);
        if (result.parseError) {
          const { start, end } = result.parseError.span;
          assert.ok(start >= 0 && start <= end && end <= Math.max(text.length, 1));
        }
      }),
      { numRuns: 1500 },
    );
  });

  void test('fuzz: corpus configs with a piece cut out never throw', { timeout: 120_000 }, () => {
    const corpus = loadCorpus();
    fc.assert(
      fc.property(fc.nat({ max: corpus.length - 1 }), fc.nat(), fc.nat({ max: 200 }), (index, at, length) => {
        const { text } = corpus[index];
        const from = at % (text.length + 1);
        const cut = text.slice(0, from) + text.slice(from + length);
        assertSpansInRange(cut, extractJsonConfigs(cut, fileNameOf(corpus[index])).recipes);
      }),
      { numRuns: 1000 },
    );
  });
});
