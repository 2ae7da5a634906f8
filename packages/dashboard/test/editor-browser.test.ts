/**
 * The operator's path through the job editor in a real browser (Debian Chromium through
 * playwright-core): build a two-step job in the form builder, see a bad cron at its field, fix it,
 * see the next fires, save, run it with a payload, watch it finish live, read its step log and
 * download the file it wrote; then replay and discard dead letters in bulk.
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import type { CronSystem } from '@vecron/sdk';
import { until } from '@vecron/sdk/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DashboardActionRecord } from '../src/index.js';
import { launchChromium } from './chromium.js';
import type { TestBrowser } from './chromium.js';
import { serveDashboard, startCron, testExecutors, testImporter } from './helpers.js';

let cron: CronSystem;
let server: { base: string; close(): Promise<void> };
let browser: TestBrowser;
let context: BrowserContext;
const actions: DashboardActionRecord[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  context = browser.context;
  cron = await startCron();
  server = await serveDashboard({ cron, executors: testExecutors(), importer: testImporter(cron), onAction: (r) => void actions.push(r) }, '/dashboard');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cron?.stop({ graceMs: 0 });
});

/** A page that records script errors and accepts every confirmation, counting them. */
async function openPage(): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // htmx logs an aborted request as an error: the editor's `hx-sync="this:replace"` aborts the
    // sync in flight when the user types on (or saves), by design. A failed answer is still caught
    // (htmx:responseError, htmx:sendError).
    if (m.type() === 'error' && !/^htmx:(sendAbort|afterRequest), /.test(m.text())) errors.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  return { page, errors, dialogs };
}

/** The form builder's control for a JSON path (ids are `f` + the path). */
const control = (page: Page, p: string) => page.locator(`[id="f${p}"]`);

