/**
 * The `optimum-cli export openvino` flag table: parsing, hovers and completions all read it.
 * Source: DOMAIN-REFERENCE.md §1.1 (huggingface/optimum-intel `optimum/commands/export/openvino.py`,
 * `parse_args_openvino`; docs copy `docs/source/openvino/export.mdx`).
 */
import type { SettingKey } from './types';

export type FlagValueType = 'none' | 'string' | 'int' | 'float' | 'enum' | 'path';

export interface FlagInfo {
  readonly names: readonly string[];
  readonly key: SettingKey;
  readonly type: FlagValueType;
  readonly values?: readonly string[];
  /** Whether the CLI accepts other values than `values` (free-form strings validated later by NNCF). */
  readonly openValues?: boolean;
  readonly defaultText: string;
  readonly meaning: string;
  readonly deviceNotes?: string;
  /** A compression parameter in the sense of optimum's `no_compression_parameter_provided`. */
  readonly compression?: boolean;
}

const SOURCE_CLI = 'huggingface/optimum-intel `optimum/commands/export/openvino.py` (DOMAIN-REFERENCE.md §1.1)';
export const FLAG_SOURCE = SOURCE_CLI;
const NPU_GUIDE =
  'openvinotoolkit/openvino `docs/articles_en/openvino-workflow-generative/inference-with-genai/inference-with-genai-on-npu.rst`';

export const WEIGHT_FORMATS = ['fp32', 'fp16', 'int8', 'int4', 'mxfp4', 'nf4', 'cb4'] as const;
export const QUANT_MODES = ['int8', 'f8e4m3', 'f8e5m2', 'cb4_f8e4m3', 'int4_f8e4m3', 'int4_f8e5m2'] as const;
export const PREDEFINED_DATASETS = ['auto', 'wikitext2', 'c4', 'c4-new', 'gsm8k', 'textvqa'] as const;
export const SENSITIVITY_METRICS = [
  'weight_quantization_error',
  'hessian_input_activation',
  'mean_activation_variance',
  'max_activation_variance',
  'mean_activation_magnitude',
] as const;

