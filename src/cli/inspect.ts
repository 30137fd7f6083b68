import type { CliIo } from './io';

// Placeholder until `quant-drift inspect` lands; its owner replaces this file.
export async function runInspect(_argv: string[], io: CliIo): Promise<number> {
  io.err('quant-drift inspect: not available in this build');
  return 2;
}