it('builds a two-step job in the form builder (bad cron shown at its field, fixed, fires previewed), saves, runs it with a payload, watches it live, reads its log and downloads its file', async () => {
  const { page, errors, dialogs } = await openPage();
  await page.goto(`${server.base}/editor/new`);
  await control(page, '$.name').fill('nhap-sao-ke-dem');

  // A schedule type redraws the form with the cron fields.
  await control(page, '$.schedule.type').selectOption('cron');
  await control(page, '$.schedule.expression').waitFor({ timeout: 10_000 });
  await control(page, '$.schedule.expression').fill('0 0 25 * * ?');
  // The problem is put at the field (the editor's script) and the control is marked invalid.
  const fieldError = page.locator('[data-path="$.schedule.expression"] .field-error');
  await fieldError.filter({ hasText: /hour|25/i }).first().waitFor({ timeout: 10_000 });
  expect(await control(page, '$.schedule.expression').getAttribute('aria-invalid')).toBe('true');
  await page.getByTestId('editor-no-preview').waitFor();

  await control(page, '$.schedule.expression').fill('0 30 23 ? * MON-FRI');
  const preview = page.getByTestId('editor-preview');
  await preview.waitFor({ timeout: 10_000 });
  // The schedule is fine now (the steps are not filled in yet, so the job as a whole still has problems).
  expect(await fieldError.count()).toBe(0);
  expect(await page.locator('#editor-issues li[data-path^="$.schedule"]').count()).toBe(0);
  expect(await preview.locator('tbody tr').count()).toBeGreaterThan(0);
  expect(await preview.textContent()).toContain('23:30');

  // Step 1: `talk` (a plugin's zod config becomes its form when the type changes).
  await control(page, '$.steps[0].id').fill('nhap');
  await control(page, '$.steps[0].type').selectOption('talk');
  await control(page, '$.steps[0].config.lines').waitFor({ timeout: 10_000 });
  await control(page, '$.steps[0].config.lines').fill('3');
  await control(page, '$.steps[0].config.gap_ms').fill('300');
  await control(page, '$.steps[0].config.file').fill('out/sao-ke.csv');
  // Step 2: `echo` of the run's payload.
  await page.getByTestId('add-steps').click();
  await control(page, '$.steps[1].id').waitFor({ timeout: 10_000 });
  await control(page, '$.steps[1].id').fill('bao-cao');
  await control(page, '$.steps[1].config.message').fill('"ngày {{payload.date}}"');
  await page.getByTestId('editor-valid').waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
    throw new Error(`the editor still lists problems: ${await page.locator('#editor-issues').textContent()}`, { cause: err });
  });
  // The JSON view follows the form.
  await until(async () => {
    const json = await page.locator('#editor-json').inputValue();
    try {
      const doc = JSON.parse(json) as { steps?: Array<{ id: string }> };
      return doc.steps?.length === 2 && doc.steps[1]!.id === 'bao-cao';
    } catch {
      return false;
    }
  }, { timeoutMs: 10_000, what: 'the JSON view to hold both steps' });

  await page.getByTestId('save').click();
  await page.waitForURL(/\/dashboard\/jobs\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  const jobId = page.url().split('/').pop()!;
  const job = (await cron.jobs.get(jobId))!;
  expect(job.definition.schedule).toMatchObject({ type: 'cron', expression: '0 30 23 ? * MON-FRI' });
  expect(job.definition.steps.map((s) => [s.id, s.type])).toEqual([['nhap', 'talk'], ['bao-cao', 'echo']]);
  expect(actions.find((a) => a.action === 'job.create')).toMatchObject({ resource: `job:${jobId}`, result: 'ok' });

  // Run with parameters: a JSON payload, a confirmation, the button disabled while in flight.
  await page.locator('details.run-payload summary').click();
  await page.locator('#run-payload').fill('{"date": "2026-12-07"}');
  await page.getByTestId('run-payload').click();
  const started = page.getByTestId('started-execution');
  await started.waitFor({ timeout: 10_000 });
  expect(dialogs).toEqual(['Run this job now?']);
  const executionId = (await started.getAttribute('href'))!.split('/').pop()!;

  // The execution page, live: the log lines of the first step arrive, then success, without reload.
  await started.click();
  await page.waitForURL(`**/dashboard/executions/${executionId}`);
  await page.evaluate('window.__sameDocument = true');
  await until(async () => (await page.locator('#execution').getAttribute('data-status')) === 'success', { timeoutMs: 20_000 });
  await until(async () => (await page.locator('#step-logs tr[data-level]').count()) === 3, { timeoutMs: 15_000 });
  expect(await page.evaluate('window.__sameDocument')).toBe(true);
  expect(await page.locator('#step-logs').textContent()).toContain('imported row 3');
  await until(async () => ((await page.locator('details.output[data-step-id="bao-cao"] pre').textContent()) ?? '').includes('ngày 2026-12-07'), { timeoutMs: 10_000 });

  const link = page.locator('#step-logs a[data-file="out/sao-ke.csv"]');
  await link.waitFor({ timeout: 10_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('sao-ke.csv');
  expect(readFileSync((await download.path())!, 'utf8')).toBe('account,amount\nA1,100\n');
  expect((await cron.executions.get(executionId))!.context.payload).toEqual({ date: '2026-12-07' });
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);

it('replays, then discards, the dead letters of one job in bulk from the dead-letter page', async () => {
  const flaky = await cron.jobs.create({ name: 'goi-ngan-hang-loi', max_retries: 0, steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }] });
  const other = await cron.jobs.create({ name: 'viec-khac-loi', max_retries: 0, steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }] });
  const dead: string[] = [];
  for (let i = 0; i < 3; i++) dead.push((await cron.trigger(flaky.id)).executionId);
  const theirs = (await cron.trigger(other.id)).executionId;
  for (const id of [...dead, theirs]) expect((await cron.executions.wait(id)).status).toBe('dead_letter');

  const { page, errors, dialogs } = await openPage();
  await page.goto(`${server.base}/dead-letters`);
  // The job typeahead: type part of the name, pick the suggestion, filter.
  await page.getByTestId('job-filter').fill('goi-ngan');
  await until(async () => (await page.locator('#job-options option').count()) > 0, { timeoutMs: 10_000 });
  await page.getByTestId('job-filter').fill('goi-ngan-hang-loi');
  await page.getByTestId('job-filter').press('Enter');
  await page.waitForURL(/dead-letters\?job=/);
  const rows = page.locator('tr[data-execution-id]');
  await until(async () => (await rows.count()) === 3, { timeoutMs: 10_000 });

  await page.getByTestId('replay-all').click();
  await until(async () => ((await page.locator('#flash').textContent()) ?? '').includes('Replayed: 3 dead letters.'), { timeoutMs: 10_000 });
  for (const id of dead) expect(await cron.executions.list({ triggerMetadata: { replay_of: id } })).toHaveLength(1);
  // The replays fail again and become the job's open dead letters; discard them all.
  for (const id of dead) await cron.executions.wait((await cron.executions.list({ triggerMetadata: { replay_of: id } }))[0]!.id);
  await page.reload();
  await until(async () => (await rows.count()) === 3, { timeoutMs: 10_000 });
  await page.getByTestId('discard-all').click();
  await until(async () => ((await page.locator('#flash').textContent()) ?? '').includes('Discarded: 3 dead letters.'), { timeoutMs: 10_000 });
  await page.reload();
  expect(await rows.count()).toBe(0);
  // The other job's dead letter is untouched.
  await page.goto(`${server.base}/dead-letters`);
  await until(async () => (await page.locator(`tr[data-execution-id="${theirs}"]`).count()) === 1, { timeoutMs: 10_000 });
  expect(dialogs.length).toBe(2);
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);