export const FLAGS: readonly FlagInfo[] = [
  {
    names: ['-m', '--model'],
    key: 'model',
    type: 'string',
    defaultText: 'required',
    meaning: 'Hugging Face Hub id or local path of the model to export.',
  },
  {
    names: ['--task'],
    key: 'task',
    type: 'string',
    defaultText: '`auto`',
    meaning: 'Export task. Text generation uses the `*-with-past` tasks, e.g. `text-generation-with-past`.',
  },
  {
    names: ['--weight-format'],
    key: 'weightFormat',
    type: 'enum',
    values: WEIGHT_FORMATS,
    defaultText: 'none (models with ≥1e9 parameters are compressed to INT8 asymmetric)',
    meaning: 'Weight precision. `cb4` is a codebook of 16 fixed FP8 (E4M3) values.',
    deviceNotes: `Intel NPU LLMs: the NPU guide requires \`int4\` or \`nf4\` with \`--sym\` (${NPU_GUIDE}). NF4 needs Lunar Lake or newer.`,
  },
  {
    names: ['--quant-mode'],
    key: 'quantMode',
    type: 'enum',
    values: QUANT_MODES,
    defaultText: 'none',
    meaning:
      'Full quantization: weights plus activations. Needs `--dataset` unless optimum has a per-model default. Cannot be combined with `--weight-format`.',
  },
  {
    names: ['--ratio'],
    key: 'ratio',
    type: 'float',
    defaultText: 'none (becomes 1.0)',
    compression: true,
    meaning: 'Share of layers compressed to 4 bits; the rest use the backup precision. Must be in [0, 1].',
    deviceNotes: `Intel NPU: the guide asks for \`--ratio 1.0\` so that as many layers as possible are 4-bit (${NPU_GUIDE}).`,
  },
  {
    names: ['--sym'],
    key: 'sym',
    type: 'none',
    defaultText: 'asymmetric',
    compression: true,
    meaning: 'Symmetric compression of the primary precision (not of the backup precision).',
    deviceNotes: `Intel NPU: required for INT4 LLMs; asymmetric per-group INT4 fails in the NPU compiler (openvinotoolkit/openvino#34450, ${NPU_GUIDE}).`,
  },
  {
    names: ['--group-size'],
    key: 'groupSize',
    type: 'int',
    defaultText: 'none (becomes 128 for int4)',
    compression: true,
    meaning: 'Group size of the weight quantization; `-1` means per-column (channel-wise). Must be > 0 or -1.',
    deviceNotes: `Intel NPU: \`128\` (recommended up to ~4–5B parameters) or channel-wise \`-1\` (larger models); the value is \`-1\`, not \`1\` (${NPU_GUIDE}).`,
  },
  {
    names: ['--group-size-fallback'],
    key: 'groupSizeFallback',
    type: 'enum',
    values: ['error', 'ignore', 'adjust'],
    defaultText: 'none (behaves as `error`)',
    compression: true,
    meaning: '`adjust` falls back to the backup precision when no valid group size ≥ 32 exists.',
  },
  {
    names: ['--backup-precision'],
    key: 'backupPrecision',
    type: 'enum',
    values: ['none', 'int8_sym', 'int8_asym'],
    defaultText: 'none (behaves as `int8_asym`)',
    compression: true,
    meaning: 'Precision of the layers not compressed to 4 bits. Only for 4-bit formats.',
    deviceNotes:
      "Intel NPU: the official guide does not mention it; Microsoft's AI Toolkit NPU recipe uses `int8_asym` (microsoft/olive-recipes `Qwen-Qwen2.5-7B-Instruct/aitk/qwen2_5_ov_npu_config.json`).",
  },
  {
    names: ['--dataset'],
    key: 'dataset',
    type: 'string',
    values: PREDEFINED_DATASETS,
    openValues: true,
    defaultText: 'none',
    compression: true,
    meaning:
      'Calibration dataset for data-aware compression. LLMs: `auto, wikitext2, c4, c4-new, gsm8k` (a `name:seq_len=N` suffix is accepted); VLMs: `textvqa` (`contextual` is deprecated).',
  },
  {
    names: ['--all-layers'],
    key: 'allLayers',
    type: 'none',
    defaultText: 'off',
    compression: true,
    meaning: 'Also compresses embeddings and the last MatMul to 4 bits (they are INT8 otherwise).',
  },
  {
    names: ['--awq'],
    key: 'awq',
    type: 'none',
    defaultText: 'off',
    compression: true,
    meaning: 'AWQ: data-free without a dataset, activation-based with one.',
  },
  {
    names: ['--scale-estimation'],
    key: 'scaleEstimation',
    type: 'none',
    defaultText: 'off',
    compression: true,
    meaning: 'Scale estimation. Needs `--dataset`.',
  },
  {
    names: ['--gptq'],
    key: 'gptq',
    type: 'none',
    defaultText: 'off',
    compression: true,
    meaning: 'GPTQ. Needs `--dataset`; cannot be combined with `--lora-correction`.',
  },
  {
    names: ['--lora-correction'],
    key: 'loraCorrection',
    type: 'none',
    defaultText: 'off',
    compression: true,
    meaning: 'LoRA correction. Needs `--dataset`; cannot be combined with `--gptq`.',
  },
  {
    names: ['--sensitivity-metric'],
    key: 'sensitivityMetric',
    type: 'string',
    values: SENSITIVITY_METRICS,
    openValues: true,
    defaultText: 'none',
    compression: true,
    meaning: 'Metric that ranks layers for mixed precision (validated by NNCF).',
  },
  {
    names: ['--quantization-statistics-path'],
    key: 'statisticsPath',
    type: 'path',
    defaultText: 'none',
    compression: true,
    meaning: 'Directory that caches data-aware statistics; weight-only modes only.',
  },
  {
    names: ['--num-samples'],
    key: 'numSamples',
    type: 'int',
    defaultText: 'none (becomes 128)',
    compression: true,
    meaning: 'Number of calibration samples. Must be > 0.',
  },
  {
    names: ['--smooth-quant-alpha'],
    key: 'smoothQuantAlpha',
    type: 'float',
    defaultText: 'none',
    meaning: 'SmoothQuant alpha; only with activation quantization (`--quant-mode`).',
  },
  {
    names: ['--trust-remote-code'],
    key: 'trustRemoteCode',
    type: 'none',
    defaultText: 'off',
    meaning: 'Allow the model repository to run its own code.',
  },
  {
    names: ['--framework'],
    key: 'other',
    type: 'enum',
    values: ['pt'],
    defaultText: 'detected',
    meaning: 'Framework of the source model.',
  },
  {
    names: ['--library'],
    key: 'other',
    type: 'enum',
    values: ['transformers', 'diffusers', 'timm', 'sentence_transformers', 'open_clip', 'kokoro'],
    defaultText: 'detected',
    meaning: 'Library of the source model.',
  },
  {
    names: ['--cache_dir'],
    key: 'other',
    type: 'path',
    defaultText: 'HF cache',
    meaning: 'Where downloaded models are cached.',
  },
  {
    names: ['--pad-token-id'],
    key: 'other',
    type: 'int',
    defaultText: 'none',
    meaning: 'Pad token id, for models whose config lacks one.',
  },
  {
    names: ['--variant'],
    key: 'other',
    type: 'string',
    defaultText: 'none',
    meaning: 'Weights variant to load (e.g. `fp16`).',
  },
  {
    names: ['--disable-stateful'],
    key: 'other',
    type: 'none',
    defaultText: 'off (stateful KV cache)',
    meaning: 'Export a stateless model (explicit KV-cache inputs/outputs).',
  },
  {
    names: ['--disable-convert-tokenizer'],
    key: 'other',
    type: 'none',
    defaultText: 'off',
    meaning: 'Do not convert the tokenizer to OpenVINO tokenizer/detokenizer models.',
  },
  {
    names: ['--model-kwargs'],
    key: 'other',
    type: 'string',
    defaultText: 'none',
    meaning: 'Extra model arguments as JSON.',
  },
  { names: ['-h', '--help'], key: 'other', type: 'none', defaultText: '', meaning: 'Print the help and exit.' },
];

