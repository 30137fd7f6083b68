/**
 * The device a config declares for itself. An Olive workflow names its target system's accelerator (`device`,
 * `execution_providers`, microsoft/Olive `olive/systems/accelerator_creator.py`); an OpenVINO pass may pass
 * `extra_args.device`. A workflow written for a GPU or a CPU is judged for that device, not for the NPU the editor
 * targets; one for QNN is judged for the Qualcomm NPU. A declaration that agrees with the target changes nothing.
 */
import type { DeviceProfileId } from '../../devices/profiles';
import { DEVICE_PROFILES } from '../../devices/profiles';
import type { Recipe } from '../types';

/** Execution providers that only run on a GPU (onnxruntime's provider names). */
const GPU_PROVIDERS = new Set([
  'CUDAExecutionProvider',
  'TensorrtExecutionProvider',
  'NvTensorRTRTXExecutionProvider',
  'DmlExecutionProvider',
  'ROCMExecutionProvider',
  'MIGraphXExecutionProvider',
  'WebGpuExecutionProvider',
]);

export interface Declared {
  /** The profile the recipe is judged for. */
  readonly target: DeviceProfileId;
  /** What the file declares ("device \"gpu\" in system \"local_system\""), when it replaced the requested target. */
  readonly by: string | null;
}

function declaredProfile(device: string | undefined, providers: readonly string[]): DeviceProfileId | null {
  if (device === 'gpu') return 'gpu';
  if (device === 'cpu') return 'cpu';
  if (providers.includes('QNNExecutionProvider')) return 'qualcomm-htp';
  if (device !== undefined || providers.length === 0) return null;
  if (providers.every((provider) => GPU_PROVIDERS.has(provider))) return 'gpu';
  if (providers.every((provider) => provider === 'CPUExecutionProvider')) return 'cpu';
  return null;
}

function describe(recipe: Recipe, device: string | undefined, providers: readonly string[]): string {
  const facts = recipe.facts ?? {};
  const parts: string[] = [];
  if (device !== undefined) parts.push(`device "${device}"`);
  if (providers.length) parts.push(providers.join(', '));
  const where =
    typeof facts['deviceSource'] === 'string'
      ? ` in ${facts['deviceSource']}`
      : facts['extraArgsDevice'] !== undefined
        ? ' in extra_args'
        : '';
  return `${parts.join(' with ')}${where}`;
}

export function declaredTarget(recipe: Recipe, target: DeviceProfileId): Declared {
  if (recipe.dialect !== 'olive-pass') return { target, by: null };
  const facts = recipe.facts ?? {};
  const rawDevice = facts['device'] ?? facts['extraArgsDevice'];
  const device = typeof rawDevice === 'string' ? rawDevice.toLowerCase() : undefined;
  const providers =
    typeof facts['executionProviders'] === 'string' ? facts['executionProviders'].split(',').filter(Boolean) : [];
  const profile = declaredProfile(device, providers);
  if (profile === null || DEVICE_PROFILES[profile].family === DEVICE_PROFILES[target].family)
    return { target, by: null };
  return { target: profile, by: describe(recipe, device, providers) };
}
