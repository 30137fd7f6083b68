/**
 * The packaged extension works: build a linux-x64 .vsix with scripts/package.mjs, install it into code-server
 * with --install-extension, open the fixture workspace, and check that Quant Drift activates from the installed
 * copy (its view container appears and Running Extensions lists it as activated). Screenshot: install.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../integration/launcher/code-server';
import { prepareWorkspace } from '../fixtures/prepare';
import { openWorkbench, waitFor } from './workbench';

test('the .vsix installs into code-server and activates', { timeout: 600_000 }, async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-vsix-'));
  const vsix = path.join(scratch, 'quant-drift-linux-x64.vsix');
  const workspace = await prepareWorkspace({ log: () => undefined });
  try {
    const packaged = spawnSync(process.execPath, ['scripts/package.mjs', '--target', 'linux-x64', '--out', vsix], {
      cwd: repoRoot(),
      encoding: 'utf8',
    });
    assert.equal(packaged.status, 0, `packaging failed:\n${packaged.stdout}\n${packaged.stderr}`);
    assert.ok(statSync(vsix).size > 0);

    const workbench = await openWorkbench({ vsix, workspace });
    try {
      // The installed copy lives in the isolated extensions folder, not the source tree.
      const installed = spawnSync('ls', [workbench.server.extensionsDir], { encoding: 'utf8' }).stdout;
      assert.match(installed, /quant-drift\.quant-drift-\d+\.\d+\.\d+/);
      const container = workbench.page.locator('.activitybar .action-item a[aria-label^="Quant Drift"]');
      await waitFor('the Quant Drift view container in the activity bar', () => container.first().isVisible(), 60_000);
      await container.first().click();
      await workbench.waitForActivation();
      await workbench.screenshot('install');
    } finally {
      await workbench.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
});
