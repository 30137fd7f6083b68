import type { CliIo } from './io';

// Placeholder until `quant-drift lint` lands; its owner replaces this file.
export async function runLint(_argv: string[], io: CliIo): Promise<number> {
  io.err('quant-drift lint: not available in this build');
  return 2;
}
