/**
 * `quant-drift lint [--target P] [--format text|json|sarif] [--fix] PATH...` (docs/ARCHITECTURE.md, CLI contract).
 * Exit codes: 0 no errors, 1 findings at error level, 2 usage or I/O.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DEVICE_PROFILE_IDS, isDeviceProfileId, type DeviceProfileId } from '../core/devices/profiles';
import { applyFixes, lintText, MAX_LINT_CHARS, preferredFixes } from '../core/recipe/index';
import type { Finding } from '../core/recipe/types';
import { writeFileAtomic } from '../core/fs/atomic-write';
import { formatJson } from './format/json';
import { LineIndex, type FileReport } from './format/positions';
import { formatSarif } from './format/sarif';
import { formatText } from './format/text';
import type { CliIo } from './io';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
/** Files a folder walk looks at; a file named on the command line is always read. */
const LINTABLE = /\.(sh|bash|zsh|ksh|cmd|bat|ps1|psm1|py|pyw|ipynb|md|mdx|markdown|rst|ya?ml|json|jsonc|dockerfile)$/i;
const MAX_FIX_ROUNDS = 3;

export const LINT_USAGE = [
  'Usage: quant-drift lint [--target P] [--format text|json|sarif] [--fix] PATH...',
  '',
  'Checks optimum-cli export commands and quantization configs in files and folders',
  '(folders are searched recursively; node_modules and .git are skipped).',
  '',
  `  --target P     device profile: ${DEVICE_PROFILE_IDS.join(', ')}`,
  '                 (a `quant-drift: target=P` comment in a file wins)',
  '  --format F     text (default), json or sarif (2.1.0, for code scanning)',
  '  --fix          write the preferred fixes into the files, then report what is left',
  '',
  'Exit codes: 0 no errors, 1 error-level findings, 2 usage or I/O problems.',
].join('\n');

interface Options {
  target?: DeviceProfileId;
  format: Format;
  fix: boolean;
  paths: string[];
}

function parseArgs(argv: readonly string[]): Options | string {
  const options: Options = { format: 'text', fix: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--target') {
      const target = value();
      if (!isDeviceProfileId(target))
        return `unknown target '${target ?? ''}' (expected one of ${DEVICE_PROFILE_IDS.join(', ')})`;
      options.target = target;
    } else if (name === '--format') {
      const format = value();
      if (!(FORMATS as readonly string[]).includes(format ?? ''))
        return `unknown format '${format ?? ''}' (expected text, json or sarif)`;
      options.format = format as Format;
    } else if (name === '--fix') {
      options.fix = true;
    } else if (name === '--') {
      options.paths.push(...argv.slice(i + 1));
      break;
    } else if (name.startsWith('-') && name !== '-') {
      return `unknown option '${arg}'`;
    } else {
      options.paths.push(arg);
    }
  }
  if (!options.paths.length) return 'no PATH given';
  return options;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await walk(full, out);
    } else if (entry.isFile() && (LINTABLE.test(entry.name) || /^dockerfile/i.test(entry.name))) {
      out.push(full);
    }
  }
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file)
    .split(path.sep)
    .join('/');
}

function isBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}

const tooLarge = (bytes: number): string =>
  `larger than ${MAX_LINT_CHARS / 1024 / 1024} MB (${(bytes / 1024 / 1024).toFixed(1)} MB)`;

/**
 * A regular file of at most MAX_LINT_CHARS bytes, or why it is not read. Opened non-blocking so a FIFO
 * named on the command line cannot hang the open, then checked on the handle itself (not the path it was
 * found at) to be a regular file, so a device such as /dev/zero is never read.
 */
