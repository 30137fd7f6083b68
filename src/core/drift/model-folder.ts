/**
 * Everything the LM runtime needs to know about a decoder-only model folder, read without onnxruntime:
 * which ONNX file, the KV-cache layout (layers, KV heads, head size), the IO dtype, the input/output names
 * (optimum or ONNX Runtime GenAI), EOS ids, and the weight precision. Bad folders fail here with a message
 * that says what is missing.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveModelRef, type ModelRef } from '../models/variants';
import { describePrecision, onnxPrecision } from '../models/precision';
import { inspectOnnxFile } from '../onnx/inspect';
import { GraphScan, ONNX_FLOAT, ONNX_FLOAT16, scanOnnxGraph } from './graph-scan';

export type IoDtype = 'float32' | 'float16';

export interface ModelLayout {
  /** The folder config.json and the tokenizer come from (an onnx-community repo's root for its onnx/ files). */
  readonly folder: string;
  /** The path the model was given as: a folder, or one .onnx file of a repo's variants. Reports show it. */
  readonly source: string;
  readonly onnxPath: string;
  readonly numLayers: number;
  readonly numKvHeads: number;
  readonly headSize: number;
  readonly vocabSize: number;
  readonly ioDtype: IoDtype;
  readonly eosTokenIds: readonly number[];
  readonly bosTokenId: number | null;
  readonly names: {
    readonly inputIds: string;
    readonly attentionMask: string | null;
    readonly positionIds: string | null;
    readonly logits: string;
    /** Per layer: past key/value input names and present key/value output names. */
    readonly pastKey: readonly string[];
    readonly pastValue: readonly string[];
    readonly presentKey: readonly string[];
    readonly presentValue: readonly string[];
  };
  /** describePrecision's label: "fp32", "fp16", "int4 sym g32", "int4 asym g128 al4 (fp16 activations)" ... */
  readonly weights: string;
  /** accuracy_level of the MatMulNBits nodes; null when the model has none. */
  readonly accuracyLevel: number | null;
  /** Bytes of the ONNX file plus its external data. */
  readonly sizeBytes: number;
  readonly maxPositions: number | null;
}

export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

type Json = Record<string, unknown>;

