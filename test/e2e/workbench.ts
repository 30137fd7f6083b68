/**
 * Browser-driven checks of the real workbench: code-server with the extension (the built tree in development
 * mode, or an installed .vsix), headless Chromium through Playwright. Used by test/e2e/*.e2e.ts.
 *
 *   const wb = await openWorkbench({ name: 'recipe', workspace });
 *   try {
 *     await wb.waitForActivation();
 *     await wb.runCommand('Quant Drift: Lint Recipes in Workspace');
 *     const problems = await wb.readProblems();
 *     await wb.screenshot('recipe-problems');
 *   } finally {
 *     await wb.close();
 *   }
 *
 * Every wait polls for a condition with a deadline; there are no fixed sleeps.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import {
  launchChromium,
  remoteUri,
  repoRoot,
  runCodeServerCli,
  startCodeServer,
  workbenchUrl,
  type Browser,
  type CodeServer,
} from '../integration/launcher/code-server';

export const EXTENSION_ID = 'quant-drift.quant-drift';
export const SCREENSHOT_DIR = path.join(repoRoot(), 'test/e2e/screenshots');

export interface WorkbenchOptions {
  /** Folder to open. */
  workspace?: string;
  /** Install this .vsix with `code-server --install-extension` instead of loading the source tree. */
  vsix?: string;
  /** Source tree to load in development mode (default: the repository root); ignored with `vsix`. */
  extensionDevelopmentPath?: string;
  /** Settings written to the user settings.json before start. */
  settings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
}

export interface Workbench {
  readonly page: Page;
  readonly server: CodeServer;
  /** Browser console errors and page errors seen so far. */
  readonly errors: string[];
  /** Polls "Developer: Show Running Extensions" until the extension is listed as activated. */
  waitForActivation(timeoutMs?: number): Promise<void>;
  /** Runs a command from the palette (F1), clicking the row whose label is exactly `title`. */
  runCommand(title: string): Promise<void>;
  /** Picks the command like runCommand, without waiting for the palette to close (its own quick pick follows). */
  startCommand(title: string): Promise<Locator>;
  /** Opens a workspace file through Quick Open. */
  openFile(relativePath: string): Promise<void>;
  /** The Problems panel's rows (their accessible labels), opening the panel if needed. */
  readProblems(options?: { atLeast?: number; timeoutMs?: number }): Promise<string[]>;
  /** Texts of the notification toasts currently shown. */
  notifications(): Promise<string[]>;
  /** Saves test/e2e/screenshots/NAME.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Polls `condition` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'quant-drift-e2e-'));
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
    ...options.settings,
  };
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    if (options.vsix) {
      await runCodeServerCli(
        ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', options.vsix],
        scratch,
      );
    }
    server = await startCodeServer({ userDataDir, extensionsDir });
    browser = await launchChromium(path.join(scratch, 'chromium'), options.viewport);
  } catch (error) {
    await browser?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const page = browser.page;
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const payload: [string, string][] = options.vsix
    ? []
    : [['extensionDevelopmentPath', remoteUri(server, options.extensionDevelopmentPath ?? repoRoot())]];
  // A busy machine (load far above the core count) can take over 30 s to load the workbench.
  await page.goto(workbenchUrl(server, options.workspace, payload), { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  // The explorer (or an empty window's welcome) shows once the workbench has restored its parts.
  await page
    .locator('.part.sidebar:visible, .part.editor:visible')
    .first()
    .waitFor({ state: 'visible', timeout: 60_000 });
  return new PlaywrightWorkbench(page, server, browser, scratch, errors);
}

class PlaywrightWorkbench implements Workbench {
  private closed = false;
  constructor(
    readonly page: Page,
    readonly server: CodeServer,
    private readonly browser: Browser,
    private readonly scratch: string,
    readonly errors: string[],
  ) {}

  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  private async openPalette(prefix: string): Promise<Locator> {
    const input = this.quickInput().locator('input.input');
    await waitFor('the command palette to open', async () => {
      if (!(await input.isVisible())) await this.page.keyboard.press('F1');
      return input.isVisible();
    });
    await input.fill(prefix);
    return input;
  }

  async runCommand(title: string): Promise<void> {
    const input = await this.startCommand(title);
    await waitFor('the command palette to close', async () => !(await input.isVisible()), 10_000);
  }

  async startCommand(title: string): Promise<Locator> {
    const input = await this.openPalette(`>${title}`);
    // Enter would pick the first match, which may be a longer title containing ours: click the exact label.
    const row = this.quickInput()
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
      const shown = await this.quickInput().locator('.monaco-list-row .label-name').allInnerTexts();
      throw new Error(`command "${title}" is not in the palette; shown: ${shown.join(' | ') || 'nothing'}`);
    });
    await row.click();
    return input;
  }

  async openFile(relativePath: string): Promise<void> {
    const input = this.quickInput().locator('input.input');
    await waitFor('quick open', async () => {
      if (!(await input.isVisible())) await this.page.keyboard.press('Control+P');
      return input.isVisible();
    });
    await input.fill(relativePath);
    const name = path.basename(relativePath);
    const row = this.quickInput()
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) })
      .first();
    await row.click({ timeout: 30_000 });
    await this.page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first().waitFor({ timeout: 30_000 });
  }

  async waitForActivation(timeoutMs = 60_000): Promise<void> {
    await this.runCommand('Developer: Show Running Extensions');
    const row = this.page.locator('.runtime-extensions-editor .monaco-list-row', {
      has: this.page.locator('.name', { hasText: 'Quant Drift' }),
    });
    const activated = async (): Promise<string | false> => {
      if (!(await row.first().isVisible())) return false;
      const text = await row.first().innerText();
      // Activated rows show the activation time ("Activation: 12ms").
      return /activation/i.test(text) ? text : false;
    };
    const started = Date.now();
    let triggered = false;
    await waitFor(
      'Quant Drift to be listed as activated in Running Extensions',
      async () => {
        if (await activated()) return true;
        // Nothing in the workspace triggered activation yet: open our view container (onView activation),
        // then give the sidebar back to the explorer.
        if (!triggered && Date.now() - started > 3000) {
          triggered = true;
          await this.page.locator('.activitybar .action-item a[aria-label^="Quant Drift"]').first().click();
          await this.page.keyboard.press('Control+Shift+E');
        }
        return false;
      },
      timeoutMs,
    );
    // Close the Running Extensions editor so the test continues on the layout it had.
    await this.runCommand('View: Close Editor');
  }

  async readProblems(options: { atLeast?: number; timeoutMs?: number } = {}): Promise<string[]> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: 15_000 });
    const rows = panel.locator('.monaco-list-row');
    const atLeast = options.atLeast ?? 0;
    return waitFor(
      `at least ${atLeast} row(s) in the Problems panel`,
      async () => {
        const labels: string[] = await rows.evaluateAll((elements: PageElement[]) =>
          elements.map((element) => element.getAttribute('aria-label') ?? element.textContent ?? ''),
        );
        return labels.length >= atLeast ? labels : false;
      },
      options.timeoutMs ?? 30_000,
    );
  }

  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.browser.close();
    await this.server.stop();
    rmSync(this.scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** What page callbacks use of a DOM element (the node project has no DOM types). */
interface PageElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
