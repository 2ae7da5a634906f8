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
