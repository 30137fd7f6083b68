// Unit tests: compile the TypeScript project to out/ with tsc, then run node's test runner over
// out/test/unit/**/*.test.js (node 20's --test takes no globs, so the files are listed here).
// Usage: node scripts/run-unit-tests.mjs [--no-compile] [FILTER...]  (FILTER: substrings of test file paths)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const compile = !args.includes('--no-compile');
const filters = args.filter((arg) => !arg.startsWith('--'));

function run(command, commandArgs) {
  return spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' }).status ?? 1;
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

let compileStatus = 0;
if (compile) {
  compileStatus = run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root]);
  // tsc still emits on type errors; run what compiled, but the step fails (check-types names the errors).
  if (compileStatus !== 0) console.error('unit: tsc reported errors (see above); running the tests that compiled');
}

const tests = findTests(path.join(root, 'out/test/unit'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (tests.length === 0) {
  console.error('unit: no test files found under out/test/unit');
  process.exit(1);
}
const testStatus = run(process.execPath, ['--test', '--test-reporter=spec', ...tests]);
process.exit(testStatus !== 0 ? testStatus : compileStatus);
