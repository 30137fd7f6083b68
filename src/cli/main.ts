#!/usr/bin/env node
/**
 * `quant-drift`: the CLI on the same core as the extension (docs/ARCHITECTURE.md, "CLI contract").
 * Exit codes: 0 no errors, 1 findings at error level or a failed verdict, 2 usage or I/O.
 */
import type { CliIo } from './io';
import { processIo } from './io';

type Subcommand = (argv: string[], io: CliIo) => Promise<number>;

// Each subcommand is loaded only when asked for, so `quant-drift lint` never loads the drift engine.
const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  lint: {
    summary: 'check export commands and quantization configs (text, json, sarif)',
    load: async () => (await import('./lint')).runLint,
  },
  inspect: {
    summary: 'read model folders header-only: format, precision, device verdicts',
    load: async () => (await import('./inspect')).runInspect,
  },
  compare: {
    summary: 'run paired base/quantized prompts and report drift',
    load: async () => (await import('./compare')).runCompare,
  },
  quantize: {
    summary: 'write an INT4 (MatMulNBits) twin of an ONNX model',
    load: async () => (await import('./quantize')).runQuantize,
  },
};

export function usage(): string {
  const lines = ['Usage: quant-drift <command> [options]', '', 'Commands:'];
  for (const [name, { summary }] of Object.entries(SUBCOMMANDS)) lines.push(`  ${name.padEnd(9)} ${summary}`);
  lines.push('', 'Run `quant-drift <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(process.env.QUANT_DRIFT_VERSION ?? '0.1.0');
    return 0;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    io.err(`quant-drift: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (error) {
    io.err(`quant-drift ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
