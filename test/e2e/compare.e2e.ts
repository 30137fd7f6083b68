/**
 * Compare panel in the real workbench (code-server + Chromium): the Explorer's right-click item on a model
 * folder, a run on the fixture pair whose INT4 twin breaks its JSON answer, screenshots in a dark and a light
 * theme, model text with HTML shown as text under the panel's CSP, and the panel restored after a reload.
 * Screenshots: test/e2e/screenshots/compare-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate, JSON_BASE_FOLDER, JSON_MODELS_DIR } from '../fixtures/generate/compare';
import { explorerRow, openContextMenu, panelFrame } from './compare-helpers';
import { openWorkbench, waitFor, type Workbench } from './workbench';

const PROMPT = 'Describe user 42 as a JSON object with an integer id.';

/** Picks a colour theme through "Preferences: Color Theme" (its own quick pick follows the palette's). */
async function setTheme(wb: Workbench, theme: string, bodyClass: string): Promise<void> {
  const input = await wb.startCommand('Preferences: Color Theme');
  await waitFor('the theme picker', async () =>
    (await input.getAttribute('placeholder'))?.toLowerCase().includes('theme'),
  );
  await input.fill(theme);
  await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first().click();
  await waitFor(`the panel to take the ${theme} theme`, async () =>
    (await panelFrame(wb.page).locator('body').getAttribute('class'))?.includes(bodyClass),
  );
}

