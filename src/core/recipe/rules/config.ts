/**
 * Rules for config recipes (Python calls, JSON configs, Olive passes, model files). The extractors map
 * every spelling onto the normalised settings and record class defaults as `default*` facts
 * (DOMAIN-REFERENCE.md §1.3, §1.4, §3.1-§3.3, §5.2); these rules judge the result for the target.
 */
import type { DeviceProfileId } from '../../devices/profiles';
import { DEVICE_PROFILES } from '../../devices/profiles';
import { fix, replaceEdit } from '../fixes';
import type { Finding, Fix, Recipe, RecipeDialect, RecipeSetting, SettingKey, Severity } from '../types';
import { isUnknown } from '../types';
import { isIntelNpu } from './catalog';
import { RuleContext } from './context';
import { declaredTarget } from './declared';
import { configName } from './names';

/** Dialects that describe how to produce weights (a fix changes the recipe, not a description of existing weights). */
const PRODUCERS = new Set<RecipeDialect>([
  'ov-weight-config',
  'ov-quant-config',
  'nncf-compress-weights',
  'ort-matmulnbits',
  'olive-pass',
]);
/** Dialects whose INT4 ends up as ONNX MatMulNBits/QDQ, the Qualcomm HTP path. */
const ORT_PATH = new Set<RecipeDialect>(['ort-matmulnbits', 'olive-pass', 'hf-gptq']);
const OPENVINO_PATH = new Set<RecipeDialect>([
  'ov-weight-config',
  'ov-quant-config',
  'nncf-compress-weights',
  'olive-pass',
  'model-files',
]);

interface Weights {
  bits: number | null;
  family: 'int' | 'float4' | 'float' | null;
  sym: boolean | null;
  symSetting?: RecipeSetting;
  formatSetting?: RecipeSetting;
  /** The format itself names the symmetry (`INT4_ASYM`), so the format setting is where it is written. */
  symInFormat?: boolean;
}

function last(recipe: Recipe, key: SettingKey): RecipeSetting | undefined {
  for (let i = recipe.settings.length - 1; i >= 0; i--) if (recipe.settings[i].key === key) return recipe.settings[i];
  return undefined;
}

