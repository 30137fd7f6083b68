/**
 * Adapter from the model inventory's full inspection (inspectModelFolder + describePrecision, which read
 * ONNX/IR headers) to what pairing ranks on. Typed structurally so pairing does not depend on that module's
 * internals, and falls back to the quick file-based reading when full inspection fails.
 */
import { quickInspect, type FolderInspector, type FolderPrecision, type ModelFormat } from './inspect';

export interface InspectedModel {
  readonly path: string;
  readonly format: ModelFormat;
  readonly weights: {
    readonly dtype: string;
    readonly bits: number | null;
    readonly sym: boolean | null;
    readonly groupSize: number | null;
    readonly accuracyLevel?: number | null;
    readonly source?: string;
  };
  readonly error?: string;
}

export function folderPrecisionOf(info: InspectedModel, precision: string): FolderPrecision {
  const { bits } = info.weights;
  const precisionClass = bits !== null && bits <= 4 ? 'int4' : bits !== null && bits <= 8 ? 'int8' : 'base';
  return {
    path: info.path,
    format: info.format,
    bits,
    sym: info.weights.sym,
    groupSize: info.weights.groupSize,
    accuracyLevel: info.weights.accuracyLevel ?? null,
    precision,
    precisionClass,
    source: info.weights.source ?? 'model files',
    ...(info.error ? { error: info.error } : {}),
  };
}

/**
 * An inspector over full inspection. Where the files leave the precision unknown (an ONNX graph with
 * plain float weights reads as its dtype, but a folder can also be unreadable), the quick reading decides.
 */
export function inspectorFrom(
  inspect: (path: string) => Promise<InspectedModel>,
  describe: (info: InspectedModel) => string,
): FolderInspector {
  return async (path) => {
    try {
      const info = await inspect(path);
      if (!info.error && info.weights.dtype !== 'unknown') return folderPrecisionOf(info, describe(info));
    } catch {
      // Fall through to the quick reading.
    }
    return quickInspect(path);
  };
}
