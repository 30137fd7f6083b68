/**
 * Everything the LM runtime needs to know about a decoder-only model folder, read without onnxruntime:
 * which ONNX file (or the two of an unmerged optimum export), the KV-cache layout (layers, KV heads, head size),
 * how to feed the graph (decoder-io.ts), EOS ids, and the weight precision. Bad folders fail here with a
 * message that says what is missing; layouts the runner cannot drive are refused here, with the reason
 * (src/core/pairing/runnable.ts), before onnxruntime sees them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTextBounded } from '../models/bounds';
import { describePrecision, onnxPrecision } from '../models/precision';
import { resolveModelRef, type ModelRef } from '../models/variants';
import { inspectOnnxFile } from '../onnx/inspect';
import { genaiRefusal, graphRefusal } from '../pairing/runnable';
import { checkPrefillGraph, DecoderIoError, readDecoderIo, type DecoderIo, type IoDtype } from './decoder-io';
import { GraphScan, scanOnnxGraph } from './graph-scan';

export type { IoDtype } from './decoder-io';

export interface ModelLayout {
  /** The folder config.json and the tokenizer come from (an onnx-community repo's root for its onnx/ files). */
  readonly folder: string;
  /** The path the model was given as: a folder, or one .onnx file of a repo's variants. Reports show it. */
  readonly source: string;
  readonly onnxPath: string;
  /**
   * `decoder_model.onnx` of an unmerged optimum export (next to `decoder_with_past_model.onnx`, which is
   * `onnxPath`): the first pass, which has no past, runs it. null for single-file layouts.
   */
  readonly prefillOnnxPath: string | null;
  /** The config's layer count; the KV cache may have fewer entries (io.kv), e.g. KV-shared or conv layers. */
  readonly numLayers: number;
  readonly numKvHeads: number;
  readonly headSize: number;
  readonly vocabSize: number;
  /** The KV cache's dtype (the logits have their own: io.logitsDtype). */
  readonly ioDtype: IoDtype;
  readonly eosTokenIds: readonly number[];
  readonly bosTokenId: number | null;
  readonly io: DecoderIo;
  /** "fp32", "fp16", "int4 sym g32", "int4 asym g128 al4" ... */
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

/** A model the runner recognises but does not run here; the message names it and what to compare instead. */
export class ModelRefusedError extends ModelFolderError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelRefusedError';
  }
}

type Json = Record<string, unknown>;

/** config.json, generation_config.json and genai_config.json are small; a larger one is not a config. */
const CONFIG_MAX_BYTES = 16 * 1024 * 1024;

