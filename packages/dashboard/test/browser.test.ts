import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { CronSystem } from '@vecron/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { toLocalInput } from '../src/views/timeline.js';
import { launchChromium } from './chromium.js';
import type { TestBrowser } from './chromium.js';
import { fakeAdmin, serveDashboard, startCron, testExecutors, testImporter } from './helpers.js';
import { axeFindings, englishFragments, englishOnPage } from './page-checks.js';

const SHOTS = process.env.VECRON_SCREENSHOT_DIR ?? os.tmpdir();

/** Retries an assertion until it passes (the page updates asynchronously) or 10 s pass. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const textOf = async (l: Locator): Promise<string> => ((await l.textContent()) ?? '').trim();

let cron: CronSystem;
let server: { base: string; close(): Promise<void> };
let browser: TestBrowser;
let context: BrowserContext;
const admin = fakeAdmin();

beforeAll(async () => {
  browser = await launchChromium({ width: 1360 });
  context = browser.context;
  cron = await startCron();
  server = await serveDashboard({ cron, executors: testExecutors(), importer: testImporter(cron), admin }, '/dashboard');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cron?.stop({ graceMs: 0 });
});

it('runs a job from the jobs page and watches it turn to success live over SSE, opens its steps, switches to Vietnamese', async () => {
  const job = await cron.jobs.create({
    name: 'sao-ke-ngan-hang', description: 'Daily bank statement import', schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI' },
    steps: [
      { id: 'fetch', name: 'Fetch statement', type: 'echo', config: { message: { rows: 3, bank: 'Ngân hàng Demo' }, ms: 1200 } },
      { id: 'store', name: 'Store rows', type: 'echo', config: { message: '{{steps.fetch.output.said.rows}}', ms: 300 } },
    ],
  });
  await cron.jobs.create({ name: 'doi-soat-cuoi-ngay', description: 'End-of-day reconciliation', schedule: { type: 'cron', expression: '0 30 23 ? * MON-SAT', timezone: 'Asia/Ho_Chi_Minh' }, steps: [{ id: 'a', type: 'echo', config: { message: 'x' } }] });
  const page: Page = await context.newPage();
  // Run now and Replay ask for confirmation; count the questions and say yes.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });

  await page.goto(`${server.base}/`);
  await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Jobs'));
  // The SSE connection is up (the indicator turns on when the stream opens).
  await page.locator('#live.on').waitFor({ timeout: 10_000 });
  // A marker that a reload would wipe.
  await page.evaluate(() => ((globalThis as unknown as { __noReload: number }).__noReload = 42));

  const row = page.locator(`#jobs tr[data-job-id="${job.id}"]`);
  await row.getByTestId('run-now').click();
  const started = page.getByTestId('started-execution');
  await started.waitFor({ timeout: 10_000 });
  const href = (await started.getAttribute('href'))!;
  const executionId = href.split('/').pop()!;
  expect(dialogs).toEqual(['Run this job now?']);

  // The recent-executions panel shows the run while it runs, then success — refreshed by SSE events, no reload.
  const execRow = page.locator(`#executions tr[data-execution-id="${executionId}"]`);
  await execRow.waitFor({ timeout: 10_000 });
  await page.locator(`#executions tr[data-execution-id="${executionId}"][data-status="running"]`).waitFor({ timeout: 10_000 });
  await page.locator(`#executions tr[data-execution-id="${executionId}"][data-status="success"]`).waitFor({ timeout: 15_000 });
  // The jobs table's "last run" and the counters follow too.
  await eventually(async () => expect(await textOf(row.locator('.badge'))).toBe('success'));
  await eventually(async () => expect(await textOf(page.getByTestId('counters.success24h').locator('.count'))).toBe('1'));
  expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: number }).__noReload)).toBe(42);
  await page.screenshot({ path: path.join(SHOTS, 'vecron-dashboard-jobs.png'), fullPage: true });

  // The execution page: both steps on the timeline, outputs pretty-printed.
  await execRow.locator('a').first().click();
  await page.waitForURL(`**/dashboard/executions/${executionId}`);
  await eventually(async () => expect(await page.locator('#execution').getAttribute('data-status')).toBe('success'));
  await eventually(async () => expect(await page.locator('.timeline li[data-step-id="fetch"]').getAttribute('data-status')).toBe('succeeded'));
  await eventually(async () => expect(await page.locator('.timeline li[data-step-id="store"]').getAttribute('data-status')).toBe('succeeded'));
  await eventually(async () => expect(await textOf(page.locator('details.output[data-step-id="fetch"] pre'))).toContain('"bank": "Ngân hàng Demo"'));
  await page.screenshot({ path: path.join(SHOTS, 'vecron-dashboard-execution.png'), fullPage: true });

  // Vietnamese, kept across pages by the cookie.
  await page.getByTestId('lang-vi').click();
  await eventually(async () => expect(await page.locator('html').getAttribute('lang')).toBe('vi'));
  await eventually(async () => expect(await textOf(page.locator('.timeline').locator('..').locator('h2'))).toBe('Dòng thời gian các bước'));
  await page.getByRole('link', { name: 'Tác vụ', exact: true }).click();
  await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Tác vụ'));
  await eventually(async () => expect(await textOf(page.locator(`#jobs tr[data-job-id="${job.id}"]`).getByTestId('run-now'))).toBe('Chạy ngay'));
  await page.screenshot({ path: path.join(SHOTS, 'vecron-dashboard-jobs-vi.png'), fullPage: true });

  expect(errors).toEqual([]);
}, 90_000);