function formatInfo(text: string): { bits: number | null; family: Weights['family']; sym: boolean | null } {
  const mode = text
    .toLowerCase()
    .split('.')
    .pop()!
    .replace(/^['"]|['"]$/g, '');
  const int = /^(?:u?int)(4|8)(?:_(a?sym))?$/.exec(mode);
  if (int) return { bits: Number(int[1]), family: 'int', sym: int[2] ? int[2] === 'sym' : null };
  if (['nf4', 'mxfp4', 'cb4', 'fp4', 'nvfp4', 'e2m1'].includes(mode)) return { bits: 4, family: 'float4', sym: null };
  if (['fp16', 'fp32', 'bf16', 'f16', 'f32', 'float16', 'float32'].includes(mode))
    return { bits: 16, family: 'float', sym: null };
  return { bits: null, family: null, sym: null };
}

function weightsOf(recipe: Recipe): Weights {
  const facts = recipe.facts ?? {};
  const formatSetting = last(recipe, 'weightFormat');
  const bitsSetting = last(recipe, 'bits');
  const symSetting = last(recipe, 'sym');
  let bits: number | null = null;
  let family: Weights['family'] = null;
  let formatSym: boolean | null = null;
  if (formatSetting && typeof formatSetting.value === 'string')
    ({ bits, family, sym: formatSym } = formatInfo(formatSetting.value));
  if (bits === null && bitsSetting && typeof bitsSetting.value === 'number') bits = bitsSetting.value;
  if (bits === null && !formatSetting && !bitsSetting) {
    if (typeof facts['defaultMode'] === 'string') ({ bits, family, sym: formatSym } = formatInfo(facts['defaultMode']));
    else if (typeof facts['defaultBits'] === 'number') bits = facts['defaultBits'];
  }
  if (family === null && bits !== null && bits <= 8) family = 'int';
  let sym: boolean | null = null;
  const symInFormat = !symSetting && formatSetting !== undefined && formatSym !== null;
  if (facts['alwaysAsymmetric'] === true) sym = false;
  else if (symSetting) sym = typeof symSetting.value === 'boolean' ? symSetting.value : null;
  else if (formatSym !== null) sym = formatSym;
  else if (typeof facts['defaultSym'] === 'boolean') sym = facts['defaultSym'];
  else if (recipe.dialect === 'hf-awq') sym = false; // AWQ's zero_point defaults to true
  return {
    bits,
    family,
    sym,
    symInFormat,
    ...(symSetting ? { symSetting } : {}),
    ...(formatSetting ? { formatSetting } : {}),
  };
}

/** Flips a boolean literal or an `asym` mode, keeping the user's spelling (`False` -> `True`, `INT4_ASYM` -> `INT4_SYM`). */
function flipped(literal: string, toSym: boolean): string | null {
  const bool = /^(true|false)$/i.exec(literal.trim());
  if (bool) {
    const target = literal.trim().toLowerCase() === 'true' ? 'false' : 'true';
    return literal[0] === literal[0].toUpperCase() && /[A-Z]/.test(literal[0])
      ? target[0].toUpperCase() + target.slice(1)
      : target;
  }
  if (toSym && /asym/i.test(literal))
    return literal.replace(/asym/i, (m) => (m === 'ASYM' ? 'SYM' : m === 'Asym' ? 'Sym' : 'sym'));
  return null;
}

/** `sym=False` / `"zero_point": true` as the user wrote the value, or just the key when the text is not at hand. */
function quoted(key: string, literal: string | null): string {
  return literal === null ? `\`${key}\`` : `\`${key}\` = ${literal}`;
}

class Config extends RuleContext {
  constructor(
    recipe: Recipe,
    target: DeviceProfileId,
    readonly text: string | undefined,
    out: Finding[],
    /** Where the config declares the device it is judged for, when that replaced the requested target. */
    readonly declaredBy: string | null,
  ) {
    super(recipe, target, out);
  }

  /** Python spells booleans `True`/`False`; JSON and messages about JSON `true`/`false`. */
  get python(): boolean {
    const facts = this.recipe.facts ?? {};
    return typeof facts['className'] === 'string' || facts['dictLiteral'] === true;
  }

  bool(value: boolean): string {
    return this.python ? (value ? 'True' : 'False') : String(value);
  }

  literal(setting: RecipeSetting): string | null {
    return this.text !== undefined && setting.valueSpan
      ? this.text.slice(setting.valueSpan.start, setting.valueSpan.end)
      : null;
  }

  replaceLiteral(
    setting: RecipeSetting,
    title: string,
    make: (literal: string) => string | null,
    preferred: boolean,
  ): Fix[] {
    const literal = this.literal(setting);
    const next = literal === null ? null : make(literal);
    return next === null || !setting.valueSpan
      ? []
      : fix(title, [replaceEdit(this.recipe, setting.valueSpan, next)], preferred);
  }

  get isModel(): boolean {
    return this.recipe.dialect === 'model-files';
  }
}

/**
 * The key that sets symmetry in this config and the value that makes INT4 symmetric (`sym` true, AWQ's
 * `zero_point` false, MatMulNBits' `is_symmetric` true), or null when no key does.
 */
function symmetryKey(recipe: Recipe): { key: string; symmetric: boolean } | null {
  const facts = recipe.facts ?? {};
  if (facts['alwaysAsymmetric'] === true) return null;
  const wraps = recipe.dialect === 'olive-pass' ? facts['wraps'] : recipe.dialect;
  const passType = typeof facts['passType'] === 'string' ? facts['passType'].toLowerCase() : '';
  switch (wraps) {
    case 'hf-awq':
      return { key: 'zero_point', symmetric: false };
    case 'ort-matmulnbits':
      return { key: passType === 'modelbuilder' ? 'int4_is_symmetric' : 'is_symmetric', symmetric: true };
    case 'nncf-compress-weights':
    case 'hf-bitsandbytes':
    case undefined:
      return null;
    default:
      return { key: 'sym', symmetric: true };
  }
}

/** What makes defaulted INT4 asymmetric, in the config's own words ("GptqQuantizer defaults to sym=false"). */
function asymmetricDefault(cfg: Config): string {
  const { recipe } = cfg;
  const name = configName(recipe);
  if (recipe.facts?.['alwaysAsymmetric'] === true)
    return `${name} writes a zero point for every block: its INT4 weights are asymmetric by construction`;
  const defaultsFrom = recipe.facts?.['defaultsFrom'];
  if (typeof defaultsFrom === 'string')
    return `With only weight_format int4, ${name} applies ${defaultsFrom === 'generic' ? "optimum's generic 4-bit default" : `optimum's per-model default for ${defaultsFrom}`}, which is asymmetric`;
  if (recipe.facts?.['source'] === 'ov_quant_config')
    return `${name} builds its config with sym=${cfg.bool(false)} when ov_quant_config has no "sym", so its INT4 weights are asymmetric`;
  const symmetry = symmetryKey(recipe);
  return symmetry
    ? `${name} defaults to ${symmetry.key}=${cfg.bool(!symmetry.symmetric)}, so its INT4 weights are asymmetric`
    : `${name} defaults to asymmetric INT4 weights`;
}

function asymmetric(cfg: Config, weights: Weights): void {
  if (weights.bits !== 4 || weights.family !== 'int' || weights.sym !== false) return;
  const { dialect } = cfg.recipe;
  const severity: Severity | null = isIntelNpu(cfg.target)
    ? 'error'
    : cfg.target === 'qualcomm-htp' && ORT_PATH.has(dialect)
      ? 'info'
      : null;
  if (!severity) return;
  // Where the asymmetry is written (`sym=False`, `INT4_ASYM`); else it is a default and the finding sits on
  // what chose the config (the format, the pass type) with a fix that writes the symmetric key.
  const setting =
    weights.symSetting ??
    (weights.symInFormat || cfg.isModel || cfg.recipe.facts?.['alwaysAsymmetric'] === true
      ? weights.formatSetting
      : undefined);
  const anchor = setting ?? weights.formatSetting ?? last(cfg.recipe, 'passType');
  const what = cfg.isModel
    ? "This model's INT4 weights are asymmetric (they carry zero points)"
    : setting
      ? `${quoted(setting.raw, cfg.literal(setting))} gives asymmetric INT4 weights`
      : asymmetricDefault(cfg);
  const declared = cfg.declaredBy ? ` The workflow declares ${cfg.declaredBy}.` : '';
  const message =
    severity === 'info'
      ? `${what}; Microsoft's Qualcomm NPU recipe quantizes INT4 MatMul weights symmetrically (olive-recipes qwen2_5_qnn_config.json, GptqModel sym: true).${declared}`
      : `${what}: the Intel NPU compiler fails on asymmetric per-group INT4 (openvinotoolkit/openvino#34450); the NPU guide requires symmetric compression.${PRODUCERS.has(dialect) || cfg.isModel ? '' : ' Re-quantize symmetrically from the full-precision model.'}${declared}`;
  const fixes =
    setting && !cfg.isModel && !(cfg.recipe.facts?.['alwaysAsymmetric'] === true)
      ? cfg.replaceLiteral(
          setting,
          'Make the weights symmetric',
          (literal) => flipped(literal, true),
          PRODUCERS.has(dialect),
        )
      : setting
        ? []
        : [...insertSymmetric(cfg), ...symmetricPass(cfg)];
  cfg.report('npu-asymmetric-int4', severity, message, anchor, fixes);
}

/** A pass that is asymmetric by construction (OnnxHqqQuantization) can only be swapped for a symmetric one. */
function symmetricPass(cfg: Config): Fix[] {
  const passType = last(cfg.recipe, 'passType');
  if (cfg.recipe.facts?.['alwaysAsymmetric'] !== true || !passType || typeof passType.value !== 'string') return [];
  const from = passType.value;
  return cfg.replaceLiteral(
    passType,
    'Use OnnxBlockWiseRtnQuantization (symmetric by default)',
    (literal) => literal.replace(from, 'OnnxBlockWiseRtnQuantization'),
    false,
  );
}

/** The symmetric entry a producer config can add where it only defaults to asymmetric, or null. */
function symmetricEntry(recipe: Recipe): { key: string; symmetric: boolean } | null {
  const facts = recipe.facts ?? {};
  if (!PRODUCERS.has(recipe.dialect) || facts['loadInBits'] === true || facts['noQuantizationConfig'] === true)
    return null;
  return symmetryKey(recipe);
}

/**
 * Writes the symmetric setting where a config only defaults to asymmetric: `sym=True` in a call, `"sym": True`
 * in a Python dict, `"sym": true` (`"zero_point": false` for AWQ) in JSON, after the last entry and in the
 * config's own separator style.
 */
function insertSymmetric(cfg: Config): Fix[] {
  const { recipe } = cfg;
  const style = recipe.style;
  const symmetry = symmetricEntry(recipe);
  if (!symmetry || !style || cfg.text === undefined) return [];
  const facts = recipe.facts ?? {};
  const value = cfg.bool(symmetry.symmetric);
  let entry: string;
  if (facts['dictLiteral'] === true) {
    const firstKey = recipe.settings.find((setting) => setting.keySpan)?.keySpan;
    const quote = firstKey && cfg.text[firstKey.start] === "'" ? "'" : '"';
    entry = `${quote}${symmetry.key}${quote}: ${value}`;
  } else if (typeof facts['className'] === 'string') {
    entry = `${symmetry.key}=${value}`;
  } else {
    entry = `"${symmetry.key}": ${value}`;
  }
  const at = { start: style.insertAt, end: style.insertAt };
  return fix(`Add ${entry}`, [replaceEdit(recipe, at, `${style.separator}${entry}`)], true);
}

function groupSizes(cfg: Config, weights: Weights): void {
  const group = last(cfg.recipe, 'groupSize');
  if (!group || typeof group.value !== 'number') return;
  if (group.value === 1) {
    cfg.report(
      'group-size-one',
      isIntelNpu(cfg.target) ? 'error' : 'warning',
      'Group size 1 quantizes every weight with its own scale; channel-wise is -1, not 1.',
      group,
      cfg.isModel
        ? []
        : cfg.replaceLiteral(group, 'Use -1 (channel-wise)', (literal) => literal.replace(/1/, '-1'), true),
    );
    return;
  }
  if (group.value === 0 || group.value < -1) {
    cfg.report(
      'invalid-value',
      'error',
      `Group size ${group.value} is invalid: it must be positive or -1 (channel-wise).`,
      group,
    );
    return;
  }
  // A ModelBuilder after a quantizing pass only packs what that pass left: its block size is not the model's.
  if (
    isIntelNpu(cfg.target) &&
    cfg.recipe.facts?.['packsAfter'] === undefined &&
    OPENVINO_PATH.has(cfg.recipe.dialect) &&
    weights.bits === 4 &&
    weights.family === 'int' &&
    group.value !== 128 &&
    group.value !== -1
  ) {
    cfg.report(
      'npu-group-size',
      'warning',
      `Group size ${group.value} is outside the Intel NPU recipe: the NPU guide requires 128 (models up to ~4-5B) or channel-wise -1.`,
      group,
      cfg.isModel
        ? []
        : [
            ...cfg.replaceLiteral(group, 'Use 128', (literal) => literal.replace(/-?\d+/, '128'), false),
            ...cfg.replaceLiteral(group, 'Use -1 (channel-wise)', (literal) => literal.replace(/-?\d+/, '-1'), false),
          ],
    );
  }
}

function ratio(cfg: Config, weights: Weights): void {
  const setting = last(cfg.recipe, 'ratio');
  if (!setting || typeof setting.value !== 'number') return;
  if (setting.value < 0 || setting.value > 1) {
    cfg.report('invalid-value', 'error', `ratio must be in [0, 1]; ${setting.value} makes compression fail.`, setting);
    return;
  }
  if (setting.value < 1 && weights.bits === 4 && isIntelNpu(cfg.target) && OPENVINO_PATH.has(cfg.recipe.dialect)) {
    cfg.report(
      'npu-ratio-below-one',
      'warning',
      `ratio ${setting.value} keeps ${Math.round((1 - setting.value) * 100)}% of the layers in the backup precision; the NPU guide asks for ratio 1.0 so that as many layers as possible are 4-bit.`,
      setting,
      cfg.isModel
        ? []
        : cfg.replaceLiteral(setting, 'Use 1.0', (literal) => literal.replace(/[\d.eE+-]+/, '1.0'), true),
    );
  }
}

function dataAware(cfg: Config, weights: Weights): void {
  const { dialect } = cfg.recipe;
  if (dialect !== 'ov-weight-config' && dialect !== 'nncf-compress-weights') return;
  const truthy = (key: SettingKey) => {
    const setting = last(cfg.recipe, key);
    return setting && (setting.value === true || isUnknown(setting.value)) ? setting : undefined;
  };
  const hasDataset = last(cfg.recipe, 'dataset') !== undefined || cfg.recipe.facts?.['kwargsSplat'] !== undefined;
  if (!hasDataset) {
    for (const key of ['scaleEstimation', 'gptq', 'loraCorrection'] as const) {
      const setting = truthy(key);
      if (setting && setting.value === true)
        cfg.report(
          'needs-dataset',
          'error',
          `${setting.raw} is data-aware and needs a dataset: NNCF's OpenVINO backend raises an error without one.`,
          setting,
        );
    }
  }
  const gptq = truthy('gptq');
  const lora = truthy('loraCorrection');
  if (gptq?.value === true && lora?.value === true)
    cfg.report(
      'conflicting-options',
      'error',
      'GPTQ and LoRA correction cannot be combined: NNCF rejects the configuration.',
      lora,
    );
  if (weights.bits === 8 && weights.family === 'int') {
    for (const setting of cfg.recipe.settings) {
      const offending =
        (setting.key === 'ratio' && typeof setting.value === 'number' && setting.value !== 1) ||
        (setting.key === 'groupSize' && typeof setting.value === 'number' && setting.value !== -1) ||
        (['awq', 'scaleEstimation', 'gptq', 'loraCorrection', 'allLayers'].includes(setting.key) &&
          setting.value === true) ||
        (['sensitivityMetric', 'backupPrecision'].includes(setting.key) && setting.value !== null);
      if (offending)
        cfg.report(
          'int8-incompatible-option',
          'error',
          `${setting.raw} is not allowed with 8-bit weights: NNCF refuses ratio != 1, group size != -1 and data-aware or mixed-precision options for INT8 modes.`,
          setting,
        );
    }
  }
}

function nf4(cfg: Config): void {
  const setting = last(cfg.recipe, 'weightFormat');
  if (
    !setting ||
    typeof setting.value !== 'string' ||
    formatInfo(setting.value).family !== 'float4' ||
    !/nf4/i.test(setting.value)
  )
    return;
  const profile = DEVICE_PROFILES[cfg.target];
  if (profile.family !== 'intel-npu' || profile.supportsNf4) return;
  cfg.report(
    'nf4-needs-lunar-lake',
    'error',
    `NF4 weights run only on Core Ultra Series 2 (Lunar Lake) and newer NPUs; ${profile.label} cannot run them.`,
    setting,
  );
}

function olivePass(cfg: Config): void {
  if (cfg.recipe.dialect !== 'olive-pass') return;
  const setting = last(cfg.recipe, 'passType');
  const type = typeof setting?.value === 'string' ? setting.value : cfg.recipe.facts?.['passType'];
  if (type !== 'OnnxMatMul4Quantizer') return;
  const fixes = setting
    ? cfg.replaceLiteral(
        setting,
        'Use OnnxBlockWiseRtnQuantization',
        (literal) => literal.replace('OnnxMatMul4Quantizer', 'OnnxBlockWiseRtnQuantization'),
        true,
      )
    : [];
  cfg.report(
    'removed-olive-pass',
    'error',
    'Olive removed OnnxMatMul4Quantizer on 2025-07-01 (PR #1937): the workflow fails to load. Its replacement is OnnxBlockWiseRtnQuantization (default block_size 128, not 32).',
    setting,
    fixes,
  );
}

function modelPrecision(cfg: Config, weights: Weights): void {
  if (!cfg.isModel || !isIntelNpu(cfg.target) || cfg.recipe.facts?.['llm'] === false) return;
  if (weights.bits === 8 && weights.family === 'int') {
    cfg.report(
      'npu-undocumented-precision',
      'warning',
      'INT8 LLM weights on the NPU are outside the documented recipe; an INT8 weight-only IR was reported to crash at generate() (openvinotoolkit/openvino#35641).',
      weights.formatSetting,
    );
  } else if (weights.family === 'float' || (weights.bits !== null && weights.bits >= 16)) {
    cfg.report(
      'npu-undocumented-precision',
      'warning',
      'An unquantized FP16/FP32 LLM on the NPU is outside the documented recipe (the NPU guide documents INT4 and NF4 LLMs only).',
      weights.formatSetting,
    );
  }
}

export function evaluateConfig(recipe: Recipe, target: DeviceProfileId, text?: string): Finding[] {
  const out: Finding[] = [];
  const declared = declaredTarget(recipe, target);
  const cfg = new Config(recipe, declared.target, text, out, declared.by);
  const weights = weightsOf(recipe);
  asymmetric(cfg, weights);
  groupSizes(cfg, weights);
  ratio(cfg, weights);
  dataAware(cfg, weights);
  nf4(cfg);
  olivePass(cfg);
  modelPrecision(cfg, weights);
  return out;
}
