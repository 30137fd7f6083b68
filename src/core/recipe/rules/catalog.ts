/** The rule catalogue: stable ids, titles, doc pages (docs/rules/ID.md, each citing its source). */
import type { DeviceProfileId } from '../../devices/profiles';
import { DEVICE_PROFILES } from '../../devices/profiles';
import type { Severity } from '../types';

export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly docPath: string;
}

const TITLES = {
  'npu-asymmetric-int4': 'INT4 weights are asymmetric, which the Intel NPU compiler does not support',
  'unknown-flag': 'Flag that optimum-cli export openvino does not accept',
  'invalid-value': 'Value outside what the flag or key accepts',
  'group-size-one': 'Group size 1 (channel-wise is -1)',
  'needs-dataset': 'Data-aware option without a dataset',
  'needs-weight-format': 'Compression options without --weight-format or --quant-mode',
  'conflicting-options': 'Options that cannot be combined',
  'int8-incompatible-option': 'Option that INT8 weight compression ignores or rejects',
  'npu-ratio-below-one': 'Ratio below 1.0 leaves layers outside 4 bits on the NPU',
  'npu-group-size': "Group size other than the NPU guide's 128 or channel-wise -1",
  'nf4-needs-lunar-lake': 'NF4 weights need a Lunar Lake (Core Ultra Series 2) or newer NPU',
  'removed-olive-pass': 'Olive pass that no longer exists',
  'comment-breaks-continuation': 'Comment line inside a bash continuation ends the command',
  'npu-undocumented-precision': 'INT8 or FP16 LLM on the NPU is outside the documented recipe',
  'task-without-past': 'Text-generation export without the KV cache (-with-past)',
} as const;

export type KnownRuleId = keyof typeof TITLES;

export const RULES: Record<string, RuleInfo> = Object.fromEntries(
  Object.entries(TITLES).map(([id, title]) => [id, { id, title, docPath: `docs/rules/${id}.md` }]),
);

export function isIntelNpu(target: DeviceProfileId): boolean {
  return DEVICE_PROFILES[target].family === 'intel-npu';
}

/** Severity of a device rule: `onIntelNpu` on Intel NPU targets, else `elsewhere` (null = silent). */
export function npuSeverity(
  target: DeviceProfileId,
  onIntelNpu: Severity,
  elsewhere: Severity | null = null,
): Severity | null {
  return isIntelNpu(target) ? onIntelNpu : elsewhere;
}
