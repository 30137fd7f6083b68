/** Compare-panel helpers shared by the e2e tests: the panel's frames, Explorer rows and the folder context menu. */
import type { FrameLocator, Page } from 'playwright-core';
import { waitFor } from './workbench';

/** The page inside the n-th webview (VS Code nests it in an iframe holding #active-frame). */
export function panelFrame(page: Page, index = 0): FrameLocator {
  return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('#active-frame');
}

/** The compare panel whose pair header matches `pattern` (several panels may be open). */
export async function panelWithPair(page: Page, pattern: RegExp, timeoutMs = 60_000): Promise<FrameLocator> {
  return waitFor(
    `a compare panel whose pair matches ${String(pattern)}`,
    async () => {
      const count = await page.locator('iframe.webview.ready').count();
      for (let i = 0; i < count; i++) {
        const frame = panelFrame(page, i);
        const pair = frame.locator('.pair');
        if ((await pair.count()) > 0 && pattern.test(await pair.innerText().catch(() => ''))) return frame;
      }
      return undefined;
    },
    timeoutMs,
    500,
  );
}

export async function explorerRow(page: Page, name: string) {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
}

/** Right-clicks the folder until our item shows (the model-folder context key arrives after activation). */
export async function openContextMenu(page: Page, folder: string, itemText = 'Compare Quantized') {
  const item = page.locator('.context-view .monaco-menu .action-item', { hasText: itemText }).first();
  await waitFor(
    `the "${itemText}" item in the folder context menu`,
    async () => {
      await page.keyboard.press('Escape');
      await (await explorerRow(page, folder)).click({ button: 'right' });
      await page.locator('.context-view .monaco-menu').first().waitFor({ state: 'visible', timeout: 5_000 });
      return item.isVisible();
    },
    240_000,
    1_000,
  );
  return item;
}

/** Clicks a context-menu item once the menu has finished fading in (a click during the animation can be lost). */
export async function clickSettledMenuItem(page: Page, item: Awaited<ReturnType<typeof openContextMenu>>) {
  await item.hover();
  await waitFor(
    'the context menu to finish fading in',
    async () => (await page.evaluate(`document.getAnimations().filter((a) => a.playState === 'running').length`)) === 0,
  );
  await item.click();
  await waitFor(
    'the context menu to close',
    async () => (await page.locator('.context-view .monaco-menu').count()) === 0,
  );
}
