/**
 * Activation cost of the extension host bundle, against the goals activate() < 10 ms and dist/extension.js < 500 KB,
 * and proof from esbuild's metafile that onnxruntime is not in the host bundle.
 *
 * activate() is timed by loading the production dist/extension.js in plain node with a permissive `vscode` stub
 * (every API call returns a disposable-like object), so it measures our code's work at activation, not VS Code's.
 * With --host it also runs the activation integration suite in the real extension host (code-server) and reads the
 * activationMs the extension itself reports.
 * Usage: node out/bench/activation/main.js [--runs N] [--host] [--no-build]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { repoRoot } from '../../test/integration/launcher/code-server';
import { fakeContext, permissiveStub, vscodeApiNames } from '../../test/unit/support/vscode-stub';

const GOAL_ACTIVATE_MS = 10;
const GOAL_BUNDLE_KB = 500;

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { bytes: number; imports: { path: string; external?: boolean }[] }>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function activateInStub(root: string, runs: number): { requireMs: number; firstMs: number; activateMs: number } {
  const stub = permissiveStub('vscode', vscodeApiNames(root));
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = loader._load;
  loader._load = (request: string, ...rest: unknown[]) =>
    request === 'vscode' ? stub : originalLoad(request, ...rest);
  try {
    const entry = path.join(root, 'dist/extension.js');
    const requireStarted = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const extension = require(entry) as { activate: (context: unknown) => unknown };
    const requireMs = performance.now() - requireStarted;
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      extension.activate(fakeContext(root));
      times.push(performance.now() - started);
    }
    return { requireMs, firstMs: times[0], activateMs: median(times) };
  } finally {
    loader._load = originalLoad;
  }
}

function activateInHost(root: string): number | undefined {
  const result = spawnSync(process.execPath, ['out/test/integration/run.js'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      QUANT_DRIFT_TEST_GREP: 'activation',
      QUANT_DRIFT_VSCODE: process.env.QUANT_DRIFT_VSCODE ?? 'code-server',
    },
  });
  const match = /activate\(\) took ([\d.]+) ms/.exec(result.stdout);
  if (!match) process.stderr.write(`host run gave no activation time:\n${result.stdout}\n${result.stderr}\n`);
  return match ? Number(match[1]) : undefined;
}

function ratio(value: number, goal: number): string {
  return `${(value / goal).toFixed(2)}x goal`;
}

function main(): number {
  const root = repoRoot();
  const args = process.argv.slice(2);
  const runsIndex = args.indexOf('--runs');
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 20;
  if (!args.includes('--no-build')) {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--production', '--quiet'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (build.status !== 0) return 1;
  }
  const bundleKb = statSync(path.join(root, 'dist/extension.js')).size / 1024;
  const meta = JSON.parse(readFileSync(path.join(root, 'dist/meta-extension.json'), 'utf8')) as Metafile;
  const onnxInputs = Object.keys(meta.inputs).filter((input) => input.includes('onnxruntime'));
  const onnxImports = Object.values(meta.outputs).flatMap((output) =>
    output.imports.filter((imp) => imp.path.includes('onnxruntime')),
  );
  const largest = Object.entries(meta.inputs as Record<string, { bytes: number }>)
    .filter(([input]) => input.includes('node_modules/'))
    .reduce<Record<string, number>>((sizes, [input, { bytes }]) => {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)![1];
      sizes[pkg] = (sizes[pkg] ?? 0) + bytes;
      return sizes;
    }, {});
  const { requireMs, firstMs, activateMs } = activateInStub(root, runs);
  const hostMs = args.includes('--host') ? activateInHost(root) : undefined;

  console.log(`activation benchmark (${args.includes('--no-build') ? 'dist/ as built' : 'production build'})`);
  console.log(
    `  first activate(), vscode stub             : ${firstMs.toFixed(3)} ms   ${ratio(firstMs, GOAL_ACTIVATE_MS)} (goal < ${GOAL_ACTIVATE_MS} ms)`,
  );
  console.log(
    `  activate() median of ${String(runs).padEnd(3)} runs, stub     : ${activateMs.toFixed(3)} ms   ${ratio(activateMs, GOAL_ACTIVATE_MS)} (goal < ${GOAL_ACTIVATE_MS} ms)`,
  );
  if (hostMs !== undefined) {
    console.log(
      `  activate() in the real extension host     : ${hostMs.toFixed(3)} ms   ${ratio(hostMs, GOAL_ACTIVATE_MS)}`,
    );
  }
  console.log(
    `  require(dist/extension.js)                : ${requireMs.toFixed(3)} ms   (module load, before activate)`,
  );
  console.log(
    `  host bundle dist/extension.js             : ${bundleKb.toFixed(1)} KB   ${ratio(bundleKb, GOAL_BUNDLE_KB)} (goal < ${GOAL_BUNDLE_KB} KB)`,
  );
  const top = Object.entries(largest)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)} KB`);
  console.log(`  largest packages in it (input bytes)      : ${top.join(', ') || 'none'}`);
  const clean = onnxInputs.length === 0 && onnxImports.length === 0;
  console.log(
    `  onnxruntime in the host bundle            : ${clean ? 'no' : `YES: ${[...onnxInputs, ...onnxImports.map((imp) => imp.path)].join(', ')}`}`,
  );
  return clean ? 0 : 1;
}

process.exitCode = main();
