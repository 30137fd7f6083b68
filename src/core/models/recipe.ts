/**
 * The Recipe a model folder was made with, recovered from its files (dialect 'model-files'), so the one
 * rule engine of src/core/recipe judges models exactly as it judges export commands (docs/ARCHITECTURE.md).
 */
import type { Recipe, RecipeSetting, SettingKey, SettingValue } from '../recipe/types';
import type { ModelFormat, WeightsInfo } from '../../protocol/models';

const NO_SPAN = { start: 0, end: 0 } as const;

function setting(key: SettingKey, raw: string, value: SettingValue): RecipeSetting {
  return { key, raw, value, span: NO_SPAN };
}

/** `int4`, `int8`, `fp16`, `nf4`, ... in optimum's --weight-format vocabulary; null for formats it has no word for. */
function weightFormat(weights: WeightsInfo): string | null {
  const dtype = weights.dtype.toLowerCase();
  if (/^u?int4$/.test(dtype)) return 'int4';
  if (/^u?int8$/.test(dtype)) return 'int8';
  if (['fp16', 'fp32', 'nf4', 'mxfp4', 'cb4', 'bf16'].includes(dtype)) return dtype === 'bf16' ? 'fp16' : dtype;
  return null;
}

export function recipeFromModel(weights: WeightsInfo, format: ModelFormat, isLlm: boolean): Recipe | null {
  const format_ = weightFormat(weights);
  if (!format_) return null;
  const settings: RecipeSetting[] = [setting('weightFormat', 'weight_format', format_)];
  if (weights.bits !== null) settings.push(setting('bits', 'bits', weights.bits));
  if (weights.sym !== null) settings.push(setting('sym', 'sym', weights.sym));
  if (weights.groupSize !== null) settings.push(setting('groupSize', 'group_size', weights.groupSize));
  if (weights.ratio !== undefined && weights.ratio !== null) settings.push(setting('ratio', 'ratio', weights.ratio));
  if (weights.backupPrecision) settings.push(setting('backupPrecision', 'backup_mode', weights.backupPrecision));
  if (weights.accuracyLevel !== undefined && weights.accuracyLevel !== null)
    settings.push(setting('accuracyLevel', 'accuracy_level', weights.accuracyLevel));
  return {
    dialect: 'model-files',
    span: NO_SPAN,
    settings,
    unknown: [],
    // `llm` tells the engine whether the NPU LLM recipe applies (rules/config.ts modelPrecision).
    facts: { format, llm: isLlm, source: weights.source ?? 'model files' },
  };
}
