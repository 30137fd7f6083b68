// Entry of bench/compare: bundles main.ts and worker.ts with esbuild into bench/.work/bin (so a concurrent
// `tsc` cleaning out/ cannot pull files from under a running bench), then runs it.
//   node bench/compare/run.mjs [--threads 2] [--rounds 5] [--rebuild]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = path.join(root, 'bench', '.work', 'bin');
await esbuild.build({
  entryPoints: [path.join(root, 'bench/compare/main.ts'), path.join(root, 'bench/compare/worker.ts')],
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['onnxruntime-node', 'onnxruntime-common', '@huggingface/transformers'],
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, [path.join(outdir, 'main.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
});
process.exit(result.status ?? 1);
