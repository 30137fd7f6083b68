/**
 * The first-run path a newcomer takes (issue 13, "Must show"): an empty code-server window, Help > Welcome's
 * "Get started with Quant Drift" walkthrough, its "Create Demo Workspace" button writing the demo into a folder
 * chosen in code-server's folder dialog, the new window resuming the walkthrough, each step acting on the demo
 * folders (export script, Models view, compare fp16 against int4-sym-g128), and a run on the held-out prompts whose
 * summary has JSON validity above 0% with no answer counted invalid only because it was cut off.
 * Screenshots: test/e2e/screenshots/walkthrough-*.png (the README's first-run path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import type { CompareReport } from '../../src/protocol/report';
import { openWorkbench, waitFor, type Workbench } from './workbench';

function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
}

/**
 * Back to the walkthrough: its editor tab when open, else the palette's "Welcome: Open Walkthrough..." and its
 * list of walkthroughs (a second quick pick, so not through runCommand, which waits for the palette to close).
 */
async function openWalkthrough(wb: Workbench): Promise<void> {
  const tab = wb.page.locator('.tabs-container .tab', { hasText: /Welcome|Walkthrough/ }).first();
  if (await tab.isVisible()) {
    await tab.click();
    return;
  }
  await wb.startCommand('Welcome: Open Walkthrough...');
  await wb.page
    .locator('.quick-input-widget .monaco-list-row', { hasText: 'Get started with Quant Drift' })
    .first()
    .click({ timeout: 60_000 });
}

/** The walkthrough page's step with this title, expanded (clicking its title opens it). */
async function openStep(page: Page, title: string) {
  const step = page.locator('.getting-started-step', { hasText: title }).first();
  await waitFor(`the walkthrough step "${title}"`, () => step.isVisible(), 60_000);
  if (!((await step.getAttribute('class')) ?? '').includes('expanded')) await step.locator('.step-title').click();
  await waitFor(`"${title}" to expand`, async () => ((await step.getAttribute('class')) ?? '').includes('expanded'));
  return step;
}

async function stepDone(page: Page, title: string): Promise<boolean> {
  const step = page.locator('.getting-started-step', { hasText: title }).first();
  return (await step.locator('.codicon-getting-started-step-checked, .codicon-pass-filled').count()) > 0;
}

/**
 * code-server's file dialogs (open and save) are a quick input holding a path: type it, then accept with Enter,
 * again while the dialog is still busy listing the folder.
 */
async function chooseFile(page: Page, file: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await waitFor('the file dialog', () => input.isVisible(), 30_000);
  await input.fill(file);
  await waitFor(
    'the file dialog to accept the path',
    async () => {
      if (!(await input.isVisible())) return true;
      if ((await input.inputValue()) !== file) await input.fill(file);
      await page.keyboard.press('Enter');
      return false;
    },
    60_000,
    2_000,
  );
}

/** code-server's folder dialog is a quick input holding a path: type the folder, then press its OK button. */
async function chooseFolderInDialog(page: Page, folder: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await waitFor('the folder dialog', () => input.isVisible(), 30_000);
  await input.fill(`${folder}/`);
  await waitFor('the dialog to list the folder', async () => (await input.inputValue()) === `${folder}/`);
  const ok = page.locator('.quick-input-widget .quick-input-action a, .quick-input-widget .monaco-button', {
    hasText: /Create Demo Here|OK/,
  });
  await ok.first().click();
}

