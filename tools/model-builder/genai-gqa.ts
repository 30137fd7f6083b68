/**
 * The ONNX Runtime GenAI model builder's attention layout, derived from the builder's decoder (llama.ts) with the
 * same weights: each layer's attention is one com.microsoft GroupQueryAttention node over the q/k/v projections,
 * with the rotary embedding fused (do_rotary=1, cos/sin caches, no position_ids input), seqlens_k and
 * total_sequence_length computed from attention_mask (ReduceSum - 1 and Shape[1], cast to int32), and
 * local_window_size set for sliding-window models (microsoft/onnxruntime-genai src/python/py/models/builders/
 * base.py: make_group_query_attention, get_attention_op_attributes, make_attention_mask_reformatting_for_gqa),
 * plus the genai_config.json it writes (make_genai_config: search.past_present_share_buffer, and
 * decoder.sliding_window for windowed layers).
 */
import { onnx } from 'onnx-proto';
import { decodeModel, encode, graphOf, int64Initializer, node, type Model } from './graph-edit';
import { headDim, type LlamaConfig } from './llama';

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

export interface GqaOptions {
  /** local_window_size of GroupQueryAttention; -1 (the kernel's default) for full attention. */
  windowSize: number;
  /** Layers that use the window (the others keep -1), as decoder.sliding_window.layers lists them. */
  windowLayers?: readonly number[];
  /**
   * The newer builder's windowed KV cache for cpu/cuda (sliding_window_cache=1 on the windowed layers): their
   * past/present are window-sized rings the kernel evicts from (base.py EPS_WITH_WINDOWED_KV_CACHE).
   */
  windowedCache?: boolean;
}

/** Removes nodes none of whose outputs is read by a node or is a graph output (repeat until stable). */
function pruneDeadNodes(model: Model): void {
  const graph = graphOf(model);
  const outputs = new Set(graph.output!.map((o) => o.name!));
  for (let changed = true; changed;) {
    const read = new Set(graph.node!.flatMap((n) => n.input ?? []));
    const before = graph.node!.length;
    graph.node = graph.node!.filter((n) => n.output!.some((o) => read.has(o) || outputs.has(o)));
    changed = graph.node.length !== before;
  }
  const read = new Set(graph.node!.flatMap((n) => n.input ?? []));
  graph.initializer = graph.initializer!.filter((t) => read.has(t.name!));
}

function maskSubgraph(model: Model): { seqlensK: string; totalSeqLen: string } {
  const base = '/model/attn_mask_reformat/attn_mask_subgraph';
  graphOf(model).initializer!.push(int64Initializer(`${base}/axes`, [1]), int64Initializer(`${base}/one`, [1], []));
  const toInt32: onnx.IAttributeProto = { name: 'to', type: AttributeType.INT, i: DataType.INT32 };
  graphOf(model).node!.push(
    node('ReduceSum', ['attention_mask', `${base}/axes`], [`${base}/ReduceSum/output_0`], `${base}/ReduceSum`, [
      { name: 'keepdims', type: AttributeType.INT, i: 0 },
    ]),
    node('Sub', [`${base}/ReduceSum/output_0`, `${base}/one`], [`${base}/Sub/output_0`], `${base}/Sub`),
    node('Cast', [`${base}/Sub/output_0`], [`${base}/Sub/Cast/output_0`], `${base}/Sub/Cast`, [toInt32]),
    node('Shape', ['attention_mask'], [`${base}/Shape/output_0`], `${base}/Shape`),
    node('Gather', [`${base}/Shape/output_0`, `${base}/one`], [`${base}/Gather/output_0`], `${base}/Gather`, [
      { name: 'axis', type: AttributeType.INT, i: 0 },
    ]),
    node('Cast', [`${base}/Gather/output_0`], [`${base}/Gather/Cast/output_0`], `${base}/Gather/Cast`, [toInt32]),
  );
  return { seqlensK: `${base}/Sub/Cast/output_0`, totalSeqLen: `${base}/Gather/Cast/output_0` };
}

