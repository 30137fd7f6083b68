/**
 * Builds small Llama-style decoder models as ONNX from JavaScript, with the graph interface of an
 * optimum decoder-with-past export (`optimum-cli export onnx --task text-generation-with-past`):
 *   inputs  input_ids, attention_mask, position_ids (int64), past_key_values.N.key/value [batch, kv_heads, past, head_dim]
 *   outputs logits [batch, seq, vocab], present.N.key/value [batch, kv_heads, past + seq, head_dim]
 * Standard ONNX ops only (opset 17): Gather embedding, RMSNorm as Pow/ReduceMean/Add/Sqrt/Div/Mul, RoPE from
 * cos/sin caches gathered by position_ids, GQA by repeating KV heads (Expand), causal + padding mask with a large
 * finite negative (-65504, safe in fp16), SwiGLU MLP.
 *
 * dtype 'float16' follows what optimum's fp16 export gives: weights, past/present and logits in float16 (ids and
 * mask stay int64); like transformers' LlamaRMSNorm and eager softmax, norms and softmax are computed in float32
 * between Casts. Linear weights are stored transposed ([in, out], the MatMul B operand) under their HF names.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toFloat16Array } from '../../src/core/quantize/float16';
import { mulberry32 } from '../../src/core/tasks/stats';
import {
  bytesOf,
  DataType,
  encodeModel,
  GraphBuilder,
  type DataTypeId,
  type ExternalDataPlan,
  type ValueInfo,
} from './graph';
import { testTokenizerFiles, type TokenizerFiles } from './tokenizer';

export { testTokenizerFiles, type TokenizerFiles } from './tokenizer';

export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  ropeTheta: number;
  rmsNormEps: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings?: boolean;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId?: number;
}

/** HF parameter name -> tensor; Linear weights are [out, in] as in PyTorch. */
export type WeightMap = Map<string, { shape: number[]; data: Float32Array }>;

export type ModelDtype = 'float32' | 'float16';

export interface WriteLlamaOptions {
  dtype: ModelDtype;
  /** Tokenizer files to write; defaults to testTokenizerFiles(). Pass null to write none. */
  tokenizer?: TokenizerFiles | null;
  /** Put initializer payloads in model.onnx.data (ONNX external data), as exports above 2 GB do. */
  externalData?: boolean;
}

/** A tiny config that fits the test tokenizer: 2 layers, hidden 64, GQA 4 heads / 2 KV heads, vocab 300. */
export function tinyLlamaConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    vocabSize: 300,
    hiddenSize: 64,
    intermediateSize: 128,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    maxPositionEmbeddings: 256,
    tieWordEmbeddings: false,
    padTokenId: 0,
    bosTokenId: 1,
    eosTokenId: 2,
    ...overrides,
  };
}

/**
 * The ~156M-parameter shape the benches use (8 layers, width 1024, GQA 16/4 heads, vocab 32000), as in
 * ENVIRONMENT.md's decode measurements.
 */
export function benchLlamaConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return tinyLlamaConfig({
    vocabSize: 32000,
    hiddenSize: 1024,
    intermediateSize: 2816,
    numLayers: 8,
    numHeads: 16,
    numKvHeads: 4,
    maxPositionEmbeddings: 2048,
    ...overrides,
  });
}

export function headDim(cfg: LlamaConfig): number {
  return cfg.hiddenSize / cfg.numHeads;
}

function validateConfig(cfg: LlamaConfig): void {
  const hd = headDim(cfg);
  if (!Number.isInteger(hd) || hd % 2 !== 0) {
    throw new Error(`hiddenSize ${cfg.hiddenSize} / numHeads ${cfg.numHeads} must be an even integer`);
  }
  if (cfg.numHeads % cfg.numKvHeads !== 0) {
    throw new Error(`numHeads ${cfg.numHeads} must be a multiple of numKvHeads ${cfg.numKvHeads}`);
  }
}

/** mulberry32: small, fast, deterministic (one definition, shared with the task statistics). */
const prng = mulberry32;

