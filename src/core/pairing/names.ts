/**
 * What a folder's name says about precision, and the name left when those words are removed, so
 * `model-ov-fp16` and `model-ov-int4-sym-g128` are recognised as two precisions of one model.
 */

/** Lower-case words that only describe precision or quantization recipe, never the model. */
const PRECISION_WORD =
  /^(fp16|fp32|f16|f32|bf16|half|float16|float32|full|int4|int8|w4a16|w8a8|w4|nf4|q4|q8|q4_0|q4_k_m|q4_k_s|q5_k_m|q8_0|4bit|8bit|sym|asym|symmetric|asymmetric|awq|gptq|rtn|quantized|quant|g\d+|gs\d+|block\d+|b\d+|cw|channel|channelwise|per|wise|ratio\d*)$/;

export type NamePrecision = 'base' | 'int4' | 'int8' | 'unknown';

/** Splits a folder or repo name into lower-case words on `-`, `_`, `.` and spaces (keeping `q4_k_m` whole). */
export function nameWords(name: string): string[] {
  const lower = name.toLowerCase();
  const keep = lower.replace(/q(\d)_k_([ms])/g, 'q$1k$2').replace(/q(\d)_0/g, 'q$1z0');
  return keep
    .split(/[-_.\s]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.replace(/^q(\d)k([ms])$/, 'q$1_k_$2').replace(/^q(\d)z0$/, 'q$1_0'));
}

/** The name without its precision words: `model-ov-fp16` -> `model-ov`, `FP16` -> ``. */
export function nameStem(name: string): string {
  return nameWords(name)
    .filter((word) => !PRECISION_WORD.test(word))
    .join('-');
}

/** Precision the name claims, for folders whose files do not say (or before inspection). */
export function precisionFromName(name: string): NamePrecision {
  const words = nameWords(name);
  if (words.some((w) => /^(int4|w4|w4a16|nf4|4bit|q4|q4_0|q4_k_m|q4_k_s|awq|gptq)$/.test(w))) return 'int4';
  if (words.some((w) => /^(int8|w8a8|8bit|q8|q8_0)$/.test(w))) return 'int8';
  if (words.some((w) => /^(fp16|fp32|f16|f32|bf16|half|float16|float32|full)$/.test(w))) return 'base';
  return 'unknown';
}

/**
 * How closely two names denote the same model: 2 when the stems are equal, 1 when one stem starts the
 * other on a word boundary (`qwen-0.5b` and `qwen-0.5b-instruct` do NOT match: the stems differ in a word
 * that names the model, so only an empty stem counts as a prefix), 0 otherwise.
 */
export function stemMatch(a: string, b: string): 0 | 1 | 2 {
  const stemA = nameStem(a);
  const stemB = nameStem(b);
  if (stemA === stemB) return 2;
  if (stemA === '' || stemB === '') return 1;
  return 0;
}
