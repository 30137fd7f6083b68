/**
 * Key vocabularies of the quantization configs that Python calls and JSON files share
 * (DOMAIN-REFERENCE.md §1.3, §1.4, §3.1-§3.3, §5.2). Both config extractors map a key as written
 * (`q_group_size`, `is_symmetric`, `zero_point`) onto the normalised SettingKey through these tables,
 * so `OVWeightQuantizationConfig(sym=False)` and `"sym": false` in openvino_config.json become the same setting.
 */
import type { RecipeSetting, SettingKey, SettingValue, Span } from '../types';
import { isUnknown } from '../types';

/** How a written value becomes the normalised one. */
export type ValueTransform =
  | 'copy'
  /** `zero_point: true` (AWQ) means asymmetric: the normalised `sym` is the negation. */
  | 'invertBool'
  /** `load_in_4bit: true` / `load_in_8bit: true` mean 4 / 8 bits; `false` says nothing about bits. */
  | 'loadIn4bit'
  | 'loadIn8bit'
  /** optimum-intel `quant_method`: `awq` means AWQ on, `default` off, anything else stays a quantMethod. */
  | 'ovQuantMethod'
  /** nncf `mode` (`int4_asym`, `INT4_SYM`, `nf4`, ...): a weight format plus, for int modes, symmetry. */
  | 'nncfMode';

export interface KeyRule {
  readonly key: SettingKey;
  readonly transform?: ValueTransform;
}

export interface Vocabulary {
  readonly name: string;
  readonly keys: Readonly<Record<string, KeyRule>>;
  /** Keys the tool accepts that no rule looks at; kept as `other` so they are not reported as unknown. */
  readonly known: readonly string[];
  /** Closed vocabularies report keys outside `keys` and `known` as unknown (for did-you-mean). */
  readonly closed: boolean;
}

function rules(entries: Record<string, SettingKey | KeyRule>): Record<string, KeyRule> {
  const out: Record<string, KeyRule> = {};
  for (const [raw, rule] of Object.entries(entries)) out[raw] = typeof rule === 'string' ? { key: rule } : rule;
  return out;
}

/** Weight-compression keys spelled the same in OVWeightQuantizationConfig and the snake-case CLI vocabulary. */
const WEIGHT_COMPRESSION_KEYS: Record<string, SettingKey> = {
  bits: 'bits',
  sym: 'sym',
  group_size: 'groupSize',
  ratio: 'ratio',
  all_layers: 'allLayers',
  dataset: 'dataset',
  num_samples: 'numSamples',
  scale_estimation: 'scaleEstimation',
  gptq: 'gptq',
  lora_correction: 'loraCorrection',
  backup_precision: 'backupPrecision',
  sensitivity_metric: 'sensitivityMetric',
  group_size_fallback: 'groupSizeFallback',
  trust_remote_code: 'trustRemoteCode',
};

/** optimum-intel OVWeightQuantizationConfig and openvino_config.json `quantization_config` (§1.3, §3.2). */
export const OV_WEIGHT_CONFIG: Vocabulary = {
  name: 'OVWeightQuantizationConfig',
  keys: rules({
    ...WEIGHT_COMPRESSION_KEYS,
    quant_method: { key: 'awq', transform: 'ovQuantMethod' },
    dtype: 'weightFormat',
    weight_format: 'weightFormat', // deprecated spelling of dtype
    statistics_path: 'statisticsPath',
  }),
  known: [
    'tokenizer',
    'processor',
    'ignored_scope',
    'dq_group_size',
    'compression',
    'tokenizer_kwargs',
    'processor_kwargs',
    'kwargs',
  ],
  closed: true,
};