function gaussianFill(data: Float32Array, random: () => number, std: number, mean = 0): Float32Array {
  for (let index = 0; index < data.length; index += 2) {
    // Box-Muller gives two normals per pair of uniforms.
    const radius = Math.sqrt(-2 * Math.log(1 - random())) * std;
    const angle = 2 * Math.PI * random();
    data[index] = mean + radius * Math.cos(angle);
    if (index + 1 < data.length) data[index + 1] = mean + radius * Math.sin(angle);
  }
  return data;
}

/**
 * Random weights that behave like a model rather than noise: projections with std 1/sqrt(fan_in) keep the residual
 * stream at unit scale through the layers, and the lm_head gives logits of std ~3, so next-token distributions are
 * peaked (top-1 well separated) instead of flat, and quantization error shows up as measurable drift.
 */
export function randomLlamaWeights(cfg: LlamaConfig, seed: number): WeightMap {
  validateConfig(cfg);
  const random = prng(seed);
  const weights: WeightMap = new Map();
  const hd = headDim(cfg);
  const add = (name: string, shape: number[], std: number, mean = 0): void => {
    const data = gaussianFill(new Float32Array(shape.reduce((a, b) => a * b, 1)), random, std, mean);
    weights.set(name, { shape, data });
  };
  const logitScale = 3 / Math.sqrt(cfg.hiddenSize);
  add('model.embed_tokens.weight', [cfg.vocabSize, cfg.hiddenSize], cfg.tieWordEmbeddings ? logitScale : 1);
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    add(`${prefix}.input_layernorm.weight`, [cfg.hiddenSize], 0.1, 1);
    add(`${prefix}.self_attn.q_proj.weight`, [cfg.numHeads * hd, cfg.hiddenSize], 1 / Math.sqrt(cfg.hiddenSize));
    add(`${prefix}.self_attn.k_proj.weight`, [cfg.numKvHeads * hd, cfg.hiddenSize], 1 / Math.sqrt(cfg.hiddenSize));
    add(`${prefix}.self_attn.v_proj.weight`, [cfg.numKvHeads * hd, cfg.hiddenSize], 1 / Math.sqrt(cfg.hiddenSize));
    add(`${prefix}.self_attn.o_proj.weight`, [cfg.hiddenSize, cfg.numHeads * hd], 1 / Math.sqrt(cfg.numHeads * hd));
    add(`${prefix}.post_attention_layernorm.weight`, [cfg.hiddenSize], 0.1, 1);
    add(`${prefix}.mlp.gate_proj.weight`, [cfg.intermediateSize, cfg.hiddenSize], 1 / Math.sqrt(cfg.hiddenSize));
    add(`${prefix}.mlp.up_proj.weight`, [cfg.intermediateSize, cfg.hiddenSize], 1 / Math.sqrt(cfg.hiddenSize));
    add(`${prefix}.mlp.down_proj.weight`, [cfg.hiddenSize, cfg.intermediateSize], 1 / Math.sqrt(cfg.intermediateSize));
  }
  add('model.norm.weight', [cfg.hiddenSize], 0.1, 1);
  if (!cfg.tieWordEmbeddings) add('lm_head.weight', [cfg.vocabSize, cfg.hiddenSize], logitScale);
  return weights;
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let row = 0; row < rows; row++) {
    const base = row * cols;
    for (let col = 0; col < cols; col++) out[col * rows + row] = data[base + col]!;
  }
  return out;
}

