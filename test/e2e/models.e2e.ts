/**
 * The Models view as a user sees it (issue 4, "Must show"): the fixture models (test/fixtures/generate/models.ts)
 * under the device nodes with verdict icons, and the tooltip of an asymmetric INT4 IR under Intel NPU (Lunar
 * Lake) giving the compiler failure and the rule link. Screenshot: test/e2e/screenshots/models-tree.png.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { prepareWorkspace } from '../fixtures/prepare';
import { openWorkbench, waitFor, type Workbench } from './workbench';

void describe('models view in the workbench', () => {
  let workspace: string;
  let wb: Workbench;

  void before(async () => {
    workspace = await prepareWorkspace({ log: () => undefined });
    const options = {
      workspace,
      viewport: { width: 1280, height: 800 },
      settings: {
        'quantDrift.targetDevice': 'intel-npu-lnl',
        'quantDrift.scanHuggingFaceCache': false,
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'window.commandCenter': false,
        'workbench.hover.delay': 300,
      },
    };
    wb = await openWorkbench(options);
  });

  void after(async () => {
    await wb?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  void test('devices with verdict icons, tooltip with the reason and rule link', async () => {
    const page = wb.page;
    // The Quant Drift activity-bar icon opens the view (and activates the extension through it).
    const icon = page
      .locator(
        '.activitybar .action-item a[aria-label^="Quant Drift"], .activitybar .action-item[aria-label^="Quant Drift"]',
      )
      .first();
    await waitFor('the Quant Drift activity-bar icon', () => icon.isVisible(), 120_000);
    await icon.click();
    const view = page.locator('[id="workbench.parts.sidebar"]');
    const row = (text: string) => view.locator('.monaco-list-row', { hasText: text }).first();
    await waitFor('the device nodes', () => row('Lunar Lake').isVisible(), 60_000);

    // Lunar Lake, the target device, opens first and expanded; the other devices stay collapsed.
    const lunarLake = row('Lunar Lake');
    assert.equal(await lunarLake.getAttribute('aria-expanded'), 'true', 'the target device is expanded');
    assert.notEqual(await row('CPU').getAttribute('aria-expanded'), 'true', 'CPU is collapsed');
    const asym = view.locator('.monaco-list-row[aria-level="2"]', { hasText: 'ov-int4-asym' }).first();
    await waitFor('the asymmetric IR under Lunar Lake', () => asym.isVisible(), 20_000);
    assert.ok(await asym.locator('.codicon-error').count(), 'the asymmetric IR has the error icon');
    const symmetric = view.locator('.monaco-list-row[aria-level="2"]', { hasText: 'ov-int4-sym-cw' }).first();
    assert.ok(await symmetric.locator('.codicon-pass-filled').count(), 'the symmetric IR has the pass icon');

    // Focus the tree (a click selects the row; models have no click command), then hover from outside it.
    await asym.click();
    await page.mouse.move(0, 0);
    await asym.hover();
    const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: '34450' }).first();
    await waitFor('the tooltip with the reasons', () => hover.isVisible(), 20_000).catch(async (error: unknown) => {
      await wb.screenshot('models-tree-failure');
      throw error;
    });
    const text = await hover.innerText();
    assert.match(text, /npu-asymmetric-int4/);
    assert.match(text, /int4 asym g128/);
    // Let the hover finish fading in, so the screenshot shows it settled.
    await waitFor(
      'the hover to finish fading in',
      async () =>
        (await page.evaluate(`document.getAnimations().filter((a) => a.playState === 'running').length`)) === 0,
    );
    const shot = await wb.screenshot('models-tree');
    assert.ok(shot.endsWith('models-tree.png'));
  });
});
