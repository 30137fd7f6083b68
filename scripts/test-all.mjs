// `npm test`: build, check-types, lint, unit, integration, e2e, in that order. Every step runs even if an earlier
// one failed (except that tests need the build), each prints its own runner's summary, and a table at the end
// says which passed. Exits non-zero if any step failed.
// Usage: node scripts/test-all.mjs [--only step,step] [--skip step,step]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const listOption = (name) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1].split(',') : undefined;
};
const only = listOption('--only');
const skip = listOption('--skip') ?? [];

const STEPS = [
  { name: 'build', command: [node, 'esbuild.mjs'] },
  {
    name: 'check-types',
    command: [node, 'node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'],
    then: [node, 'node_modules/typescript/bin/tsc', '--noEmit', '-p', 'webview'],
  },
  { name: 'lint', command: [node, 'node_modules/eslint/bin/eslint.js', '.'] },
  // Compiles everything to out/ (the integration and e2e steps run from there too).
  { name: 'unit', command: [node, 'scripts/run-unit-tests.mjs'] },
  { name: 'integration', command: [node, 'out/test/integration/run.js'], needs: ['build', 'unit'] },
  { name: 'e2e', command: [node, 'out/test/e2e/run.js'], needs: ['build', 'unit'] },
];

function run([command, ...args]) {
  return (
    spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } }).status ?? 1
  );
}

const results = [];
const started = performance.now();
for (const step of STEPS) {
  if ((only && !only.includes(step.name)) || skip.includes(step.name)) continue;
  // A test step needs the compile (unit) and build outputs; a failed type check still emits, so only a
  // build failure blocks them.
  const blocked = (step.needs ?? []).filter(
    (need) => need === 'build' && results.some((r) => r.name === need && r.status !== 0),
  );
  if (blocked.length) {
    results.push({ name: step.name, status: 1, seconds: 0, note: `skipped: ${blocked.join(', ')} failed` });
    continue;
  }
  console.log(`\n======== ${step.name} ========`);
  const stepStarted = performance.now();
  let status = run(step.command);
  if (status === 0 && step.then) status = run(step.then);
  results.push({ name: step.name, status, seconds: (performance.now() - stepStarted) / 1000 });
}

console.log('\n======== summary ========');
for (const { name, status, seconds, note } of results) {
  console.log(
    `${status === 0 ? 'PASS' : 'FAIL'}  ${name.padEnd(12)} ${seconds.toFixed(1).padStart(7)} s${note ? `  (${note})` : ''}`,
  );
}
const failed = results.filter((result) => result.status !== 0);
console.log(
  `${results.length - failed.length}/${results.length} steps passed in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(failed.length ? 1 : 0);
