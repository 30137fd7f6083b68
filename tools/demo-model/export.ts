/**
 * Turns the trained demo weights (safetensors with Hugging Face names, from train.py) into the optimum ONNX
 * layout with KV cache, using the same JS builder the tests use (tools/model-builder/llama.ts).
 *
 * Usage: node out/tools/demo-model/export.js --weights run/model.safetensors --summary run/training-summary.json
 *        --out demo/models/fp16 [--dtype float16|float32]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeLlamaModelFolder, type LlamaConfig, type ModelDtype, type WeightMap } from '../model-builder/llama';
import { demoTokenizerFiles } from './tokenizer';

interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export async function readSafetensorsF32(path: string): Promise<WeightMap> {
  const bytes = await readFile(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, SafetensorsEntry>;
  const dataStart = 8 + headerLength;
  const weights: WeightMap = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`${name}: expected F32, found ${entry.dtype}`);
    const [start, end] = entry.data_offsets;
    const copy = new Float32Array((end - start) / 4);
    new Uint8Array(copy.buffer).set(bytes.subarray(dataStart + start, dataStart + end));
    weights.set(name, { shape: entry.shape, data: copy });
  }
  return weights;
}

interface TrainingSummary {
  config: {
    vocab_size: number;
    hidden_size: number;
    intermediate_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    num_key_value_heads: number;
    rope_theta: number;
    rms_norm_eps: number;
    max_position_embeddings: number;
    tie_word_embeddings: boolean;
    bos_token_id: number;
    eos_token_id: number;
    pad_token_id: number;
  };
}

export function llamaConfigFromTraining(summary: TrainingSummary): LlamaConfig {
  const c = summary.config;
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads: c.num_key_value_heads,
    ropeTheta: c.rope_theta,
    rmsNormEps: c.rms_norm_eps,
    maxPositionEmbeddings: c.max_position_embeddings,
    tieWordEmbeddings: c.tie_word_embeddings,
    bosTokenId: c.bos_token_id,
    eosTokenId: c.eos_token_id,
    padTokenId: c.pad_token_id,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      weights: { type: 'string' },
      summary: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string', default: 'float16' },
    },
  });
  if (!values.weights || !values.summary || !values.out) {
    throw new Error('usage: export.js --weights FILE --summary FILE --out DIR [--dtype float16|float32]');
  }
  const dtype = values.dtype as ModelDtype;
  const summary = JSON.parse(await readFile(values.summary, 'utf8')) as TrainingSummary;
  const config = llamaConfigFromTraining(summary);
  const weights = await readSafetensorsF32(values.weights);
  await writeLlamaModelFolder(values.out, config, weights, { dtype, tokenizer: demoTokenizerFiles() });
  await writeFile(join(values.out, 'training-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stderr.write(`wrote ${values.out} (${dtype})\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