test('walkthrough: create the demo workspace, then every step on its folders', { timeout: 900_000 }, async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-walkthrough-'));
  const reportFile = path.join(parent, 'quant-drift-demo', 'first-run.json');
  let wb: Workbench | undefined;
  try {
    wb = await openWorkbench({
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'window.commandCenter': false,
        // The demo's answers run to ~250 tokens (scripts/demo.mjs uses 320).
        'quantDrift.compare.maxNewTokens': 320,
      },
      viewport: { width: 1440, height: 900 },
    });
    const { page } = wb;

    // 1. Help > Welcome lists the walkthrough; open it.
    await openWalkthrough(wb);
    const create = await openStep(page, 'Create the demo workspace');
    await wb.screenshot('walkthrough-1-start');

    // 2. Create Demo Workspace: the folder dialog, then the new window on the demo.
    await create.locator('.button-link, a', { hasText: 'Create Demo Workspace' }).first().click();
    await chooseFolderInDialog(page, parent);
    await waitFor(
      'the demo written and opened',
      async () => (await page.title()).includes('quant-drift-demo'),
      180_000,
    );
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
    assert.deepEqual(readdirSync(path.join(parent, 'quant-drift-demo', 'models')).sort(), [
      'fp16',
      'int4-asym-cw',
      'int4-sym-g128',
    ]);
    // The walkthrough resumes in the new window, the first step ticked (the demo is open).
    const recipes = await openStep(page, 'Catch an unsafe NPU recipe');
    await waitFor('the demo step ticked', () => stepDone(page, 'Create the demo workspace'), 60_000);
    await wb.screenshot('walkthrough-2-demo-created');

    // 3. Step "recipes": the demo's export script opens with its NPU finding.
    await recipes.locator('.button-link, a', { hasText: 'Open the demo export script' }).first().click();
    await page
      .locator('.tabs-container .tab[data-resource-name="export-for-npu.sh"]')
      .first()
      .waitFor({ timeout: 60_000 });
    const problems = await wb.readProblems({ atLeast: 1, timeoutMs: 60_000 });
    assert.ok(
      problems.some((row) => /asymmetric/i.test(row)),
      problems.join('\n'),
    );
    await wb.screenshot('walkthrough-3-recipe');

    // 4. Step "models": the Models view, the target (Lunar Lake) first and expanded.
    await openWalkthrough(wb);
    const models = await openStep(page, 'See your models per device');
    await models.locator('.button-link, a', { hasText: 'Show the Models view' }).first().click();
    const view = page.locator('[id="workbench.parts.sidebar"]');
    const row = (text: string) => view.locator('.monaco-list-row', { hasText: text }).first();
    await waitFor('the demo models under the target', () => row('int4-asym-cw').isVisible(), 120_000);
    const target = row('Lunar Lake NPU');
    assert.equal(await target.getAttribute('aria-expanded'), 'true');
    assert.ok(await row('int4-asym-cw').locator('.codicon-error').count(), 'the asymmetric twin will not run');
    assert.ok(await row('int4-sym-g128').locator('.codicon-info').count(), 'the NPU recipe twin: a prediction');
    await wb.screenshot('walkthrough-4-models');

    // 5. Step "compare": fp16 against int4-sym-g128 in the panel, no folder dialog.
    await openWalkthrough(wb);
    const compare = await openStep(page, 'Compare FP16 with INT4');
    await compare.locator('.button-link, a', { hasText: 'Compare FP16 with int4-sym-g128' }).first().click();
    const frame = panelFrame(page);
    await frame.locator('.pair .pair-side').first().waitFor({ timeout: 120_000 });
    const header = await frame.locator('.pair').innerText();
    assert.match(header, /fp16/);
    assert.match(header, /int4 sym g128/);
    await wb.runCommand('View: Toggle Panel Visibility');
    await wb.screenshot('walkthrough-5-compare-ready');

    // The held-out prompts: preselected for the demo pair where the panel does that, else imported.
    const heldOut = async () => (await frame.locator('.prompt-item').count()) >= 40;
    if (!(await waitFor('preselected prompts', heldOut, 10_000).catch(() => false))) {
      await frame
        .locator('vscode-button, button', { hasText: /Import JSONL/ })
        .first()
        .click();
      await chooseFile(page, path.join(parent, 'quant-drift-demo', 'prompts', 'debian-heldout.jsonl'));
      await waitFor('the held-out prompts in the panel', heldOut, 60_000);
    }
    await frame.locator('#run').click();
    await frame.locator('#progress.done').waitFor({ timeout: 600_000 });
    const summary = await frame.locator('.summary[aria-label="summary"]').innerText();
    assert.doesNotMatch(summary, /JSON valid[^\n]*0\.0% *(->|→) *0\.0%/, summary);
    await wb.screenshot('walkthrough-6-compare-done');

    // The report behind the summary: JSON validity above 0%, and no answer invalid only because it was cut off.
    await frame.locator('vscode-button, button', { hasText: 'Save .json' }).first().click();
    await chooseFile(page, reportFile);
    await waitFor('the exported report', async () => existsSync(reportFile), 60_000);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as CompareReport;
    assert.ok((report.summary.jsonValidBase ?? 0) > 0 && (report.summary.jsonValidQuant ?? 0) > 0);
    for (const result of report.prompts.filter((r) => r.expectsJson)) {
      for (const side of [result.base, result.quant]) {
        if (side.finishReason !== 'length') continue;
        // A cut-off answer is "truncated", not invalid JSON.
        assert.notEqual(side.jsonValid?.extracted, false, `${result.id}: cut off and counted invalid`);
      }
    }
    await waitFor('the compare step ticked', () => stepDone(page, 'Compare FP16 with INT4'), 30_000).catch(
      () => undefined,
    );
  } catch (error) {
    await wb?.screenshot('walkthrough-failure').catch(() => undefined);
    throw error;
  } finally {
    await wb?.close();
    rmSync(parent, { recursive: true, force: true });
  }
});