/** The GenAI builder's GroupQueryAttention form of a builder model.onnx (fp32 or fp16). */
export function gqaDecoder(bytes: Uint8Array, cfg: LlamaConfig, options: GqaOptions): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  const mask = maskSubgraph(model);
  const hd = headDim(cfg);
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    const scope = `/model/layers.${layer}/self_attn`;
    const proj = (name: string): string => `${scope}/${name}_proj/MatMul_output_0`;
    const oProj = graph.node!.find((n) => n.name === `${scope}/o_proj/MatMul`)!;
    // Drop the unfused attention (everything in the scope but the four projections); its presents go with it.
    graph.node = graph.node!.filter((n) => !n.name!.startsWith(`${scope}/`) || /_proj\/MatMul$/.test(n.name!));
    const windowed = options.windowSize > 0 && (options.windowLayers?.includes(layer) ?? true);
    const output = `${scope}/GroupQueryAttention/output_0`;
    graph.node.push({
      opType: 'GroupQueryAttention',
      domain: 'com.microsoft',
      name: `${scope}/GroupQueryAttention`,
      input: [
        proj('q'),
        proj('k'),
        proj('v'),
        `past_key_values.${layer}.key`,
        `past_key_values.${layer}.value`,
        mask.seqlensK,
        mask.totalSeqLen,
        'model.rotary_emb.cos_cached',
        'model.rotary_emb.sin_cached',
      ],
      output: [output, `present.${layer}.key`, `present.${layer}.value`],
      attribute: [
        { name: 'num_heads', type: AttributeType.INT, i: cfg.numHeads },
        { name: 'kv_num_heads', type: AttributeType.INT, i: cfg.numKvHeads },
        { name: 'scale', type: AttributeType.FLOAT, f: 1 / Math.sqrt(hd) },
        { name: 'local_window_size', type: AttributeType.INT, i: windowed ? options.windowSize : -1 },
        { name: 'do_rotary', type: AttributeType.INT, i: 1 },
        { name: 'rotary_interleaved', type: AttributeType.INT, i: 0 },
        ...(windowed && options.windowedCache ? [{ name: 'sliding_window_cache', type: AttributeType.INT, i: 1 }] : []),
      ],
    });
    oProj.input![0] = output;
  }
  // GQA applies the rotary embedding from seqlens_k: the GenAI builder drops position_ids.
  graph.input = graph.input!.filter((i) => i.name !== 'position_ids');
  pruneDeadNodes(model);
  if (!model.opsetImport.some((o) => o.domain === 'com.microsoft')) {
    model.opsetImport.push({ domain: 'com.microsoft', version: 1 });
  }
  return encode(model);
}

/** genai_config.json as the builder writes it for this model (cpu EP, GroupQueryAttention). */
export function gqaGenaiConfig(cfg: LlamaConfig, options: GqaOptions): object {
  const decoder: Record<string, unknown> = {
    session_options: { log_id: 'onnxruntime-genai', provider_options: [] },
    filename: 'model.onnx',
    head_size: headDim(cfg),
    hidden_size: cfg.hiddenSize,
    inputs: {
      input_ids: 'input_ids',
      attention_mask: 'attention_mask',
      past_key_names: 'past_key_values.%d.key',
      past_value_names: 'past_key_values.%d.value',
    },
    outputs: { logits: 'logits', present_key_names: 'present.%d.key', present_value_names: 'present.%d.value' },
    num_attention_heads: cfg.numHeads,
    num_hidden_layers: cfg.numLayers,
    num_key_value_heads: cfg.numKvHeads,
  };
  if (options.windowSize > 0) {
    decoder.sliding_window = {
      window_size: options.windowSize,
      slide_key_value_cache: false,
      slide_inputs: false,
      layers: options.windowLayers ?? Array.from({ length: cfg.numLayers }, (_, i) => i),
      ...(options.windowedCache ? { cache_slack: 16 } : {}),
    };
  }
  return {
    model: {
      bos_token_id: cfg.bosTokenId,
      context_length: cfg.maxPositionEmbeddings,
      decoder,
      eos_token_id: cfg.eosTokenId,
      pad_token_id: cfg.padTokenId ?? cfg.eosTokenId,
      type: 'llama',
      vocab_size: cfg.vocabSize,
    },
    search: { do_sample: false, max_length: cfg.maxPositionEmbeddings, num_beams: 1, past_present_share_buffer: true },
  };
}
