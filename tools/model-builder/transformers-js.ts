/**
 * Writes a tiny Llama in the layout of a transformers.js / onnx-community repo: config.json,
 * generation_config.json and the tokenizer at the root, the precisions side by side in `onnx/` named by
 * transformers.js' dtype suffix map (huggingface/transformers.js src/utils/dtypes.js
 * DEFAULT_DTYPE_SUFFIX_MAPPING; src/utils/model-loader.js loads `onnx/${name}${suffix}.onnx`):
 *   onnx/model.onnx (fp32), onnx/model_fp16.onnx, onnx/model_q4.onnx, onnx/model_q4f16.onnx
 * q4 and q4f16 follow transformers.js' scripts/quantize.py: MatMulNBits, block 32, symmetric, over the fp32 graph
 * (q4) and over the fp16 graph (q4f16; upstream quantizes fp32 then converts to fp16, which gives the same
 * MatMulNBits-in-an-fp16-graph file). Ours keeps fp16 graph inputs/outputs where upstream's float16 conversion
 * keeps them float32 (keep_io_types=True); transformers.js reads the cache dtype from the session either way.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quantizeOnnxFile } from '../../src/core/quantize/quantize-onnx';
import { buildLlamaOnnx, writeLlamaModelFolder, type LlamaConfig, type WeightMap } from './llama';

export type TransformersJsDtype = 'fp32' | 'fp16' | 'q4' | 'q4f16';

/** The suffixes of src/utils/dtypes.js for the dtypes this writer makes. */
const SUFFIX: Record<TransformersJsDtype, string> = { fp32: '', fp16: '_fp16', q4: '_q4', q4f16: '_q4f16' };

export interface TransformersJsRepo {
  readonly root: string;
  readonly onnxDir: string;
  /** dtype -> absolute path of its .onnx file. */
  readonly files: Readonly<Partial<Record<TransformersJsDtype, string>>>;
}

export async function writeTransformersJsRepo(
  root: string,
  cfg: LlamaConfig,
  weights: WeightMap,
  dtypes: readonly TransformersJsDtype[] = ['fp32', 'fp16', 'q4', 'q4f16'],
): Promise<TransformersJsRepo> {
  // The root's configs and tokenizer as the optimum export writes them; the fp32 graph then moves into onnx/.
  const folder = await writeLlamaModelFolder(root, cfg, weights, { dtype: 'float32' });
  const onnxDir = join(root, 'onnx');
  await mkdir(onnxDir, { recursive: true });
  const fp32 = join(onnxDir, 'model.onnx');
  await rename(folder.modelPath, fp32);
  const fp16 = join(onnxDir, 'model_fp16.onnx');
  const needFp16 = dtypes.includes('fp16') || dtypes.includes('q4f16');
  if (needFp16) await writeFile(fp16, buildLlamaOnnx(cfg, weights, 'float16'));
  const files: Partial<Record<TransformersJsDtype, string>> = {};
  const q4 = { symmetric: true, blockSize: 32, accuracyLevel: 0 as const, externalData: 'never' as const };
  for (const dtype of dtypes) {
    const file = join(onnxDir, `model${SUFFIX[dtype]}.onnx`);
    if (dtype === 'q4') await quantizeOnnxFile(fp32, file, q4);
    if (dtype === 'q4f16') await quantizeOnnxFile(fp16, file, q4);
    files[dtype] = file;
  }
  return { root, onnxDir, files };
}
