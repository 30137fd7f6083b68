/**
 * A stand-in for the VS Code executable that `runTests({ vscodeExecutablePath })` spawns, for machines that
 * cannot download VS Code desktop. It accepts runTests' command line
 *   --extensionTestsPath=P --extensionDevelopmentPath=P [--user-data-dir=D] [--extensions-dir=D] [FOLDER] ...
 * starts code-server isolated, opens headless Chromium on the workbench with the development extension and its
 * tests in the URL payload, prints the browser console (mocha's output) and exits with the code the test runner
 * reports through `codeAutomationExit`. Started through ./code-server-launcher (a shell script, so it is executable).
 *
 * Environment: QUANT_DRIFT_TEST_TIMEOUT_MS (default 600000) bounds the whole run; QUANT_DRIFT_DEBUG=1 also
 * prints code-server's own log.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConsoleMessage } from 'playwright-core';
import { launchChromium, remoteUri, startCodeServer, workbenchUrl, type Browser, type CodeServer } from './code-server';

interface LauncherArgs {
  extensionTestsPath?: string;
  extensionDevelopmentPaths: string[];
  userDataDir?: string;
  extensionsDir?: string;
  folder?: string;
}

/** Parses runTests' arguments; Electron-only flags (--no-sandbox, --disable-updates, ...) are ignored. */
export function parseLauncherArgs(argv: string[]): LauncherArgs {
  const parsed: LauncherArgs = { extensionDevelopmentPaths: [] };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const [flag, inlineValue] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => inlineValue ?? argv[++index] ?? '';
    switch (flag) {
      case '--extensionTestsPath':
        parsed.extensionTestsPath = value();
        break;
      case '--extensionDevelopmentPath':
        parsed.extensionDevelopmentPaths.push(value());
        break;
      case '--user-data-dir':
        parsed.userDataDir = value();
        break;
      case '--extensions-dir':
        parsed.extensionsDir = value();
        break;
      default:
        if (!arg.startsWith('-')) parsed.folder = arg;
    }
  }
  return parsed;
}

/** Prints what is appended to `file` (the tests' output, see test/integration/index.ts) until stopped. */
function streamFile(file: string): { flush(): void; stop(): void } {
  let offset = 0;
  const flush = (): void => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size <= offset) return;
    const handle = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(handle, buffer, 0, buffer.length, offset);
      offset = size;
      process.stdout.write(buffer);
    } finally {
      closeSync(handle);
    }
  };
  const timer = setInterval(flush, 250);
  return { flush, stop: () => clearInterval(timer) };
}

async function main(): Promise<number> {
  const args = parseLauncherArgs(process.argv.slice(2));
  if (!args.extensionTestsPath || args.extensionDevelopmentPaths.length === 0) {
    process.stderr.write(
      'launcher: needs --extensionTestsPath= and --extensionDevelopmentPath= (as runTests passes them)\n',
    );
    return 2;
  }
  const timeoutMs = Number(process.env.QUANT_DRIFT_TEST_TIMEOUT_MS ?? 600_000);
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-chromium-'));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  const outputFile = path.join(profileDir, 'test-output.log');
  const output = streamFile(outputFile);
  let finished = false;
  const cleanup = async (): Promise<void> => {
    finished = true;
    output.stop();
    output.flush();
    if (timer) clearTimeout(timer);
    await browser?.close();
    await server?.stop();
    rmSync(profileDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const started = performance.now();
    server = await startCodeServer({
      userDataDir: args.userDataDir,
      extensionsDir: args.extensionsDir,
      env: { QUANT_DRIFT_TEST_OUTPUT_FILE: outputFile },
    });
    browser = await launchChromium(profileDir);
    const { page } = browser;
    const exitCode = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`launcher: no result within ${timeoutMs} ms, giving up\n`);
        resolve(124);
      }, timeoutMs);
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(Number(code)));
      void server!.exited.then((code) => {
        if (finished) return;
        process.stderr.write(`launcher: code-server exited early with ${code}\n`);
        resolve(1);
      });
    });
    page.on('console', (message: ConsoleMessage) => {
      if (process.env.QUANT_DRIFT_DEBUG) process.stderr.write(`[workbench ${message.type()}] ${message.text()}\n`);
    });
    page.on('pageerror', (error) => process.stderr.write(`[workbench error] ${error.message}\n`));
    const payload: [string, string][] = [
      ...args.extensionDevelopmentPaths.map((devPath): [string, string] => [
        'extensionDevelopmentPath',
        remoteUri(server!, devPath),
      ]),
      ['extensionTestsPath', remoteUri(server, args.extensionTestsPath)],
    ];
    // 'commit': the result arrives through codeAutomationExit; the page's load event can lag on a busy machine.
    await page.goto(workbenchUrl(server, args.folder, payload), { waitUntil: 'commit', timeout: 120_000 });
    const code = await exitCode;
    output.flush();
    process.stdout.write(
      `launcher: code-server ${server.url} finished with exit code ${code} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return code;
  } catch (error) {
    process.stderr.write(`launcher: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
