/**
 * What a pair this machine cannot run would need. The runner hosts onnxruntime-node only, so an
 * OpenVINO IR, GGUF or PyTorch pair gets an explanation instead of a failing run.
 */
import { basename } from 'node:path';
import type { GraphScan } from '../drift/graph-scan';
import type { FolderPrecision, ModelFormat } from './inspect';

const NEEDS: Record<Exclude<ModelFormat, 'onnx' | 'onnx-genai'>, string> = {
  'openvino-ir':
    'OpenVINO IR needs the OpenVINO runtime (openvino-node or optimum-intel), which this build does not bundle. ' +
    'To compare here, export both precisions to ONNX (`optimum-cli export onnx --model MODEL OUT`) and make the INT4 side with "Make INT4 Twin"; ' +
    'or measure on the device with `optimum-cli` / OpenVINO GenAI.',
  gguf:
    'GGUF needs llama.cpp: `llama-perplexity -m BASE.gguf --kl-divergence-base logits.bin` then ' +
    '`llama-perplexity -m QUANT.gguf --kl-divergence-base logits.bin --kl-divergence` gives the same KL statistics.',
  safetensors:
    'PyTorch safetensors weights need an ONNX export first: `optimum-cli export onnx --model FOLDER OUT --task text-generation-with-past`, ' +
    'then "Make INT4 Twin" on the export.',
  unknown: 'No model file this tool can read was found (expected model.onnx with config.json and tokenizer.json).',
};

/** The panel's message for a pair whose side(s) the runner refuses (modelRefusal in src/core/drift/model-folder.ts). */
export function pairRefusalMessage(base: string | null, quant: string | null): string | null {
  if (base && quant) return `Both models are refused. Base: ${base} Quantized: ${quant}`;
  if (base) return `The base model is refused: ${base}`;
  if (quant) return `The quantized model is refused: ${quant}`;
  return null;
}

/** null when both sides run with onnxruntime-node; otherwise the message the panel shows. */
export function runnablePairMessage(base: FolderPrecision, quant: FolderPrecision): string | null {
  const blocked = [base, quant].filter((side) => side.format !== 'onnx' && side.format !== 'onnx-genai');
  if (blocked.length === 0) return null;
  const formats = [...new Set(blocked.map((side) => side.format))] as (keyof typeof NEEDS)[];
  const which =
    blocked.length === 2 ? 'Both models are' : blocked[0] === base ? 'The base model is' : 'The quantized model is';
  return `${which} ${formats.join(' / ')}; this machine runs ONNX models only. ${formats.map((f) => NEEDS[f]).join(' ')}`;
}

// ---- ONNX layouts the runner recognises but does not drive ----------------------------------------------------
// Decided from the header (genai_config.json and the graph's inputs, outputs and op types), before onnxruntime
// loads anything, so the user gets the reason and an alternative instead of onnxruntime's raw error. The CLI and
// the runner meet these through loadModelLayout (src/core/drift/model-folder.ts), the panel and pairing through
// modelRefusal there.

/** ONNX TensorProto.DataType values the messages name. */
const BFLOAT16 = 16;
const FLOAT_TYPES = new Set([1, 10, BFLOAT16]);

type Json = Record<string, unknown>;

const asJson = (value: unknown): Json | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;

/** The ONNX files of an ONNX Runtime GenAI `decoder-pipeline` (array or object style, src/config.cpp). */
function pipelineFiles(pipeline: unknown): string[] {
  const stages = Array.isArray(pipeline) ? pipeline.map(asJson) : [asJson(pipeline)];
  const files: string[] = [];
  for (const group of stages) {
    for (const stage of Object.values(group ?? {})) {
      const filename = asJson(stage)?.filename;
      if (typeof filename === 'string') files.push(filename);
    }
  }
  return files;
}

/** A GenAI config the runner cannot drive: a decoder pipeline (microsoft/onnxruntime-genai test/models/pipeline-model). */
export function genaiRefusal(genai: Json | null, folder: string): string | null {
  const model = asJson(genai?.model);
  const decoder = asJson(model?.decoder);
  if (model?.type !== 'decoder-pipeline' && decoder?.pipeline === undefined) return null;
  const files = pipelineFiles(decoder?.pipeline);
  return (
    `${folder} is an ONNX Runtime GenAI decoder-pipeline (${files.length || 'several'} ONNX files run in turn` +
    `${files.length ? `: ${files.join(', ')}` : ''}), usually split for an NPU; this runner drives one decoder graph. ` +
    'Compare the single-file export it was split from (the GenAI model builder without the pipeline split, or ' +
    '`optimum-cli export onnx`), or measure the pipeline with onnxruntime-genai itself.'
  );
}