const BY_NAME = new Map<string, FlagInfo>();
for (const flag of FLAGS) for (const name of flag.names) BY_NAME.set(name, flag);

export function flagByName(name: string): FlagInfo | undefined {
  return BY_NAME.get(name);
}

export interface ResolvedFlag {
  readonly flag: FlagInfo;
  readonly canonical: string;
}

/** One shared result per exact name: resolving runs for every flag of every command. */
const RESOLVED_EXACT = new Map<string, ResolvedFlag>(
  [...BY_NAME].map(([name, flag]) => [name, { flag, canonical: name }]),
);

/** Long names, for argparse's unique-prefix matching and did-you-mean. */
export const LONG_FLAG_NAMES: readonly string[] = FLAGS.flatMap((flag) => flag.names.filter((n) => n.startsWith('--')));

/**
 * Resolves a flag the way argparse does (exact, then unique prefix of a long option).
 * Returns the canonical name, or null when argparse would reject it.
 */
export function resolveFlag(name: string): ResolvedFlag | null {
  const exact = RESOLVED_EXACT.get(name);
  if (exact) return exact;
  if (!name.startsWith('--') || name.length < 3) return null;
  let match: string | undefined;
  for (const long of LONG_FLAG_NAMES) {
    if (!long.startsWith(name)) continue;
    if (match !== undefined) return null; // ambiguous: argparse refuses it
    match = long;
  }
  return match === undefined ? null : (RESOLVED_EXACT.get(match) ?? null);
}

/** Did-you-mean table for mistakes seen in real commands (corpus: commands.jsonl). */
export const KNOWN_MISTAKES: Readonly<Record<string, { replacement: string | null; note: string }>> = {
  '--output-dir': { replacement: null, note: 'the output folder is a positional argument; remove `--output-dir`' },
  '--output': { replacement: null, note: 'the output folder is a positional argument; remove `--output`' },
  '-o': { replacement: null, note: 'the output folder is a positional argument; remove `-o`' },
  '--model_name_or_path': { replacement: '--model', note: 'the flag is `--model` (or `-m`)' },
  '--model-name-or-path': { replacement: '--model', note: 'the flag is `--model` (or `-m`)' },
  '--model_id': { replacement: '--model', note: 'the flag is `--model` (or `-m`)' },
  '--m': { replacement: '-m', note: '`--m` is ambiguous for argparse (`--model`, `--model-kwargs`); use `-m`' },
  '--int8': { replacement: '--weight-format int8', note: 'precision is chosen with `--weight-format int8`' },
  '--int4': { replacement: '--weight-format int4', note: 'precision is chosen with `--weight-format int4`' },
  '--fp16': { replacement: '--weight-format fp16', note: 'precision is chosen with `--weight-format fp16`' },
  '--trust_remote_code': { replacement: '--trust-remote-code', note: 'the flag is spelled with dashes' },
  '--weight_format': { replacement: '--weight-format', note: 'the flag is spelled with dashes' },
  '--group_size': { replacement: '--group-size', note: 'the flag is spelled with dashes' },
  '--quant_mode': { replacement: '--quant-mode', note: 'the flag is spelled with dashes' },
  '--scale_estimation': { replacement: '--scale-estimation', note: 'the flag is spelled with dashes' },
  '--all_layers': { replacement: '--all-layers', note: 'the flag is spelled with dashes' },
  '--num_samples': { replacement: '--num-samples', note: 'the flag is spelled with dashes' },
  '--backup_precision': { replacement: '--backup-precision', note: 'the flag is spelled with dashes' },
  '--lora_correction': { replacement: '--lora-correction', note: 'the flag is spelled with dashes' },
  '--symmetric': { replacement: '--sym', note: 'the flag is `--sym`' },
  '--cache-dir': { replacement: '--cache_dir', note: 'this flag is spelled with an underscore' },
};

/** Unknown flags that take no value (so the next word stays positional). */
export const MISTAKE_TAKES_NO_VALUE = new Set([
  '--output-dir',
  '--output',
  '-o',
  '--int8',
  '--int4',
  '--fp16',
  '--trust_remote_code',
  '--symmetric',
  '--all_layers',
  '--scale_estimation',
  '--lora_correction',
]);

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length];
}

/** Answers per candidate list (the lists are module constants), so a repeated typo costs one lookup. */
const CLOSEST_ANSWERS = new WeakMap<readonly string[], Map<string, string | null>>();
const CLOSEST_ANSWERS_LIMIT = 1024;

/** The closest of `candidates` to `word`, if close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let answers = CLOSEST_ANSWERS.get(candidates);
  if (!answers) CLOSEST_ANSWERS.set(candidates, (answers = new Map<string, string | null>()));
  const known = answers.get(word);
  if (known !== undefined) return known;
  if (answers.size >= CLOSEST_ANSWERS_LIMIT) answers.clear();
  const answer = closestByDistance(word, candidates);
  answers.set(word, answer);
  return answer;
}

function closestByDistance(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}
