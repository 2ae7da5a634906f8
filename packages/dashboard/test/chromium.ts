/**
 * The browser of the dashboard's and the server's browser tests: the system's Chromium (Debian
 * `chromium`, or `VECRON_CHROMIUM`) through playwright-core, headless, in a throwaway profile. A
 * browser is never downloaded: a missing one fails the test with the command that installs it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A running browser: its one context, and `close` (browser, then profile folder). */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with an English locale and a `width` × 900 window (default 1366). */
export async function launchChromium(options: { width?: number } = {}): Promise<TestBrowser> {
  const executablePath = process.env.VECRON_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install Debian's browser with \`apt-get install -y chromium\` (or set VECRON_CHROMIUM). The browser tests need it and do not download one.`);
  }
  const profile = await mkdtemp(path.join(os.tmpdir(), 'vecron-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, args: ARGS, headless: true, viewport: { width: options.width ?? 1366, height: 900 }, locale: 'en-US' });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    close: async () => {
      try {
        await context.close();
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}
