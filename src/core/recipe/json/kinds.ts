/** Classifies a config object by its context and keys; shared by the Python and JSON extractors. */
import type { RecipeDialect } from '../types';
import {
  BITSANDBYTES,
  HF_AUTO_ROUND,
  HF_AWQ,
  HF_GPTQ,
  NNCF_COMPRESS_WEIGHTS,
  OPTIMUM_CLI_KEYS,
  OV_QUANT_CONFIG,
  OV_WEIGHT_CONFIG,
  type Vocabulary,
  type WrittenEntry,
} from './vocabulary';

/**
 * Facts the config extractors record (rules read them; extractors never judge):
 * - `default*` (defaultSym, defaultGroupSize, defaultBits, defaultDescAct, defaultMode, defaultRatio,
 *   defaultQuantType, ...): the class/pass default of a setting that is not written. Absent when the default is
 *   not known (a `**kwargs` splat, another library's class of the same name, an unknown model id).
 * - `alwaysAsymmetric`: the algorithm writes zero points whatever the settings (ORT HQQ).
 * - `kwargsSplat` / `argsSplat`: text of `**x` / `*x`; settings may hide there.
 * - `className`, `role` (the keyword or key holding the config), `dictLiteral`, `library`.
 * - `optimumDefault4bitTable`, `defaultsFrom`: `OV*.from_pretrained(..., load_in_4bit=True)`; defaults from
 *   optimum's per-model table or its generic default.
 * - Olive: `passName`, `passType`, `wraps` (dialect of the wrapped tool), `removedPass`, `replacement`,
 *   `noQuantizationConfig`, `device`, `executionProviders`, `inputModel`, `extraArgsDevice`, `source`.
 * - genai / Olive encapsulation: `providers`, `deviceType`, `maxPromptLen`, `minResponseLen`, `modelType`.
 * - JSON files: `file`, `ovConfigDtype`.
 */
export type Facts = Record<string, string | number | boolean>;

export interface ConfigKind {
  readonly dialect: RecipeDialect;
  readonly vocabulary: Vocabulary;
  readonly facts: Facts;
}

/**
 * Which config a key/value object is (a Python dict literal, a JSON `quantization_config`), from where it is
 * passed (`context`: the keyword argument or key holding it) and which keys it has.
 */
export function configKind(context: string, entries: readonly WrittenEntry[]): ConfigKind {
  const keys = new Set(entries.map((entry) => entry.raw));
  const quantMethod = entries.find((entry) => entry.raw === 'quant_method')?.value;
  const method = typeof quantMethod === 'string' ? quantMethod.toLowerCase() : undefined;
  const has = (...names: string[]): boolean => names.some((name) => keys.has(name));
  if (context === 'ov_quant_config') {
    return { dialect: 'olive-pass', vocabulary: OPTIMUM_CLI_KEYS, facts: { source: 'ov_quant_config' } };
  }
  if (context === 'compress_config' || (keys.has('mode') && !has('bits', 'quant_method'))) {
    return { dialect: 'nncf-compress-weights', vocabulary: NNCF_COMPRESS_WEIGHTS, facts: { defaultMode: 'int8_asym' } };
  }
  if (method === 'gptq' || (method === undefined && has('desc_act', 'damp_percent'))) {
    return { dialect: 'hf-gptq', vocabulary: HF_GPTQ, facts: { defaultSym: true, defaultGroupSize: 128 } };
  }
  if (has('zero_point', 'w_bit', 'q_group_size', 'version') && (method === 'awq' || method === undefined)) {
    return { dialect: 'hf-awq', vocabulary: HF_AWQ, facts: { defaultSym: false, defaultGroupSize: 128 } };
  }
  if (method === 'bitsandbytes' || has('load_in_4bit', 'load_in_8bit', 'bnb_4bit_quant_type')) {
    return { dialect: 'hf-bitsandbytes', vocabulary: BITSANDBYTES, facts: { defaultQuantType: 'fp4' } };
  }
  if (method === 'auto-round') {
    return { dialect: 'hf-auto-round', vocabulary: HF_AUTO_ROUND, facts: { defaultSym: true, defaultGroupSize: 128 } };
  }
  if (context === 'full_quantization_config') {
    return { dialect: 'ov-quant-config', vocabulary: OV_QUANT_CONFIG, facts: { defaultSym: false } };
  }
  return { dialect: 'ov-weight-config', vocabulary: OV_WEIGHT_CONFIG, facts: { defaultSym: false, defaultBits: 8 } };
}
