/**
 * Device-limit rules: what the target device accepts (npu-asymmetric-int4, npu-ratio-below-one, npu-group-size,
 * nf4-needs-lunar-lake, npu-undocumented-precision). DOMAIN-REFERENCE.md §2.
 */
import { DEVICE_PROFILES } from '../../../devices/profiles';
import { fix } from '../../fixes';
import type { Fix, RecipeSetting } from '../../types';
import { isUnknown } from '../../types';
import { lastPathPart } from '../../optimumDefaults';
import { isIntelNpu, npuSeverity } from '../catalog';
import {
  COMPRESSION_KEYS,
  FOUR_BIT_FORMATS,
  ISSUE_ASYM,
  defaultOrigin,
  describe,
  tableDefault,
  tableFix,
  type Command,
} from './command';

const NPU_ASYM_FAILS = `The Intel NPU compiler fails on asymmetric per-group INT4 (${ISSUE_ASYM}); the NPU guide requires --sym.`;

export function asymmetricInt4(cmd: Command, format: RecipeSetting): void {
  // Words we cannot see (`$EXTRA_ARGS`, an append under an `if`) may hold --sym.
  if (cmd.has('sym') || cmd.partlyHidden) return;
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

export function ratioBelowOne(cmd: Command, format: RecipeSetting | undefined): void {
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

export function npuGroupSize(cmd: Command, format: RecipeSetting): void {
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

export function nf4OnMeteorLake(cmd: Command): void {
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

const INT8_LLM_UNDOCUMENTED =
  'No version of the OpenVINO NPU guide documents INT8 LLMs; an INT8 weight-only IR was reported to crash at generate() on NPU (openvinotoolkit/openvino#35641). The documented recipe is INT4 symmetric.';

/** Billions of parameters a model id states in its name (`Meta-Llama-3-8B`, `Qwen2.5-1.5B`, `Mixtral-8x7B`), or null. */
export function statedBillions(model: string): number | null {
  const name = lastPathPart(model);
  const match = /(?:^|[-_.])(?:(\d+)x)?(\d+(?:\.\d+)?)[bB](?=$|[-_.])/.exec(name);
  if (!match) return null;
  return Number(match[2]) * (match[1] ? Number(match[1]) : 1);
}

/**
 * INT8 LLM weights on the NPU, written (`--weight-format int8`) or implied: with no --weight-format and no
 * --quant-mode, optimum compresses every submodel of 1e9 parameters or more to INT8 asymmetric
 * (huggingface/optimum-intel `optimum/exporters/openvino/__main__.py`, `_apply_model_size_based_quantization`,
 * `_MAX_UNCOMPRESSED_SIZE = 1e9` in `utils.py`). The size is known only when the model id states it.
 */
export function implicitPrecision(cmd: Command): void {
  if (!isIntelNpu(cmd.target)) return;
  const format = cmd.get('weightFormat');
  const task = cmd.text('task');
  if (format) {
    if (format.value === 'int8' && task?.startsWith('text-generation'))
      cmd.report('npu-undocumented-precision', 'info', INT8_LLM_UNDOCUMENTED, format);
    return;
  }
  if (cmd.has('quantMode') || cmd.partlyHidden || (task !== null && !task.startsWith('text-generation'))) return;
  if (cmd.recipe.settings.some((setting) => COMPRESSION_KEYS.includes(setting.key))) return;
  const model = cmd.get('model');
  const id = typeof model?.value === 'string' ? model.value : null;
  const billions = id === null ? null : statedBillions(id);
  if (!model || id === null || billions === null || billions < 1) return;
  cmd.report(
    'npu-undocumented-precision',
    'info',
    `With no --weight-format, optimum compresses a model of a billion parameters or more (${lastPathPart(id)}) to INT8 asymmetric weights. ${INT8_LLM_UNDOCUMENTED}`,
    model,
    fix('Add --weight-format int4 --sym', [cmd.insertAfter(undefined, ['--weight-format', 'int4', '--sym'])]),
  );
}
