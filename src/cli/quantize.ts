import type { CliIo } from './io';

// Placeholder until `quant-drift quantize` lands; its owner replaces this file.
export async function runQuantize(_argv: string[], io: CliIo): Promise<number> {
  io.err('quant-drift quantize: not available in this build');
  return 2;
}
