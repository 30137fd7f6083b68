/**
 * The one rule engine (src/core/recipe, helper R) applied to model recipes. Until R's `evaluateRecipe` is
 * in the tree this module is a local adapter with the same signature; switching over is the one import below.
 */
import { DEVICE_PROFILES, type DeviceProfileId } from '../devices/profiles';
import type { Finding, Recipe, SettingKey, SettingValue } from '../recipe/types';

export type EvaluateRecipe = (recipe: Recipe, target: DeviceProfileId) => Finding[];

function value(recipe: Recipe, key: SettingKey): SettingValue | undefined {
  return recipe.settings.find((setting) => setting.key === key)?.value;
}

/**
 * Interim copies of the NPU rules that matter for model files (DOMAIN-REFERENCE.md §2, §3.6). Only used
 * while src/core/recipe/index.ts does not export evaluateRecipe.
 */
export const interimEvaluateRecipe: EvaluateRecipe = (recipe, target) => {
  const profile = DEVICE_PROFILES[target];
  if (profile.family !== 'intel-npu') return [];
  const findings: Finding[] = [];
  const add = (rule: string, severity: Finding['severity'], message: string): void => {
    findings.push({ rule, severity, message, span: recipe.span, fixes: [], target });
  };
  const format = value(recipe, 'weightFormat');
  const sym = value(recipe, 'sym');
  const groupSize = value(recipe, 'groupSize');
  const ratio = value(recipe, 'ratio');
  if (format === 'int4' && sym === false) {
    add('npu-asymmetric-int4', 'error', 'Asymmetric INT4 weights: the Intel NPU compiler fails on u4 zero points (openvinotoolkit/openvino#34450, openvinotoolkit/npu_compiler#303). Re-export with --sym.');
  }
  if (format === 'nf4' && !profile.supportsNf4) {
    add('nf4-needs-lunar-lake', 'error', 'NF4 runs only on Core Ultra Series 2 (Lunar Lake) NPUs and newer; use symmetric INT4 for Meteor Lake.');
  }
  if (groupSize === 1) add('group-size-one', 'error', 'Group size 1 is a mistake for channel-wise (-1).');
  if (typeof ratio === 'number' && ratio < 1 && (format === 'int4' || format === 'nf4')) {
    add('npu-ratio-below-one', 'warning', `Only ${Math.round(ratio * 100)}% of layers are 4-bit; the NPU guide asks for ratio 1.0 so as many layers as possible are 4-bit.`);
  }
  return findings;
};

export const evaluateModelRecipe: EvaluateRecipe = interimEvaluateRecipe;
