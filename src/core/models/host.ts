/**
 * Which of the target profiles this machine has. CPU always; an Intel NPU through the Linux ivpu driver's
 * /dev/accel/accel* node (generation from its PCI device id); the Apple Neural Engine on Apple silicon; a GPU
 * through a DRM render node. Everything else is a target only. onnxruntime-node is never loaded here (it lives
 * in the runner process); execution providers come from what the runner reports, if anything.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DeviceProfileId } from '../devices/profiles';

export interface HostDevices {
  present: Set<DeviceProfileId>;
  /** Why each present device was detected, for the tree's tooltip. */
  evidence: Partial<Record<DeviceProfileId, string>>;
  executionProviders: string[];
}

/** PCI device ids of the ivpu driver (linux drivers/accel/ivpu/ivpu_drv.h). */
const INTEL_NPU_PCI_IDS: Record<string, DeviceProfileId> = {
  '0x7d1d': 'intel-npu-mtl',
  '0xad1d': 'intel-npu-mtl', // Arrow Lake carries the Meteor Lake NPU (NPU 3720)
  '0x643e': 'intel-npu-lnl',
  '0xb03e': 'intel-npu-ptl',
  '0xfd3e': 'intel-npu-ptl', // Wildcat Lake, same NPU generation as Panther Lake
};

export interface HostProbe {
  platform: NodeJS.Platform;
  arch: string;
  /** Lists a directory, [] when missing. */
  list(dir: string): Promise<string[]>;
  /** Reads a small text file, null when missing. */
  read(file: string): Promise<string | null>;
}

export const realProbe: HostProbe = {
  platform: process.platform,
  arch: process.arch,
  list: (dir) => fs.readdir(dir).catch(() => []),
  read: (file) => fs.readFile(file, 'utf8').catch(() => null),
};

export async function detectHostDevices(
  probe: HostProbe = realProbe,
  runnerProviders?: readonly string[],
): Promise<HostDevices> {
  const present = new Set<DeviceProfileId>(['cpu']);
  const evidence: HostDevices['evidence'] = { cpu: 'always present' };
  if (probe.platform === 'linux') {
    const accel = (await probe.list('/dev/accel')).filter((name) => /^accel\d+$/.test(name));
    for (const node of accel) {
      const vendor = (await probe.read(path.posix.join('/sys/class/accel', node, 'device/vendor')))?.trim();
      const device = (await probe.read(path.posix.join('/sys/class/accel', node, 'device/device')))
        ?.trim()
        .toLowerCase();
      if (vendor && vendor !== '0x8086') continue;
      const profile = device ? INTEL_NPU_PCI_IDS[device] : undefined;
      if (profile) {
        present.add(profile);
        evidence[profile] = `/dev/accel/${node} (PCI ${device})`;
      } else if (vendor === '0x8086' || !vendor) {
        // An Intel accel node of a generation we do not know: newest profile we have, and say so.
        present.add('intel-npu-ptl');
        evidence['intel-npu-ptl'] = `/dev/accel/${node} (PCI device ${device ?? 'unknown'}, generation not recognised)`;
      }
    }
    const render = (await probe.list('/dev/dri')).filter((name) => name.startsWith('renderD'));
    if (render.length > 0) {
      present.add('gpu');
      evidence.gpu = `/dev/dri/${render[0]}`;
    }
  }
  if (probe.platform === 'darwin' && probe.arch === 'arm64') {
    present.add('apple-ane');
    present.add('gpu');
    evidence['apple-ane'] = 'Apple silicon';
    evidence.gpu = 'Apple silicon';
  }
  return { present, evidence, executionProviders: runnerProviders ? [...runnerProviders] : ['cpu'] };
}