async function readBounded(file: string): Promise<Buffer | { skipped: string }> {
  const handle = await fs.open(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { skipped: 'not a regular file' };
    if (stat.size > MAX_LINT_CHARS) return { skipped: tooLarge(stat.size) };
    // One byte more than the size read: a file that grew meanwhile is not linted (or fixed) from a torn read.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length > stat.size ? { skipped: 'it changed while it was read' } : buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Strict UTF-8 (a BOM kept as U+FEFF so a fix writes it back), or null when the bytes are not UTF-8. */
function decodeUtf8(buffer: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
  } catch {
    return null;
  }
}

/**
 * Why `--fix` will not write `file` (it is still linted), or null. A link named on the command line is not
 * written through: the fix would land in a file the command line did not name (maybe outside the tree), and
 * replacing the link by a fixed copy (what `sed -i` does) silently detaches it; a folder walk never follows links
 * either. A file with several hard links is not replaced, as the other names would keep the old text.
 */
async function fixRefusal(file: string, text: string | null): Promise<string | null> {
  const stat = await fs.lstat(file);
  if (stat.isSymbolicLink()) {
    return `it is a symbolic link (to ${await fs.readlink(file)}); run --fix on the file it points to`;
  }
  if (stat.nlink > 1) return `it has ${stat.nlink} hard links, which a rewritten file would no longer share`;
  if (text === null) return 'it is not valid UTF-8; rewriting it would replace the bytes that are not';
  return null;
}

async function lintFile(file: string, options: Options, cwd: string): Promise<FileReport> {
  const shown = displayPath(file, cwd);
  const buffer = await readBounded(file);
  if (!Buffer.isBuffer(buffer)) return { file: shown, findings: [], lines: new LineIndex(''), ...buffer };
  if (isBinary(buffer)) return { file: shown, findings: [], lines: new LineIndex(''), skipped: 'binary file' };
  const strict = decodeUtf8(buffer);
  let text = strict ?? buffer.toString('utf8');
  const ctx = { fileName: file, ...(options.target ? { target: options.target } : {}) };
  let result = lintText(text, ctx);
  let fixed = 0;
  let notFixed: string | null = null;
  if (options.fix && preferredFixes(result.findings).length > 0) {
    notFixed = await fixRefusal(file, strict);
    const original = text;
    for (let round = 0; round < MAX_FIX_ROUNDS && !notFixed; round++) {
      const fixes = preferredFixes(result.findings);
      const next = applyFixes(text, fixes);
      if (next === text) break;
      fixed += fixes.length;
      text = next;
      result = lintText(text, ctx);
    }
    if (text !== original) await writeFileAtomic(file, text);
  }
  const findings: Finding[] = result.findings;
  return {
    file: shown,
    findings,
    lines: new LineIndex(text),
    ...(result.skipped ? { skipped: result.skipped } : {}),
    ...(fixed ? { fixed } : {}),
    ...(notFixed ? { notFixed } : {}),
  };
}

export async function runLint(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(LINT_USAGE);
    return 0;
  }
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    io.err(`quant-drift lint: ${options}\n\n${LINT_USAGE}`);
    return 2;
  }
  let ioProblem = false;
  const files: string[] = [];
  for (const given of options.paths) {
    const full = path.resolve(io.cwd, given);
    try {
      const stat = await fs.stat(full);
      if (stat.isDirectory()) await walk(full, files);
      else files.push(full);
    } catch (error) {
      io.err(`quant-drift lint: cannot read ${given}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      ioProblem = true;
    }
  }
  const reports: FileReport[] = [];
  for (const file of [...new Set(files)]) {
    try {
      const report = await lintFile(file, options, io.cwd);
      if (report.skipped) io.err(`skipped ${report.file}: ${report.skipped}`);
      if (report.fixed) io.err(`fixed ${report.fixed} finding${report.fixed === 1 ? '' : 's'} in ${report.file}`);
      if (report.notFixed) io.err(`not fixed ${report.file}: ${report.notFixed}`);
      reports.push(report);
    } catch (error) {
      io.err(
        `quant-drift lint: cannot read ${displayPath(file, io.cwd)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
      ioProblem = true;
    }
  }
  io.out(
    options.format === 'json'
      ? formatJson(reports)
      : options.format === 'sarif'
        ? formatSarif(reports)
        : formatText(reports),
  );
  if (ioProblem) return 2;
  return reports.some((report) => report.findings.some((finding) => finding.severity === 'error')) ? 1 : 0;
}
