import type { CliIo } from './io';

// Placeholder until `quant-drift compare` lands; its owner replaces this file.
export async function runCompare(_argv: string[], io: CliIo): Promise<number> {
  io.err('quant-drift compare: not available in this build');
  return 2;
}
