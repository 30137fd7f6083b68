import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileSource } from '../../../src/core/onnx/wire';
import { fromFloat16Array, toFloat16Array } from '../../../src/core/quantize/float16';
import { quantizeModelFolder, QuantizeError, RECIPE_FILE, type QuantizationRecipe } from '../../../src/core/quantize';
import { dequantizeInt4, quantizeInt4, type Int4Tensor } from '../../../src/core/quantize/int4';
import { indexModel } from '../../../src/core/quantize/model-index';
import { PayloadReader } from '../../../src/core/quantize/payload';
import { quantizeOnnxFile } from '../../../src/core/quantize/quantize-onnx';
import { bytesOf, DataType, encodeModel, GraphBuilder } from '../../../tools/model-builder/graph';
import {
  randomLlamaWeights,
  tinyLlamaConfig,
  writeLlamaModelFolder,
  type WeightMap,
} from '../../../tools/model-builder/llama';
import { argmax, emptyKv, forward, klDivergence, maxAbsDiff, openSession } from '../model-builder/ort-helpers';

// hidden 80 and intermediate 144 are not multiples of 32: every block size pads K.
const cfg = tinyLlamaConfig({ hiddenSize: 80, intermediateSize: 144, numHeads: 4, numKvHeads: 2 });
const prompt = [1, 40, 80, 120, 7, 250, 33, 99, 5, 17];

/** Reads back the INT4 form of one weight from a quantized model file. */
async function readInt4(
  modelPath: string,
  weight: string,
  K: number,
  N: number,
  blockSize: number,
): Promise<Int4Tensor> {
  const source = await FileSource.open(modelPath);
  const reader = new PayloadReader(modelPath);
  try {
    const index = await indexModel(source);
    const byName = new Map(index.initializers.map((t) => [t.name, t]));
    const packed = await reader.read(byName.get(`${weight}_Q4`)!);
    const scalesTensor = byName.get(`${weight}_scales`)!;
    const scaleBytes = await reader.read(scalesTensor);
    const scales =
      scalesTensor.dataType === DataType.FLOAT16
        ? fromFloat16Array(new Uint16Array(scaleBytes.slice().buffer))
        : new Float32Array(scaleBytes.slice().buffer);
    const zpTensor = byName.get(`${weight}_zero_points`);
    const tensor: Int4Tensor = { K, N, blockSize, nBlocks: Math.ceil(K / blockSize), packed: packed.slice(), scales };
    if (zpTensor) tensor.zeroPoints = (await reader.read(zpTensor)).slice();
    return tensor;
  } finally {
    await reader.close();
    await source.close();
  }
}

/** W as the MatMul B operand: [in, out] row-major. */
function matMulB(weights: WeightMap, name: string): Float32Array {
  const { shape, data } = weights.get(name)!;
  const [out, inFeatures] = shape as [number, number];
  const b = new Float32Array(data.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inFeatures; i++) b[i * out + o] = data[o * inFeatures + i]!;
  return b;
}

/** The fp32 model with every MatMul weight replaced by its dequantized INT4 form: what MatMulNBits must compute. */
async function simulatedLogits(
  dir: string,
  weights: WeightMap,
  options: { symmetric: boolean; blockSize: number; channelWise?: boolean; keepLmHead?: boolean },
): Promise<Float32Array> {
  const simulated: WeightMap = new Map();
  for (const [name, tensor] of weights) {
    if (
      tensor.shape.length !== 2 ||
      name === 'model.embed_tokens.weight' ||
      (options.keepLmHead && name === 'lm_head.weight')
    ) {
      simulated.set(name, tensor);
      continue;
    }
    const [out, inFeatures] = tensor.shape as [number, number];
    const deq = dequantizeInt4(
      quantizeInt4(matMulB(weights, name), inFeatures, out, { ...options, scaleDtype: 'float32' }),
    );
    const back = new Float32Array(deq.length);
    for (let o = 0; o < out; o++) for (let i = 0; i < inFeatures; i++) back[o * inFeatures + i] = deq[i * out + o]!;
    simulated.set(name, { shape: tensor.shape, data: back });
  }
  const folder = await writeLlamaModelFolder(dir, cfg, simulated, { dtype: 'float32', tokenizer: null });
  return logitsOf(folder.modelPath, 'float32');
}

async function logitsOf(modelPath: string, dtype: 'float32' | 'float16'): Promise<Float32Array> {
  const session = await openSession(modelPath);
  try {
    return (await forward(session, [prompt], emptyKv(cfg, dtype))).logits;
  } finally {
    await session.release();
  }
}

