/**
 * Test entry that VS Code loads in the extension host (runTests' extensionTestsPath): runs every compiled
 * suite out/test/integration/suite/*.test.js with mocha's TDD interface. A failing test rejects, which makes
 * VS Code (or the launcher, through codeAutomationExit) exit non-zero.
 * QUANT_DRIFT_TEST_GREP narrows the run to matching test titles.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/**
 * Under the code-server launcher, console output reaches the launcher only through the browser console, mixed
 * with the workbench's own messages; the launcher asks (QUANT_DRIFT_TEST_OUTPUT_TAG) for ours to be tagged.
 */
function tagConsoleOutput(tag: string): void {
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => original(tag + format(...args));
  }
}

export function run(): Promise<void> {
  const tag = process.env.QUANT_DRIFT_TEST_OUTPUT_TAG;
  if (tag) tagConsoleOutput(tag);
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.QUANT_DRIFT_TEST_GREP;
  if (grep) mocha.grep(grep);
  const suiteDir = path.join(__dirname, 'suite');
  const files = readdirSync(suiteDir)
    .filter((name) => name.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(suiteDir, file));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