/** Builds the decoder graph. Exported for tests that want the bytes without a folder. */
export function buildLlamaOnnx(
  cfg: LlamaConfig,
  weights: WeightMap,
  dtype: ModelDtype,
  external?: ExternalDataPlan,
): Uint8Array {
  validateConfig(cfg);
  const T: DataTypeId = dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT;
  const fp16 = dtype === 'float16';
  const hd = headDim(cfg);
  const groups = cfg.numHeads / cfg.numKvHeads;
  const g = new GraphBuilder();

  const floatBytes = (values: Float32Array): Uint8Array => bytesOf(fp16 ? toFloat16Array(values) : values);
  const tensorT = (name: string, dims: number[], values: Float32Array): string =>
    g.initializer(name, { dataType: T, dims, bytes: floatBytes(values) });
  const scalarT = (name: string, value: number): string => tensorT(name, [], Float32Array.of(value));
  const scalarF32 = (name: string, value: number): string =>
    g.initializer(name, { dataType: DataType.FLOAT, dims: [], bytes: bytesOf(Float32Array.of(value)) });
  const weight = (name: string): { shape: number[]; data: Float32Array } => {
    const tensor = weights.get(name);
    if (!tensor) throw new Error(`weight ${name} is missing`);
    return tensor;
  };
  /** A Linear as MatMul: the [out, in] HF weight stored as B = [in, out]. */
  const linear = (x: string, hfName: string, nodeName: string, sourceName = hfName): string => {
    const { shape, data } = weight(sourceName);
    const [out, inFeatures] = shape as [number, number];
    const b = tensorT(hfName, [inFeatures, out], transpose2d(data, out, inFeatures));
    return g.op('MatMul', [x, b], {}, nodeName);
  };

  const two = scalarF32('const_two_f32', 2);
  const eps = scalarF32('const_rms_eps', cfg.rmsNormEps);
  const rmsNorm = (x: string, weightName: string, scope: string): string => {
    const xf = fp16 ? g.op('Cast', [x], { to: DataType.FLOAT }, `${scope}/Cast`) : x;
    const squared = g.op('Pow', [xf, two], {}, `${scope}/Pow`);
    const mean = g.op('ReduceMean', [squared], { axes: [-1], keepdims: 1 }, `${scope}/ReduceMean`);
    const root = g.op('Sqrt', [g.op('Add', [mean, eps], {}, `${scope}/Add`)], {}, `${scope}/Sqrt`);
    const normed = g.op('Div', [xf, root], {}, `${scope}/Div`);
    const back = fp16 ? g.op('Cast', [normed], { to: DataType.FLOAT16 }, `${scope}/Cast_1`) : normed;
    const { data } = weight(weightName);
    return g.op('Mul', [back, tensorT(weightName, [cfg.hiddenSize], data)], {}, `${scope}/Mul`);
  };

  // ---- shared tensors: shapes, mask, rotary tables ----
  const one = g.int64('const_one', [1], []);
  const zero = g.int64('const_zero', [0], []);
  const seqLen = g.op(
    'Gather',
    [g.op('Shape', ['input_ids'], {}, '/model/Shape'), one],
    { axis: 0 },
    '/model/Gather_seq',
  );
  const totalLen = g.op(
    'Gather',
    [g.op('Shape', ['attention_mask'], {}, '/model/Shape_1'), one],
    { axis: 0 },
    '/model/Gather_total',
  );
  const pastLen = g.op('Sub', [totalLen, seqLen], {}, '/model/Sub_past');
  const keyPositions = g.op('Range', [zero, totalLen, one], {}, '/model/Range_keys');
  const queryPositions = g.op(
    'Add',
    [g.op('Range', [zero, seqLen, one], {}, '/model/Range_queries'), pastLen],
    {},
    '/model/Add_queries',
  );
  const queryColumn = g.op('Unsqueeze', [queryPositions, g.int64('axes_1', [1])], {}, '/model/Unsqueeze_queries');
  const causal = g.op('LessOrEqual', [keyPositions, queryColumn], {}, '/model/LessOrEqual_causal');
  const padding = g.op(
    'Unsqueeze',
    [g.op('Cast', ['attention_mask'], { to: DataType.BOOL }, '/model/Cast_mask'), g.int64('axes_1_2', [1, 2])],
    {},
    '/model/Unsqueeze_mask',
  );
  const allowed = g.op('And', [causal, padding], {}, '/model/And_mask');
  const maskBias = g.op(
    'Where',
    [allowed, scalarT('const_mask_zero', 0), scalarT('const_mask_min', -65504)],
    {},
    '/model/Where_mask',
  );

  const half = hd / 2;
  const cosTable = new Float32Array(cfg.maxPositionEmbeddings * half);
  const sinTable = new Float32Array(cfg.maxPositionEmbeddings * half);
  for (let position = 0; position < cfg.maxPositionEmbeddings; position++) {
    for (let index = 0; index < half; index++) {
      const angle = position * Math.pow(cfg.ropeTheta, (-2 * index) / hd);
      cosTable[position * half + index] = Math.cos(angle);
      sinTable[position * half + index] = Math.sin(angle);
    }
  }
  const axesHeads = g.int64('axes_heads', [1]);
  const rotaryTable = (kind: 'cos' | 'sin', table: Float32Array): string => {
    const cache = tensorT(`model.rotary_emb.${kind}_cached`, [cfg.maxPositionEmbeddings, half], table);
    const gathered = g.op('Gather', [cache, 'position_ids'], { axis: 0 }, `/model/rotary_emb/Gather_${kind}`);
    return g.op('Unsqueeze', [gathered, axesHeads], {}, `/model/rotary_emb/Unsqueeze_${kind}`);
  };
  const cos = rotaryTable('cos', cosTable);
  const sin = rotaryTable('sin', sinTable);
  const splitHalves = g.int64('split_rotary', [half, half]);
  const rope = (x: string, scope: string): string => {
    const [x1, x2] = g.node('Split', [x, splitHalves], { axis: -1 }, { name: `${scope}/Split`, outputs: 2 }) as [
      string,
      string,
    ];
    const first = g.op(
      'Sub',
      [g.op('Mul', [x1, cos], {}, `${scope}/Mul`), g.op('Mul', [x2, sin], {}, `${scope}/Mul_1`)],
      {},
      `${scope}/Sub`,
    );
    const second = g.op(
      'Add',
      [g.op('Mul', [x2, cos], {}, `${scope}/Mul_2`), g.op('Mul', [x1, sin], {}, `${scope}/Mul_3`)],
      {},
      `${scope}/Add`,
    );
    return g.op('Concat', [first, second], { axis: -1 }, `${scope}/Concat`);
  };

  const headsShape = g.int64('shape_q_heads', [0, 0, cfg.numHeads, hd]);
  const kvHeadsShape = g.int64('shape_kv_heads', [0, 0, cfg.numKvHeads, hd]);
  const mergedShape = g.int64('shape_merge_heads', [0, 0, cfg.numHeads * hd]);
  const repeatShape = g.int64('shape_repeat_kv', [1, 1, groups, 1, 1]);
  const repeatedShape = g.int64('shape_repeated_kv', [0, cfg.numHeads, -1, hd]);
  const axesGroup = g.int64('axes_group', [2]);
  const attentionScale = scalarT('const_attention_scale', 1 / Math.sqrt(hd));
  const repeatKv = (x: string, scope: string): string => {
    if (groups === 1) return x;
    const expanded = g.op(
      'Expand',
      [g.op('Unsqueeze', [x, axesGroup], {}, `${scope}/Unsqueeze`), repeatShape],
      {},
      `${scope}/Expand`,
    );
    return g.op('Reshape', [expanded, repeatedShape], {}, `${scope}/Reshape`);
  };
  const toHeads = (x: string, shape: string, scope: string): string =>
    g.op(
      'Transpose',
      [g.op('Reshape', [x, shape], {}, `${scope}/Reshape`)],
      { perm: [0, 2, 1, 3] },
      `${scope}/Transpose`,
    );

  // ---- the decoder ----
  const embed = weight('model.embed_tokens.weight');
  let hidden = g.op(
    'Gather',
    [tensorT('model.embed_tokens.weight', embed.shape, embed.data), 'input_ids'],
    { axis: 0 },
    '/model/embed_tokens/Gather',
  );
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    const scope = `/model/layers.${layer}`;
    const normed = rmsNorm(hidden, `${prefix}.input_layernorm.weight`, `${scope}/input_layernorm`);
    const q = toHeads(
      linear(normed, `${prefix}.self_attn.q_proj.weight`, `${scope}/self_attn/q_proj/MatMul`),
      headsShape,
      `${scope}/self_attn/q`,
    );
    const k = toHeads(
      linear(normed, `${prefix}.self_attn.k_proj.weight`, `${scope}/self_attn/k_proj/MatMul`),
      kvHeadsShape,
      `${scope}/self_attn/k`,
    );
    const v = toHeads(
      linear(normed, `${prefix}.self_attn.v_proj.weight`, `${scope}/self_attn/v_proj/MatMul`),
      kvHeadsShape,
      `${scope}/self_attn/v`,
    );
    const qRot = rope(q, `${scope}/self_attn/rotary_q`);
    const kRot = rope(k, `${scope}/self_attn/rotary_k`);
    const [presentKey] = g.node(
      'Concat',
      [`past_key_values.${layer}.key`, kRot],
      { axis: 2 },
      { name: `${scope}/self_attn/Concat_key`, outputs: [`present.${layer}.key`] },
    );
    const [presentValue] = g.node(
      'Concat',
      [`past_key_values.${layer}.value`, v],
      { axis: 2 },
      { name: `${scope}/self_attn/Concat_value`, outputs: [`present.${layer}.value`] },
    );
    const keys = repeatKv(presentKey, `${scope}/self_attn/repeat_k`);
    const values = repeatKv(presentValue, `${scope}/self_attn/repeat_v`);
    const keysT = g.op('Transpose', [keys], { perm: [0, 1, 3, 2] }, `${scope}/self_attn/Transpose_k`);
    const scores = g.op(
      'Add',
      [
        g.op(
          'Mul',
          [g.op('MatMul', [qRot, keysT], {}, `${scope}/self_attn/MatMul_qk`), attentionScale],
          {},
          `${scope}/self_attn/Mul_scale`,
        ),
        maskBias,
      ],
      {},
      `${scope}/self_attn/Add_mask`,
    );
    const scoresF = fp16 ? g.op('Cast', [scores], { to: DataType.FLOAT }, `${scope}/self_attn/Cast`) : scores;
    const probsF = g.op('Softmax', [scoresF], { axis: -1 }, `${scope}/self_attn/Softmax`);
    const probs = fp16 ? g.op('Cast', [probsF], { to: DataType.FLOAT16 }, `${scope}/self_attn/Cast_1`) : probsF;
    const context = g.op('MatMul', [probs, values], {}, `${scope}/self_attn/MatMul_pv`);
    const merged = g.op(
      'Reshape',
      [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }, `${scope}/self_attn/Transpose_out`), mergedShape],
      {},
      `${scope}/self_attn/Reshape_out`,
    );
    hidden = g.op(
      'Add',
      [hidden, linear(merged, `${prefix}.self_attn.o_proj.weight`, `${scope}/self_attn/o_proj/MatMul`)],
      {},
      `${scope}/Add_attention`,
    );

    const normed2 = rmsNorm(hidden, `${prefix}.post_attention_layernorm.weight`, `${scope}/post_attention_layernorm`);
    const gate = linear(normed2, `${prefix}.mlp.gate_proj.weight`, `${scope}/mlp/gate_proj/MatMul`);
    const up = linear(normed2, `${prefix}.mlp.up_proj.weight`, `${scope}/mlp/up_proj/MatMul`);
    const activated = g.op(
      'Mul',
      [
        g.op('Mul', [gate, g.op('Sigmoid', [gate], {}, `${scope}/mlp/act_fn/Sigmoid`)], {}, `${scope}/mlp/act_fn/Mul`),
        up,
      ],
      {},
      `${scope}/mlp/Mul`,
    );
    hidden = g.op(
      'Add',
      [hidden, linear(activated, `${prefix}.mlp.down_proj.weight`, `${scope}/mlp/down_proj/MatMul`)],
      {},
      `${scope}/Add_mlp`,
    );
  }
  const finalNorm = rmsNorm(hidden, 'model.norm.weight', '/model/norm');
  const lmHeadSource = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const { data: headData } = weight(lmHeadSource);
  const headB = tensorT(
    'lm_head.weight',
    [cfg.hiddenSize, cfg.vocabSize],
    transpose2d(headData, cfg.vocabSize, cfg.hiddenSize),
  );
  g.node('MatMul', [finalNorm, headB], {}, { name: '/lm_head/MatMul', outputs: ['logits'] });

  const inputs: ValueInfo[] = [
    { name: 'input_ids', dataType: DataType.INT64, shape: ['batch_size', 'sequence_length'] },
    { name: 'attention_mask', dataType: DataType.INT64, shape: ['batch_size', 'total_sequence_length'] },
    { name: 'position_ids', dataType: DataType.INT64, shape: ['batch_size', 'sequence_length'] },
  ];
  const outputs: ValueInfo[] = [
    { name: 'logits', dataType: T, shape: ['batch_size', 'sequence_length', cfg.vocabSize] },
  ];
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    for (const kind of ['key', 'value']) {
      inputs.push({
        name: `past_key_values.${layer}.${kind}`,
        dataType: T,
        shape: ['batch_size', cfg.numKvHeads, 'past_sequence_length', hd],
      });
      outputs.push({
        name: `present.${layer}.${kind}`,
        dataType: T,
        shape: ['batch_size', cfg.numKvHeads, 'total_sequence_length', hd],
      });
    }
  }
  return encodeModel(g, { inputs, outputs, name: 'main_graph', opsetVersion: 17 }, external);
}

