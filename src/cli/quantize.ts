/**
 * `quant-drift quantize IN OUT`: writes an INT4 (com.microsoft MatMulNBits) twin of an ONNX model folder with the
 * built-in RTN quantizer, copies the tokenizer/config files, and records the recipe in quantization_recipe.json.
 * Progress goes to stderr; the summary (or --json) to stdout. Ctrl-C stops cleanly and removes the partial model.
 * OUT is written as a whole (a hidden folder beside it renamed into place) and must be new, empty, or a twin this
 * command wrote before (core/quantize/output-folder.ts says why and how).
 */
import { parseArgs } from 'node:util';
import { isAbsolute, resolve, sep } from 'node:path';
import { quantizeModelFolder, QuantizeError, type QuantizeOptions, type QuantizeResult } from '../core/quantize';
import type { CliIo } from './io';

const HELP = `Usage: quant-drift quantize IN OUT [options]

IN is a model folder (model.onnx, or its only .onnx file; also in its onnx/) or an .onnx file (a variant such
as onnx/model_fp16.onnx, whose configs and tokenizer come from the folder above). OUT is the folder to write, a
complete runnable twin with the tokenizer and configs: new, empty, or a twin quant-drift wrote before (replaced
as a whole). Any other folder, or one that is or holds IN, is refused.
Every MatMul with a float weight becomes an INT4 MatMulNBits (round-to-nearest, weight-only).

  --sym | --asym          symmetric (no zero points; what Intel NPUs accept, default) or asymmetric
  --block-size N          16, 32, 64, 128 or 256 along K (default 128)
  --channel-wise          one scale per output channel (stored with block_size 256)
  --accuracy-level 0|4    MatMulNBits accuracy_level: 0 compute in the activation type, 4 int8 activations (default 4)
  --ratio R               share of MatMul weights made INT4, least sensitive first; the rest stay float (default 1)
  --keep-lm-head-float    leave the lm_head MatMul in float
  --json                  print the recipe and per-MatMul report as JSON
`;

class UsageError extends Error {}

function parseOptions(
  argv: string[],
): { input: string; output: string; options: QuantizeOptions; json: boolean } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        sym: { type: 'boolean' },
        asym: { type: 'boolean' },
        'block-size': { type: 'string' },
        'channel-wise': { type: 'boolean' },
        'accuracy-level': { type: 'string' },
        ratio: { type: 'string' },
        'keep-lm-head-float': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 2) throw new UsageError(`expected IN and OUT, got ${positionals.length} path(s)`);
  if (values.sym && values.asym) throw new UsageError('--sym and --asym exclude each other');
  const blockSize = Number(values['block-size'] ?? 128);
  if (!Number.isInteger(blockSize)) throw new UsageError(`--block-size needs an integer, got ${values['block-size']}`);
  const accuracyLevel = Number(values['accuracy-level'] ?? 4);
  if (![0, 1, 2, 3, 4].includes(accuracyLevel)) {
    throw new UsageError(`--accuracy-level must be 0-4, got ${values['accuracy-level']}`);
  }
  const ratio = Number(values.ratio ?? 1);
  if (!(ratio > 0 && ratio <= 1)) throw new UsageError(`--ratio must be in (0, 1], got ${values.ratio}`);
  return {
    input: positionals[0],
    output: positionals[1],
    json: values.json ?? false,
    options: {
      symmetric: !values.asym,
      blockSize,
      channelWise: values['channel-wise'] ?? false,
      accuracyLevel: accuracyLevel as QuantizeOptions['accuracyLevel'],
      ratio,
      keepLmHeadFloat: values['keep-lm-head-float'] ?? false,
    },
  };
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function summary(result: QuantizeResult): string {
  const { recipe, report } = result;
  const precision = `int4 ${recipe.symmetric ? 'sym' : 'asym'} ${recipe.channelWise ? 'channel-wise' : `g${recipe.blockSize}`}`;
  const lines = [
    `Wrote ${result.modelPath}${result.dataPath ? ` (+ ${result.dataPath})` : ''}`,
    `  ${report.quantized.length} MatMul -> MatMulNBits (${precision}, accuracy_level ${recipe.accuracyLevel}, ${recipe.scaleDtype} scales)`,
  ];
  if (report.keptFloat.length > 0) {
    lines.push(
      `  ${report.keptFloat.length} MatMul kept float by --ratio ${recipe.ratio} (INT4 share ${(report.achievedRatio * 100).toFixed(1)}%)`,
    );
  }
  lines.push(
    `  weights ${megabytes(report.inputWeightBytes)} -> ${megabytes(report.outputModelBytes + report.outputDataBytes)} in ${result.seconds.toFixed(1)} s`,
    `  lm_head ${recipe.lmHead}, embedding ${recipe.embedding}; recipe in ${resolve(result.outDir, 'quantization_recipe.json')}`,
  );
  if (result.copiedFiles.length > 0) lines.push(`  copied ${result.copiedFiles.join(', ')}`);
  return lines.join('\n');
}

/**
 * A command-line path as the kernel reads it: relative to the working folder but not normalised, since
 * `link/..` is the link target's parent, not the working folder (path.resolve would drop both segments).
 */
function fromCwd(cwd: string, given: string): string {
  return isAbsolute(given) ? given : `${cwd}${sep}${given}`;
}

export async function runQuantize(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`quant-drift quantize: ${error.message}\n\n${HELP}`);
      return 2;
    }
    throw error;
  }
  if (parsed === 'help') {
    io.out(HELP);
    return 0;
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  let lastPercent = -1;
  let lastTime = 0;
  try {
    const result = await quantizeModelFolder(fromCwd(io.cwd, parsed.input), fromCwd(io.cwd, parsed.output), {
      ...parsed.options,
      signal: controller.signal,
      onProgress: (done, total) => {
        const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
        const now = Date.now();
        if (percent !== lastPercent && (now - lastTime > 500 || percent === 100)) {
          io.err(`quantize: ${percent}% (${megabytes(done)} of ${megabytes(total)})`);
          lastPercent = percent;
          lastTime = now;
        }
      },
    });
    for (const leftover of result.leftovers) {
      io.err(`quant-drift quantize: ${leftover} was left by an earlier run that did not finish; you may delete it`);
    }
    if (result.keptAside) {
      io.err(
        `quant-drift quantize: the replaced twin held files it had not written; they are kept in ${result.keptAside}`,
      );
    }
    io.out(
      parsed.json
        ? JSON.stringify(
            { modelPath: result.modelPath, dataPath: result.dataPath, recipe: result.recipe, report: result.report },
            null,
            2,
          )
        : summary(result),
    );
    return 0;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AbortError') io.err('quant-drift quantize: cancelled; the partial model was removed');
    else if (error instanceof QuantizeError) io.err(`quant-drift quantize: ${error.message}`);
    else io.err(`quant-drift quantize: ${(error as Error).message}`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
