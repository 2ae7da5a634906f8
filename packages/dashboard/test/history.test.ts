import type { CronSystem, Job } from '@vecron/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLocalInput } from '../src/views/timeline.js';
import { browserClient, serveDashboard, startCron } from './helpers.js';

// History and time pages (issue 13) against a real embedded cron system (PGlite).
let cron: CronSystem;
let open: { base: string; close(): Promise<void> };

beforeAll(async () => {
  cron = await startCron();
  open = await serveDashboard({ cron });
});
afterAll(async () => {
  await open.close();
  await cron.stop({ graceMs: 0 });
});

let n = 0;
const ECHO = [{ id: 'hello', type: 'echo', config: { message: 'xin chào' } }];
const makeJob = (over: Record<string, unknown> = {}): Promise<Job> =>
  cron.jobs.create({ name: `history-${++n}-${Date.now()}`, schedule: null, steps: ECHO, ...over });

describe('job page history', () => {
  it('shows the runs in the grid with their statuses and links, their durations and the failure rate of today', async () => {
    const job = await makeJob();
    const ok1 = (await cron.trigger(job.id)).executionId;
    expect((await cron.executions.wait(ok1)).status).toBe('success');
    const ok2 = (await cron.trigger(job.id)).executionId;
    expect((await cron.executions.wait(ok2)).status).toBe('success');
    await cron.jobs.update(job.id, { name: job.name, schedule: null, steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }], max_retries: 0 });
    const dead = (await cron.trigger(job.id)).executionId;
    expect((await cron.executions.wait(dead)).status).toBe('dead_letter');

    const { status, text } = await browserClient(open.base).get(`/jobs/${job.id}`);
    expect(status).toBe(200);
    const cells = [...text.matchAll(/<a class="cell tone-(\w+)" href="\/dash\/executions\/([^"]+)" title="[^"]*" aria-label="([^"]*)" data-status="(\w+)">/g)];
    expect(cells.map((c) => [c[2], c[4], c[1]])).toEqual([[ok1, 'success', 'ok'], [ok2, 'success', 'ok'], [dead, 'dead_letter', 'bad']]);
    expect(cells[2]![3]).toMatch(/^dead letter, started \d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d, took [\d.]+ (ms|s)$/);
    expect(text).toContain('Durations of the last 3 finished runs');
    expect(text).toMatch(/<svg class="chart"[^>]*role="img"[^>]*data-testid="duration-chart"/);
    expect(text).toContain('Over the last 14 days 1 of 3 runs failed (33.3%)');

    const month = await browserClient(open.base).get(`/jobs/${job.id}?days=30`);
    expect(month.text).toContain('Over the last 30 days 1 of 3 runs failed');
    expect(month.text).toMatch(/<a href="\/dash\/jobs\/[^"]+\?days=30#history" aria-current="true">30 days<\/a>/);
    const vi = await browserClient(open.base).get(`/jobs/${job.id}?lang=vi`);
    expect(vi.text).toContain('Trong 14 ngày qua có 1 trên 3 lượt chạy thất bại');
    // The card refreshes live from its fragment (same content, period kept).
    expect(text).toContain(`data-live="/dash/fragments/jobs/${job.id}/history" data-live-on="execution" data-live-job="${job.id}"`);
    const fragment = await browserClient(open.base).get(`/fragments/jobs/${job.id}/history?days=30`);
    expect(fragment.text).toMatch(/^<section class="card" id="history"/);
    expect(fragment.text).toContain('Over the last 30 days 1 of 3 runs failed');
    expect((await browserClient(open.base).get('/fragments/jobs/not-a-uuid/history')).status).toBe(404);
  });

  it('the jobs list shows a strip of each job\'s newest runs (at most 20, oldest first) from one read', async () => {
    const busy = await makeJob({ name: `strip-busy-${Date.now()}` });
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) ids.push((await cron.trigger(busy.id)).executionId);
    for (const id of ids) await cron.executions.wait(id);
    const { text } = await browserClient(open.base).get(`/?q=${encodeURIComponent(busy.name)}`);
    const row = new RegExp(`<tr data-job-id="${busy.id}"(.*?)</tr>`, 's').exec(text)?.[1] ?? '';
    const strip = [...row.matchAll(/<a class="cell tone-ok" href="\/dash\/executions\/([^"]+)"[^>]* tabindex="-1">/g)].map((m) => m[1]);
    const newest = (await cron.executions.list({ jobId: busy.id, limit: 20 })).map((e) => e.id).reverse();
    expect(strip).toEqual(newest);
    expect(row).toContain('<ol class="run-grid compact" aria-label="Last 20 runs, oldest first"');
    // The last status is the newest run.
    expect(row).toContain(`<a href="/dash/executions/${newest[19]}"><span class="badge st-success"`);
  });

  it('a job without runs says so', async () => {
    const job = await makeJob();
    const { text } = await browserClient(open.base).get(`/jobs/${job.id}`);
    expect(text).toContain('No runs yet.');
    expect(text).toContain('No finished runs yet.');
    expect(text).toContain('Over the last 14 days 0 of 0 runs failed');
  });
});

