/** Output sinks for the CLI, injectable so tests can capture what a command prints. */
export interface CliIo {
  /** Results: stdout. */
  out(text: string): void;
  /** Progress and errors: stderr, so `--format json > report.json` stays clean. */
  err(text: string): void;
  readonly cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    cwd: process.cwd(),
  };
}

/** A CliIo that records output, for unit tests. */
export function memoryIo(cwd = process.cwd()): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, cwd, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}