async function readJson(file: string): Promise<Json | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Json) : null;
  } catch (error) {
    throw new ModelFolderError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function ids(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

async function findOnnxFile(folder: string, genai: Json | null): Promise<string> {
  const decoder = ((genai?.model as Json | undefined)?.decoder ?? null) as Json | null;
  const candidates = [
    typeof decoder?.filename === 'string' ? decoder.filename : null,
    'model.onnx',
    'decoder_model_merged.onnx',
  ];
  for (const name of candidates) {
    if (!name) continue;
    const file = path.join(folder, name);
    if (await exists(file)) return file;
  }
  let entries: string[];
  try {
    entries = await fs.readdir(folder);
  } catch {
    throw new ModelFolderError(`${folder}: no such folder`);
  }
  const onnx = entries.filter((e) => e.endsWith('.onnx'));
  if (onnx.length === 1) return path.join(folder, onnx[0]);
  if (onnx.length === 0) throw new ModelFolderError(`${folder}: no .onnx model in the folder`);
  throw new ModelFolderError(
    `${folder}: several .onnx files (${onnx.join(', ')}) and no model.onnx or genai_config.json to pick one`,
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function layerNames(template: string | undefined, fallback: string, layers: number): string[] {
  const pattern = template ?? fallback;
  return Array.from({ length: layers }, (_, i) => pattern.replace('%d', String(i)));
}

export async function loadModelLayout(folder: string): Promise<ModelLayout> {
  // A model is a (folder, ONNX file) pair: `folder` may be a .onnx file or an onnx-community repo (configs at the
  // root, variants in onnx/); configs and tokenizer come from the nearest folder above the file that has them.
  let ref: ModelRef;
  try {
    ref = await resolveModelRef(folder);
  } catch (error) {
    throw new ModelFolderError((error as Error).message);
  }
  const dir = ref.configDir;
  const config = await readJson(path.join(dir, 'config.json'));
  const generation = await readJson(path.join(dir, 'generation_config.json'));
  const genai = await readJson(path.join(dir, 'genai_config.json'));
  const onnxPath = ref.onnxPath ?? (await findOnnxFile(ref.modelDir, genai));
  let scan: GraphScan;
  try {
    scan = await scanOnnxGraph(onnxPath);
  } catch (error) {
    throw new ModelFolderError(`${(error as Error).message} (truncated or not an ONNX file?)`);
  }
  const genaiModel = (genai?.model ?? null) as Json | null;
  const decoder = (genaiModel?.decoder ?? null) as Json | null;
  const genaiInputs = (decoder?.inputs ?? {}) as Record<string, string>;
  const genaiOutputs = (decoder?.outputs ?? {}) as Record<string, string>;

  const inputNames = new Set(scan.inputs.map((i) => i.name));
  const pastKeyInputs = scan.inputs.filter((i) => /\.key$/.test(i.name) && /past/.test(i.name));
  const graphLayers = pastKeyInputs.length;
  const numLayers = num(decoder?.num_hidden_layers) ?? num(config?.num_hidden_layers) ?? graphLayers;
  if (!numLayers)
    throw new ModelFolderError(`${onnxPath}: no past_key_values inputs; a decoder exported with KV cache is needed`);
  if (graphLayers && graphLayers !== numLayers) {
    throw new ModelFolderError(
      `${onnxPath}: the graph has ${graphLayers} KV-cache layers but the config says ${numLayers}`,
    );
  }
  const pastShape = pastKeyInputs[0]?.shape ?? [];
  const numHeads = num(decoder?.num_attention_heads) ?? num(config?.num_attention_heads);
  const hidden = num(decoder?.hidden_size) ?? num(config?.hidden_size);
  const numKvHeads =
    (typeof pastShape[1] === 'number' ? pastShape[1] : null) ??
    num(decoder?.num_key_value_heads) ??
    num(config?.num_key_value_heads) ??
    numHeads;
  const headSize =
    (typeof pastShape[3] === 'number' ? pastShape[3] : null) ??
    num(decoder?.head_size) ??
    num(config?.head_dim) ??
    (numHeads && hidden ? hidden / numHeads : null);
  if (!numKvHeads || !headSize) {
    throw new ModelFolderError(
      `${dir}: cannot tell KV heads and head size (no config.json or genai_config.json, and the graph leaves them symbolic)`,
    );
  }

  const logitsName = genaiOutputs.logits ?? 'logits';
  const logits = scan.outputs.find((o) => o.name === logitsName);
  if (!logits) throw new ModelFolderError(`${onnxPath}: no '${logitsName}' output`);
  const graphVocab = typeof logits.shape[2] === 'number' ? logits.shape[2] : null;
  const vocabSize = graphVocab ?? num(genaiModel?.vocab_size) ?? num(config?.vocab_size);
  if (!vocabSize)
    throw new ModelFolderError(
      `${dir}: vocabulary size unknown (no config.json vocab_size and a symbolic logits shape)`,
    );
  if (logits.elemType !== ONNX_FLOAT && logits.elemType !== ONNX_FLOAT16) {
    throw new ModelFolderError(`${onnxPath}: logits are neither float32 nor float16 (ONNX type ${logits.elemType})`);
  }
  const kvType = pastKeyInputs[0]?.elemType ?? logits.elemType;
  const ioDtype: IoDtype = kvType === ONNX_FLOAT16 ? 'float16' : 'float32';

  const eos = [
    ...new Set([...ids(generation?.eos_token_id), ...ids(config?.eos_token_id), ...ids(genaiModel?.eos_token_id)]),
  ];
  const bos = num(generation?.bos_token_id) ?? num(config?.bos_token_id) ?? num(genaiModel?.bos_token_id);

  const inputIds = genaiInputs.input_ids ?? 'input_ids';
  if (!inputNames.has(inputIds)) throw new ModelFolderError(`${onnxPath}: no '${inputIds}' input`);
  const attentionMask = genaiInputs.attention_mask ?? 'attention_mask';
  const positionIds = genaiInputs.position_ids ?? 'position_ids';
  const names = {
    inputIds,
    attentionMask: inputNames.has(attentionMask) ? attentionMask : null,
    positionIds: inputNames.has(positionIds) ? positionIds : null,
    logits: logitsName,
    pastKey: layerNames(genaiInputs.past_key_names, 'past_key_values.%d.key', numLayers),
    pastValue: layerNames(genaiInputs.past_value_names, 'past_key_values.%d.value', numLayers),
    presentKey: layerNames(genaiOutputs.present_key_names, 'present.%d.key', numLayers),
    presentValue: layerNames(genaiOutputs.present_value_names, 'present.%d.value', numLayers),
  };
  const outputNames = new Set(scan.outputs.map((o) => o.name));
  for (const name of [...names.pastKey, ...names.pastValue]) {
    if (!inputNames.has(name)) throw new ModelFolderError(`${onnxPath}: expected KV-cache input '${name}' is missing`);
  }
  for (const name of [...names.presentKey, ...names.presentValue]) {
    if (!outputNames.has(name))
      throw new ModelFolderError(`${onnxPath}: expected KV-cache output '${name}' is missing`);
  }

  let sizeBytes = (await fs.stat(onnxPath)).size;
  for (const file of scan.externalDataFiles) {
    const full = path.join(path.dirname(onnxPath), file);
    try {
      sizeBytes += (await fs.stat(full)).size;
    } catch {
      throw new ModelFolderError(`${onnxPath}: external data file '${file}' is missing`);
    }
  }
  // The precision label comes from the same reading as inspect, the model tree and pairing.
  const weights = onnxPrecision(await inspectOnnxFile(onnxPath));
  const accuracyLevel = weights.source === 'MatMulNBits' ? (weights.accuracyLevel ?? 0) : null;
  return {
    folder: dir,
    source: ref.input,
    onnxPath,
    numLayers,
    numKvHeads,
    headSize,
    vocabSize,
    ioDtype,
    eosTokenIds: eos,
    bosTokenId: bos,
    names,
    weights: describePrecision({ weights }),
    accuracyLevel,
    sizeBytes,
    maxPositions: num(config?.max_position_embeddings) ?? num(genaiModel?.context_length),
  };
}
