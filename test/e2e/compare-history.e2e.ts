/**
 * Issue 13, panel part, in the real workbench (code-server + Chromium) on a copy of the demo workspace:
 * the first compare of `models/fp16` gets the demo's held-out prompts preselected and measures JSON validity (not
 * 0%, nothing marked invalid only because it was cut off); then Make INT4 Twin from the panel opens the new pair
 * beside the first run, which stays; the twin is compared; and the first run reopens from the history with its
 * numbers intact, next to the twins table. Screenshots: compare-first-run, compare-overview, compare-history.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { clickSettledMenuItem, explorerRow, openContextMenu, panelFrame, panelWithPair } from './compare-helpers';
import { repoRoot } from '../integration/launcher/code-server';
import { openWorkbench, waitFor } from './workbench';

const ROOT = repoRoot();
const FIRST_TWIN = 'int4-asym-cw';

/** A copy of demo/ with only the committed FP16 model, plus one twin made by the CLI (the pair to run first). */
function demoWorkspace(): string {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-history-e2e-'));
  cpSync(path.join(ROOT, 'demo'), workspace, {
    recursive: true,
    filter: (source) => !/[\\/]models[\\/]int4-[^\\/]*$/i.test(source),
  });
  const models = path.join(workspace, 'models');
  const made = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'dist', 'cli.js'),
      'quantize',
      path.join(models, 'fp16'),
      path.join(models, FIRST_TWIN),
      '--asym',
      '--channel-wise',
      '--accuracy-level',
      '0',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  return workspace;
}

/** The summary's numbers as the page shows them, by stat key. */
async function stats(frame: FrameLocator): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const stat of await frame.locator('.summary[aria-label="summary"] [data-stat]').all()) {
    const key = (await stat.getAttribute('data-stat')) ?? '';
    values[key] = (await stat.locator('.stat-value').innerText()).trim();
  }
  return values;
}

async function runAndWait(page: Page, frame: FrameLocator, how: 'shortcut' | 'click'): Promise<void> {
  if (how === 'shortcut') {
    // Ctrl+Enter from anywhere in the page runs.
    await frame.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Enter');
  } else {
    await frame.locator('#run').click();
  }
  await frame.locator('#progress.running').waitFor({ timeout: 30_000 });
  await frame.locator('#progress.done').waitFor({ timeout: 480_000 });
}

/** Numbers that must read the same when the run reopens from the history. */
const KEPT = ['verdict', 'meanKld', 'p99Kld', 'sameTop1', 'pplRatio', 'jsonValid', 'truncated', 'identical'];