function drift(base: Float32Array, quant: Float32Array): { meanKl: number; sameTop1: number } {
  let kl = 0;
  let same = 0;
  const rows = base.length / cfg.vocabSize;
  for (let row = 0; row < rows; row++) {
    const a = base.subarray(row * cfg.vocabSize, (row + 1) * cfg.vocabSize);
    const b = quant.subarray(row * cfg.vocabSize, (row + 1) * cfg.vocabSize);
    kl += klDivergence(a, b);
    if (argmax(a) === argmax(b)) same++;
  }
  return { meanKl: kl / rows, sameTop1: same / rows };
}

void describe('quantizeModelFolder', () => {
  let dir: string;
  let weights: WeightMap;
  let fp32Dir: string;
  let fp16Dir: string;
  let externalDir: string;
  let baseLogits: Float32Array;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qd-quant-'));
    weights = randomLlamaWeights(cfg, 1234);
    fp32Dir = (await writeLlamaModelFolder(join(dir, 'fp32'), cfg, weights, { dtype: 'float32' })).dir;
    fp16Dir = (await writeLlamaModelFolder(join(dir, 'fp16'), cfg, weights, { dtype: 'float16' })).dir;
    externalDir = (
      await writeLlamaModelFolder(join(dir, 'fp32-ext'), cfg, weights, { dtype: 'float32', externalData: true })
    ).dir;
    baseLogits = await logitsOf(join(fp32Dir, 'model.onnx'), 'float32');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [symmetric, blockSize] of [
    [true, 32],
    [false, 128],
    [false, 16],
  ] as const) {
    void test(`${symmetric ? 'sym' : 'asym'} block ${blockSize}: stored INT4 equals the reference quantization exactly`, async () => {
      const outDir = join(dir, `out-${symmetric}-${blockSize}`);
      const progress: [number, number][] = [];
      const result = await quantizeModelFolder(fp32Dir, outDir, {
        symmetric,
        blockSize,
        accuracyLevel: 0,
        onProgress: (done, total) => progress.push([done, total]),
      });
      assert.equal(result.report.quantized.length, cfg.numLayers * 7 + 1);
      assert.equal(result.dataPath, null);
      assert.deepEqual(progress.at(-1)![0], progress.at(-1)![1]);
      for (const name of [
        'model.layers.0.self_attn.q_proj.weight',
        'model.layers.1.mlp.down_proj.weight',
        'lm_head.weight',
      ]) {
        const [out, inFeatures] = weights.get(name)!.shape as [number, number];
        const original = matMulB(weights, name);
        const stored = await readInt4(result.modelPath, name, inFeatures, out, blockSize);
        const expected = quantizeInt4(original, inFeatures, out, { symmetric, blockSize, scaleDtype: 'float32' });
        assert.deepEqual(dequantizeInt4(stored), dequantizeInt4(expected), name);
        assert.equal(stored.zeroPoints === undefined, symmetric);
      }
      // ORT's MatMulNBits computes exactly the fp32 model built from the dequantized weights.
      const quantLogits = await logitsOf(result.modelPath, 'float32');
      const expectedLogits = await simulatedLogits(join(dir, `sim-${symmetric}-${blockSize}`), weights, {
        symmetric,
        blockSize,
      });
      assert.ok(maxAbsDiff(quantLogits, expectedLogits) < 1e-4);
      // Random weights are more sensitive than trained ones (see ENVIRONMENT.md for a trained model's KL).
      const { meanKl, sameTop1 } = drift(baseLogits, quantLogits);
      assert.ok(meanKl > 0 && meanKl < 0.3, `mean KL ${meanKl}`);
      assert.ok(sameTop1 >= 0.3, `same top-1 ${sameTop1}`);
    });
  }

  void test('writes the recipe, keeps side files, marks the model', async () => {
    const outDir = join(dir, 'out-recipe');
    const result = await quantizeModelFolder(fp32Dir, outDir, { symmetric: true, blockSize: 64, accuracyLevel: 4 });
    const recipe = JSON.parse(await readFile(join(outDir, RECIPE_FILE), 'utf8')) as QuantizationRecipe;
    assert.equal(recipe.bits, 4);
    assert.equal(recipe.symmetric, true);
    assert.equal(recipe.blockSize, 64);
    assert.equal(recipe.accuracyLevel, 4);
    assert.equal(recipe.lmHead, 'int4');
    assert.equal(recipe.source, fp32Dir);
    assert.deepEqual(result.copiedFiles, [
      'config.json',
      'generation_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    assert.ok((await stat(result.modelPath)).size * 2 < (await stat(join(fp32Dir, 'model.onnx'))).size);
    const text = (await readFile(result.modelPath)).toString('latin1');
    assert.ok(text.includes('quant_drift.recipe'));
    assert.ok(text.includes('com.microsoft'));
  });

  void test('fp16 model: fp16 scales, runs and stays close to its fp16 base', async () => {
    const result = await quantizeModelFolder(fp16Dir, join(dir, 'out-fp16'), {
      symmetric: true,
      blockSize: 32,
      accuracyLevel: 0,
    });
    assert.equal(result.recipe.scaleDtype, 'float16');
    const name = 'model.layers.0.mlp.gate_proj.weight';
    const stored = await readInt4(result.modelPath, name, cfg.hiddenSize, cfg.intermediateSize, 32);
    // The reference quantizes what the fp16 file holds (fp16-rounded weights), with fp16 scales.
    const fp16Weights = fromFloat16Array(toFloat16Array(matMulB(weights, name)));
    const expected = quantizeInt4(fp16Weights, cfg.hiddenSize, cfg.intermediateSize, {
      symmetric: true,
      blockSize: 32,
      scaleDtype: 'float16',
    });
    assert.deepEqual(dequantizeInt4(stored), dequantizeInt4(expected));
    const base = await logitsOf(join(fp16Dir, 'model.onnx'), 'float16');
    const quant = await logitsOf(result.modelPath, 'float16');
    const { meanKl } = drift(base, quant);
    assert.ok(meanKl > 0 && meanKl < 0.3, `mean KL ${meanKl}`);
  });

  void test('external data in, external data out, same logits as the inline path', async () => {
    const inline = await quantizeModelFolder(fp32Dir, join(dir, 'out-inline'), {
      symmetric: false,
      blockSize: 32,
      accuracyLevel: 0,
    });
    const external = await quantizeModelFolder(externalDir, join(dir, 'out-ext'), {
      symmetric: false,
      blockSize: 32,
      accuracyLevel: 0,
    });
    assert.ok(external.dataPath);
    assert.ok((await readdir(join(dir, 'out-ext'))).includes('model.onnx.data'));
    assert.deepEqual(await logitsOf(external.modelPath, 'float32'), await logitsOf(inline.modelPath, 'float32'));
  });

  void test('inline input, external output (what a model past 1.5 GB gets)', async () => {
    const outDir = join(dir, 'out-forced-ext');
    await mkdir(outDir);
    const options = { symmetric: true, blockSize: 32, accuracyLevel: 0 } as const;
    const report = await quantizeOnnxFile(join(fp32Dir, 'model.onnx'), join(outDir, 'model.onnx'), {
      ...options,
      externalData: 'always',
    });
    assert.equal(report.externalData, 'model.onnx.data');
    assert.ok(report.outputDataBytes > report.outputModelBytes);
    const inline = await quantizeModelFolder(fp32Dir, join(dir, 'out-forced-inline'), options);
    assert.deepEqual(
      await logitsOf(join(outDir, 'model.onnx'), 'float32'),
      await logitsOf(inline.modelPath, 'float32'),
    );
  });

  void test('ratio keeps the most sensitive MatMuls in float', async () => {
    const result = await quantizeModelFolder(fp32Dir, join(dir, 'out-ratio'), {
      symmetric: true,
      blockSize: 32,
      accuracyLevel: 0,
      ratio: 0.5,
    });
    const { quantized, keptFloat, achievedRatio } = result.report;
    assert.ok(keptFloat.length > 0 && quantized.length > 0);
    assert.ok(Math.abs(achievedRatio - 0.5) < 0.2, `achieved ${achievedRatio}`);
    // Selection goes by ascending error, so the most sensitive MatMul overall stays float.
    const worstQuantized = Math.max(...quantized.map((q) => q.relativeError!));
    const mostSensitive = Math.max(...keptFloat.map((q) => q.relativeError!));
    assert.ok(mostSensitive >= worstQuantized);
    assert.equal(result.recipe.sensitivity, 'relative-weight-mse');
    const quantLogits = await logitsOf(result.modelPath, 'float32');
    assert.ok(drift(baseLogits, quantLogits).meanKl < 0.3);
  });

  void test('keepLmHeadFloat and channel-wise', async () => {
    const result = await quantizeModelFolder(fp32Dir, join(dir, 'out-cw'), {
      symmetric: true,
      blockSize: 32,
      channelWise: true,
      accuracyLevel: 0,
      keepLmHeadFloat: true,
    });
    assert.equal(result.recipe.lmHead, 'float');
    assert.equal(result.recipe.channelWise, true);
    assert.equal(result.recipe.blockSize, null);
    assert.ok(!result.report.quantized.some((q) => q.weight === 'lm_head.weight'));
    const name = 'model.layers.0.mlp.down_proj.weight';
    const stored = await readInt4(result.modelPath, name, cfg.intermediateSize, cfg.hiddenSize, 256);
    const expected = quantizeInt4(matMulB(weights, name), cfg.intermediateSize, cfg.hiddenSize, {
      symmetric: true,
      blockSize: 256,
      channelWise: true,
      scaleDtype: 'float32',
    });
    assert.deepEqual(dequantizeInt4(stored), dequantizeInt4(expected));
    const quantLogits = await logitsOf(result.modelPath, 'float32');
    const expectedLogits = await simulatedLogits(join(dir, 'sim-cw'), weights, {
      symmetric: true,
      blockSize: 256,
      channelWise: true,
      keepLmHead: true,
    });
    assert.ok(maxAbsDiff(quantLogits, expectedLogits) < 1e-4);
  });

  void test('abort stops and leaves no partial model', async () => {
    const controller = new AbortController();
    const outDir = join(dir, 'out-abort');
    await assert.rejects(
      quantizeModelFolder(fp32Dir, outDir, {
        symmetric: true,
        blockSize: 32,
        accuracyLevel: 0,
        signal: controller.signal,
        onProgress: (done) => {
          if (done > 0) controller.abort();
        },
      }),
      { name: 'AbortError' },
    );
    await assert.rejects(stat(outDir), { code: 'ENOENT' });
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes('out-abort')),
      [],
      'nothing at OUT, and the staging folder beside it is removed',
    );
  });

  void test('clear errors: not ONNX, truncated, nothing to quantize, same folder', async () => {
    const notOnnx = join(dir, 'not-onnx');
    await mkdir(notOnnx);
    await writeFile(join(notOnnx, 'model.onnx'), 'hello, I am a text file pretending to be a model\n');
    await assert.rejects(
      quantizeModelFolder(notOnnx, join(dir, 'o1'), { symmetric: true, blockSize: 32, accuracyLevel: 0 }),
      (error: Error) => error instanceof QuantizeError && /not a readable ONNX model|no graph/.test(error.message),
    );

    const truncated = join(dir, 'truncated');
    await mkdir(truncated);
    await copyFile(join(fp32Dir, 'model.onnx'), join(truncated, 'model.onnx'));
    await truncate(join(truncated, 'model.onnx'), Math.floor((await stat(join(fp32Dir, 'model.onnx'))).size * 0.6));
    await assert.rejects(
      quantizeModelFolder(truncated, join(dir, 'o2'), { symmetric: true, blockSize: 32, accuracyLevel: 0 }),
      /truncated|past the end/,
    );

    const g = new GraphBuilder();
    g.initializer('bias', { dataType: DataType.FLOAT, dims: [4], bytes: bytesOf(new Float32Array(4)) });
    g.node('Add', ['x', 'bias'], {}, { outputs: ['y'] });
    const noMatMul = join(dir, 'no-matmul');
    await mkdir(noMatMul);
    await writeFile(
      join(noMatMul, 'model.onnx'),
      encodeModel(g, {
        name: 'g',
        opsetVersion: 17,
        inputs: [{ name: 'x', dataType: DataType.FLOAT, shape: [4] }],
        outputs: [{ name: 'y', dataType: DataType.FLOAT, shape: [4] }],
      }),
    );
    await assert.rejects(
      quantizeModelFolder(noMatMul, join(dir, 'o3'), { symmetric: true, blockSize: 32, accuracyLevel: 0 }),
      /no MatMul/,
    );
    await assert.rejects(
      quantizeModelFolder(fp32Dir, fp32Dir, { symmetric: true, blockSize: 32, accuracyLevel: 0 }),
      /is the input folder/,
    );
    await assert.rejects(
      quantizeModelFolder(fp32Dir, join(dir, 'o4'), { symmetric: true, blockSize: 48, accuracyLevel: 0 }),
      /block size/,
    );
  });
});
