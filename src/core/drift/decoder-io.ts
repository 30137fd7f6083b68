/**
 * How to drive a decoder graph, read from its inputs and outputs alone (no onnxruntime): which input carries
 * the ids, the mask and the positions, which optional inputs exporters add and what HF feeds them, which
 * past/present pairs form the KV cache (by the layer index in their names, so a graph whose KV-shared or
 * convolution layers have no cache of their own works), which other `past_*` state has to be carried from one
 * step to the next, and the dtypes of the cache and of the logits, each on its own (an fp16 export may keep
 * float32 logits). A graph input this module does not know is an error naming it, not onnxruntime's
 * "input ... is missing in feeds" after the load.
 */
import { ONNX_FLOAT, ONNX_FLOAT16, type GraphScan, type ValueInfo } from './graph-scan';

export type IoDtype = 'float32' | 'float16';

/** One attention layer's cache: `index` is the layer number in the names (past_key_values.INDEX.key). */
export interface KvLayer {
  readonly index: number;
  readonly pastKey: string;
  readonly pastValue: string;
  readonly presentKey: string;
  readonly presentValue: string;
}

/** A recurrent state that is neither KV cache nor known input (LFM2's past_conv.N, Mamba's past_ssm.N...). */
export interface StateTensor {
  readonly past: string;
  readonly present: string;
  readonly dtype: IoDtype;
  /** The past input's shape; symbolic dims are resolved when the state is created (batch 1, others 0). */
  readonly shape: readonly (number | string)[];
}

export interface DecoderIo {
  readonly inputIds: string;
  readonly attentionMask: string | null;
  readonly positionIds: string | null;
  /** optimum's merged decoder (`decoder_model_merged.onnx`): false at the first pass, true once there is a cache. */
  readonly useCacheBranch: string | null;
  /** `num_logits_to_keep` or `logits_to_keep`: 0 keeps every position's logits, 1 only the last. */
  readonly logitsToKeep: string | null;
  readonly logits: string;
  readonly logitsDtype: IoDtype;
  readonly kvDtype: IoDtype;
  readonly kv: readonly KvLayer[];
  readonly state: readonly StateTensor[];
}

/** Input/output names from genai_config.json's decoder section, when there is one. */
export interface IoNames {
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

export class DecoderIoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecoderIoError';
  }
}

/**
 * Both spellings exist: transformers renamed `num_logits_to_keep` to `logits_to_keep` in 4.50; its models slice
 * `hidden_states[:, -logits_to_keep:, :]`, so 0 keeps every position (huggingface/transformers:
 * src/transformers/models/llama/modeling_llama.py, LlamaForCausalLM.forward; transformers.js feeds 0 when
 * scoring and 1 when generating: huggingface/transformers.js packages/transformers/src/models/modeling_utils.js,
 * setNumLogitsToKeep).
 */
const LOGITS_TO_KEEP = ['num_logits_to_keep', 'logits_to_keep'];
/** optimum's merged decoders: optimum/onnx/graph_transformations.py merge_decoders (huggingface/optimum-onnx). */
const USE_CACHE_BRANCH = 'use_cache_branch';

export function ioDtypeOf(info: ValueInfo, what: string): IoDtype {
  if (info.elemType === ONNX_FLOAT) return 'float32';
  if (info.elemType === ONNX_FLOAT16) return 'float16';
  throw new DecoderIoError(`${what} '${info.name}' is ONNX type ${info.elemType}, neither float32 nor float16`);
}

