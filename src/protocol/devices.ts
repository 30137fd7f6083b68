/**
 * The ids of the target device profiles: part of every contract that names a device (inspect's JSON, the
 * inventory worker's messages, the settings). What each device accepts lives in src/core/devices/profiles.ts.
 */
export const DEVICE_PROFILE_IDS = [
  'intel-npu-mtl',
  'intel-npu-lnl',
  'intel-npu-ptl',
  'qualcomm-htp',
  'apple-ane',
  'cpu',
  'gpu',
] as const;

export type DeviceProfileId = (typeof DEVICE_PROFILE_IDS)[number];