/** optimum-intel OVQuantizationConfig: weights and activations (§1.3). `dtype` is the full-quantization mode. */
export const OV_QUANT_CONFIG: Vocabulary = {
  name: 'OVQuantizationConfig',
  keys: rules({
    bits: 'bits',
    sym: 'sym',
    dataset: 'dataset',
    num_samples: 'numSamples',
    dtype: 'quantMode',
    smooth_quant_alpha: 'smoothQuantAlpha',
    trust_remote_code: 'trustRemoteCode',
    statistics_path: 'statisticsPath',
  }),
  known: [
    'tokenizer',
    'processor',
    'ignored_scope',
    'model_type',
    'fast_bias_correction',
    'overflow_fix',
    'activation_format',
    'weight_format',
    'quant_method',
    'kwargs',
  ],
  closed: true,
};

/** The optimum-cli vocabulary in snake case: Olive's `ov_quant_config` mirrors the CLI flags (§3.3). */
export const OPTIMUM_CLI_KEYS: Vocabulary = {
  name: 'ov_quant_config',
  keys: rules({
    ...WEIGHT_COMPRESSION_KEYS,
    weight_format: 'weightFormat',
    quant_mode: 'quantMode',
    awq: 'awq',
    quantization_statistics_path: 'statisticsPath',
    smooth_quant_alpha: 'smoothQuantAlpha',
    task: 'task',
  }),
  known: ['library', 'framework', 'cache_dir', 'pad_token_id', 'variant', 'model_kwargs', 'disable_stateful'],
  closed: true,
};

/** nncf.compress_weights keyword arguments, and Olive's OpenVINOWeightCompression `compress_config` (§1.4). */
export const NNCF_COMPRESS_WEIGHTS: Vocabulary = {
  name: 'nncf.compress_weights',
  keys: rules({
    mode: { key: 'weightFormat', transform: 'nncfMode' },
    ratio: 'ratio',
    group_size: 'groupSize',
    all_layers: 'allLayers',
    dataset: 'dataset',
    sensitivity_metric: 'sensitivityMetric',
    subset_size: 'numSamples',
    awq: 'awq',
    scale_estimation: 'scaleEstimation',
    gptq: 'gptq',
    lora_correction: 'loraCorrection',
    backup_mode: 'backupPrecision',
  }),
  known: ['model', 'ignored_scope', 'compression_format', 'advanced_parameters'],
  closed: true,
};

/** transformers BitsAndBytesConfig and `quant_method: bitsandbytes` (§3.1). */
export const BITSANDBYTES: Vocabulary = {
  name: 'BitsAndBytesConfig',
  keys: rules({
    load_in_4bit: { key: 'bits', transform: 'loadIn4bit' },
    load_in_8bit: { key: 'bits', transform: 'loadIn8bit' },
    _load_in_4bit: { key: 'bits', transform: 'loadIn4bit' },
    _load_in_8bit: { key: 'bits', transform: 'loadIn8bit' },
    bnb_4bit_quant_type: 'quantType',
  }),
  known: [
    'quant_method',
    'llm_int8_threshold',
    'llm_int8_skip_modules',
    'llm_int8_enable_fp32_cpu_offload',
    'llm_int8_has_fp16_weight',
    'bnb_4bit_compute_dtype',
    'bnb_4bit_use_double_quant',
    'bnb_4bit_quant_storage',
    'kwargs',
  ],
  closed: true,
};

/** transformers GPTQConfig / `quant_method: gptq`, AutoGPTQ quantize_config.json (§3.1). Open: many versions. */
export const HF_GPTQ: Vocabulary = {
  name: 'GPTQConfig',
  keys: rules({ bits: 'bits', sym: 'sym', group_size: 'groupSize', desc_act: 'descAct', dataset: 'dataset' }),
  known: [],
  closed: false,
};

/** transformers AwqConfig / `quant_method: awq`, and AutoAWQ's legacy quant_config.json names (§3.1). */
export const HF_AWQ: Vocabulary = {
  name: 'AwqConfig',
  keys: rules({
    bits: 'bits',
    w_bit: 'bits',
    group_size: 'groupSize',
    q_group_size: 'groupSize',
    zero_point: { key: 'sym', transform: 'invertBool' },
  }),
  known: [],
  closed: false,
};

