/**
 * What a pair this machine cannot run would need. The runner hosts onnxruntime-node only, so an
 * OpenVINO IR, GGUF or PyTorch pair gets an explanation instead of a failing run.
 */
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

/** null when both sides run with onnxruntime-node; otherwise the message the panel shows. */
export function runnablePairMessage(base: FolderPrecision, quant: FolderPrecision): string | null {
  const blocked = [base, quant].filter((side) => side.format !== 'onnx' && side.format !== 'onnx-genai');
  if (blocked.length === 0) return null;
  const formats = [...new Set(blocked.map((side) => side.format))] as (keyof typeof NEEDS)[];
  const which =
    blocked.length === 2 ? 'Both models are' : blocked[0] === base ? 'The base model is' : 'The quantized model is';
  return `${which} ${formats.join(' / ')}; this machine runs ONNX models only. ${formats.map((f) => NEEDS[f]).join(' ')}`;
}
