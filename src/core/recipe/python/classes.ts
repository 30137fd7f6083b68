/**
 * The Python callables whose arguments form a quantization recipe, with their parameter order (for positional
 * arguments) and the class defaults that matter when an argument is absent but the dialect alone does not say
 * (DOMAIN-REFERENCE.md §1.3, §1.4, §3.1, §5.2). Facts named `default*` are class defaults, never written values.
 */
import type { RecipeDialect } from '../types';
import type { Facts } from '../json/kinds';
import type { Vocabulary } from '../json/vocabulary';
import {
  BITSANDBYTES,
  HF_AWQ,
  HF_GPTQ,
  NNCF_COMPRESS_WEIGHTS,
  ORT_MATMUL_NBITS,
  OV_QUANT_CONFIG,
  OV_WEIGHT_CONFIG,
} from '../json/vocabulary';

export interface CallClass {
  readonly dialect: RecipeDialect;
  readonly vocabulary: Vocabulary;
  /** Parameter names in order, for arguments passed by position. */
  readonly positional: readonly string[];
  readonly facts?: Facts;
  /** A call written with one of these keywords is another library's class of the same name. */
  readonly foreignKeywords?: { readonly library: string; readonly keywords: readonly string[] };
}

const MATMUL_NBITS_DEFAULTS: Facts = { defaultSym: false, defaultGroupSize: 128, defaultBits: 4 };

export const CALL_CLASSES: Readonly<Record<string, CallClass>> = {
  OVWeightQuantizationConfig: {
    dialect: 'ov-weight-config',
    vocabulary: OV_WEIGHT_CONFIG,
    positional: ['bits', 'sym', 'group_size', 'tokenizer', 'trust_remote_code', 'dataset', 'ratio', 'all_layers'],
    facts: { defaultSym: false, defaultBits: 8 },
  },
  OVQuantizationConfig: {
    dialect: 'ov-quant-config',
    vocabulary: OV_QUANT_CONFIG,
    positional: ['bits', 'sym'],
    facts: { defaultSym: false, defaultBits: 8 },
  },
  compress_weights: {
    dialect: 'nncf-compress-weights',
    vocabulary: NNCF_COMPRESS_WEIGHTS,
    positional: ['model'],
    facts: { defaultMode: 'int8_asym' },
  },
  BitsAndBytesConfig: {
    dialect: 'hf-bitsandbytes',
    vocabulary: BITSANDBYTES,
    positional: ['load_in_8bit', 'load_in_4bit', 'llm_int8_threshold', 'llm_int8_skip_modules'],
    facts: { defaultQuantType: 'fp4' },
  },
  GPTQConfig: {
    dialect: 'hf-gptq',
    vocabulary: HF_GPTQ,
    positional: ['bits', 'tokenizer', 'dataset', 'group_size', 'damp_percent', 'desc_act', 'sym'],
    facts: { defaultSym: true, defaultGroupSize: 128, defaultDescAct: false },
    foreignKeywords: {
      library: 'neural-compressor',
      keywords: ['weight_dtype', 'dtype', 'max_input_length', 'use_max_length', 'pad_max_length', 'use_sym'],
    },
  },
  AwqConfig: {
    dialect: 'hf-awq',
    vocabulary: HF_AWQ,
    positional: ['bits', 'group_size', 'zero_point', 'version', 'backend'],
    facts: { defaultSym: false, defaultGroupSize: 128, defaultBits: 4 },
  },
  MatMulNBitsQuantizer: {
    dialect: 'ort-matmulnbits',
    vocabulary: ORT_MATMUL_NBITS,
    positional: ['model', 'block_size', 'is_symmetric', 'accuracy_level', 'nodes_to_exclude', 'nodes_to_include'],
    facts: MATMUL_NBITS_DEFAULTS,
  },
  MatMul4BitsQuantizer: {
    dialect: 'ort-matmulnbits',
    vocabulary: ORT_MATMUL_NBITS,
    positional: ['model', 'block_size', 'is_symmetric', 'accuracy_level', 'nodes_to_exclude', 'algo_config'],
    facts: MATMUL_NBITS_DEFAULTS,
  },
  DefaultWeightOnlyQuantConfig: {
    dialect: 'ort-matmulnbits',
    vocabulary: ORT_MATMUL_NBITS,
    positional: ['block_size', 'is_symmetric', 'accuracy_level', 'quant_format', 'op_types_to_quantize'],
    facts: MATMUL_NBITS_DEFAULTS,
  },
  RTNWeightOnlyQuantConfig: {
    dialect: 'ort-matmulnbits',
    vocabulary: ORT_MATMUL_NBITS,
    positional: ['ratios', 'quant_format', 'op_types_to_quantize'],
  },
  HQQWeightOnlyQuantConfig: {
    dialect: 'ort-matmulnbits',
    vocabulary: ORT_MATMUL_NBITS,
    positional: ['block_size', 'bits', 'axis'],
    // HQQ always writes zero points (§5.2: "never symmetric").
    facts: { defaultSym: false, defaultGroupSize: 128, defaultBits: 4, alwaysAsymmetric: true },
  },
};

/** The config class called `name`, if it is one (own properties only: `constructor(` is not a config). */
export function callClass(name: string): CallClass | undefined {
  return Object.hasOwn(CALL_CLASSES, name) ? CALL_CLASSES[name] : undefined;
}

/** Keyword arguments / dict keys whose dict-literal value is a quantization config. */
export const CONFIG_DICT_CONTEXTS = new Set([
  'quantization_config',
  'weight_quantization_config',
  'full_quantization_config',
  'ov_quant_config',
  'compress_config',
]);

/** Receivers of `.from_pretrained(..., load_in_4bit=True)` that mean optimum-intel's default 4-bit config. */
export function isOptimumIntelModelClass(name: string): boolean {
  return /^OV[A-Z]\w*$/.test(name);
}

/**
 * A cheap test that `text` may hold something the config extractor reports: a config class call, a
 * `load_in_4bit`/`load_in_8bit` keyword, a config keyword or key, or a `"mode"` dict key (an nncf config dict).
 * Without one of these words no recipe can come out, so the tokenizer need not run (most Python files).
 */
const CONFIG_WORDS = new RegExp(
  [...Object.keys(CALL_CLASSES), 'load_in_', ...CONFIG_DICT_CONTEXTS, '[\'"]mode[\'"]'].join('|'),
);

export function mayHoldConfig(text: string): boolean {
  return CONFIG_WORDS.test(text);
}