export function hfConfigJson(cfg: LlamaConfig, dtype: ModelDtype): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    attention_bias: false,
    attention_dropout: 0,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    pad_token_id: cfg.padTokenId ?? null,
    head_dim: headDim(cfg),
    hidden_act: 'silu',
    hidden_size: cfg.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: cfg.intermediateSize,
    max_position_embeddings: cfg.maxPositionEmbeddings,
    mlp_bias: false,
    num_attention_heads: cfg.numHeads,
    num_hidden_layers: cfg.numLayers,
    num_key_value_heads: cfg.numKvHeads,
    pretraining_tp: 1,
    rms_norm_eps: cfg.rmsNormEps,
    rope_scaling: null,
    rope_theta: cfg.ropeTheta,
    tie_word_embeddings: cfg.tieWordEmbeddings ?? false,
    torch_dtype: dtype,
    transformers_version: '4.46.0',
    use_cache: true,
    vocab_size: cfg.vocabSize,
  };
}

export interface LlamaFolder {
  dir: string;
  modelPath: string;
  /** Present when externalData was asked for. */
  dataPath?: string;
}

/** Writes model.onnx (+ model.onnx.data), config.json, generation_config.json and the tokenizer files. */
export async function writeLlamaModelFolder(
  dir: string,
  cfg: LlamaConfig,
  weights: WeightMap,
  options: WriteLlamaOptions,
): Promise<LlamaFolder> {
  const tokenizer = options.tokenizer === undefined ? testTokenizerFiles() : options.tokenizer;
  if (tokenizer && tokenizer.vocabSize > cfg.vocabSize) {
    throw new Error(`the tokenizer has ${tokenizer.vocabSize} ids but vocabSize is ${cfg.vocabSize}`);
  }
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, 'model.onnx');
  const folder: LlamaFolder = { dir, modelPath };
  if (options.externalData) {
    const dataName = 'model.onnx.data';
    folder.dataPath = join(dir, dataName);
    const fd = openSync(folder.dataPath, 'w');
    try {
      let offset = 0;
      const plan: ExternalDataPlan = {
        location: dataName,
        write(bytes) {
          // ORT mmaps external data; 4 KiB alignment keeps that cheap (the ONNX checker's convention too).
          const aligned = Math.ceil(offset / 4096) * 4096;
          writeSync(fd, bytes, 0, bytes.length, aligned);
          offset = aligned + bytes.length;
          return aligned;
        },
      };
      await writeFile(modelPath, buildLlamaOnnx(cfg, weights, options.dtype, plan));
    } finally {
      closeSync(fd);
    }
  } else {
    await writeFile(modelPath, buildLlamaOnnx(cfg, weights, options.dtype));
  }
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(dir, 'config.json'), json(hfConfigJson(cfg, options.dtype)));
  await writeFile(
    join(dir, 'generation_config.json'),
    json({
      _from_model_config: true,
      bos_token_id: cfg.bosTokenId,
      eos_token_id: cfg.eosTokenId,
      pad_token_id: cfg.padTokenId ?? null,
      transformers_version: '4.46.0',
    }),
  );
  if (tokenizer) {
    await writeFile(join(dir, 'tokenizer.json'), json(tokenizer.tokenizer));
    await writeFile(join(dir, 'tokenizer_config.json'), json(tokenizer.tokenizerConfig));
    await writeFile(
      join(dir, 'special_tokens_map.json'),
      json({
        bos_token: tokenizer.tokenizerConfig.bos_token,
        eos_token: tokenizer.tokenizerConfig.eos_token,
        pad_token: tokenizer.tokenizerConfig.pad_token,
      }),
    );
  }
  return folder;
}
