/**
 * A hybrid decoder in the shape newer HF exports have, derived from the builder's graph (llama.ts):
 *   - KV-shared layers: the last `sharedLayers` layers attend over an earlier layer's cache instead of their own,
 *     as Gemma 3n's later layers do, so the graph has fewer past_key_values.N inputs than config.json's
 *     num_hidden_layers (and their indices need not be 0..n-1);
 *   - a recurrent state that is not KV cache: a causal depthwise convolution of width 3 on the embeddings, whose
 *     last two inputs are carried in `past_conv.0` -> `present_conv.0` [batch, hidden, 2], as LFM2's short
 *     convolutions carry theirs (transformers.js maps present_conv to past_conv:
 *     huggingface/transformers.js packages/transformers/src/models/modeling_utils.js, getPastKeyValues).
 * A first pass with a zero state equals the convolution over zero padding, so the cached path must equal a
 * full recompute only if the runner carries the state from step to step.
 */
import { onnx } from 'onnx-proto';
import { toFloat16Array } from '../../src/core/quantize/float16';
import {
  decodeModel,
  encode,
  graphOf,
  INT64_MAX,
  int64Initializer,
  node,
  nodeNamed,
  rewireInputs,
  valueInfo,
  type Model,
} from './graph-edit';
import type { LlamaConfig } from './llama';

const { DataType } = onnx.TensorProto;
const CONV_CACHE = 2;

/** Layer `layer` reads layer `source`'s present key/value; its own past inputs and presents go away. */
function shareKv(model: Model, layer: number, source: number): void {
  const graph = graphOf(model);
  for (const kind of ['key', 'value']) {
    const concat = nodeNamed(model, `/model/layers.${layer}/self_attn/Concat_${kind}`);
    concat.opType = 'Identity';
    concat.input = [`present.${source}.${kind}`];
    concat.output = [`/model/layers.${layer}/self_attn/shared_${kind}`];
    concat.attribute = [];
    rewireInputs(model, `present.${layer}.${kind}`, concat.output[0]);
  }
  const own = (name: string | null | undefined): boolean =>
    name === `past_key_values.${layer}.key` ||
    name === `past_key_values.${layer}.value` ||
    name === `present.${layer}.key` ||
    name === `present.${layer}.value`;
  graph.input = graph.input!.filter((i) => !own(i.name));
  graph.output = graph.output!.filter((o) => !own(o.name));
}

/** Deterministic conv taps: the current position dominates, the two before it mix in. */
function convWeights(hidden: number): Float32Array[] {
  return [0.8, 0.35, -0.25].map((scale, tap) =>
    Float32Array.from({ length: hidden }, (_, c) => scale * (1 + 0.3 * Math.sin(c * 0.7 + tap))),
  );
}

function addConvState(model: Model, cfg: LlamaConfig, dtype: 'float32' | 'float16'): void {
  const graph = graphOf(model);
  const T = dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT;
  const embedded = nodeNamed(model, '/model/embed_tokens/Gather').output![0];
  const scope = '/model/conv';
  const at = (suffix: string): string => `${scope}/${suffix}`;
  const taps = convWeights(cfg.hiddenSize).map((weights, tap) => {
    const raw = dtype === 'float16' ? toFloat16Array(weights) : weights;
    graph.initializer!.push({
      name: `model.conv.weight.${tap}`,
      dataType: T,
      dims: [cfg.hiddenSize, 1],
      rawData: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
    });
    return `model.conv.weight.${tap}`;
  });
  graph.initializer!.push(
    int64Initializer(at('axis2'), [2]),
    int64Initializer(at('end'), [INT64_MAX]),
    int64Initializer(at('start_keep'), [-CONV_CACHE]),
    int64Initializer(at('start0'), [2]),
    int64Initializer(at('start1'), [1]),
    int64Initializer(at('end1'), [-1]),
    int64Initializer(at('start2'), [0]),
    int64Initializer(at('end2'), [-2]),
  );
  const nodes = [
    node('Transpose', [embedded], [at('xT')], at('Transpose'), [
      { name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] },
    ]),
    node('Concat', ['past_conv.0', at('xT')], [at('buffer')], at('Concat'), [
      { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 2 },
    ]),
    node('Slice', [at('buffer'), at('start_keep'), at('end'), at('axis2')], ['present_conv.0'], at('Slice_state')),
    node('Slice', [at('buffer'), at('start0'), at('end'), at('axis2')], [at('t0')], at('Slice_t0')),
    node('Slice', [at('buffer'), at('start1'), at('end1'), at('axis2')], [at('t1')], at('Slice_t1')),
    node('Slice', [at('buffer'), at('start2'), at('end2'), at('axis2')], [at('t2')], at('Slice_t2')),
    node('Mul', [at('t0'), taps[0]], [at('m0')], at('Mul_0')),
    node('Mul', [at('t1'), taps[1]], [at('m1')], at('Mul_1')),
    node('Mul', [at('t2'), taps[2]], [at('m2')], at('Mul_2')),
    node('Add', [at('m0'), at('m1')], [at('s01')], at('Add_0')),
    node('Add', [at('s01'), at('m2')], [at('y')], at('Add_1')),
    node('Transpose', [at('y')], [at('output')], at('Transpose_out'), [
      { name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] },
    ]),
  ];
  rewireInputs(model, embedded, at('output'));
  graph.node!.push(...nodes);
  graph.input!.push(valueInfo('past_conv.0', T, ['batch_size', cfg.hiddenSize, CONV_CACHE]));
  graph.output!.push(valueInfo('present_conv.0', T, ['batch_size', cfg.hiddenSize, CONV_CACHE]));
}

/**
 * The hybrid layout from a builder model.onnx: layers >= numLayers - sharedLayers reuse the cache of layer
 * numLayers - sharedLayers - 1, and the embeddings pass the carried convolution.
 */
export function hybridDecoder(
  bytes: Uint8Array,
  cfg: LlamaConfig,
  dtype: 'float32' | 'float16',
  sharedLayers = 1,
): Uint8Array {
  if (sharedLayers >= cfg.numLayers) throw new Error('at least one layer must keep its own KV cache');
  const model = decodeModel(bytes);
  const source = cfg.numLayers - sharedLayers - 1;
  for (let layer = source + 1; layer < cfg.numLayers; layer++) shareKv(model, layer, source);
  addConvState(model, cfg, dtype);
  return encode(model);
}
