/**
 * What `optimum-cli export openvino --weight-format int4` applies when no other compression flag is given:
 * the per-model entry of `_DEFAULT_4BIT_WQ_CONFIGS` (matched by model id, or by a local folder's name
 * against the ids' last part), else the generic `_DEFAULT_4BIT_WQ_CONFIG` (asymmetric, g128, ratio 1.0).
 * Data: data/optimum-default-4bit-configs.json, copied from shared/docs (huggingface/optimum-intel@e1de5beec
 * `optimum/intel/openvino/configuration.py`).
 */
import table from './data/optimum-default-4bit-configs.json';

export interface Default4BitConfig {
  readonly sym: boolean;
  readonly groupSize: number;
  readonly ratio: number;
  readonly awq: boolean;
  readonly scaleEstimation: boolean;
  readonly dataset: string | null;
}

type RawConfig = Record<string, unknown>;

const PER_MODEL = table.per_model as Record<string, RawConfig>;
const SHORT_IDS = new Map<string, string>();
for (const id of Object.keys(PER_MODEL)) {
  const short = id.split('/').pop()!;
  if (!SHORT_IDS.has(short)) SHORT_IDS.set(short, id);
}

/** The 4-bit part of an entry (multimodal entries nest configs per submodel). */
function fourBitPart(config: RawConfig): RawConfig | null {
  if (config['bits'] === 4) return config;
  for (const value of Object.values(config)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const nested = fourBitPart(value as RawConfig);
      if (nested) return nested;
    }
  }
  return null;
}

function normalise(config: RawConfig): Default4BitConfig {
  return {
    sym: config['sym'] === true,
    groupSize: typeof config['group_size'] === 'number' ? config['group_size'] : 128,
    ratio: typeof config['ratio'] === 'number' ? config['ratio'] : 1,
    awq: config['quant_method'] === 'awq',
    scaleEstimation: config['scale_estimation'] === true,
    dataset: typeof config['dataset'] === 'string' ? config['dataset'] : null,
  };
}

export const GENERIC_4BIT_DEFAULT: Default4BitConfig = normalise(table.generic_default);

/** Last path component of a model id or local path (`.\gemma-2-2b-it\` -> `gemma-2-2b-it`). */
export function lastPathPart(model: string): string {
  const parts = model.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? model;
}

const BY_ID = new Map<string, { id: string; config: Default4BitConfig } | null>();
for (const [id, raw] of Object.entries(PER_MODEL)) {
  const part = fourBitPart(raw);
  BY_ID.set(id, part ? { id, config: normalise(part) } : null);
}

/** The per-model default for `model`, or null when optimum would use the generic default. */
export function perModelDefault(model: string): { id: string; config: Default4BitConfig } | null {
  const id = BY_ID.has(model) ? model : SHORT_IDS.get(lastPathPart(model));
  return id ? (BY_ID.get(id) ?? null) : null;
}

/** Ids whose per-model default is symmetric (for messages when the model is a placeholder). */
export function symmetricDefaultIds(): string[] {
  return Object.keys(PER_MODEL).filter((id) => perModelDefault(id)?.config.sym === true);
}
