/**
 * Format and precision rules: what optimum does with the weight format and the options around it
 * (needs-weight-format, group-size-one, int8-incompatible-option, task-without-past). DOMAIN-REFERENCE.md §1.2.
 */
import { fix, insertWordsEdit } from '../../fixes';
import { isIntelNpu } from '../catalog';
import { COMPRESSION_KEYS, type Command } from './command';

export function needsWeightFormat(cmd: Command): void {
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

export function groupSizeOne(cmd: Command): void {
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

export function int8Options(cmd: Command): void {
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

export function taskWithoutPast(cmd: Command): void {
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
