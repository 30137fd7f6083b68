/**
 * The one view every `optimum-cli export openvino` rule family reads a command through: settings by key, the
 * 4-bit config optimum applies when no compression flag is given, and fix helpers that write flags in the
 * command's own syntax. Facts: DOMAIN-REFERENCE.md §1.1-§1.2 and §2.
 */
import { deleteEdit, insertWordsEdit, replaceEdit, fix } from '../../fixes';
import { GENERIC_4BIT_DEFAULT, lastPathPart, perModelDefault, type Default4BitConfig } from '../../optimumDefaults';
import type { Fix, RecipeSetting, SettingKey } from '../../types';
import { isUnknown } from '../../types';
import { RuleContext } from '../context';

export const COMPRESSION_KEYS: readonly SettingKey[] = [
  'ratio',
  'groupSize',
  'sym',
  'allLayers',
  'dataset',
  'numSamples',
  'awq',
  'scaleEstimation',
  'gptq',
  'loraCorrection',
  'sensitivityMetric',
  'backupPrecision',
  'groupSizeFallback',
  'statisticsPath',
];
export const FOUR_BIT_FORMATS = new Set(['int4', 'nf4', 'mxfp4', 'cb4']);
export const ISSUE_ASYM = 'openvinotoolkit/openvino#34450';

export class Command extends RuleContext {
  origin: Origin | undefined;

  get(key: SettingKey): RecipeSetting | undefined {
    const settings = this.recipe.settings;
    for (let i = settings.length - 1; i >= 0; i--) if (settings[i].key === key) return settings[i];
    return undefined;
  }

  has(key: SettingKey): boolean {
    return this.get(key) !== undefined;
  }

  text(key: SettingKey): string | null {
    const value = this.get(key)?.value;
    return typeof value === 'string' ? value : null;
  }

  number(key: SettingKey): number | null {
    const value = this.get(key)?.value;
    return typeof value === 'number' ? value : null;
  }

  /** Absence-based rules stay silent when words we cannot see may add flags (`{extra_args}`, `...`). */
  get partlyHidden(): boolean {
    return this.recipe.facts?.['opaque'] === true || this.recipe.facts?.['elided'] === true;
  }

  insertAfter(setting: RecipeSetting | undefined, words: string[]) {
    return insertWordsEdit(
      this.recipe,
      setting ? setting.span.end : (this.recipe.style?.insertAt ?? this.recipe.span.end),
      words,
    );
  }

  replaceValue(setting: RecipeSetting, text: string) {
    return setting.valueSpan ? replaceEdit(this.recipe, setting.valueSpan, text) : null;
  }

  remove(setting: RecipeSetting) {
    return setting.removeSpan && this.recipe.style?.shell !== 'none' ? deleteEdit(setting.removeSpan) : null;
  }
}

/**
 * Which 4-bit config optimum applies: the user's flags once any compression flag is given, else the
 * per-model default when the model is listed, else the generic default. Null when it cannot be known.
 */
export type Origin = { config: Default4BitConfig; id: string | null } | 'explicit' | 'unknown';
/** Computed once per evaluation (three rules ask); kept on the Command, which lives just as long. */
export function tableDefault(cmd: Command): Origin {
  cmd.origin ??= computeOrigin(cmd);
  return cmd.origin;
}

function computeOrigin(cmd: Command): Origin {
  if (cmd.recipe.settings.some((setting) => COMPRESSION_KEYS.includes(setting.key))) return 'explicit';
  if (cmd.partlyHidden) return 'unknown';
  const model = cmd.get('model')?.value;
  let name: string | null = typeof model === 'string' ? model : null;
  if (isUnknown(model)) {
    const part = lastPathPart(model.text);
    name = /[{}$%<>()]/.test(part) ? null : part;
  }
  if (name === null) return 'unknown';
  const entry = perModelDefault(name);
  return entry ? { config: entry.config, id: entry.id } : { config: GENERIC_4BIT_DEFAULT, id: null };
}

export function describe(config: Default4BitConfig): string {
  const parts = [
    config.sym ? 'symmetric' : 'asymmetric',
    config.groupSize === -1 ? 'channel-wise' : `group ${config.groupSize}`,
    `ratio ${config.ratio}`,
  ];
  if (config.awq) parts.push('AWQ');
  if (config.scaleEstimation) parts.push('scale estimation');
  return parts.join(', ');
}

export function defaultOrigin(id: string | null): string {
  return id ? `optimum's per-model default for ${id}` : "optimum's generic int4 default";
}

/** The one fix for problems that come from a per-model default: `--sym` switches optimum to its generic symmetric g128 ratio-1.0 config. */
export function tableFix(cmd: Command, format: RecipeSetting): Fix[] {
  return fix(
    'Add --sym (optimum then uses symmetric, group 128, ratio 1.0 instead of the per-model default)',
    [cmd.insertAfter(format, ['--sym'])],
    true,
  );
}
