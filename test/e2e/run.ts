/**
 * Runs every compiled test/e2e/*.e2e.ts (out/test/e2e/*.e2e.js) with node's test runner, one file at a time
 * (each starts its own code-server and Chromium; two cores cannot run two workbenches well).
 * Usage: node out/test/e2e/run.js [FILTER...]  (FILTER: substrings of file names). Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);
const files = readdirSync(__dirname)
  .filter((name) => name.endsWith('.e2e.js'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort()
  .map((name) => path.join(__dirname, name));
if (files.length === 0) {
  process.stderr.write('e2e: no test files found\n');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
