/**
 * The recipe check as a user sees it (issue 3, "Must show"): export.sh with an asymmetric INT4 export gets a
 * squiggle and a Problems entry, and Ctrl+. offers "Add --sym" as the preferred fix. Screenshot:
 * test/e2e/screenshots/recipe-quickfix.png.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { prepareWorkspace } from '../fixtures/prepare';
import { openWorkbench, waitFor, type Workbench } from './workbench';

void describe('recipe checks in the workbench', () => {
  let workspace: string;
  let wb: Workbench;

  void before(async () => {
    workspace = await prepareWorkspace({ log: () => undefined });
    wb = await openWorkbench({
      workspace,
      viewport: { width: 1440, height: 760 },
      settings: {
        'quantDrift.targetDevice': 'intel-npu-lnl',
        'editor.fontSize': 15,
        'editor.minimap.enabled': false,
        'breadcrumbs.enabled': false,
        'workbench.activityBar.location': 'hidden',
        'window.commandCenter': false,
      },
    });
  });

  void after(async () => {
    await wb?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  void test('asymmetric INT4 in export.sh: squiggle, Problems entry, quick fix menu', async () => {
    const page = wb.page;
    await wb.openFile('recipes/export.sh');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible', timeout: 60_000 });

    const problems = await wb.readProblems({ atLeast: 1 });
    assert.ok(
      problems.some((label) => /without --sym/.test(label)),
      `a Problems entry for the missing --sym: ${problems.join(' | ')}`,
    );

    // The sidebar takes room the command needs; the Problems panel stays open under the editor.
    await wb.runCommand('View: Close Primary Side Bar');
    const value = page.locator('.monaco-editor .view-line span', { hasText: /^int4$/ }).first();
    await value.click();
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget');
    const preferred = menu.locator('.monaco-list-row', { hasText: 'Add --sym' });
    await waitFor('the quick fix menu with "Add --sym"', () => preferred.first().isVisible(), 20_000);
    const shot = await wb.screenshot('recipe-quickfix');
    assert.ok(shot.endsWith('recipe-quickfix.png'));

    // The menu's pointer block swallows clicks in headless Chromium; Enter applies the focused (preferred) fix.
    await page.keyboard.press('Enter');
    await waitFor(
      'the squiggle to go once --sym is added',
      async () => (await page.locator('.monaco-editor .squiggly-error').count()) === 0,
      20_000,
    );
    const text = await page.locator('.monaco-editor .view-lines').first().innerText();
    assert.match(text.replace(/\u00a0/g, ' '), /--weight-format int4 --sym/);
  });

  void test('a notebook: the ! export cell and the nncf INT4_ASYM cell are flagged in the notebook editor', async () => {
    const page = wb.page;
    await page.keyboard.press('Escape');
    await wb.openFile('recipes/export.ipynb');
    const cells = page.locator('.notebook-editor .cell-editor-container .monaco-editor');
    await waitFor(
      'two code cells with a squiggle',
      async () => {
        const squiggles = await page.locator('.notebook-editor .cell-editor-container .squiggly-error').count();
        return (await cells.count()) >= 2 && squiggles >= 2;
      },
      60_000,
    );
    const problems = await wb.readProblems({ atLeast: 2 });
    assert.ok(
      problems.some((label) => /without --sym/.test(label)) && problems.some((label) => /INT4_ASYM/.test(label)),
      `Problems entries for both cells: ${problems.join(' | ')}`,
    );
    await wb.screenshot('recipe-notebook');
  });
});
