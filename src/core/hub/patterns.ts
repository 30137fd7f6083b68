/**
 * File patterns for choosing what to download (`*.onnx`, `onnx/*`, `*.json`), with huggingface_hub's
 * allow_patterns meaning: fnmatch-style, where `*` also crosses `/`.
 */
export function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern.trim()) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A bare folder name ("onnx/") selects everything under it, as snapshot_download does.
  if (source.endsWith('/')) source += '.*';
  return new RegExp(`^${source}$`);
}

export function matchesAny(file: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => patternToRegExp(pattern).test(file));
}

/** Pattern presets offered in the download command, by the model format they fetch. */
export const PATTERN_PRESETS: readonly { label: string; patterns: string[] }[] = [
  { label: 'Everything', patterns: [] },
  { label: 'OpenVINO IR + configs + tokenizer', patterns: ['*.xml', '*.bin', '*.json', '*.txt', '*.model'] },
  {
    label: 'ONNX (+ external data) + configs + tokenizer',
    patterns: ['*.onnx', '*.onnx.data', '*.onnx_data', '*.json', '*.txt', '*.model'],
  },
  { label: 'GGUF files', patterns: ['*.gguf'] },
  { label: 'safetensors + configs + tokenizer', patterns: ['*.safetensors', '*.json', '*.txt', '*.model'] },
  { label: 'Configs and tokenizer only', patterns: ['*.json', '*.txt', '*.model'] },
];