/** `quant_method: auto-round` (§3.1). */
export const HF_AUTO_ROUND: Vocabulary = {
  name: 'auto-round',
  keys: rules({ bits: 'bits', sym: 'sym', group_size: 'groupSize' }),
  known: [],
  closed: false,
};

/** onnxruntime MatMulNBitsQuantizer and its weight-only algorithm configs (§5.2). */
export const ORT_MATMUL_NBITS: Vocabulary = {
  name: 'MatMulNBitsQuantizer',
  keys: rules({ bits: 'bits', block_size: 'groupSize', is_symmetric: 'sym', accuracy_level: 'accuracyLevel' }),
  known: [
    'model',
    'nodes_to_exclude',
    'nodes_to_include',
    'quant_format',
    'op_types_to_quantize',
    'quant_axes',
    'algo_config',
    'channel_wised_quantize',
    'ratios',
    'customized_weight_config',
  ],
  closed: true,
};

/** Olive OnnxBlockWiseRtnQuantization and the removed OnnxMatMul4Quantizer (§3.3). */
export const OLIVE_RTN: Vocabulary = {
  name: 'OnnxBlockWiseRtnQuantization',
  keys: rules({ bits: 'bits', block_size: 'groupSize', is_symmetric: 'sym', accuracy_level: 'accuracyLevel' }),
  known: [],
  closed: false,
};

/** Olive Gptq / GptqQuantizer / GptqModel (§3.3). */
export const OLIVE_GPTQ: Vocabulary = {
  name: 'Gptq',
  keys: rules({ bits: 'bits', sym: 'sym', group_size: 'groupSize', desc_act: 'descAct' }),
  known: [],
  closed: false,
};

/** Olive AutoAWQQuantizer (olive/passes/pytorch/autoawq.py): AutoAWQ's own names, `zero_point` means asymmetric. */
export const OLIVE_AWQ: Vocabulary = {
  name: 'AutoAWQQuantizer',
  keys: rules({ bits: 'bits', q_group_size: 'groupSize', zero_point: { key: 'sym', transform: 'invertBool' } }),
  known: [],
  closed: false,
};

/** Olive OnnxHqqQuantization (olive/passes/onnx/hqq_quantization.py). */
export const OLIVE_HQQ: Vocabulary = {
  name: 'OnnxHqqQuantization',
  keys: rules({ block_size: 'groupSize', accuracy_level: 'accuracyLevel' }),
  known: [],
  closed: false,
};

/** Olive ModelBuilder pass (§3.3) and the ORT GenAI builder's int4 options (§5.2). */
export const OLIVE_MODEL_BUILDER: Vocabulary = {
  name: 'ModelBuilder',
  keys: rules({
    precision: 'weightFormat',
    int4_block_size: 'groupSize',
    int4_is_symmetric: 'sym',
    int4_accuracy_level: 'accuracyLevel',
    block_size: 'groupSize',
    is_symmetric: 'sym',
    accuracy_level: 'accuracyLevel',
  }),
  known: [],
  closed: false,
};

/** Olive OnnxStaticQuantization / OnnxQuantization / OnnxDynamicQuantization (§3.3). */
export const OLIVE_ONNX_QUANTIZATION: Vocabulary = {
  name: 'OnnxStaticQuantization',
  keys: rules({ precision: 'weightFormat', weight_symmetric: 'sym' }),
  known: [],
  closed: false,
};

/** A key and value as found in the source, before normalisation. */
export interface WrittenEntry {
  readonly raw: string;
  readonly value: SettingValue;
  /** The whole `key=value` / `"key": value`. */
  readonly span: Span;
  readonly valueSpan: Span;
  /** Just the key as written (`sym`, `"sym"`); absent for positional arguments. */
  readonly keySpan?: Span;
  /** What to delete to remove the entry cleanly, with one neighbouring separator. */
  readonly removeSpan?: Span;
}