test('compare panel: context menu, run, themes, HTML as text, reload', { timeout: 420_000 }, async () => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-compare-e2e-'));
  await generate(workspace);
  mkdirSync(path.join(workspace, '.vscode'));
  writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'quantDrift.compare.maxNewTokens': 16 }),
  );
  const wb = await openWorkbench({
    workspace,
    settings: { 'workbench.colorTheme': 'Default Dark Modern', 'window.commandCenter': false },
    viewport: { width: 1440, height: 960 },
  });
  try {
    const { page } = wb;
    // No wait on "Running Extensions": the menu item itself shows once the extension is active and has
    // scanned for model folders, and openContextMenu polls for it.

    // 1. Right-click the base model folder in the Explorer.
    await (await explorerRow(page, JSON_MODELS_DIR)).click();
    await (await explorerRow(page, JSON_BASE_FOLDER)).waitFor({ state: 'visible' });
    const item = await openContextMenu(page, JSON_BASE_FOLDER);
    // Hover the item and let the menu finish fading in, so the screenshot shows it settled.
    await item.hover();
    await waitFor(
      'the context menu to finish fading in',
      async () =>
        (await page.evaluate(`document.getAnimations().filter((a) => a.playState === 'running').length`)) === 0,
    );
    await wb.screenshot('compare-context-menu');
    await item.click();
    await waitFor(
      'the context menu to close',
      async () => (await page.locator('.context-view .monaco-menu').count()) === 0,
    );
    // The panel is up; now the folder holding the two models: its context menu has no "Compare Quantized".
    await panelFrame(page).locator('.pair .pair-side').first().waitFor({ timeout: 60_000 });
    await (await explorerRow(page, JSON_MODELS_DIR)).click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu', { hasText: 'Copy Path' }).first();
    await menu.waitFor({ state: 'visible' });
    assert.equal(await menu.locator('.action-item', { hasText: 'Compare Quantized' }).count(), 0);
    await page.keyboard.press('Escape');

    // 2. The panel opens with the pair chosen.
    const frame = panelFrame(page);
    await frame.locator('.pair .pair-side').first().waitFor({ timeout: 60_000 });
    const header = await frame.locator('.pair').innerText();
    assert.match(header, /tiny-json-fp16/);
    assert.match(header, /int4 sym g32/);
    // 3. Our prompt instead of the default suite: add it (expects JSON), remove the others, run.
    await frame.locator('#prompt-text textarea, #prompt-text').first().click();
    await page.keyboard.type(PROMPT);
    await frame.locator('#prompt-json').click();
    await frame.locator('#prompt-save').click();
    await waitFor('the prompt to be added', async () =>
      (await frame.locator('.prompt-item').last().innerText()).includes('Describe user 42'),
    );
    while ((await frame.locator('.prompt-item').count()) > 1) {
      const count = await frame.locator('.prompt-item').count();
      await frame.locator('.prompt-item vscode-button[title="Remove"]').first().click();
      await waitFor('a prompt to be removed', async () => (await frame.locator('.prompt-item').count()) < count);
    }
    await frame.locator('#run').click();
    await frame.locator('#progress.done').waitFor({ timeout: 120_000 });
    const quantOutput = frame.locator('.result .side').nth(1).locator('pre.output');
    assert.equal(await quantOutput.innerText(), '{"id":}');
    assert.equal(await frame.locator('.result .side').nth(0).locator('pre.output').innerText(), '{"id": 42}');
    assert.equal(await frame.locator('.result mark.diverged').count(), 2);
    assert.deepEqual(await frame.locator('.badge.json').allInnerTexts(), ['JSON valid (strict)', 'JSON invalid']);
    assert.equal(await frame.locator('svg.kl-chart line.divergence').count(), 1);
    assert.match(await frame.locator('.summary[aria-label="summary"]').innerText(), /FAIL/);
    await setTheme(wb, 'Dark Modern', 'vscode-dark');
    await wb.screenshot('compare-panel-dark');

    // 5. Light theme.
    await setTheme(wb, 'Light Modern', 'vscode-light');
    await wb.screenshot('compare-panel-light');
    await setTheme(wb, 'Dark High Contrast', 'vscode-high-contrast');
    await wb.screenshot('compare-panel-high-contrast');

    // 6. Reload the window: the serializer restores the panel with its results.
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await wb.runCommand('Developer: Reload Window');
    await loaded;
    const restored = panelFrame(page);
    await restored.locator('.result mark.diverged').first().waitFor({ timeout: 90_000 });
    assert.equal(await restored.locator('.result').count(), 1);
    assert.match(await restored.locator('.pair').innerText(), /tiny-json-fp16/);
    assert.match(await restored.locator('.summary[aria-label="summary"]').innerText(), /FAIL/);
    await wb.screenshot('compare-panel-restored');

    // Browser-side snippets are strings: this file is compiled for node, without the DOM library.
    await restored.locator('body').evaluate(`(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    })()`);

    // 7. Model text holding HTML arrives through the page's message path and stays text.
    await restored.locator('body').evaluate(`(() => {
      const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
      const side = (text) => ({ text, tokens: 2, tokenTexts: [text.slice(0, 10), text.slice(10)], finishReason: 'eos', jsonValid: null });
      const result = {
        id: 'hostile',
        prompt: 'print some HTML',
        expectsJson: false,
        base: side('plain text here'),
        quant: side(hostile),
        firstDivergence: 1,
        teacherForced: { tokens: 2, meanKld: 0.1, maxKld: 0.2, sameTop1: 0.5, deltaPRms: 0.1, pplBase: 2, pplQuant: 2.2 },
      };
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'promptResult', index: 1, result } }));
    })()`);
    const hostileCard = restored.locator('.result[data-result="hostile"]');
    await hostileCard.waitFor();
    assert.equal(await hostileCard.locator('img, script').count(), 0);
    assert.match(await hostileCard.locator('.side').nth(1).innerText(), /<img src=x onerror="window\.pwned = 2">/);
    assert.equal(await restored.locator('body').evaluate('window.pwned'), undefined);
    await hostileCard.evaluate('(card) => card.remove()');
    assert.deepEqual(await restored.locator('body').evaluate('window.cspViolations'), []);
  } catch (error) {
    await wb.screenshot('compare-failure').catch(() => undefined);
    throw error;
  } finally {
    await wb.close();
    rmSync(workspace, { recursive: true, force: true });
  }
});
