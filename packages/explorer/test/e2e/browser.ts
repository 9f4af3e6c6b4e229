/**
 * A real browser for the explorer's tests: Debian's chromium driven by playwright-core (no
 * browser download is possible here). A fresh profile per run, nothing fetched from outside.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.POA_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go; CI keeps this folder (gitignored). */
export const SHOTS = resolve(
  import.meta.dirname ?? new URL('.', import.meta.url).pathname,
  '../../../../artifacts/explorer',
);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab that records console errors and page errors. */
  page(): Promise<Page & { problems: string[] }>;
  close(): Promise<void>;
}

/** Launch chromium with a fresh --user-data-dir; the message says how to install it when it is missing. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set POA_CHROMIUM to a Chromium binary`,
    );
  const profile = mkdtempSync(join(tmpdir(), 'explorer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    // A phone-sized window: the page must read well on one.
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 1,
  });
  mkdirSync(SHOTS, { recursive: true });
  return {
    context,
    async page() {
      const page = (await context.newPage()) as Page & { problems: string[] };
      page.problems = [];
      page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        // A 404 is an answer the page reads (a vote some validator does not know), not a fault.
        if (msg.type() === 'error' && !/status of 404/.test(msg.text())) page.problems.push(`console: ${msg.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot into artifacts/explorer/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