async function readJson(file: string): Promise<Json | null> {
  let text: string;
  try {
    // Regular files only, opened without blocking and read to a bound: a FIFO or a link to /dev/zero named
    // config.json must fail at once, not hang the run (the inventory's readers follow the same rule).
    text = await readTextBounded(file, CONFIG_MAX_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelFolderError(`${file}: ${(error as Error).message}`);
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

/** optimum's file names (optimum/exporters/onnx/constants.py: ONNX_DECODER_NAME, ONNX_DECODER_WITH_PAST_NAME). */
const UNMERGED_PREFILL = 'decoder_model.onnx';
const UNMERGED_WITH_PAST = 'decoder_with_past_model.onnx';

interface OnnxFiles {
  readonly main: string;
  readonly prefill: string | null;
}

async function findOnnxFile(folder: string, genai: Json | null): Promise<OnnxFiles> {
  const decoder = ((genai?.model as Json | undefined)?.decoder ?? null) as Json | null;
  const candidates = [
    typeof decoder?.filename === 'string' ? decoder.filename : null,
    'model.onnx',
    'decoder_model_merged.onnx',
  ];
  for (const name of candidates) {
    if (!name) continue;
    const file = path.join(folder, name);
    if (await exists(file)) return { main: file, prefill: null };
  }
  // optimum without --monolith/merging (or before 1.14 with --no-post-process): two decoders, same weights.
  const withPast = path.join(folder, UNMERGED_WITH_PAST);
  const prefill = path.join(folder, UNMERGED_PREFILL);
  if ((await exists(withPast)) && (await exists(prefill))) return { main: withPast, prefill };
  let entries: string[];
  try {
    entries = await fs.readdir(folder);
  } catch {
    throw new ModelFolderError(`${folder}: no such folder`);
  }
  const onnx = entries.filter((e) => e.endsWith('.onnx'));
  if (onnx.length === 1) return { main: path.join(folder, onnx[0]), prefill: null };
  if (onnx.length === 0) throw new ModelFolderError(`${folder}: no .onnx model in the folder`);
  throw new ModelFolderError(
    `${folder}: several .onnx files (${onnx.join(', ')}) and no model.onnx or genai_config.json to pick one`,
  );
}

/** A .onnx file the user chose; optimum's unmerged with-past decoder brings its prefill sibling along. */
async function filesOfChosenOnnx(onnxPath: string): Promise<OnnxFiles> {
  const prefill = path.join(path.dirname(onnxPath), UNMERGED_PREFILL);
  if (path.basename(onnxPath) === UNMERGED_WITH_PAST && (await exists(prefill))) return { main: onnxPath, prefill };
  return { main: onnxPath, prefill: null };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function scanOrFail(file: string): Promise<GraphScan> {
  try {
    return await scanOnnxGraph(file);
  } catch (error) {
    throw new ModelFolderError(`${(error as Error).message} (truncated or not an ONNX file?)`);
  }
}

function decoderIo(scan: GraphScan, genaiDecoder: Json | null, where: string): DecoderIo {
  try {
    return readDecoderIo(
      scan,
      {
        inputs: (genaiDecoder?.inputs ?? {}) as Record<string, string>,
        outputs: (genaiDecoder?.outputs ?? {}) as Record<string, string>,
      },
      where,
    );
  } catch (error) {
    if (error instanceof DecoderIoError) throw new ModelFolderError(error.message);
    throw error;
  }
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
  const pipelineRefusal = genaiRefusal(genai, dir);
  if (pipelineRefusal) throw new ModelRefusedError(pipelineRefusal);
  const files = ref.onnxPath ? await filesOfChosenOnnx(ref.onnxPath) : await findOnnxFile(ref.modelDir, genai);
  const onnxPath = files.main;
  const scan = await scanOrFail(onnxPath);
  const genaiModel = (genai?.model ?? null) as Json | null;
  const decoder = (genaiModel?.decoder ?? null) as Json | null;
  const refusal = graphRefusal(scan, onnxPath, genai);
  if (refusal) throw new ModelRefusedError(refusal);
  const io = decoderIo(scan, decoder, onnxPath);
  let prefillBytes = 0;
  if (files.prefill) {
    const prefillScan = await scanOrFail(files.prefill);
    prefillBytes = await modelBytes(files.prefill, prefillScan);
    const prefillRefusal = graphRefusal(prefillScan, files.prefill, genai);
    if (prefillRefusal) throw new ModelRefusedError(prefillRefusal);
    try {
      checkPrefillGraph(prefillScan, io, files.prefill);
    } catch (error) {
      if (error instanceof DecoderIoError) throw new ModelFolderError(error.message);
      throw error;
    }
  }

  const numLayers = num(decoder?.num_hidden_layers) ?? num(config?.num_hidden_layers) ?? io.kv.length;
  if (io.kv.length > numLayers) {
    throw new ModelFolderError(
      `${onnxPath}: the graph has ${io.kv.length} KV-cache layers but the config says ${numLayers}`,
    );
  }
  const pastShape = scan.inputs.find((i) => i.name === io.kv[0].pastKey)?.shape ?? [];
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

  const logits = scan.outputs.find((o) => o.name === io.logits)!;
  const graphVocab = typeof logits.shape[2] === 'number' ? logits.shape[2] : null;
  const vocabSize = graphVocab ?? num(genaiModel?.vocab_size) ?? num(config?.vocab_size);
  if (!vocabSize)
    throw new ModelFolderError(
      `${dir}: vocabulary size unknown (no config.json vocab_size and a symbolic logits shape)`,
    );

  const eos = [
    ...new Set([...ids(generation?.eos_token_id), ...ids(config?.eos_token_id), ...ids(genaiModel?.eos_token_id)]),
  ];
  const bos = num(generation?.bos_token_id) ?? num(config?.bos_token_id) ?? num(genaiModel?.bos_token_id);

  // Both graphs of an unmerged pair are loaded, so both count towards the memory plan.
  const sizeBytes = (await modelBytes(onnxPath, scan)) + prefillBytes;
  // The precision label comes from the same reading as inspect, the model tree and pairing.
  const weights = onnxPrecision(await inspectOnnxFile(onnxPath));
  const accuracyLevel = weights.source === 'MatMulNBits' ? (weights.accuracyLevel ?? 0) : null;
  return {
    folder: dir,
    source: ref.input,
    onnxPath,
    prefillOnnxPath: files.prefill,
    numLayers,
    numKvHeads,
    headSize,
    vocabSize,
    ioDtype: io.kvDtype,
    eosTokenIds: eos,
    bosTokenId: bos,
    io,
    weights: describePrecision({ weights }),
    accuracyLevel,
    sizeBytes,
    maxPositions: num(config?.max_position_embeddings) ?? num(genaiModel?.context_length),
  };
}

/** Bytes of the ONNX file plus its external data. */
async function modelBytes(onnxPath: string, scan: GraphScan): Promise<number> {
  let sizeBytes = (await fs.stat(onnxPath)).size;
  for (const file of scan.externalDataFiles) {
    const full = path.join(path.dirname(onnxPath), file);
    try {
      sizeBytes += (await fs.stat(full)).size;
    } catch {
      throw new ModelFolderError(`${onnxPath}: external data file '${file}' is missing`);
    }
  }
  return sizeBytes;
}

/**
 * Why the runner would refuse this model, read from its headers only (no onnxruntime), or null when it runs or
 * fails for another reason (which the run then reports). For the panel and pairing, ahead of a run.
 */
export async function modelRefusal(folder: string): Promise<string | null> {
  try {
    await loadModelLayout(folder);
    return null;
  } catch (error) {
    return error instanceof ModelRefusedError ? error.message : null;
  }
}
