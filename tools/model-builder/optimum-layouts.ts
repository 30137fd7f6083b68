/**
 * The other decoder layouts optimum and transformers exports produce, derived from the builder's
 * decoder-with-past graph (llama.ts) with the same weights:
 *   - fp16 weights and KV with float32 logits: transformers' Llama/Mistral/Qwen2/Phi-3 ran `logits = logits.float()`
 *     before mid-2024, which the ONNX export writes as a Cast to float at the end;
 *   - a `num_logits_to_keep` / `logits_to_keep` int64 scalar input: the models slice
 *     `hidden_states[:, -logits_to_keep:, :]` before lm_head (huggingface/transformers:
 *     src/transformers/models/llama/modeling_llama.py, LlamaForCausalLM.forward), so 0 keeps every position;
 *   - the unmerged pair `decoder_model.onnx` (no past inputs) + `decoder_with_past_model.onnx`, and the merged
 *     `decoder_model_merged.onnx`: one `If` node on a bool[1] `use_cache_branch` input with the with-past graph as
 *     then_branch and the no-past graph as else_branch, large initializers deduplicated into the top graph and
 *     scalars / 1-D int tensors kept in each branch (huggingface/optimum-onnx: optimum/onnx/graph_transformations.py,
 *     merge_decoders; file names from optimum/exporters/onnx/constants.py).
 */
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import {
  decodeModel,
  encode,
  graphOf,
  INT64_MAX,
  int64Initializer,
  node,
  producerOf,
  tensorType,
  valueInfo,
  type Model,
} from './graph-edit';

const { DataType } = onnx.TensorProto;

/** The builder's lm_head node (llama.ts) writes `logits`. */
const LOGITS = 'logits';

/** fp16 graph, float32 logits: lm_head writes `logits_fp16`, a Cast to float writes `logits`. */
export function withFloat32Logits(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  const head = producerOf(model, LOGITS);
  head.output = ['/lm_head/MatMul_output_0'];
  graph.node!.push(
    node('Cast', ['/lm_head/MatMul_output_0'], [LOGITS], '/Cast_logits', [
      { name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT },
    ]),
  );
  tensorType(graph.output!.find((o) => o.name === LOGITS)!).elemType = DataType.FLOAT;
  return encode(model);
}

/** Adds the int64 scalar input `name` and slices the last `name` positions before lm_head (0 keeps all). */
export function withLogitsToKeep(bytes: Uint8Array, name: 'num_logits_to_keep' | 'logits_to_keep'): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  const head = producerOf(model, LOGITS);
  const hidden = head.input![0];
  graph.initializer!.push(
    int64Initializer('/logits_to_keep/axes', [1]),
    int64Initializer('/logits_to_keep/ends', [INT64_MAX]),
  );
  graph.initializer!.push(int64Initializer('/logits_to_keep/unsqueeze_axes', [0]));
  graph.node!.push(
    node('Neg', [name], ['/logits_to_keep/Neg_output_0'], '/logits_to_keep/Neg'),
    node(
      'Unsqueeze',
      ['/logits_to_keep/Neg_output_0', '/logits_to_keep/unsqueeze_axes'],
      ['/logits_to_keep/starts'],
      '/logits_to_keep/Unsqueeze',
    ),
    node(
      'Slice',
      [hidden, '/logits_to_keep/starts', '/logits_to_keep/ends', '/logits_to_keep/axes'],
      ['/logits_to_keep/Slice_output_0'],
      '/logits_to_keep/Slice',
    ),
  );
  head.input![0] = '/logits_to_keep/Slice_output_0';
  graph.input!.push(valueInfo(name, DataType.INT64, []));
  // The logits now have logits_to_keep rows (or all of them), no longer sequence_length.
  tensorType(graph.output!.find((o) => o.name === LOGITS)!).shape!.dim![1] = { dimParam: 'logits_length' };
  return encode(model);
}

