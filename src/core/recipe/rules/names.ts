/** What a user calls a config: the class they called, the Olive pass they wrote, else the kind of config. */
import type { Recipe, RecipeDialect } from '../types';

const CONFIG_NAMES: Readonly<Record<RecipeDialect, string>> = {
  'optimum-cli': 'optimum-cli export openvino',
  'ov-weight-config': 'OVWeightQuantizationConfig',
  'ov-quant-config': 'OVQuantizationConfig',
  'nncf-compress-weights': 'nncf.compress_weights',
  'hf-gptq': 'GPTQConfig',
  'hf-awq': 'AwqConfig',
  'hf-bitsandbytes': 'BitsAndBytesConfig',
  'hf-auto-round': 'AutoRound',
  'ort-matmulnbits': 'MatMulNBitsQuantizer',
  'olive-pass': 'Olive pass',
  'genai-config': 'genai_config.json',
  'model-files': 'model files',
};

export function configName(recipe: Recipe): string {
  const facts = recipe.facts ?? {};
  const name = facts['passType'] ?? facts['className'];
  return typeof name === 'string' ? name : CONFIG_NAMES[recipe.dialect];
}
