/**
 * Test entry that VS Code loads in the extension host (runTests' extensionTestsPath): runs every compiled
 * suite out/test/integration/suite/*.test.js with mocha's TDD interface. A failing test rejects, which makes
 * VS Code (or the launcher, through codeAutomationExit) exit non-zero.
 * QUANT_DRIFT_TEST_GREP narrows the run to matching test titles.
 */
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import type MochaType from 'mocha';

/**
 * Under the code-server launcher the extension host's console reaches the launcher only through the browser,
 * mixed with the workbench's own messages. So when the launcher names a file (QUANT_DRIFT_TEST_OUTPUT_FILE), the
 * reporter's lines are also appended there, and the launcher streams that file. (Replacing console.log in the
 * extension host has no effect on what reaches the browser, so tests report numbers in their titles.)
 */
function teeOutput(file: string, Mocha: typeof MochaType): void {
  const write = (args: unknown[]): void => appendFileSync(file, `${format(...args)}\n`);
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const reporterLog = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    write(args);
    reporterLog(...args);
  };
}

export function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha') as typeof MochaType;
  const outputFile = process.env.QUANT_DRIFT_TEST_OUTPUT_FILE;
  if (outputFile) teeOutput(outputFile, Mocha);
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