/** decoder_model.onnx: the same graph without past inputs (each present is the new key/value alone). */
export function withoutPast(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  const past = new Set((graph.input ?? []).filter((i) => i.name!.startsWith('past_key_values.')).map((i) => i.name!));
  for (const n of graph.node ?? []) {
    if (n.opType !== 'Concat' || !past.has(n.input![0])) continue;
    // Concat(past, new) on the sequence axis becomes the new key/value itself.
    n.opType = 'Identity';
    n.input = [n.input![1]];
    n.attribute = [];
  }
  graph.input = graph.input!.filter((i) => !past.has(i.name!));
  for (const output of graph.output ?? []) {
    if (output.name!.startsWith('present.')) tensorType(output).shape!.dim![2] = { dimParam: 'sequence_length' };
  }
  return encode(model);
}

/** optimum's merge rule: scalars and 1-D int32/int64 initializers stay in each branch as well. */
function keptInBranch(tensor: onnx.ITensorProto): boolean {
  const dims = tensor.dims ?? [];
  return (
    dims.length === 0 ||
    (dims.length === 1 && (tensor.dataType === DataType.INT32 || tensor.dataType === DataType.INT64))
  );
}

function branch(model: Model, name: string): onnx.IGraphProto {
  const graph = graphOf(model);
  return {
    name,
    node: graph.node,
    input: [],
    output: graph.output,
    initializer: (graph.initializer ?? []).filter(keptInBranch),
  };
}

/** decoder_model_merged.onnx from the no-past and with-past graphs (same initializer names and contents). */
export function mergeDecoders(noPastBytes: Uint8Array, withPastBytes: Uint8Array): Uint8Array {
  const noPast = decodeModel(noPastBytes);
  const withPast = decodeModel(withPastBytes);
  const initializers = new Map<string, onnx.ITensorProto>();
  for (const tensor of [...(graphOf(noPast).initializer ?? []), ...(graphOf(withPast).initializer ?? [])]) {
    if (!initializers.has(tensor.name!)) initializers.set(tensor.name!, tensor);
  }
  const inputs = new Map<string, onnx.IValueInfoProto>();
  for (const input of [...(graphOf(noPast).input ?? []), ...(graphOf(withPast).input ?? [])]) {
    if (!inputs.has(input.name!)) inputs.set(input.name!, input);
  }
  const outputs = graphOf(noPast).output ?? [];
  const ifNode: onnx.INodeProto = {
    opType: 'If',
    name: 'optimum::if',
    domain: '',
    input: ['use_cache_branch'],
    output: outputs.map((o) => o.name!),
    attribute: [
      { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch(withPast, 'with_past') },
      { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch(noPast, 'no_past') },
    ],
  };
  const merged: onnx.IModelProto = {
    ...withPast,
    irVersion: 9,
    graph: {
      name: 'merged',
      node: [ifNode],
      initializer: [...initializers.values()],
      input: [...inputs.values(), valueInfo('use_cache_branch', DataType.BOOL, [1])],
      output: outputs,
    },
  };
  return onnx.ModelProto.encode(merged).finish();
}

/** Rewrites `dir/model.onnx` (written by writeLlamaModelFolder) in place. */
export async function editModelFile(dir: string, edit: (bytes: Uint8Array) => Uint8Array): Promise<void> {
  await writeFile(join(dir, 'model.onnx'), edit(await readFile(join(dir, 'model.onnx'))));
}

/**
 * Turns a folder written by writeLlamaModelFolder into optimum's legacy layouts: 'merged' leaves only
 * decoder_model_merged.onnx, 'unmerged' leaves decoder_model.onnx + decoder_with_past_model.onnx.
 */
export async function toOptimumLegacyLayout(dir: string, layout: 'merged' | 'unmerged'): Promise<void> {
  const withPast = await readFile(join(dir, 'model.onnx'));
  const noPast = withoutPast(withPast);
  if (layout === 'merged') {
    await writeFile(join(dir, 'decoder_model_merged.onnx'), mergeDecoders(noPast, withPast));
  } else {
    await writeFile(join(dir, 'decoder_model.onnx'), noPast);
    await copyFile(join(dir, 'model.onnx'), join(dir, 'decoder_with_past_model.onnx'));
  }
  await rm(join(dir, 'model.onnx'));
  if ((await readdir(dir)).some((name) => name.endsWith('.onnx.data'))) {
    throw new Error('optimum legacy layouts are written without external data here');
  }
}
