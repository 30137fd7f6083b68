/**
 * Runs the integration suites inside a real VS Code with @vscode/test-electron's runTests().
 * Where VS Code can be downloaded, runTests downloads VS Code desktop as usual. Offline (or with
 * QUANT_DRIFT_VSCODE=code-server) vscodeExecutablePath points at our launcher, which runs the same suites in
 * code-server 4.100.3 (VS Code 1.100.3) driven by headless Chromium. QUANT_DRIFT_VSCODE=desktop forces the download.
 * Needs a build (dist/) and a tsc compile (out/) first; `npm test` does both.
 */
import { rmSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { prepareWorkspace } from '../fixtures/prepare';
import { repoRoot } from './launcher/code-server';

async function canDownloadVsCode(): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000).unref());
  const resolved = lookup('update.code.visualstudio.com').then(
    () => true,
    () => false,
  );
  return Promise.race([resolved, timeout]);
}

async function main(): Promise<number> {
  const root = repoRoot();
  const choice = process.env.QUANT_DRIFT_VSCODE;
  const useLauncher = choice === 'code-server' || (choice !== 'desktop' && !(await canDownloadVsCode()));
  const workspace = await prepareWorkspace();
  try {
    await runTests({
      ...(useLauncher
        ? { vscodeExecutablePath: path.join(root, 'test/integration/launcher/code-server-launcher') }
        : {}),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/index'),
      launchArgs: [workspace, ...(useLauncher ? [] : ['--disable-extensions'])],
      extensionTestsEnv: { QUANT_DRIFT_TEST_WORKSPACE: workspace },
    });
    return 0;
  } catch (error) {
    process.stderr.write(`integration: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
