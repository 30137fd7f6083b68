/**
 * Rules for `optimum-cli export openvino` recipes. Facts: DOMAIN-REFERENCE.md §1.1-§1.2 (what the CLI
 * accepts and enforces) and §2 (what the Intel NPU needs). Rules read settings, never syntax.
 */
import type { DeviceProfileId } from '../../devices/profiles';
import { DEVICE_PROFILES } from '../../devices/profiles';
import { KNOWN_MISTAKES, LONG_FLAG_NAMES, QUANT_MODES, WEIGHT_FORMATS, closest, flagByName } from '../flags';
import { deleteEdit, fix, insertWordsEdit, replaceEdit } from '../fixes';
import { GENERIC_4BIT_DEFAULT, lastPathPart, perModelDefault, type Default4BitConfig } from '../optimumDefaults';
import type { Finding, Fix, Recipe, RecipeSetting, SettingKey } from '../types';
import { isUnknown } from '../types';
import { isIntelNpu, npuSeverity } from './catalog';
import { RuleContext } from './context';

const COMPRESSION_KEYS: readonly SettingKey[] = [
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
const FOUR_BIT_FORMATS = new Set(['int4', 'nf4', 'mxfp4', 'cb4']);
const ISSUE_ASYM = 'openvinotoolkit/openvino#34450';

class Command extends RuleContext {
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
type Origin = { config: Default4BitConfig; id: string | null } | 'explicit' | 'unknown';
/** Computed once per evaluation (three rules ask); kept on the Command, which lives just as long. */
function tableDefault(cmd: Command): Origin {
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

function describe(config: Default4BitConfig): string {
  const parts = [
    config.sym ? 'symmetric' : 'asymmetric',
    config.groupSize === -1 ? 'channel-wise' : `group ${config.groupSize}`,
    `ratio ${config.ratio}`,
  ];
  if (config.awq) parts.push('AWQ');
  if (config.scaleEstimation) parts.push('scale estimation');
  return parts.join(', ');
}

function defaultOrigin(id: string | null): string {
  return id ? `optimum's per-model default for ${id}` : "optimum's generic int4 default";
}

/** The one fix for problems that come from a per-model default: `--sym` switches optimum to its generic symmetric g128 ratio-1.0 config. */
function tableFix(cmd: Command, format: RecipeSetting): Fix[] {
  return fix(
    'Add --sym (optimum then uses symmetric, group 128, ratio 1.0 instead of the per-model default)',
    [cmd.insertAfter(format, ['--sym'])],
    true,
  );
}

const NPU_ASYM_FAILS = `The Intel NPU compiler fails on asymmetric per-group INT4 (${ISSUE_ASYM}); the NPU guide requires --sym.`;

function asymmetricInt4(cmd: Command, format: RecipeSetting): void {
  if (cmd.has('sym')) return;
  const severity = npuSeverity(cmd.target, 'error');
  if (!severity) return;
  const addSym = (): Fix[] => fix('Add --sym', [cmd.insertAfter(format, ['--sym'])], true);
  const origin = tableDefault(cmd);
  if (origin === 'explicit') {
    cmd.report(
      'npu-asymmetric-int4',
      severity,
      `--weight-format int4 without --sym compresses weights asymmetrically (optimum's default). ${NPU_ASYM_FAILS}`,
      format,
      addSym(),
    );
  } else if (origin === 'unknown') {
    if (cmd.partlyHidden) return;
    const model = cmd.get('model');
    const what = model && isUnknown(model.value) ? `${model.value.text}` : 'the model';
    cmd.report(
      'npu-asymmetric-int4',
      'warning',
      `--weight-format int4 without --sym is asymmetric unless ${what} is one of the few models whose optimum default is symmetric. ${NPU_ASYM_FAILS}`,
      format,
      addSym(),
    );
  } else if (!origin.config.sym) {
    cmd.report(
      'npu-asymmetric-int4',
      severity,
      `With no other compression flag, ${defaultOrigin(origin.id)} applies: ${describe(origin.config)}. ${NPU_ASYM_FAILS}`,
      format,
      origin.id ? tableFix(cmd, format) : addSym(),
    );
  }
}

function ratioBelowOne(cmd: Command, format: RecipeSetting | undefined): void {
  const severity = npuSeverity(cmd.target, 'warning');
  if (!severity) return;
  const formatText = cmd.text('weightFormat');
  if (formatText !== null && !FOUR_BIT_FORMATS.has(formatText)) return;
  const message = (ratio: number, where: string) =>
    `${where}ratio ${ratio} keeps ${Math.round((1 - ratio) * 100)}% of the layers in the backup precision (INT8); the NPU guide asks for --ratio 1.0 so that as many layers as possible are 4-bit.`;
  const ratio = cmd.get('ratio');
  if (ratio && typeof ratio.value === 'number' && ratio.value >= 0 && ratio.value < 1) {
    cmd.report(
      'npu-ratio-below-one',
      severity,
      message(ratio.value, ''),
      ratio,
      fix('Use --ratio 1.0', [cmd.replaceValue(ratio, '1.0')], true),
    );
    return;
  }
  if (!ratio && format && formatText === 'int4') {
    const origin = tableDefault(cmd);
    if (typeof origin === 'object' && origin.id && origin.config.ratio < 1)
      cmd.report(
        'npu-ratio-below-one',
        severity,
        message(origin.config.ratio, `${defaultOrigin(origin.id)} sets `),
        format,
        tableFix(cmd, format),
      );
  }
}

function npuGroupSize(cmd: Command, format: RecipeSetting): void {
  if (!isIntelNpu(cmd.target)) return;
  const formatText = cmd.text('weightFormat');
  const group = cmd.get('groupSize');
  const value = group && typeof group.value === 'number' ? group.value : null;
  if (formatText === 'nf4') {
    if (value === -1 || (group && value === null)) return;
    const edit = group ? cmd.replaceValue(group, '-1') : cmd.insertAfter(format, ['--group-size', '-1']);
    cmd.report(
      'npu-group-size',
      'info',
      'The NPU guide says to use NF4 channel-wise (--group-size -1); NF4-CW is usually more accurate than INT4-CW even without data.',
      group ?? format,
      fix('Use --group-size -1', [edit]),
    );
    return;
  }
  if (formatText !== 'int4') return;
  const guide =
    'The NPU guide requires group-wise --group-size 128 (recommended up to ~4-5B parameters) or channel-wise --group-size -1 (larger models).';
  if (value !== null && value > 1 && value !== 128) {
    cmd.report('npu-group-size', 'warning', `Group size ${value} is outside the Intel NPU recipe. ${guide}`, group, [
      ...fix('Use --group-size 128', [cmd.replaceValue(group!, '128')]),
      ...fix('Use --group-size -1 (channel-wise)', [cmd.replaceValue(group!, '-1')]),
    ]);
    return;
  }
  if (!group) {
    const origin = tableDefault(cmd);
    if (typeof origin === 'object' && origin.id && origin.config.groupSize !== 128 && origin.config.groupSize !== -1) {
      cmd.report(
        'npu-group-size',
        'warning',
        `${defaultOrigin(origin.id)} uses group size ${origin.config.groupSize}, outside the Intel NPU recipe. ${guide}`,
        format,
        tableFix(cmd, format),
      );
    }
  }
}

function groupSizeOne(cmd: Command): void {
  const group = cmd.get('groupSize');
  if (!group || group.value !== 1) return;
  cmd.report(
    'group-size-one',
    isIntelNpu(cmd.target) ? 'error' : 'warning',
    'Group size 1 quantizes every weight with its own scale; channel-wise is -1, not 1 (the NPU guide warns about exactly this).',
    group,
    fix('Use -1 (channel-wise)', [cmd.replaceValue(group, '-1')], true),
  );
}

const SPLIT_FORMAT =
  /^(int4|int8|nf4|mxfp4|cb4|fp16|fp32)[_-]?(sym|asym)?(?:[_-]?(?:g|gs|group)[_-]?(-?\d+)|[_-]?(cw))?$/i;

function invalidValues(cmd: Command): void {
  const format = cmd.get('weightFormat');
  if (format && typeof format.value === 'string' && !(WEIGHT_FORMATS as readonly string[]).includes(format.value)) {
    const parts = SPLIT_FORMAT.exec(format.value);
    const fixes: Fix[] = [];
    if (parts && format.raw === '--weight-format') {
      const words = [parts[1].toLowerCase()];
      if (parts[2]?.toLowerCase() === 'sym' && !cmd.has('sym')) words.push('--sym');
      const group = parts[4] ? '-1' : parts[3];
      if (group && !cmd.has('groupSize')) words.push('--group-size', group);
      fixes.push(
        ...fix(
          `Use ${words.join(' ')}`,
          [cmd.replaceValue(format, words[0]), words.length > 1 ? cmd.insertAfter(format, words.slice(1)) : null],
          true,
        ),
      );
    } else {
      const near = closest(format.value, WEIGHT_FORMATS);
      if (near) fixes.push(...fix(`Use ${near}`, [cmd.replaceValue(format, near)]));
    }
    cmd.report(
      'invalid-value',
      'error',
      `optimum-cli rejects --weight-format ${format.value}: allowed values are ${WEIGHT_FORMATS.join(', ')} (symmetry and group size are separate flags).`,
      format,
      fixes,
    );
  }
  const mode = cmd.get('quantMode');
  if (mode && typeof mode.value === 'string' && !(QUANT_MODES as readonly string[]).includes(mode.value)) {
    const near = closest(mode.value, QUANT_MODES);
    cmd.report(
      'invalid-value',
      'error',
      `optimum-cli rejects --quant-mode ${mode.value}: allowed values are ${QUANT_MODES.join(', ')}.`,
      mode,
      near ? fix(`Use ${near}`, [cmd.replaceValue(mode, near)]) : [],
    );
  }
  const ratio = cmd.get('ratio');
  if (
    ratio &&
    ratio.value !== null &&
    !isUnknown(ratio.value) &&
    (typeof ratio.value !== 'number' || ratio.value < 0 || ratio.value > 1)
  ) {
    cmd.report(
      'invalid-value',
      'error',
      `--ratio must be a number in [0, 1]; ${String(ratio.value)} makes the export fail.`,
      ratio,
      typeof ratio.value === 'number' && ratio.value > 1 ? fix('Use 1.0', [cmd.replaceValue(ratio, '1.0')]) : [],
    );
  }
  const group = cmd.get('groupSize');
  if (
    group &&
    group.value !== null &&
    !isUnknown(group.value) &&
    (typeof group.value !== 'number' || !Number.isInteger(group.value) || group.value === 0 || group.value < -1)
  ) {
    cmd.report(
      'invalid-value',
      'error',
      `--group-size must be a positive integer or -1 (channel-wise); ${String(group.value)} makes the export fail.`,
      group,
      fix('Use 128', [cmd.replaceValue(group, '128')]),
    );
  }
  const samples = cmd.get('numSamples');
  if (
    samples &&
    samples.value !== null &&
    !isUnknown(samples.value) &&
    (typeof samples.value !== 'number' || !Number.isInteger(samples.value) || samples.value <= 0)
  ) {
    cmd.report(
      'invalid-value',
      'error',
      `--num-samples must be a positive integer; ${String(samples.value)} makes the export fail.`,
      samples,
    );
  }
  for (const setting of cmd.recipe.settings) {
    const flag = flagByName(setting.raw);
    if (!flag) continue;
    if (flag.type !== 'none' && setting.value === null) {
      cmd.report('invalid-value', 'error', `${setting.raw} expects a value; argparse stops the export here.`, setting);
    } else if (flag.type === 'none' && setting.value !== true && setting.valueSpan) {
      cmd.report(
        'invalid-value',
        'error',
        `${setting.raw} takes no value; argparse rejects "${setting.raw}=...".`,
        setting,
      );
    } else if (
      flag.type === 'enum' &&
      flag.key !== 'weightFormat' &&
      flag.key !== 'quantMode' &&
      typeof setting.value === 'string' &&
      flag.values &&
      !flag.values.includes(setting.value)
    ) {
      const near = closest(setting.value, flag.values);
      cmd.report(
        'invalid-value',
        'error',
        `optimum-cli rejects ${setting.raw} ${setting.value}: allowed values are ${flag.values.join(', ')}.`,
        setting,
        near ? fix(`Use ${near}`, [cmd.replaceValue(setting, near)]) : [],
      );
    } else if (
      flag.key === 'sensitivityMetric' &&
      typeof setting.value === 'string' &&
      flag.values &&
      !flag.values.includes(setting.value)
    ) {
      cmd.report(
        'invalid-value',
        'warning',
        `NNCF rejects sensitivity metric ${setting.value} when compression starts: allowed values are ${flag.values.join(', ')}.`,
        setting,
      );
    }
  }
}

/** Underline just the flag name, not the value after it. */
function keyOnly(setting: RecipeSetting): RecipeSetting {
  return setting.keySpan ? { ...setting, span: setting.keySpan } : setting;
}

function unknownFlags(cmd: Command): void {
  for (const setting of cmd.recipe.unknown) {
    const mistake = KNOWN_MISTAKES[setting.raw];
    const helper = cmd.recipe.style?.shell === 'none';
    if (mistake) {
      const words = mistake.replacement?.split(' ') ?? [];
      const edits = helper
        ? []
        : mistake.replacement === null
          ? [deleteEdit(setting.removeSpan ?? setting.span)]
          : setting.keySpan
            ? [
                replaceEdit(cmd.recipe, setting.keySpan, words[0]),
                words.length > 1 ? insertWordsEdit(cmd.recipe, setting.span.end, words.slice(1)) : null,
              ]
            : [];
      const title = mistake.replacement === null ? `Remove ${setting.raw}` : `Use ${mistake.replacement}`;
      cmd.report(
        'unknown-flag',
        'error',
        `optimum-cli export openvino has no ${setting.raw} option and stops with "unrecognized arguments": ${mistake.note}.`,
        keyOnly(setting),
        fix(title, edits, true),
      );
      continue;
    }
    const near = setting.raw.startsWith('-') ? closest(setting.raw, LONG_FLAG_NAMES) : null;
    const rename =
      near && setting.keySpan && !helper ? fix(`Use ${near}`, [replaceEdit(cmd.recipe, setting.keySpan, near)]) : [];
    cmd.report(
      'unknown-flag',
      'error',
      `optimum-cli export openvino has no ${setting.raw} option and stops with "unrecognized arguments"${near ? `; did you mean ${near}?` : '.'}`,
      keyOnly(setting),
      rename,
    );
  }
}

function needsWeightFormat(cmd: Command): void {
  if (cmd.has('weightFormat') || cmd.has('quantMode')) return;
  const given = cmd.recipe.settings.filter((setting) => COMPRESSION_KEYS.includes(setting.key));
  if (!given.length) return;
  const names = [...new Set(given.map((setting) => setting.raw))].join(', ');
  const edit = insertWordsEdit(cmd.recipe, cmd.recipe.style?.insertAt ?? cmd.recipe.span.end, [
    '--weight-format',
    'int4',
  ]);
  cmd.report(
    'needs-weight-format',
    'error',
    `${names} without --weight-format or --quant-mode: optimum-cli refuses the export (compression options need a weight format; --sym, --dataset and --num-samples alone ask for --quant-mode).`,
    given[0],
    fix('Add --weight-format int4', [edit]),
  );
}

function conflicts(cmd: Command): void {
  const format = cmd.get('weightFormat');
  const mode = cmd.get('quantMode');
  if (format && mode) {
    cmd.report(
      'conflicting-options',
      'error',
      '--weight-format and --quant-mode cannot be combined: optimum-cli refuses the export. Use --weight-format for weight-only compression, --quant-mode for weights plus activations.',
      mode,
      [...fix('Remove --quant-mode', [cmd.remove(mode)]), ...fix('Remove --weight-format', [cmd.remove(format)])],
    );
  }
  const gptq = cmd.get('gptq');
  const lora = cmd.get('loraCorrection');
  if (gptq && lora) {
    cmd.report(
      'conflicting-options',
      'error',
      'GPTQ and LoRA correction cannot be combined: NNCF rejects the configuration before compressing.',
      lora,
      [...fix('Remove --lora-correction', [cmd.remove(lora)]), ...fix('Remove --gptq', [cmd.remove(gptq)])],
    );
  }
  if (cmd.text('weightFormat') === 'mxfp4') {
    for (const key of ['awq', 'scaleEstimation', 'gptq', 'loraCorrection'] as const) {
      const setting = cmd.get(key);
      if (setting)
        cmd.report(
          'conflicting-options',
          'error',
          `mxfp4 rejects ${setting.raw} (AWQ, scale estimation, GPTQ and LoRA correction are not available for MX formats).`,
          setting,
          fix(`Remove ${setting.raw}`, [cmd.remove(setting)]),
        );
    }
  }
  const alpha = cmd.get('smoothQuantAlpha');
  if (alpha && !mode && format)
    cmd.report(
      'conflicting-options',
      'warning',
      '--smooth-quant-alpha only applies with activation quantization (--quant-mode); with --weight-format it has no effect.',
      alpha,
      fix('Remove --smooth-quant-alpha', [cmd.remove(alpha)]),
    );
}

const DATA_AWARE_KEYS = ['scaleEstimation', 'gptq', 'loraCorrection'] as const;

function needsDataset(cmd: Command): void {
  if (cmd.has('dataset') || cmd.partlyHidden) return;
  for (const key of DATA_AWARE_KEYS) {
    const setting = cmd.get(key);
    if (!setting) continue;
    const edit = cmd.insertAfter(setting, ['--dataset', 'wikitext2']);
    cmd.report(
      'needs-dataset',
      'error',
      `${setting.raw} is data-aware and needs --dataset: the OpenVINO backend of NNCF raises an error without one.`,
      setting,
      [...fix('Add --dataset wikitext2', [edit]), ...fix(`Remove ${setting.raw}`, [cmd.remove(setting)])],
    );
  }
  const mode = cmd.get('quantMode');
  if (mode)
    cmd.report(
      'needs-dataset',
      'warning',
      '--quant-mode needs --dataset for calibration unless optimum has a per-model default config for this model; otherwise the export stops.',
      mode,
    );
}

function int8Options(cmd: Command): void {
  if (cmd.text('weightFormat') !== 'int8') return;
  for (const setting of cmd.recipe.settings) {
    if (setting.key === 'ratio' || setting.key === 'groupSize') {
      cmd.report(
        'int8-incompatible-option',
        'warning',
        `With --weight-format int8 the CLI forces ratio 1.0 and channel-wise groups, so ${setting.raw} is silently replaced.`,
        setting,
        fix(`Remove ${setting.raw}`, [cmd.remove(setting)], true),
      );
    } else if (
      [
        'awq',
        'scaleEstimation',
        'gptq',
        'loraCorrection',
        'sensitivityMetric',
        'allLayers',
        'backupPrecision',
      ].includes(setting.key)
    ) {
      cmd.report(
        'int8-incompatible-option',
        'error',
        `${setting.raw} is a 4-bit option: with --weight-format int8 optimum raises an error.`,
        setting,
        fix(`Remove ${setting.raw}`, [cmd.remove(setting)]),
      );
    }
  }
}

function nf4OnMeteorLake(cmd: Command): void {
  const format = cmd.get('weightFormat');
  if (
    !format ||
    format.value !== 'nf4' ||
    DEVICE_PROFILES[cmd.target].family !== 'intel-npu' ||
    DEVICE_PROFILES[cmd.target].supportsNf4
  )
    return;
  const addSym = cmd.has('sym') ? null : cmd.insertAfter(format, ['--sym']);
  cmd.report(
    'nf4-needs-lunar-lake',
    'error',
    `NF4 weights run only on Core Ultra Series 2 (Lunar Lake) and newer NPUs; ${DEVICE_PROFILES[cmd.target].label} cannot run this model.`,
    format,
    fix(`Use --weight-format int4${addSym ? ' --sym' : ''}`, [cmd.replaceValue(format, 'int4'), addSym]),
  );
}

function commentLines(cmd: Command): void {
  for (const note of cmd.recipe.notes ?? []) {
    if (note.kind !== 'comment-in-continuation' || cmd.recipe.style?.shell !== 'sh') continue;
    cmd.out.push({
      rule: 'comment-breaks-continuation',
      severity: 'warning',
      message:
        'bash ends the command at this comment line: the flags after it are never passed to optimum-cli (they run as a separate command).',
      span: note.span,
      fixes: [],
      target: cmd.target,
    });
  }
}

function implicitPrecision(cmd: Command): void {
  const format = cmd.get('weightFormat');
  const task = cmd.text('task');
  if (!format || format.value !== 'int8' || !task?.startsWith('text-generation') || !isIntelNpu(cmd.target)) return;
  cmd.report(
    'npu-undocumented-precision',
    'info',
    'No version of the OpenVINO NPU guide documents INT8 LLMs; an INT8 weight-only IR was reported to crash at generate() on NPU (openvinotoolkit/openvino#35641). The documented recipe is INT4 symmetric.',
    format,
  );
}

function taskWithoutPast(cmd: Command): void {
  const task = cmd.get('task');
  if (!task || task.value !== 'text-generation') return;
  cmd.report(
    'task-without-past',
    'info',
    '--task text-generation exports a model without the KV cache; OpenVINO GenAI pipelines use the `text-generation-with-past` export (an NPU run of such an export failed until it was re-exported with -with-past, openvinotoolkit/openvino.genai#820).',
    task,
    fix('Use text-generation-with-past', [cmd.replaceValue(task, 'text-generation-with-past')], true),
  );
}

export function evaluateCommand(recipe: Recipe, target: DeviceProfileId): Finding[] {
  const out: Finding[] = [];
  const cmd = new Command(recipe, target, out);
  if (recipe.facts?.['help'] === true) return out;
  unknownFlags(cmd);
  invalidValues(cmd);
  needsWeightFormat(cmd);
  conflicts(cmd);
  needsDataset(cmd);
  int8Options(cmd);
  groupSizeOne(cmd);
  commentLines(cmd);
  const format = cmd.get('weightFormat');
  if (format && format.value === 'int4') {
    asymmetricInt4(cmd, format);
    npuGroupSize(cmd, format);
  } else if (format && format.value === 'nf4') {
    npuGroupSize(cmd, format);
  }
  ratioBelowOne(cmd, format);
  nf4OnMeteorLake(cmd);
  implicitPrecision(cmd);
  taskWithoutPast(cmd);
  return out;
}
