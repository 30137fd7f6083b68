/**
 * Target device profiles (docs/ARCHITECTURE.md, "Target devices"). One body of device knowledge serves the
 * editor, the CLI and the model tree, so they can never disagree. Facts and their sources:
 * ../shared/docs/DOMAIN-REFERENCE.md sections 2 and 3.6; never add a device claim without a source.
 */
import { DEVICE_PROFILE_IDS, type DeviceProfileId } from '../../protocol/devices';

export { DEVICE_PROFILE_IDS, type DeviceProfileId };

export function isDeviceProfileId(value: unknown): value is DeviceProfileId {
  return typeof value === 'string' && (DEVICE_PROFILE_IDS as readonly string[]).includes(value);
}

export interface DeviceProfile {
  readonly id: DeviceProfileId;
  readonly label: string;
  /** Fits the Models view, the status bar and quick picks at VS Code's default widths. */
  readonly shortLabel: string;
  /** Vendor family, so rules can say "Intel NPU" without listing generations. */
  readonly family: 'intel-npu' | 'qualcomm-npu' | 'apple-npu' | 'cpu' | 'gpu';
  /** NF4 weights: Lunar Lake (Core Ultra Series 2) and newer only (DOMAIN-REFERENCE.md §2 "NF4"). */
  readonly supportsNf4: boolean;
}

export const DEVICE_PROFILES: Readonly<Record<DeviceProfileId, DeviceProfile>> = {
  'intel-npu-mtl': {
    id: 'intel-npu-mtl',
    label: 'Intel NPU (Meteor Lake, Core Ultra Series 1)',
    shortLabel: 'Meteor Lake NPU',
    family: 'intel-npu',
    supportsNf4: false,
  },
  'intel-npu-lnl': {
    id: 'intel-npu-lnl',
    label: 'Intel NPU (Lunar Lake, Core Ultra Series 2)',
    shortLabel: 'Lunar Lake NPU',
    family: 'intel-npu',
    supportsNf4: true,
  },
  'intel-npu-ptl': {
    id: 'intel-npu-ptl',
    label: 'Intel NPU (Panther Lake)',
    shortLabel: 'Panther Lake NPU',
    family: 'intel-npu',
    supportsNf4: true,
  },
  'qualcomm-htp': {
    id: 'qualcomm-htp',
    label: 'Qualcomm Hexagon NPU (ONNX Runtime QNN)',
    shortLabel: 'Qualcomm NPU',
    family: 'qualcomm-npu',
    supportsNf4: false,
  },
  'apple-ane': {
    id: 'apple-ane',
    label: 'Apple Neural Engine (Core ML)',
    shortLabel: 'Apple ANE',
    family: 'apple-npu',
    supportsNf4: false,
  },
  cpu: { id: 'cpu', label: 'CPU', shortLabel: 'CPU', family: 'cpu', supportsNf4: true },
  gpu: { id: 'gpu', label: 'GPU', shortLabel: 'GPU', family: 'gpu', supportsNf4: true },
};

export const DEFAULT_TARGET: DeviceProfileId = 'intel-npu-lnl';
