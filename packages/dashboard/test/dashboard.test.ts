import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { SECRET_MASK } from '@vecron/sdk/crypto';
import type { CronSystem, Job } from '@vecron/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardUser } from '../src/index.js';
import { browserClient, serveDashboard, startCron, until } from './helpers.js';

// One cron system (PGlite cold start ≈ 3 s) for the whole file; each test makes its own jobs.
let cron: CronSystem;
let open: { base: string; close(): Promise<void> };
const closers: Array<() => Promise<void>> = [];
const HOSTILE = '<script>alert("pwn")</script>';

beforeAll(async () => {
  cron = await startCron();
  open = await serveDashboard({ cron });
  closers.push(open.close);
});
afterAll(async () => {
  for (const c of closers) await c();
  await cron.stop({ graceMs: 0 });
});

let n = 0;
const makeJob = (over: Record<string, unknown> = {}): Promise<Job> =>
  cron.jobs.create({ name: `job-${++n}-${Date.now()}`, schedule: null, steps: [{ id: 'hello', name: 'Say hello', type: 'echo', config: { message: 'xin chào' } }], ...over });

describe('pages', () => {
  it('lists jobs with the hostile name escaped, schedule in words and a run-now button; sets safe headers and cookies', async () => {
    const job = await makeJob({ name: HOSTILE, schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: 'Asia/Ho_Chi_Minh' } });
    const c = browserClient(open.base);
    const { status, text, res } = await c.get('/');
    expect(status).toBe(200);
    expect(text).not.toContain('<script>alert');
    expect(text).toContain('&lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt;');
    expect(text).toContain('Monday–Friday, at 02:00 in Asia/Ho_Chi_Minh');
    expect(text).toContain(`action="/dash/jobs/${job.id}/run"`);
    expect(text).toContain('Local demo: this dashboard has no sign-in');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csrfCookie = res.headers.getSetCookie().find((x) => x.startsWith('vecron_csrf='));
    expect(csrfCookie).toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/SameSite=Strict/);
    expect(csrfCookie).toMatch(/Path=\/dash/);
    await cron.jobs.delete(job.id);
  });

  it('serves htmx from node_modules and its own assets with a long cache header', async () => {
    const res = await fetch(`${open.base}/assets/htmx.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    const file = await readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
    expect(await res.text()).toBe(file);
    expect((await fetch(`${open.base}/assets/dashboard.js`)).status).toBe(200);
    expect((await fetch(`${open.base}/assets/../package.json`)).status).toBe(404);
  });

  it('job detail shows the definition with secrets masked, explain, ledger and masked sensitive variables', async () => {
    const job = await makeJob({
      schedule: { type: 'fixed_rate', interval_seconds: 3600 },
      steps: [{ id: 'call', type: 'echo', config: { message: { password: 'hunter2-literal', token: '${API_TOKEN}' } } }],
    });
    await cron.variables.set({ name: 'API_TOKEN', value: 'tok-very-secret-123', sensitive: true, jobId: job.id });
    await cron.variables.set({ name: 'REGION', value: 'HN', jobId: job.id });
    const { status, text } = await browserClient(open.base).get(`/jobs/${job.id}`);
    expect(status).toBe(200);
    expect(text).not.toContain('hunter2-literal');
    expect(text).not.toContain('tok-very-secret-123');
    expect(text).toContain(SECRET_MASK);
    expect(text).toContain('${API_TOKEN}');
    expect(text).toContain('Upcoming fires (explain)');
    expect(text.match(/<span class="pill o-fire">runs<\/span>/g)?.length).toBe(10);
    expect(text).toContain('Fire ledger');
    expect(text).toContain('<code>REGION</code>');
    await cron.jobs.delete(job.id);
  });

  it('execution detail shows the step timeline and pretty-printed outputs; unknown ids are 404', async () => {
    const job = await makeJob({ steps: [{ id: 'a', name: 'First', type: 'echo', config: { message: 'one' } }, { id: 'b', type: 'echo', config: { message: '{{steps.a.output.said}}-two' } }] });
    const { executionId } = await cron.trigger(job.id);
    await cron.executions.wait(executionId);
    const { status, text } = await browserClient(open.base).get(`/executions/${executionId}`);
    expect(status).toBe(200);
    expect(text).toContain('data-status="success"');
    expect(text).toMatch(/<li class="tl-succeeded" data-step-id="a" data-attempt="1"/);
    expect(text).toMatch(/<li class="tl-succeeded" data-step-id="b" data-attempt="1"/);
    expect(text).toContain('&quot;said&quot;: &quot;one-two&quot;');
    expect(text).toContain('data-testid="replay"');
    expect((await browserClient(open.base).get('/executions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await browserClient(open.base).get('/executions/not-a-uuid')).status).toBe(404);
  });

  it('executions list filters by status, job and trigger source, and paginates', async () => {
    const job = await makeJob();
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) ids.push((await cron.trigger(job.id)).executionId);
    for (const id of ids) await cron.executions.wait(id);
    const failing = await makeJob({ steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }], max_retries: 0 });
    const dead = (await cron.trigger(failing.id)).executionId;
    expect((await cron.executions.wait(dead)).status).toBe('dead_letter');

    const c = browserClient(open.base);
    const rowsOf = (html: string): string[] => [...html.matchAll(/<tr data-execution-id="([^"]+)"/g)].map((m) => m[1]!);
    const p1 = await c.get(`/executions?job=${job.id}&status=success&source=manual`);
    expect(rowsOf(p1.text)).toHaveLength(25);
    expect(p1.text).toContain('rel="next"');
    // Keyset paging: the "older" link carries the last row's cursor and keeps the filters.
    const next = /<a class="btn btn-plain" rel="next" href="\/dash([^"]+)"/.exec(p1.text)![1]!.replace(/&amp;/g, '&');
    expect(next).toContain('after=');
    expect(next).toContain('status=success');
    const p2 = await c.get(next);
    expect(p2.text).toContain('rel="first"');
    expect(p2.text).not.toContain('rel="next"');
    expect(rowsOf(p2.text)).toHaveLength(2);
    expect(new Set([...rowsOf(p1.text), ...rowsOf(p2.text)])).toEqual(new Set(ids));
    expect(rowsOf((await c.get(`/executions?job=${job.id}&status=failed`)).text)).toHaveLength(0);
    expect(rowsOf((await c.get(`/executions?job=${job.id}&source=scheduled`)).text)).toHaveLength(0);
    expect(rowsOf((await c.get(`/executions?status=dead_letter`)).text)).toContain(dead);

    // Dead letters: listed with the error and a replay button; replay runs it again and the row links the replay.
    const dl = await c.get('/dead-letters');
    expect(rowsOf(dl.text)).toContain(dead);
    expect(dl.text).toContain('upstream busy');
    const replay = await c.post(`/executions/${dead}/replay`, { _csrf: c.csrf }, { 'hx-request': 'true' });
    expect(replay.status).toBe(200);
    expect(replay.res.headers.get('hx-trigger')).toBe('vecron-refresh');
    const replayId = /executions\/([0-9a-f-]{36})/.exec(replay.text)![1]!;
    expect((await cron.executions.get(replayId))?.replayOf).toBe(dead);
    // The replayed dead letter leaves the list (history kept under "Already replayed", linking its replay).
    await cron.executions.wait(replayId);
    expect(rowsOf((await c.get('/dead-letters')).text)).not.toContain(dead);
    const history = await c.get('/dead-letters?replayed=1');
    expect(rowsOf(history.text)).toContain(dead);
    expect(history.text).toContain(`href="/dash/executions/${replayId}"`);
  });

  it('discards one dead letter, then replays and discards the rest of a job in bulk (audited; other jobs untouched)', async () => {
    const failing = await makeJob({ steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }], max_retries: 0 });
    const other = await makeJob({ steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }], max_retries: 0 });
    const dead: string[] = [];
    for (let i = 0; i < 4; i++) dead.push((await cron.trigger(failing.id)).executionId);
    const theirs = (await cron.trigger(other.id)).executionId;
    for (const id of [...dead, theirs]) expect((await cron.executions.wait(id)).status).toBe('dead_letter');
    const c = browserClient(open.base);
    const rowsOf = (h: string): string[] => [...h.matchAll(/<tr data-execution-id="([^"]+)"/g)].map((m) => m[1]!);
    const page = await c.get(`/dead-letters?job=${failing.id}`);
    expect(rowsOf(page.text).sort()).toEqual([...dead].sort());
    expect(page.text).toContain('data-testid="replay-all"');
    // One discarded: it leaves the list; discarding it again is a conflict.
    expect((await c.post(`/executions/${dead[0]}/discard`, { _csrf: c.csrf }, { 'hx-request': 'true' })).status).toBe(200);
    expect(rowsOf((await c.get(`/dead-letters?job=${failing.id}`)).text)).not.toContain(dead[0]);
    expect((await c.post(`/executions/${dead[0]}/discard`, { _csrf: c.csrf }, { 'hx-request': 'true' })).status).toBe(409);
    // Bulk replay of the job's open dead letters: three replays, the other job's dead letter stays.
    const replayed = await c.post('/dead-letters/replay', { _csrf: c.csrf, job: failing.id, idempotency_key: 'bulk-1' }, { 'hx-request': 'true' });
    expect(replayed.status).toBe(200);
    expect(replayed.text).toContain('Replayed: 3 dead letters.');
    for (const id of dead.slice(1)) expect((await cron.executions.list({ triggerMetadata: { replay_of: id } })).length).toBe(1);
    // The same click again (same key) starts nothing new.
    await c.post('/dead-letters/replay', { _csrf: c.csrf, job: failing.id, idempotency_key: 'bulk-1' }, { 'hx-request': 'true' });
    for (const id of dead.slice(1)) expect((await cron.executions.list({ triggerMetadata: { replay_of: id } })).length).toBe(1);
    // The replays dead-letter again; bulk discard clears the job and leaves the other job's.
    for (const id of dead.slice(1)) await cron.executions.wait((await cron.executions.list({ triggerMetadata: { replay_of: id } }))[0]!.id);
    const discarded = await c.post('/dead-letters/discard', { _csrf: c.csrf, job: failing.id }, { 'hx-request': 'true' });
    expect(discarded.text).toContain('Discarded: 3 dead letters.');
    expect(rowsOf((await c.get(`/dead-letters?job=${failing.id}`)).text)).toEqual([]);
    expect(rowsOf((await c.get('/dead-letters')).text)).toContain(theirs);
  });

  it('counts dead letters as failures and stops counting replayed ones', async () => {
    const c = browserClient(open.base);
    const counter = async (key: string): Promise<number> => Number(new RegExp(`data-testid="counters\\.${key}"><span class="count">(\\d+)`).exec((await c.get('/fragments/counters')).text)![1]);
    const [failedBefore, deadBefore] = [await counter('failed24h'), await counter('deadLetters')];
    const failing = await makeJob({ steps: [{ id: 'x', type: 'flaky', config: {}, retry_count: 0 }], max_retries: 0 });
    const dead = (await cron.trigger(failing.id)).executionId;
    expect((await cron.executions.wait(dead)).status).toBe('dead_letter');
    expect(await counter('failed24h')).toBe(failedBefore + 1);
    expect(await counter('deadLetters')).toBe(deadBefore + 1);
    // The replay dead-letters again: one open dead letter (the replay), not two.
    const { executionId } = await cron.executions.replay(dead);
    expect((await cron.executions.wait(executionId)).status).toBe('dead_letter');
    expect(await counter('deadLetters')).toBe(deadBefore + 1);
    expect(await counter('failed24h')).toBe(failedBefore + 2);
  });

  it('filters executions by a typed job name (typeahead from the store); the chosen job stays in the form when another filter changes', async () => {
    const job = await makeJob({ name: `typeahead-Needle-${Date.now()}`, tags: ['night-batch'] });
    const other = await makeJob();
    const mine = (await cron.trigger(job.id)).executionId;
    const theirs = (await cron.trigger(other.id)).executionId;
    await cron.executions.wait(mine);
    await cron.executions.wait(theirs);
    const c = browserClient(open.base);
    const rowsOf = (html: string): string[] => [...html.matchAll(/<tr data-execution-id="([^"]+)"/g)].map((m) => m[1]!);
    // No select of every job any more: a search field whose options come from the store.
    const list = await c.get('/executions');
    expect(list.text).not.toContain('<select name="job"');
    expect(list.text).toContain('data-testid="job-filter"');
    const options = await c.get('/fragments/job-options?job=needle');
    expect(options.text).toContain(`value="${job.name}"`);
    expect(options.text).not.toContain(other.name);
    expect((await c.get('/fragments/job-options?job=NIGHT-batch')).text).toContain(`value="${job.name}"`);
    // By id (links from the job page) the form shows the name, so a resubmit with another status keeps the job.
    const byId = await c.get(`/executions?job=${job.id}`);
    expect(byId.text).toContain(`name="job" value="${job.name}"`);
    expect(rowsOf(byId.text)).toEqual([mine]);
    const byName = await c.get(`/executions?job=${encodeURIComponent(job.name)}&status=success`);
    expect(rowsOf(byName.text)).toEqual([mine]);
    expect(byName.text).toContain(`name="job" value="${job.name}"`);
    // Date range in the dashboard's zone: today holds the runs, yesterday none.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 86_400_000));
    expect(rowsOf((await c.get(`/executions?job=${job.id}&from=${today}&to=${today}`)).text)).toEqual([mine]);
    expect(rowsOf((await c.get(`/executions?job=${job.id}&to=${yesterday}`)).text)).toEqual([]);
    expect((await c.get(`/executions?job=${job.id}&from=${today}`)).text).toContain(`name="from" value="${today}"`);
    // A name that names no job matches nothing (and is kept in the field).
    const unknown = await c.get('/executions?job=no-such-job-anywhere');
    expect(rowsOf(unknown.text)).toEqual([]);
    expect(unknown.text).toContain('name="job" value="no-such-job-anywhere"');
  });

  it('searches jobs by name, description or tag and filters by state on the server', async () => {
    const tag = `t${Date.now()}`;
    const a = await makeJob({ name: `search-alpha-${tag}`, description: 'Đối soát ngân hàng', tags: [tag] });
    const b = await makeJob({ name: `search-beta-${tag}`, tags: [tag] });
    await cron.jobs.disable(b.id);
    const c = browserClient(open.base);
    const ids = (h: string): string[] => [...h.matchAll(/<tr data-job-id="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids((await c.get(`/?q=${tag}`)).text).sort()).toEqual([a.id, b.id].sort());
    expect(ids((await c.get(`/?q=${tag}&enabled=false`)).text)).toEqual([b.id]);
    expect(ids((await c.get(`/?q=${encodeURIComponent('ĐỐI SOÁT')}`)).text)).toContain(a.id);
    const none = await c.get('/?q=nothing-matches-this-at-all');
    expect(ids(none.text)).toEqual([]);
    expect(none.text).toContain('No job matches.');
    expect(none.text).toContain('name="q" value="nothing-matches-this-at-all"');
    // The live refresh keeps the filter.
    expect((await c.get(`/?q=${tag}`)).text).toContain(`/dash/fragments/jobs?q=${tag}`);
  });

  it('a disabled job lists no upcoming fires; policies are in words; times say their zone; step finish times are local', async () => {
    const job = await makeJob({ schedule: { type: 'fixed_rate', interval_seconds: 3600 }, overlap_policy: 'forbid' });
    const { executionId } = await cron.trigger(job.id);
    await cron.executions.wait(executionId);
    const c = browserClient(open.base);
    const on = await c.get(`/jobs/${job.id}`);
    expect(on.text).toContain('<span class="pill o-fire">runs</span>');
    expect(on.text).toContain('a fire is skipped while the previous run is still going');
    expect(on.text).toContain('Times in Asia/Ho_Chi_Minh');
    await cron.jobs.disable(job.id);
    const off = await c.get(`/jobs/${job.id}`);
    expect(off.text).not.toContain('<span class="pill o-fire">');
    expect(off.text).toContain('data-testid="disabled-no-fires"');
    const jobsPage = await c.get('/');
    const row = new RegExp(`<tr data-job-id="${job.id}"[\\s\\S]*?</tr>`).exec(jobsPage.text)![0];
    expect(row).toContain('<td class="small"><span class="muted">—</span></td>');
    const vi = await c.get(`/jobs/${job.id}?lang=vi`);
    // Outside the definition's JSON (data, not words) no raw setting name is left.
    expect(vi.text.replace(/<pre[\s\S]*?<\/pre>/g, '')).not.toMatch(/forbid|fire_once/);
    expect(vi.text).toContain('bỏ qua lần kích hoạt khi lượt trước chưa xong');
    expect(vi.text).toContain('Giờ hiển thị theo múi giờ Asia/Ho_Chi_Minh');
    // The step output's finish time: a <time> in the page's zone, not a raw UTC ISO string.
    const e = await c.get(`/executions/${executionId}?lang=en`);
    const finished = (await cron.executions.get(executionId))!.context.steps.hello!.finished_at;
    expect(e.text).not.toContain(`· ${finished}<`);
    expect(e.text).toContain(`<time datetime="${new Date(finished).toISOString()}"`);
  });

  it('compresses pages and assets with brotli or gzip as the browser accepts; small and refused ones stay plain', async () => {
    for (const [accept, coding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], ['br;q=0, gzip', 'gzip'], ['identity', null]] as const) {
      for (const path of ['/', '/assets/htmx.min.js']) {
        const res = await fetch(`${open.base}${path}`, { headers: { 'accept-encoding': accept } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-encoding')).toBe(coding);
        expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
        // fetch decodes br and gzip itself: the text is the page either way.
        expect((await res.text()).length).toBeGreaterThan(1000);
      }
    }
    const raw = await fetch(`${open.base}/assets/htmx.min.js`, { headers: { 'accept-encoding': 'identity' } });
    const brotli = await new Promise<Buffer>((resolve, reject) => {
      void import('node:http').then(({ get }) => get(`${open.base}/assets/htmx.min.js`, { headers: { 'accept-encoding': 'br' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (ch: Buffer) => chunks.push(ch));
        r.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject));
    });
    const { brotliDecompressSync } = await import('node:zlib');
    const plain = await raw.text();
    expect(brotli.length).toBeLessThan(plain.length / 2);
    expect(brotliDecompressSync(brotli).toString('utf8')).toBe(plain);
  });

  it('switches language with ?lang=vi and keeps it in a cookie', async () => {
    const c = browserClient(open.base);
    const vi = await c.get('/?lang=vi');
    expect(vi.text).toContain('<html lang="vi">');
    expect(vi.text).toContain('Tác vụ');
    expect(c.jar.get('vecron_lang')).toBe('vi');
    expect((await c.get('/executions')).text).toContain('Lượt chạy');
    expect((await c.get('/?lang=en')).text).toContain('<html lang="en">');
    expect((await browserClient(open.base).get('/', { 'accept-language': 'vi-VN,vi;q=0.9' })).text).toContain('<html lang="vi">');
  });
});

describe('actions and CSRF', () => {
  it('refuses a POST without the token, with a forged token, from another origin, or from another session', async () => {
    const job = await makeJob();
    const c = browserClient(open.base);
    await c.get('/');
    expect((await c.post(`/jobs/${job.id}/run`, {})).status).toBe(403);
    expect((await c.post(`/jobs/${job.id}/run`, { _csrf: 'A'.repeat(43) })).status).toBe(403);
    expect((await c.post(`/jobs/${job.id}/run`, { _csrf: c.csrf }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await c.post(`/jobs/${job.id}/run`, { _csrf: c.csrf }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const other = browserClient(open.base);
    await other.get('/');
    expect((await other.post(`/jobs/${job.id}/run`, { _csrf: c.csrf })).status).toBe(403);
    expect(await cron.executions.list({ jobId: job.id })).toHaveLength(0);

    // The page's token in a form: works, and a browser without JavaScript is sent back.
    const ok = await c.post(`/jobs/${job.id}/run`, { _csrf: c.csrf }, { referer: `${open.base}/jobs/${job.id}` });
    expect(ok.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe(`/dash/jobs/${job.id}`);
    // The same token in the htmx header.
    const viaHtmx = await c.post(`/jobs/${job.id}/run`, {}, { 'hx-request': 'true', 'x-csrf-token': c.csrf });
    expect(viaHtmx.status).toBe(200);
    expect(viaHtmx.text).toContain('Started execution');
    const runs = await cron.executions.list({ jobId: job.id });
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.triggerSource === 'manual' && r.triggerMetadata.via === 'dashboard')).toBe(true);
  });

  it('enables, disables and cancels; conflicts come back as a flash with 409', async () => {
    const job = await makeJob({ steps: [{ id: 'slow', type: 'echo', config: { message: 'x', ms: 30_000 } }] });
    const c = browserClient(open.base);
    await c.get('/');
    const hx = { 'hx-request': 'true' };
    expect((await c.post(`/jobs/${job.id}/disable`, { _csrf: c.csrf }, hx)).text).toContain('disabled');
    expect((await cron.jobs.get(job.id))?.enabled).toBe(false);
    expect((await c.post(`/jobs/${job.id}/enable`, { _csrf: c.csrf }, hx)).status).toBe(200);
    expect((await cron.jobs.get(job.id))?.enabled).toBe(true);

    const { executionId } = await cron.trigger(job.id);
    await until(async () => (await cron.executions.get(executionId))?.status === 'running');
    const cancel = await c.post(`/executions/${executionId}/cancel`, { _csrf: c.csrf }, hx);
    expect(cancel.status).toBe(200);
    expect((await cron.executions.wait(executionId)).status).toBe('cancelled');

    const manualOff = await makeJob({ triggers: { scheduled: true, manual: false } });
    const refused = await c.post(`/jobs/${manualOff.id}/run`, { _csrf: c.csrf }, hx);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('flash-error');
  });

  it('read-only mode shows no buttons and refuses actions', async () => {
    const ro = await serveDashboard({ cron, readOnly: true }, '/ro');
    closers.push(ro.close);
    const job = await makeJob();
    const c = browserClient(ro.base);
    const page = await c.get('/');
    expect(page.text).not.toContain('data-testid="run-now"');
    expect(page.text).toContain('Read-only view');
    // A token from the open dashboard's page is not valid here, and the read-only router refuses anyway.
    const token = /hx-headers="\{&quot;X-CSRF-Token&quot;:&quot;([^&]+)&quot;\}"/.exec(page.text)![1]!;
    expect((await c.post(`/jobs/${job.id}/run`, {}, { 'x-csrf-token': token, 'hx-request': 'true' })).status).toBe(403);
    expect(await cron.executions.list({ jobId: job.id })).toHaveLength(0);
  });
});

describe('live events', () => {
  it('streams execution events over SSE as a job runs', async () => {
    const job = await makeJob();
    const ac = new AbortController();
    const res = await fetch(`${open.base}/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    const read = (async () => {
      while (!text.includes('event: execution.finished')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    })();
    await until(async () => text.includes('event: ready'));
    const { executionId } = await cron.trigger(job.id);
    await read;
    ac.abort();
    for (const type of ['execution.created', 'execution.started', 'execution.step.finished', 'execution.finished']) expect(text).toContain(`event: ${type}`);
    expect(text).toContain(`"execution_id":"${executionId}"`);
    expect(text).toContain('"status":"success"');
  });
});