it('shows a running step\'s log live on the execution page (secret masked), then downloads the file it wrote', async () => {
  await cron.variables.set({ name: 'API_TOKEN', value: 'tok-super-secret-42', sensitive: true });
  const job = await cron.jobs.create({ name: 'nhap-sao-ke', steps: [{ id: 'nhap', name: 'Import rows', type: 'talk', config: { lines: 4, gap_ms: 1500, file: 'out/sao-ke.csv' } }] });
  const { executionId } = await cron.trigger(job.id);
  const page: Page = await context.newPage();
  await page.goto(`${server.base}/executions/${executionId}`);
  await page.evaluate('window.__sameDocument = true');
  const rows = page.locator('#step-logs tr[data-level]');
  // Lines appear while the step still runs, pushed over SSE (no reload: the marker survives).
  await eventually(async () => expect(await rows.count()).toBeGreaterThanOrEqual(1), 15_000);
  expect((await cron.executions.get(executionId))!.status).toBe('running');
  await eventually(async () => expect(await rows.count()).toBe(4), 20_000);
  expect(await page.evaluate('window.__sameDocument')).toBe(true);
  const panel = await textOf(page.locator('#step-logs'));
  expect(panel).toContain('imported row 4 with key ••••••');
  expect(panel).toContain('Ngân hàng Demo');
  expect(panel).not.toContain('tok-super-secret-42');
  expect(await textOf(page.locator('#step-logs summary').first())).toContain('Import rows');

  const link = page.locator('#step-logs a[data-file="out/sao-ke.csv"]');
  await eventually(async () => expect(await link.count()).toBe(1), 15_000);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('sao-ke.csv');
  expect(readFileSync((await download.path())!, 'utf8')).toBe('account,amount\nA1,100\n');
  // Only recorded names are served: traversal and other paths are 404.
  for (const name of ['../../../../etc/passwd', '/etc/passwd', 'out/../out/sao-ke.csv']) {
    expect((await page.request.get(`${server.base}/executions/${executionId}/files/${encodeURIComponent(name)}`)).status(), name).toBe(404);
  }
  await page.close();
}, 90_000);

it('every page: no serious or critical axe-core finding in English and Vietnamese, no English string on a Vietnamese page; screenshots at 1366 and 390 px', async () => {
  // Data in neutral words, so any English on a Vietnamese page comes from the dashboard itself.
  const job = await cron.jobs.create({
    name: 'bao-cao-thang', description: 'Báo cáo cuối tháng', schedule: { type: 'cron', expression: '0 0 9 * * ?', timezone: 'Asia/Ho_Chi_Minh', calendar: 'vn', calendar_shift: 'following' },
    steps: [{ id: 'lay', name: 'Lấy dữ liệu', type: 'echo', config: { message: 'xin chào' } }],
  });
  const failing = await cron.jobs.create({ name: 'loi-mang', schedule: null, max_retries: 0, steps: [{ id: 'goi', type: 'flaky', config: {}, retry_count: 0 }] });
  const ok = (await cron.trigger(job.id)).executionId;
  await cron.executions.wait(ok);
  const dead = (await cron.trigger(failing.id)).executionId;
  await cron.executions.wait(dead);
  const dead2 = (await cron.trigger(failing.id)).executionId;
  await cron.executions.wait(dead2);
  await cron.executions.wait((await cron.executions.replay(dead2)).executionId);

  // A run with step logs and a recorded file, so the logs panel is checked too.
  const talker = await cron.jobs.create({ name: 'ghi-nhat-ky', steps: [{ id: 'ghi', type: 'talk', config: { lines: 2, file: 'out/bao-cao.csv' } }] });
  const logged = (await cron.trigger(talker.id)).executionId;
  await cron.executions.wait(logged);
  await eventually(async () => expect((await cron.executions.logs(logged)).length).toBe(2));
  // The administration pages: variables (one sensitive, masked), calendars and a year of the built-in one.
  await cron.variables.set({ name: 'MAT_KHAU', value: 'bi-mat-123', sensitive: true });
  await admin.createWebhook({ id: 'dashboard', name: 'dashboard' }, job.id);
  const ADMIN_PAGES = ['/variables', `/variables?job=${job.id}`, '/calendars', '/calendars/vn?year=2026', '/admin/users', '/admin/webhooks', '/admin/audit?verify=1'];
  // The timeline around now (the runs above), in the dashboard's zone.
  const around = (ms: number): string => toLocalInput(new Date(Date.now() + ms), 'Asia/Ho_Chi_Minh');
  const pages = ['/', `/jobs/${job.id}`, `/jobs/${failing.id}`, '/executions', `/executions?job=${failing.id}&status=dead_letter`, `/executions/${ok}`, `/executions/${dead}`, `/executions/${logged}`, '/dead-letters', '/dead-letters?replayed=1',
    `/timeline?from=${around(-3600_000)}&to=${around(3600_000)}`, '/timeline', '/upcoming?days=7', '/no-such-page', ...ADMIN_PAGES,
    '/editor/new', `/editor/${job.id}`, `/editor/new?from=${job.id}`, `/editor/${job.id}/delete`, '/editor/import'];
  const fragments = englishFragments();
  const page: Page = await context.newPage();
  const findings: string[] = [];
  const english: string[] = [];
  for (const lang of ['en', 'vi'] as const) {
    for (const p of pages) {
      const url = `${server.base}${p}${p.includes('?') ? '&' : '?'}lang=${lang}`;
      for (const width of [1366, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(url);
        await page.locator('main').waitFor();
        const name = `vecron-${lang}-${width}-${p.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'jobs'}.png`.slice(0, 120);
        await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
        if (width !== 1366) continue;
        findings.push(...(await axeFindings(page, `${lang} ${p}`)));
        if (lang === 'vi') english.push(...(await englishOnPage(page, p, fragments)));
      }
    }
  }
  expect(findings).toEqual([]);
  expect(english).toEqual([]);
}, 300_000);
