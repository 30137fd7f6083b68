// Packages the extension as a .vsix with `vsce package --no-dependencies`.
//   node scripts/package.mjs [--target linux-x64|linux-arm64|win32-x64|win32-arm64|darwin-arm64] [--out FILE] [--no-build]
// The host, CLI, runner and webview are esbuild bundles, so the only runtime files from node_modules are
// onnxruntime-node (native, loaded by the runner child process) and onnxruntime-common. They are staged under
// dist/node_modules (found by Node's resolution from dist/runner.js) with only the target platform's binaries;
// without --target all bundled platforms are staged (one universal, ~290 MB .vsix). One .vsix per target is
// the VS Code convention for native code: the Marketplace serves each platform its own.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const target = option('--target');
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
  'darwin-arm64': 'darwin/arm64',
};
if (target && !TARGETS[target]) {
  console.error(`package: unknown --target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!args.includes('--no-build')) run(process.execPath, ['esbuild.mjs', '--production', '--quiet']);

const staged = path.join(root, 'dist/node_modules');
rmSync(staged, { recursive: true, force: true });
try {
  const binDir = 'bin/napi-v6';
  for (const name of ['onnxruntime-common', 'onnxruntime-node']) {
    const from = path.join(root, 'node_modules', name);
    cpSync(from, path.join(staged, name), {
      recursive: true,
      filter: (source) => {
        const relative = path.relative(from, source).split(path.sep).join('/');
        if (relative.startsWith('script') || relative.startsWith('lib/') || relative.endsWith('.map')) return false;
        if (!target || !relative.startsWith(`${binDir}/`)) return true;
        // Keep bin/napi-v6, bin/napi-v6/<os>, bin/napi-v6/<os>/<arch>/** of the target only.
        const platformPath = relative.slice(binDir.length + 1);
        const wanted = TARGETS[target];
        return wanted.startsWith(platformPath) || platformPath.startsWith(`${wanted}/`) || platformPath === wanted;
      },
    });
  }
  run(process.execPath, [
    path.join(root, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--skip-license',
    // README images are relative (screenshots the tests write); there is no public repository to rewrite them to.
    '--no-rewrite-relative-links',
    ...(target ? ['--target', target] : []),
    ...(option('--out') ? ['--out', option('--out')] : []),
  ]);
} finally {
  rmSync(staged, { recursive: true, force: true });
}
const out = option('--out');
const vsix = out
  ? path.resolve(root, out)
  : readdirSync(root)
      .filter((name) => name.endsWith('.vsix'))
      .map((name) => path.join(root, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (vsix && existsSync(vsix)) console.log(`package: ${vsix} ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB`);
