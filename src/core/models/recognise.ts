/**
 * Recognising a model folder by its file names alone (DOMAIN-REFERENCE.md §1.4 "Exported folder layout",
 * §5.3 "Folder layouts"): cheap enough to run on every folder of a 10,000-file tree.
 */
import type { ModelFormat } from '../../protocol/models';

export interface Recognised {
  format: ModelFormat;
  /** Model files to inspect, in order of preference (the first is the main one). */
  modelFiles: string[];
}

const IR_HELPERS = /^openvino_(de)?tokenizer\.xml$/;
const ONNX_PREFERENCE = [
  'model.onnx',
  'decoder_model_merged.onnx',
  'decoder_with_past_model.onnx',
  'decoder_model.onnx',
];
const SAFETENSORS =
  /^(model|pytorch_model|adapter_model)(-\d{5}-of-\d{5})?\.safetensors$|^model\.safetensors\.index\.json$/;

export function recogniseModelFiles(names: readonly string[]): Recognised | null {
  const set = new Set(names);
  const irModels = names.filter(
    (name) => name.endsWith('.xml') && !IR_HELPERS.test(name) && set.has(`${name.slice(0, -4)}.bin`),
  );
  if (irModels.length > 0) {
    return { format: 'openvino-ir', modelFiles: sortPreferring(irModels, ['openvino_model.xml']) };
  }
  const onnx = names.filter((name) => name.endsWith('.onnx'));
  if (onnx.length > 0) {
    return {
      format: set.has('genai_config.json') ? 'onnx-genai' : 'onnx',
      modelFiles: sortPreferring(onnx, ONNX_PREFERENCE),
    };
  }
  const gguf = names.filter((name) => name.toLowerCase().endsWith('.gguf'));
  if (gguf.length > 0) return { format: 'gguf', modelFiles: gguf.sort() };
  const safetensors = names.filter((name) => SAFETENSORS.test(name) && name.endsWith('.safetensors'));
  if (safetensors.length > 0 && set.has('config.json'))
    return { format: 'safetensors', modelFiles: safetensors.sort() };
  return null;
}

function sortPreferring(files: string[], preferred: readonly string[]): string[] {
  const rank = (name: string): number => {
    const index = preferred.indexOf(name);
    return index < 0 ? preferred.length : index;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Tokenizer files a runnable folder is expected to carry, by format. */
export function expectedTokenizerFiles(format: ModelFormat): string[][] {
  // Each inner list is "any one of": a fast tokenizer.json, or a sentencepiece model.
  const huggingFace = [['tokenizer.json', 'tokenizer.model'], ['tokenizer_config.json']];
  if (format === 'openvino-ir') return [...huggingFace, ['openvino_tokenizer.xml'], ['openvino_detokenizer.xml']];
  if (format === 'gguf') return []; // GGUF embeds its tokenizer in the metadata.
  return huggingFace;
}