describe('timeline', () => {
  const TZ = 'Asia/Ho_Chi_Minh';
  const local = (msFromNow: number): string => toLocalInput(new Date(Date.now() + msFromNow), TZ);

  it('places each run in its job row inside the chosen window, linked to the execution; other windows leave it out', async () => {
    const a = await makeJob({ name: `zz-timeline-a-${Date.now()}` });
    const b = await makeJob({ name: `zz-timeline-b-${Date.now()}` });
    const runA = (await cron.trigger(a.id)).executionId;
    const runB = (await cron.trigger(b.id)).executionId;
    await cron.executions.wait(runA);
    await cron.executions.wait(runB);
    const c = browserClient(open.base);
    const { status, text } = await c.get(`/timeline?from=${local(-3600_000)}&to=${local(3600_000)}`);
    expect(status).toBe(200);
    const rowOf = (jobId: string): string => new RegExp(`<g data-job-id="${jobId}">(.*?)</g>`).exec(text)?.[1] ?? '';
    expect(rowOf(a.id)).toContain(`<a href="/dash/executions/${runA}"`);
    expect(rowOf(a.id)).not.toContain(runB);
    expect(rowOf(b.id)).toContain(`<a href="/dash/executions/${runB}"`);
    expect(rowOf(a.id)).toContain(`>${a.name}<title>`);
    // The bar sits where the run started: about the middle of a two-hour window.
    const x = Number(new RegExp(`data-execution-id="${runA}"><rect class="tone-ok" x="([\\d.]+)"`).exec(text)![1]);
    expect(x).toBeGreaterThan(210 + 780 * 0.45);
    expect(x).toBeLessThan(210 + 780 * 0.55);
    expect(text).toContain('aria-current="page">Timeline</a>');
    expect(text).toMatch(/\d+ runs of \d+ jobs between/);

    const before = await c.get(`/timeline?from=${local(-5 * 3600_000)}&to=${local(-3 * 3600_000)}`);
    expect(before.text).not.toContain(runA);
    const bad = await c.get(`/timeline?from=${local(0)}&to=${local(-3600_000)}`);
    expect(bad.text).toContain('The window must end after it starts');
    expect(bad.text).toMatch(/name="from" value="\d{4}-\d\d-\d\dT20:00"/);
    const vi = await c.get(`/timeline?from=${local(-3600_000)}&to=${local(3600_000)}&lang=vi`);
    expect(vi.text).toContain('Dòng thời gian');
    expect(vi.text).toMatch(/lượt chạy của \d+ tác vụ từ/);
  });
});

describe('upcoming fires', () => {
  const TZ = 'Asia/Ho_Chi_Minh';
  const localDay = (plusDays: number): { date: string; weekday: number } => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
    const d = new Date(`${today}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + plusDays);
    return { date: d.toISOString().slice(0, 10), weekday: d.getUTCDay() };
  };

  it('lists the next fires by day with a holiday marked and the fire it moves; disabled jobs are left out', async () => {
    const holiday = localDay(2);
    const next = localDay(3);
    const calendar = `festival-${Date.now()}`;
    await cron.calendars.define({ name: calendar, timezone: TZ, excluded_weekdays: [], excluded_dates: [{ date: holiday.date, label: 'Ngày hội thử nghiệm' }] });
    // Weekly on the holiday's weekday at 09:00: the fire on the holiday moves to the next day.
    const shifted = await makeJob({ name: `upcoming-shifted-${Date.now()}`, schedule: { type: 'cron', expression: `0 9 * * ${holiday.weekday}`, timezone: TZ, calendar, calendar_shift: 'following' } });
    const off = await makeJob({ name: `upcoming-off-${Date.now()}`, schedule: { type: 'cron', expression: '0 9 * * *', timezone: TZ }, enabled: false });
    const manualOnly = await makeJob({ name: `upcoming-manual-${Date.now()}`, schedule: { type: 'cron', expression: '0 9 * * *', timezone: TZ }, triggers: { scheduled: false, manual: true } });

    const c = browserClient(open.base);
    const { status, text } = await c.get('/upcoming?days=7');
    expect(status).toBe(200);
    const day = (date: string): string => new RegExp(`<section class="card" data-date="${date}"(.*?)</section>`, 's').exec(text)?.[1] ?? '';
    expect(day(holiday.date)).toContain(`Holiday in calendar ${calendar}: Ngày hội thử nghiệm`);
    expect(day(holiday.date)).not.toContain(shifted.id);
    const row = new RegExp(`<tr class="o-shifted" data-job-id="${shifted.id}" data-outcome="shifted">(.*?)</tr>`, 's').exec(day(next.date))?.[1] ?? '';
    expect(row).toContain('>09:00:00</time>');
    expect(row).toContain(`planned ${holiday.date.split('-').reverse().join('/')}, 09:00:00`);
    expect(row).toContain(`calendar ${calendar}: ${holiday.date} is Ngày hội thử nghiệm; moved (next business day) to ${next.date}`);
    expect(text).not.toContain(off.id);
    expect(text).not.toContain(manualOnly.id);
    expect(text).toContain('aria-current="page">Upcoming</a>');

    const vi = await c.get('/upcoming?days=7&lang=vi');
    expect(vi.text).toContain(`Ngày nghỉ theo lịch ${calendar}: Ngày hội thử nghiệm`);
    expect(vi.text).toContain('dời lịch');
    // One day only: the holiday two days ahead is not on it.
    expect((await c.get('/upcoming?days=1')).text).not.toContain('Ngày hội thử nghiệm');
    await cron.jobs.delete(shifted.id);
    await cron.jobs.delete(off.id);
    await cron.jobs.delete(manualOnly.id);
  });

  it('marks a job that fires more often than the page lists', async () => {
    const busy = await makeJob({ name: `upcoming-busy-${Date.now()}`, schedule: { type: 'fixed_rate', interval_seconds: 60 } });
    // Three days (not one): 50 fires a minute apart fit whatever the hour the test runs.
    const { text } = await browserClient(open.base).get('/upcoming?days=3');
    expect(new RegExp(`<li><a href="/dash/jobs/${busy.id}">[^<]+</a>: at most 50 fires per job are listed`).test(text)).toBe(true);
    expect(text.match(new RegExp(`data-job-id="${busy.id}" data-outcome="fire"`, 'g'))?.length).toBe(50);
    await cron.jobs.delete(busy.id);
  });
});