function fixedSequence(shape: readonly (number | string)[], axis: number): number | null {
  const dim = shape[axis];
  return typeof dim === 'number' && dim > 1 ? dim : null;
}

/** The first reason the graph cannot run here, or null. `genai` is the folder's genai_config.json, if any. */
export function graphRefusal(scan: GraphScan, onnxPath: string, genai: Json | null): string | null {
  const name = basename(onnxPath);
  if (scan.epContextSources.length || scan.opCounts.has('EPContext')) {
    const sources = scan.epContextSources.join(', ') || 'an execution provider';
    return (
      `${name} is compiled for ${sources} (EPContext nodes hold a precompiled binary, not ONNX operators), so ` +
      'only that device can run it. Compare the ONNX model it was compiled from (before the QNN or OpenVINO ' +
      'EPContext step), which runs on CPU, or measure on the device.'
    );
  }
  if (scan.inputs.some((input) => input.name === 'inputs_embeds') && !scan.inputs.some((i) => i.name === 'input_ids')) {
    return (
      `${name} takes inputs_embeds instead of input_ids (an exclude_embeds export: the embedding runs in a ` +
      'separate model, as in multimodal or pipeline builds). Compare a text-only export that includes the ' +
      'embedding (the GenAI model builder without exclude_embeds, or `optimum-cli export onnx`).'
    );
  }
  const ids = scan.inputs.find((input) => input.name === 'input_ids');
  const pastKey = scan.inputs.find((input) => /^past/.test(input.name) && /key/.test(input.name));
  const fixedIds = ids ? fixedSequence(ids.shape, 1) : null;
  const fixedPast = pastKey && !scan.attention.slidingWindowCache ? fixedSequence(pastKey.shape, 2) : null;
  if (fixedIds !== null || fixedPast !== null) {
    const what =
      fixedIds !== null ? `input_ids fixed at ${fixedIds} tokens` : `a KV cache fixed at ${fixedPast} positions`;
    return (
      `${name} is a static-shape graph (${what}), as exported for Qualcomm QNN or other NPUs that need fixed ` +
      'shapes; it runs only with the padding and cache sliding its own runtime does. Compare the dynamic-shape ' +
      'export it was made from (`optimum-cli export onnx` or the GenAI model builder for cpu).'
    );
  }
  if (scan.attention.quantizedCache) {
    return (
      `${name} stores its KV cache quantized (GroupQueryAttention with k_quant_type/v_quant_type), which needs ` +
      'the scales the GenAI runtime manages. Compare a build with a float KV cache (the GenAI model builder ' +
      'without the KV-cache quantization option).'
    );
  }
  const kvType = pastKey?.elemType ?? null;
  if (kvType !== null && !FLOAT_TYPES.has(kvType)) {
    return (
      `${name} has a quantized KV cache (${pastKey!.name} is ONNX type ${kvType}, not float). Compare a build ` +
      'with a float16 or float32 KV cache.'
    );
  }
  const logits = scan.outputs.find((output) => output.name === 'logits');
  if (kvType === BFLOAT16 || logits?.elemType === BFLOAT16) {
    return (
      `${name} is a bf16 export (its KV cache or logits are bfloat16): onnxruntime-node has no bfloat16 tensor ` +
      'type (creating the session fails with "Unsupported data type: 16"), so it can neither feed the cache nor ' +
      'read the logits, and bf16 attention is a GPU path. Export the model in float16 or float32 ' +
      '(`optimum-cli export onnx --dtype fp16`, or the GenAI model builder with -p fp16/fp32) and compare that.'
    );
  }
  if (scan.attention.slidingWindowCache) {
    const decoder = asJson(asJson(genai?.model)?.decoder);
    const window = asJson(decoder?.sliding_window)?.window_size;
    return (
      `${name} keeps window-sized KV caches (GroupQueryAttention with sliding_window_cache=1` +
      `${typeof window === 'number' ? `, window ${window}` : ''}), ring buffers that ONNX Runtime GenAI sizes and ` +
      'slides; this runner feeds full-length caches. Build it with windowed_kv_cache=false (full-length KV) to ' +
      'compare it here, or measure it with onnxruntime-genai.'
    );
  }
  return null;
}