it('imports a job file chosen in the browser: the page reads it, a dry run lists each item, the import creates the good one', async () => {
  const { page, errors } = await openPage();
  await page.goto(`${server.base}/`);
  await page.getByTestId('import-jobs').click();
  await page.waitForURL('**/dashboard/editor/import');
  const file = JSON.stringify([
    { name: 'nhap-tu-tep', steps: [{ id: 'a', type: 'echo', config: { message: 'từ tệp' } }] },
    { name: 'nhap-tu-tep-loi', steps: [{ id: 'a', type: 'khong-co', config: {} }] },
  ]);
  await page.getByTestId('import-file').setInputFiles({ name: 'jobs.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await until(async () => (await page.getByTestId('import-text').inputValue()) === file, { what: 'the file in the text box' });
  expect(await page.getByTestId('import-dry-run').isChecked()).toBe(true);
  await page.getByTestId('import-submit').click();
  await until(async () => ((await page.getByTestId('import-summary').textContent().catch(() => '')) ?? '').includes('Dry run: 1 valid, 1 with problems'), { what: 'the dry run summary' });
  expect(await cron.jobs.getByName('nhap-tu-tep')).toBeNull();
  expect(await page.locator('#import-report tr[data-index="1"][data-status="error"] code').first().textContent()).toBe('VALIDATION_FAILED');
  // The form keeps the file; uncheck the dry run and import.
  await page.getByTestId('import-dry-run').uncheck();
  await page.getByTestId('import-submit').click();
  await until(async () => ((await page.getByTestId('import-summary').textContent().catch(() => '')) ?? '').includes('Created 1, updated 0, failed 1.'), { what: 'the import summary' });
  const created = await cron.jobs.getByName('nhap-tu-tep');
  expect(created).not.toBeNull();
  expect(await page.locator(`#import-report a[href$="/jobs/${created!.id}"]`).count()).toBe(1);
  expect(actions.find((a) => a.action === 'job.import')).toMatchObject({ result: 'PARTIAL', details: expect.objectContaining({ file: 'jobs.json', created: 1, failed: 1 }) });
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

it('a skip link leads the keyboard to the content; "reconnecting" shows only once live updates stay down for a while', async () => {
  const { page } = await openPage();
  // Live updates refused from the start: every (re)connection of the event stream fails.
  let firstRefusal = 0;
  await page.route('**/dashboard/events', async (route) => {
    firstRefusal ||= Date.now();
    await route.abort();
  });
  await page.goto(`${server.base}/`);
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")')).toBe('skip-link');
  await page.keyboard.press('Enter');
  await until(async () => (await page.evaluate('document.activeElement && document.activeElement.id')) === 'main', { what: 'the focus on the main content' });
  const badge = page.locator('#live.off');
  await badge.waitFor({ timeout: 15_000 });
  const shownAfter = Date.now() - firstRefusal;
  // The first refusal happened at least the page's delay before the badge (never at once).
  expect(firstRefusal).toBeGreaterThan(0);
  expect(shownAfter).toBeGreaterThanOrEqual(2_500);
  expect(await badge.textContent()).toBe('reconnecting…');
  await page.close();
}, 60_000);