test(
  'compare history: first run on the held-out prompts, make a twin, compare it, reopen the first run',
  { timeout: 1_200_000 },
  async () => {
    const workspace = demoWorkspace();
    const wb = await openWorkbench({
      workspace,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'window.commandCenter': false },
      viewport: { width: 1440, height: 1000 },
    });
    try {
      const { page } = wb;
      // 1. Right-click models/fp16 > Compare Quantized: its only twin is chosen.
      await (await explorerRow(page, 'models')).click();
      await (await explorerRow(page, 'fp16')).waitFor({ state: 'visible' });
      await clickSettledMenuItem(page, await openContextMenu(page, 'fp16'));
      const first = await panelWithPair(page, new RegExp(FIRST_TWIN));

      // 2. The demo's held-out prompts are preselected, and the header shows the limits in force.
      await waitFor('the held-out prompts to load', async () =>
        /50 prompts/.test(
          await first
            .locator('#prompt-count')
            .innerText()
            .catch(() => ''),
        ),
      );
      assert.match(
        await first.locator('#suite .selected-value').innerText(),
        // The held-out prompts with their instruction checks (the same 50 prompts as debian-heldout.jsonl).
        /prompts\/debian-heldout-tasks\.jsonl \(workspace\)/,
      );
      assert.match(
        await first.locator('#run-settings').innerText(),
        /max 64 new tokens; JSON prompts until EOS, up to 512/,
      );
      // Run is the first Tab stop of the page.
      await first.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Tab');
      assert.equal(await first.locator('body').evaluate('document.activeElement && document.activeElement.id'), 'run');
      await wb.screenshot('compare-first-run');

      // 3. Run with the shortcut: JSON validity is measured, and no answer is invalid only because it was cut off.
      await runAndWait(page, first, 'shortcut');
      const firstStats = await stats(first);
      assert.doesNotMatch(firstStats.jsonValid, /^0\.0% → 0\.0%$/);
      const truncated = /^(\d+) \/ (\d+) of (\d+)$/.exec(firstStats.truncated);
      assert.ok(truncated, `truncated: ${firstStats.truncated}`);
      assert.ok(Number(truncated[1]) * 2 < Number(truncated[3]), `most answers truncated: ${firstStats.truncated}`);
      assert.equal(await first.locator('.truncation-banner').count(), 0);
      // Browser-side snippets are strings: this file is compiled for node, without the DOM library.
      const cutAndInvalid = await first.locator('body').evaluate(`(() =>
      [...document.querySelectorAll('.result .side')].filter((side) =>
        side.querySelector('.side-head').textContent.includes('hit the token limit') &&
        /JSON invalid|schema errors/.test(side.querySelector('.badge.json') ? side.querySelector('.badge.json').textContent : '')
      ).length)()`);
      assert.equal(cutAndInvalid, 0);
      assert.equal(await first.locator('.overview-table tbody tr').count(), 50);
      // Worst KL first; "diverged only" keeps the rows that diverged.
      const kls = (await first.locator('.overview-table tbody tr td:nth-child(4)').allInnerTexts()).map(Number);
      assert.deepEqual(
        kls,
        [...kls].sort((a, b) => b - a),
      );
      await first.locator('#filter-diverged').check();
      const diverged = Number(/(\d+) diverged/.exec(await first.locator('#overview-count').innerText())?.[1]);
      assert.equal(await first.locator('.overview-table tbody tr').count(), diverged);
      await first.locator('#filter-diverged').uncheck();
      await first
        .locator('body')
        .evaluate(`document.getElementById('summary-region').scrollIntoView({ block: 'start' })`);
      await wb.screenshot('compare-overview');

      // 4. Make INT4 Twin from the panel: the recipe quick pick, its first (symmetric) recipe.
      await first.locator('#make-twin').click();
      const pick = page.locator('.quick-input-widget .monaco-list-row').first();
      await pick.waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.press('Enter');
      const second = await panelWithPair(page, /int4 sym/i, 180_000);
      // The first run stays on screen in its own panel.
      assert.equal(await page.locator('iframe.webview.ready').count(), 2);
      const twins = readdirSync(path.join(workspace, 'models')).filter(
        (name) => name !== 'fp16' && name !== FIRST_TWIN,
      );
      assert.equal(twins.length, 1, `twin folders: ${twins.join(', ')}`);

      // 5. Compare the twin on the same (preselected) prompts.
      await waitFor('the held-out prompts in the new panel', async () =>
        /50 prompts/.test(
          await second
            .locator('#prompt-count')
            .innerText()
            .catch(() => ''),
        ),
      );
      await runAndWait(page, second, 'click');

      // 6. Reopen the first run from this panel's history: its numbers are intact, and the twins table lists both.
      await second.locator('#history > summary').click();
      await second.locator('.history-item', { hasText: FIRST_TWIN }).first().click();
      await waitFor('the first run to reopen', async () => /int4-asym/.test(await second.locator('.pair').innerText()));
      await second.locator('.summary[aria-label="summary"]').waitFor();
      const reopened = await stats(second);
      assert.deepEqual(
        KEPT.map((key) => [key, reopened[key]]),
        KEPT.map((key) => [key, firstStats[key]]),
      );
      assert.equal(await second.locator('.overview-table tbody tr').count(), 50);
      assert.equal(await second.locator('.twins-table tbody tr').count(), 2);
      await second.locator('#history > summary').click();
      await waitFor('the history list', async () => (await second.locator('.history-item').count()) >= 2);
      // One wide panel for the screenshot: the first panel has served its purpose.
      await wb.runCommand('View: Close Editors in Other Groups');
      await waitFor('one panel left', async () => (await page.locator('iframe.webview.ready').count()) === 1);
      // The frame locators count webviews: the one left is now the first.
      await panelFrame(page, 0)
        .locator('body')
        .evaluate(`document.getElementById('history-region').scrollIntoView({ block: 'start' })`);
      await wb.screenshot('compare-history');
    } catch (error) {
      await wb.screenshot('compare-history-failure').catch(() => undefined);
      throw error;
    } finally {
      await wb.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  },
);
