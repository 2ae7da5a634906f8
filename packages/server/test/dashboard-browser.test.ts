/**
 * The dashboard behind the real server in a real browser (Debian Chromium through playwright-core):
 * what a Regular User sees and is refused, and what an admin sees, with the server's own roles.
 */
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { launchChromium } from '../../dashboard/test/chromium.js';
import type { TestBrowser } from '../../dashboard/test/chromium.js';
import { axeFindings, englishOnPage } from '../../dashboard/test/page-checks.js';
import { ADMIN_NEW_PASSWORD, adminToken, startTestServer, userToken } from './helpers.js';

const SHOTS = process.env.VECRON_SCREENSHOT_DIR ?? os.tmpdir();

let server: RunningServer;
let base: string;
let browser: TestBrowser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchChromium();
  context = browser.context;
  server = await startTestServer();
  base = server.apiUrl!;
  const admin = await adminToken(base);
  await userToken(base, admin, 'nhan-vien', ['Regular User']);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await context.clearCookies();
  await page.goto(`${base}/dashboard/`);
  await page.waitForURL('**/dashboard/login**');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button[type="submit"]').first().click();
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  return page;
}

it('a Regular User sees no administration entry and no import or new-job button, and every admin page is refused by URL (403)', async () => {
  const page = await signIn('nhan-vien', 'User-Password-123');
  await page.locator('h1').waitFor();
  const nav = page.locator('nav.main-nav');
  expect(await nav.getByTestId('nav-admin').count()).toBe(0);
  expect(await page.getByTestId('new-job').count()).toBe(0);
  expect(await page.getByTestId('import-jobs').count()).toBe(0);
  for (const p of ['/admin', '/admin/users', '/admin/webhooks', '/admin/audit', '/editor/new', '/editor/import']) {
    const answer = await page.goto(`${base}/dashboard${p}`);
    expect(answer?.status(), p).toBe(403);
    expect(await page.locator('main').textContent(), p).toMatch(/permission|not allowed|forbidden/i);
  }
  await page.close();
}, 90_000);

it('an admin sees the administration entry and opens users, webhooks and the audit log', async () => {
  const page = await signIn('admin', ADMIN_NEW_PASSWORD);
  await page.locator('nav.main-nav').getByTestId('nav-admin').click();
  for (const p of ['/admin/users', '/admin/webhooks', '/admin/audit']) {
    const answer = await page.goto(`${base}/dashboard${p}`);
    expect(answer?.status(), p).toBe(200);
  }
  expect(await page.locator('main').textContent()).toContain('auth.login');
  await page.close();
}, 90_000);

it('the pages only the server has (users, webhooks, audit log, import): no serious or critical axe-core finding in English and Vietnamese, no English string on the Vietnamese ones; screenshots at 1366 and 390 px', async () => {
  const page = await signIn('admin', ADMIN_NEW_PASSWORD);
  const findings: string[] = [];
  const english: string[] = [];
  for (const lang of ['en', 'vi'] as const) {
    for (const p of ['/admin', '/admin/users', '/admin/webhooks', '/admin/audit', '/editor/import']) {
      for (const width of [1366, 390]) {
        await page.setViewportSize({ width, height: 900 });
        expect((await page.goto(`${base}/dashboard${p}?lang=${lang}`))?.status(), p).toBe(200);
        await page.screenshot({ path: path.join(SHOTS, `vecron-server-${lang}-${width}-${p.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`), fullPage: true });
        if (width !== 1366) continue;
        findings.push(...(await axeFindings(page, `${lang} ${p}`)));
        if (lang === 'vi') english.push(...(await englishOnPage(page, p)));
      }
    }
  }
  expect(findings).toEqual([]);
  expect(english).toEqual([]);
  await page.close();
}, 180_000);

it('the sign-in page and the first-login password change: no serious or critical axe-core finding in English and Vietnamese, no English string on the Vietnamese ones', async () => {
  const admin = await adminToken(base);
  const findings: string[] = [];
  const english: string[] = [];
  for (const lang of ['en', 'vi'] as const) {
    // A user whose password is one-time: signing in shows the password change form.
    const username = `moi-${lang}`;
    const created = await fetch(`${base}/api/users`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'One-Time-Pass-123', roles: ['Regular User'], must_change_password: true }),
    });
    expect(created.status).toBe(201);
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/login?lang=${lang}`);
    await page.locator('input[name="username"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, `vecron-server-${lang}-1366-login.png`), fullPage: true });
    findings.push(...(await axeFindings(page, `${lang} /login`)));
    if (lang === 'vi') english.push(...(await englishOnPage(page, '/login')));
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill('One-Time-Pass-123');
    await page.locator('form button[type="submit"]').first().click();
    await page.locator('[data-testid="password-change"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, `vecron-server-${lang}-1366-password-change.png`), fullPage: true });
    findings.push(...(await axeFindings(page, `${lang} /login (password change)`)));
    if (lang === 'vi') english.push(...(await englishOnPage(page, '/login (password change)')));
    await page.close();
  }
  expect(findings).toEqual([]);
  expect(english).toEqual([]);
}, 120_000);
