/** Forward passes of builder models through onnxruntime-node, for tests. */
import * as ort from 'onnxruntime-node';
import { fromFloat16Array, toFloat16Array } from '../../../src/core/quantize/float16';
import { headDim, type LlamaConfig, type ModelDtype } from '../../../tools/model-builder/llama';

export type Kv = Map<string, ort.Tensor>;

export function openSession(modelPath: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

function floatTensor(dtype: ModelDtype, values: Float32Array, dims: number[]): ort.Tensor {
  return dtype === 'float16'
    ? new ort.Tensor('float16', toFloat16Array(values), dims)
    : new ort.Tensor('float32', values, dims);
}

export function toFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float16') return fromFloat16Array(tensor.data as Uint16Array);
  return tensor.data as Float32Array;
}

export function emptyKv(cfg: LlamaConfig, dtype: ModelDtype, batch = 1): Kv {
  const kv: Kv = new Map();
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    for (const kind of ['key', 'value']) {
      kv.set(
        `past_key_values.${layer}.${kind}`,
        floatTensor(dtype, new Float32Array(0), [batch, cfg.numKvHeads, 0, headDim(cfg)]),
      );
    }
  }
  return kv;
}

const int64 = (values: number[], dims: number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);

/**
 * One forward step for a batch of rows of equal length. `mask` covers past + new tokens per row;
 * position ids default to the index among non-padded tokens (what HF generate computes).
 */
export async function forward(
  session: ort.InferenceSession,
  ids: number[][],
  past: Kv,
  options: { mask?: number[][]; positions?: number[][] } = {},
): Promise<{ logits: Float32Array; dims: readonly number[]; present: Kv }> {
  const batch = ids.length;
  const seq = ids[0].length;
  const pastLen = past.values().next().value!.dims[2];
  const mask = options.mask ?? ids.map(() => new Array<number>(pastLen + seq).fill(1));
  const positions =
    options.positions ??
    mask.map((row) => {
      let count = 0;
      const cumulative = row.map((bit) => (count += bit) - 1);
      return cumulative.slice(pastLen).map((value) => Math.max(value, 0));
    });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(ids.flat(), [batch, seq]),
    attention_mask: int64(mask.flat(), [batch, mask[0].length]),
    position_ids: int64(positions.flat(), [batch, seq]),
  };
  for (const [name, tensor] of past) feeds[name] = tensor;
  const result = await session.run(feeds);
  const present: Kv = new Map();
  for (const name of past.keys()) present.set(name, result[name.replace('past_key_values', 'present')]);
  return { logits: toFloat32(result.logits), dims: result.logits.dims, present };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index] - b[index]));
  return max;
}

export function argmax(values: Float32Array, start = 0, length = values.length - start): number {
  let best = 0;
  for (let index = 1; index < length; index++) if (values[start + index] > values[start + best]) best = index;
  return best;
}

/** KL(p||q) of softmax(a) and softmax(b) over one row. */
export function klDivergence(a: Float32Array, b: Float32Array): number {
  const logSoftmax = (x: Float32Array): Float64Array => {
    let max = -Infinity;
    for (const value of x) max = Math.max(max, value);
    let sum = 0;
    for (const value of x) sum += Math.exp(value - max);
    const log = Math.log(sum) + max;
    return Float64Array.from(x, (value) => value - log);
  };
  const lp = logSoftmax(a);
  const lq = logSoftmax(b);
  let kl = 0;
  for (let index = 0; index < lp.length; index++) kl += Math.exp(lp[index]) * (lp[index] - lq[index]);
  return kl;
}
