/**
 * Syntax rules: what argparse and the shell do with the words before optimum runs (unknown-flag, invalid-value,
 * comment-breaks-continuation). DOMAIN-REFERENCE.md §1.1.
 */
import { KNOWN_MISTAKES, LONG_FLAG_NAMES, QUANT_MODES, WEIGHT_FORMATS, closest, flagByName } from '../../flags';
import { deleteEdit, fix, insertWordsEdit, replaceEdit } from '../../fixes';
import type { Fix, RecipeSetting } from '../../types';
import { isUnknown } from '../../types';
import type { Command } from './command';

const SPLIT_FORMAT =
  /^(int4|int8|nf4|mxfp4|cb4|fp16|fp32)[_-]?(sym|asym)?(?:[_-]?(?:g|gs|group)[_-]?(-?\d+)|[_-]?(cw))?$/i;

export function invalidValues(cmd: Command): void {
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

export function unknownFlags(cmd: Command): void {
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

export function commentLines(cmd: Command): void {
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
