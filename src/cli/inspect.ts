/**
 * `quant-drift inspect PATH... [--format json|text]` (docs/ARCHITECTURE.md, "CLI contract"): per model folder
 * `{path, format, weights: {dtype, bits, sym, groupSize}, params, sizeBytes, devices: {PROFILE: {verdict, reasons}}}`.
 * A PATH that is not itself a model folder is scanned for model folders. A folder that cannot be read or
 * parsed still gets its entry, with `error`, and the others go on.
 * Exit codes: 0 all entries read, 1 some entry has an error, 2 usage.
 */
import * as path from 'node:path';
import { DEVICE_PROFILE_IDS } from '../core/devices/profiles';
import { readdir } from 'node:fs/promises';
import {
  configErrors,
  describePrecision,
  discoverModels,
  inspectModelFolder,
  isModelFolder,
  type ModelInfo,
} from '../core/models';
import { variantPathsOf } from '../core/models/variants';
import { formatParams, formatSize } from '../core/models/format';
import type { CliIo } from './io';

const USAGE = `Usage: quant-drift inspect PATH... [--format json|text]

Reads model folders header-only (OpenVINO IR, ONNX, ONNX Runtime GenAI, GGUF, safetensors) and prints
format, weight precision, parameter count, size and a verdict per target device.
A PATH that is not a model folder is searched for model folders.`;

/** The contract fields, in contract order; extras (name, files, hub, ...) follow. */
function toJson(info: ModelInfo): Record<string, unknown> {
  const { path: folder, format, weights, params, sizeBytes, devices, error, ...extras } = info;
  const devicesOut: Record<string, { verdict: string; reasons: string[] }> = {};
  for (const id of DEVICE_PROFILE_IDS) {
    const device = devices[id];
    if (device) devicesOut[id] = { verdict: device.verdict, reasons: device.reasons };
  }
  return {
    path: folder,
    format,
    weights: { dtype: weights.dtype, bits: weights.bits, sym: weights.sym, groupSize: weights.groupSize },
    params,
    sizeBytes,
    devices: devicesOut,
    ...(error !== undefined ? { error } : {}),
    precision: describePrecision(info),
    name: extras.name,
    files: extras.files,
    isLlm: extras.isLlm,
    ...(extras.hub ? { hub: extras.hub } : {}),
    ...(configErrors(info).length > 0 ? { configErrors: configErrors(info) } : {}),
  };
}

const MARK = { ok: 'ok  ', warn: 'warn', no: 'no  ' } as const;

function toText(info: ModelInfo): string {
  const lines = [`${info.path}`];
  if (info.error) lines.push(`  error: ${info.error}`);
  lines.push(
    `  ${info.format}, ${describePrecision(info)}, ${formatParams(info.params)}, ${formatSize(info.sizeBytes)}`,
  );
  if (info.files.tokenizer.missing.length > 0)
    lines.push(`  tokenizer files missing: ${info.files.tokenizer.missing.join(', ')}`);
  for (const problem of configErrors(info)) lines.push(`  config not read: ${problem}`);
  for (const id of DEVICE_PROFILE_IDS) {
    const device = info.devices[id];
    if (!device) continue;
    lines.push(`  ${id.padEnd(14)} ${MARK[device.verdict]} ${device.reasons[0] ?? ''}`);
    for (const reason of device.reasons.slice(1)) lines.push(`  ${''.padEnd(14)}      ${reason}`);
  }
  return lines.join('\n');
}

export async function runInspect(argv: string[], io: CliIo): Promise<number> {
  let format: 'json' | 'text' = 'text';
  const paths: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--help' || arg === '-h') {
      io.out(USAGE);
      return 0;
    }
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++index];
      if (value !== 'json' && value !== 'text') {
        io.err(`quant-drift inspect: --format must be json or text, got '${value ?? ''}'`);
        return 2;
      }
      format = value;
    } else if (arg.startsWith('-')) {
      io.err(`quant-drift inspect: unknown option '${arg}'\n\n${USAGE}`);
      return 2;
    } else paths.push(arg);
  }
  if (paths.length === 0) {
    io.err(USAGE);
    return 2;
  }

  const infos: ModelInfo[] = [];
  for (const given of paths) {
    const target = path.resolve(io.cwd, given);
    if (/\.(gguf|onnx|xml)$/i.test(target)) {
      infos.push(await inspectModelFolder(target));
      continue;
    }
    if (await isModelFolder(target)) {
      // onnx/ of an onnx-community repo: each variant is a model; any other model folder is one.
      const variants = variantPathsOf(target, await readdir(target).catch(() => [] as string[]));
      for (const model of variants.length > 0 ? variants : [target]) infos.push(await inspectModelFolder(model));
      continue;
    }
    const found = await discoverModels([target]);
    for (const folder of found.folders) infos.push(await inspectModelFolder(folder));
    for (const failure of found.errors) infos.push(await inspectModelFolder(failure.path));
    // Nothing found and nothing failed: the folder itself gets the entry that says so.
    if (found.folders.length === 0 && found.errors.length === 0) infos.push(await inspectModelFolder(target));
  }

  if (format === 'json') io.out(JSON.stringify(infos.map(toJson), null, 2));
  else io.out(infos.map(toText).join('\n\n'));
  return infos.some((info) => info.error !== undefined) ? 1 : 0;
}
