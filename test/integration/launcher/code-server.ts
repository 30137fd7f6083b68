/**
 * Starts code-server (VS Code 1.100.3 for the browser) isolated in a temp folder, and headless Debian Chromium
 * on its workbench. Shared by the integration launcher (runTests' vscodeExecutablePath) and the e2e tests.
 * Everything started here runs in its own process group and is killed as a group: extension hosts outlive the
 * browser, so killing only the direct child would leak them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * The repository root, found from this compiled file's location. tsc copies package.json into out/ when code
 * imports it, so the root is the folder whose package.json is ours and that also holds esbuild.mjs.
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      existsSync(path.join(dir, 'esbuild.mjs')) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'quant-drift'
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`quant-drift package.json not found above ${__dirname}`);
    dir = parent;
  }
}

/** code-server installed by scripts/setup.sh, or QUANT_DRIFT_CODE_SERVER. */
export function codeServerPath(): string {
  const fromEnv = process.env.QUANT_DRIFT_CODE_SERVER;
  const candidate = fromEnv ?? path.join(repoRoot(), '.cache/code-server/node_modules/.bin/code-server');
  if (!existsSync(candidate)) {
    throw new Error(`code-server not found at ${candidate}: run \`bash scripts/setup.sh\` first`);
  }
  return candidate;
}

export function chromiumPath(): string {
  const candidate = process.env.QUANT_DRIFT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) {
    throw new Error(`Chromium not found at ${candidate}: run \`bash scripts/setup.sh\` first`);
  }
  return candidate;
}

export interface CodeServerOptions {
  /** Folder to open, if any. */
  folder?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** Extra arguments before the folder, e.g. --install-extension FILE. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Lines of code-server's own output go here (default: dropped unless QUANT_DRIFT_DEBUG is set). */
  onOutput?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  /** Scratch folder (XDG dirs, default user data and extensions) removed by stop(). */
  readonly scratchDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Environment that keeps code-server and its extension hosts out of the home folder. */
export function isolatedEnv(scratchDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const [name, sub] of [
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_DATA_HOME', 'data'],
    ['XDG_CACHE_HOME', 'cache'],
    ['XDG_STATE_HOME', 'state'],
  ] as const) {
    env[name] = path.join(scratchDir, sub);
    mkdirSync(env[name], { recursive: true });
  }
  // A password in the environment would switch --auth none back on in some versions; never inherit one.
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  return env;
}

function splitLines(onLine: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
}

/** Kills a process group: SIGTERM, then SIGKILL if anything is left after `graceMs`. */
export async function killGroup(child: ChildProcess, exited: Promise<unknown>, graceMs = 3000): Promise<void> {
  if (child.pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  await Promise.race([exited, timer]);
  // Extension hosts may ignore SIGTERM or outlive the server: make sure the whole group is gone.
  signalGroup('SIGKILL');
}

/** Runs code-server once to completion (e.g. `--install-extension x.vsix`) with the same isolation. */
export async function runCodeServerCli(
  args: string[],
  scratchDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const child = spawn(codeServerPath(), args, {
    env: isolatedEnv(scratchDir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`code-server ${args.join(' ')} exited with ${code}:\n${output}`);
  return output;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-code-server-'));
  const userDataDir = options.userDataDir ?? path.join(scratchDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(scratchDir, 'extensions');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const configFile = path.join(scratchDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  // Port 0: the kernel picks a free port and code-server prints it, so parallel runs never collide.
  const args = [
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...(options.extraArgs ?? []),
    ...(options.folder ? [options.folder] : []),
  ];
  const child = spawn(codeServerPath(), args, {
    env: isolatedEnv(scratchDir, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const debug = process.env.QUANT_DRIFT_DEBUG
    ? (line: string) => process.stderr.write(`[code-server] ${line}\n`)
    : undefined;
  const onOutput = options.onOutput ?? debug;
  const recent: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timeout = setTimeout(
      () =>
        reject(
          new Error(`code-server did not start within ${options.readyTimeoutMs ?? 60_000} ms:\n${recent.join('\n')}`),
        ),
      options.readyTimeoutMs ?? 60_000,
    );
    const onLine = (line: string): void => {
      recent.push(line);
      if (recent.length > 40) recent.shift();
      onOutput?.(line);
      const match = /HTTP server listening on https?:\/\/[^:\s]+:(\d+)/.exec(line);
      if (match) {
        clearTimeout(timeout);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', splitLines(onLine));
    child.stderr.on('data', splitLines(onLine));
    child.on('error', (error) => {
      clearTimeout(timeout);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`code-server exited with ${code} before listening:\n${recent.join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    await killGroup(child, exited);
    rmSync(scratchDir, { recursive: true, force: true });
    throw error;
  });
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    scratchDir,
    userDataDir,
    extensionsDir,
    exited,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killGroup(child, exited);
      rmSync(scratchDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** Chromium flags from ENVIRONMENT.md: headless, no sandbox (root), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile under `profileDir`. */
export async function launchChromium(profileDir: string, viewport = { width: 1400, height: 900 }): Promise<Browser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    // We kill everything ourselves; let Playwright not install competing signal handlers.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
    },
  };
}

/** `vscode-remote://` URI of a path on the code-server machine, for the workbench payload. */
export function remoteUri(server: CodeServer, fsPath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${path.resolve(fsPath)}`;
}

/**
 * The workbench URL: opens `folder`, and with a payload, runs an extension in development mode and its tests
 * (code-server rejects --extensionDevelopmentPath on its own command line but honours the payload).
 */
export function workbenchUrl(server: CodeServer, folder: string | undefined, payload: [string, string][] = []): string {
  const query = new URLSearchParams();
  if (folder) query.set('folder', path.resolve(folder));
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${server.url}/?${query.toString()}`;
}