describe('sign-in (as the server wires it)', () => {
  const users: Record<string, { password: string; user: DashboardUser }> = {
    admin: { password: 'admin-pass', user: { id: 'u-admin', name: 'admin' } },
    viewer: { password: 'viewer-pass', user: { id: 'u-viewer', name: 'viewer', permissions: ['job:read', 'execution:read'] } },
    own: { password: 'own-pass', user: { id: 'u-own', name: 'own', permissions: ['job:read', 'job:execute', 'execution:read'], seesAllExecutions: false } },
  };
  let authed: { base: string; close(): Promise<void> };
  const audit: string[] = [];
  beforeAll(async () => {
    authed = await serveDashboard({
      cron,
      auth: {
        async verify(session) {
          return Object.values(users).find((u) => `session-of-${u.user.id}` === session)?.user ?? null;
        },
        async login({ username, password }) {
          const u = users[username];
          return u && u.password === password ? { ok: true, session: `session-of-${u.user.id}`, maxAgeSeconds: 600 } : { ok: false, reason: 'invalid' };
        },
      },
      onAction: (r) => void audit.push(`${r.user?.name ?? '-'} ${r.action} ${r.result}`),
    }, '/secure');
    closers.push(authed.close);
  });

  const signIn = async (username: string, password: string) => {
    const c = browserClient(authed.base);
    const first = await c.get('/');
    expect(first.status).toBe(303);
    expect(first.res.headers.get('location')).toBe('/secure/login?next=%2F');
    await c.get('/login?next=%2Fexecutions');
    const r = await c.post('/login', { _csrf: c.csrf, username, password, next: '/executions' });
    return { c, r };
  };

  it('signs in through a form that sets an HttpOnly SameSite=Strict session cookie; bad passwords and missing tokens fail', async () => {
    const bad = await signIn('admin', 'wrong');
    expect(bad.r.status).toBe(401);
    expect(bad.r.text).toContain('Invalid username or password.');
    const noToken = browserClient(authed.base);
    await noToken.get('/login');
    expect((await noToken.post('/login', { username: 'admin', password: 'admin-pass' })).status).toBe(403);

    const { c, r } = await signIn('admin', 'admin-pass');
    expect(r.status).toBe(303);
    expect(r.res.headers.get('location')).toBe('/secure/executions');
    const cookie = r.res.headers.getSetCookie().find((x) => x.startsWith('vecron_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Signed in as admin');
    expect(home.text).not.toContain('no sign-in');
    // An open redirect through `next` is not possible.
    const c2 = browserClient(authed.base);
    await c2.get('/login');
    const evil = await c2.post('/login', { _csrf: c2.csrf, username: 'admin', password: 'admin-pass', next: '//evil.example/x' });
    expect(evil.res.headers.get('location')).toBe('/secure/');
    // Sign out clears the session.
    await c.post('/logout', { _csrf: c.csrf });
    expect((await c.get('/')).status).toBe(303);
    expect(audit).toContain('admin auth.login ok');
    expect(audit).toContain('- auth.login invalid');
  });

  it('a token from before sign-in does not work after it (session-bound CSRF)', async () => {
    const c = browserClient(authed.base);
    await c.get('/login');
    const before = c.csrf;
    await c.post('/login', { _csrf: before, username: 'admin', password: 'admin-pass' });
    const job = await makeJob();
    expect((await c.post(`/jobs/${job.id}/run`, { _csrf: before })).status).toBe(403);
    await c.get('/');
    expect((await c.post(`/jobs/${job.id}/run`, { _csrf: c.csrf }, { 'hx-request': 'true' })).status).toBe(200);
    expect(audit.some((a) => a.startsWith('admin job.trigger ok'))).toBe(true);
  });

  it('permissions hide buttons and refuse actions; own-scope users see only their runs', async () => {
    const job = await makeJob();
    const theirs = (await cron.trigger(job.id)).executionId;
    const viewer = (await signIn('viewer', 'viewer-pass')).c;
    const page = await viewer.get('/');
    expect(page.text).not.toContain('data-testid="run-now"');
    expect((await viewer.post(`/jobs/${job.id}/run`, { _csrf: viewer.csrf }, { 'hx-request': 'true' })).status).toBe(403);
    expect((await viewer.get(`/executions/${theirs}`)).status).toBe(200);

    const own = (await signIn('own', 'own-pass')).c;
    await own.get('/');
    const run = await own.post(`/jobs/${job.id}/run`, { _csrf: own.csrf }, { 'hx-request': 'true' });
    const mine = /executions\/([0-9a-f-]{36})/.exec(run.text)![1]!;
    expect((await cron.executions.get(mine))?.triggerMetadata.triggered_by).toBe('u-own');
    const list = (await own.get(`/executions?job=${job.id}`)).text;
    expect(list).toContain(mine);
    expect(list).not.toContain(theirs);
    expect((await own.get(`/executions/${theirs}`)).status).toBe(404);
  });

  it('htmx requests without a session get HX-Redirect to the login page; SSE gets 401', async () => {
    const r = await fetch(`${authed.base}/fragments/counters`, { headers: { 'hx-request': 'true' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('hx-redirect')).toBe('/secure/login');
    expect((await fetch(`${authed.base}/events`)).status).toBe(401);
  });
});