/** 'past_key_values.%d.key' -> a RegExp capturing the layer index. */
function templateRegExp(template: string): RegExp {
  const [before, after] = template.split('%d');
  const quote = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${quote(before ?? '')}(\\d+)${quote(after ?? '')}$`);
}

function kvLayers(scan: GraphScan, names: IoNames, where: string): KvLayer[] {
  const inputs = new Set(scan.inputs.map((i) => i.name));
  const outputs = new Set(scan.outputs.map((o) => o.name));
  const pastKey = names.inputs.past_key_names ?? 'past_key_values.%d.key';
  const pastValue = names.inputs.past_value_names ?? 'past_key_values.%d.value';
  const presentKey = names.outputs.present_key_names ?? 'present.%d.key';
  const presentValue = names.outputs.present_value_names ?? 'present.%d.value';
  const keyPattern = templateRegExp(pastKey);
  const indices = scan.inputs
    .map((input) => keyPattern.exec(input.name)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return indices.map((index) => {
    const at = (template: string): string => template.replace('%d', String(index));
    const layer = {
      index,
      pastKey: at(pastKey),
      pastValue: at(pastValue),
      presentKey: at(presentKey),
      presentValue: at(presentValue),
    };
    if (!inputs.has(layer.pastValue))
      throw new DecoderIoError(`${where}: KV-cache input '${layer.pastValue}' is missing`);
    for (const name of [layer.presentKey, layer.presentValue]) {
      if (!outputs.has(name)) throw new DecoderIoError(`${where}: KV-cache output '${name}' is missing`);
    }
    return layer;
  });
}

/** present_conv.0 for past_conv.0, present.3.key for past_key_values.3.key (transformers.js' renaming, reversed). */
function presentNameFor(past: string): string[] {
  return [past.replace(/^past_key_values/, 'present'), past.replace(/^past/, 'present')];
}

/**
 * The IO plan for a decoder graph. `names` comes from genai_config.json when present. Throws DecoderIoError
 * naming the input or output that does not fit.
 */
export function readDecoderIo(scan: GraphScan, names: IoNames, where: string): DecoderIo {
  const byName = new Map(scan.inputs.map((i) => [i.name, i]));
  const inputIds = names.inputs.input_ids ?? 'input_ids';
  if (!byName.has(inputIds)) throw new DecoderIoError(`${where}: no '${inputIds}' input`);
  const optional = (name: string): string | null => (byName.has(name) ? name : null);
  const attentionMask = optional(names.inputs.attention_mask ?? 'attention_mask');
  const positionIds = optional(names.inputs.position_ids ?? 'position_ids');
  const useCacheBranch = optional(USE_CACHE_BRANCH);
  const logitsToKeep = LOGITS_TO_KEEP.find((name) => byName.has(name)) ?? null;

  const logitsName = names.outputs.logits ?? 'logits';
  const logits = scan.outputs.find((o) => o.name === logitsName);
  if (!logits) throw new DecoderIoError(`${where}: no '${logitsName}' output`);
  const logitsDtype = ioDtypeOf(logits, 'the logits output');

  const kv = kvLayers(scan, names, where);
  if (!kv.length)
    throw new DecoderIoError(`${where}: no past_key_values inputs; a decoder exported with KV cache is needed`);
  const kvDtype = ioDtypeOf(byName.get(kv[0].pastKey)!, 'the KV-cache input');

  const known = new Set([inputIds, attentionMask, positionIds, useCacheBranch, logitsToKeep]);
  for (const layer of kv) known.add(layer.pastKey).add(layer.pastValue);
  const outputs = new Set(scan.outputs.map((o) => o.name));
  const state: StateTensor[] = [];
  for (const input of scan.inputs) {
    if (known.has(input.name)) continue;
    if (!input.name.startsWith('past')) {
      throw new DecoderIoError(`${where}: input '${input.name}' is not one this runner knows how to feed`);
    }
    const present = presentNameFor(input.name).find((name) => outputs.has(name));
    if (!present) throw new DecoderIoError(`${where}: state input '${input.name}' has no matching present output`);
    state.push({ past: input.name, present, dtype: ioDtypeOf(input, 'the state input'), shape: input.shape });
  }
  return {
    inputIds,
    attentionMask,
    positionIds,
    useCacheBranch,
    logitsToKeep,
    logits: logitsName,
    logitsDtype,
    kvDtype,
    kv,
    state,
  };
}

/**
 * The first pass of an unmerged pair (`decoder_model.onnx`, no past inputs) must give the logits and every
 * present the with-past graph reads next.
 */
export function checkPrefillGraph(scan: GraphScan, io: DecoderIo, where: string): void {
  const outputs = new Set(scan.outputs.map((o) => o.name));
  const needed = [
    io.logits,
    ...io.kv.flatMap((l) => [l.presentKey, l.presentValue]),
    ...io.state.map((s) => s.present),
  ];
  for (const name of needed) {
    if (!outputs.has(name)) throw new DecoderIoError(`${where}: output '${name}' is missing`);
  }
  const known = new Set([
    io.inputIds,
    io.attentionMask,
    io.positionIds,
    io.logitsToKeep,
    ...io.state.map((s) => s.past),
  ]);
  for (const input of scan.inputs) {
    if (!known.has(input.name)) {
      throw new DecoderIoError(`${where}: input '${input.name}' is not one this runner knows how to feed`);
    }
  }
  const logits = scan.outputs.find((o) => o.name === io.logits)!;
  if (ioDtypeOf(logits, 'the logits output') !== io.logitsDtype) {
    throw new DecoderIoError(`${where}: its logits dtype differs from decoder_with_past_model.onnx's`);
  }
}