export interface MappedEntry {
  readonly settings: RecipeSetting[];
  readonly unknown?: RecipeSetting;
}

/** nncf CompressWeightsMode values (§1.4); the int modes carry symmetry in their name. */
const NNCF_INT_MODE = /^(int[48])_(sym|asym)$/;

/** Map one written key onto normalised settings (none, one, or two for an nncf int mode). */
export function mapEntry(vocabulary: Vocabulary, entry: WrittenEntry): MappedEntry {
  // Own properties only: a key named `constructor` or `__proto__` is just an unknown key.
  const rule = Object.hasOwn(vocabulary.keys, entry.raw) ? vocabulary.keys[entry.raw] : undefined;
  const base: { raw: string; span: Span; valueSpan: Span; keySpan?: Span; removeSpan?: Span } = {
    raw: entry.raw,
    span: entry.span,
    valueSpan: entry.valueSpan,
  };
  if (entry.keySpan) base.keySpan = entry.keySpan;
  if (entry.removeSpan) base.removeSpan = entry.removeSpan;
  if (!rule) {
    const setting: RecipeSetting = { key: 'other', ...base, value: entry.value };
    if (vocabulary.closed && !vocabulary.known.includes(entry.raw)) return { settings: [], unknown: setting };
    return { settings: [setting] };
  }
  const value = entry.value;
  switch (rule.transform ?? 'copy') {
    case 'invertBool':
      return { settings: [{ key: rule.key, ...base, value: typeof value === 'boolean' ? !value : value }] };
    case 'loadIn4bit':
    case 'loadIn8bit': {
      const bits = rule.transform === 'loadIn4bit' ? 4 : 8;
      if (value === true) return { settings: [{ key: 'bits', ...base, value: bits }] };
      if (isUnknown(value)) return { settings: [{ key: 'bits', ...base, value }] };
      return { settings: [{ key: 'other', ...base, value }] };
    }
    case 'ovQuantMethod': {
      if (isUnknown(value)) return { settings: [{ key: 'awq', ...base, value }] };
      const method = typeof value === 'string' ? value.toLowerCase() : value;
      if (method === 'awq') return { settings: [{ key: 'awq', ...base, value: true }] };
      if (method === 'default') return { settings: [{ key: 'awq', ...base, value: false }] };
      return { settings: [{ key: 'quantMethod', ...base, value }] };
    }
    case 'nncfMode':
      return { settings: nncfModeSettings(value, base) };
    default:
      return { settings: [{ key: rule.key, ...base, value }] };
  }
}

function nncfModeSettings(value: SettingValue, base: Omit<RecipeSetting, 'key' | 'value'>): RecipeSetting[] {
  if (isUnknown(value)) {
    return [
      { key: 'weightFormat', ...base, value },
      { key: 'sym', ...base, value },
    ];
  }
  if (typeof value !== 'string') return [{ key: 'weightFormat', ...base, value }];
  const mode = value.toLowerCase();
  const intMode = NNCF_INT_MODE.exec(mode);
  if (!intMode) return [{ key: 'weightFormat', ...base, value: mode }];
  return [
    { key: 'weightFormat', ...base, value: intMode[1] },
    { key: 'sym', ...base, value: intMode[2] === 'sym' },
  ];
}

/** Map every entry; settings keep source order. */
export function mapEntries(
  vocabulary: Vocabulary,
  entries: readonly WrittenEntry[],
): { settings: RecipeSetting[]; unknown: RecipeSetting[] } {
  const settings: RecipeSetting[] = [];
  const unknown: RecipeSetting[] = [];
  for (const entry of entries) {
    const mapped = mapEntry(vocabulary, entry);
    settings.push(...mapped.settings);
    if (mapped.unknown) unknown.push(mapped.unknown);
  }
  return { settings, unknown };
}
