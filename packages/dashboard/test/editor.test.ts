import { SECRET_MASK } from '@vecron/sdk/crypto';
import type { CronSystem } from '@vecron/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardActionRecord } from '../src/index.js';
import { browserClient, serveDashboard, startCron, testExecutors } from './helpers.js';

let cron: CronSystem;
let server: { base: string; close(): Promise<void> };
const actions: DashboardActionRecord[] = [];

beforeAll(async () => {
  cron = await startCron();
  server = await serveDashboard({ cron, executors: testExecutors(), onAction: (r) => void actions.push(r) });
});
afterAll(async () => {
  await server.close();
  await cron.stop({ graceMs: 0 });
});

const HX = { 'hx-request': 'true' };
/** The form of a new job as the form builder submits it (field names are JSON paths). */
const formOf = (csrf: string, name: string, expression: string): Record<string, string> => ({
  _csrf: csrf, view: 'form', shape: '', '$.name': name, '$.schedule.type': 'cron', '$.schedule.expression': expression,
  '$.triggers.scheduled': 'on', '$.triggers.manual': 'on', '$.steps#count': '2',
  '$.steps[0].id': 'fetch', '$.steps[0].type': 'echo', '$.steps[0].config.message': '"hi"', '$.steps[0].config.ms': '0',
  '$.steps[1].id': 'store', '$.steps[1].type': 'talk', '$.steps[1].config.lines': '1',
});

describe('job editor', () => {
  it('draws a form from each executor\'s zod schema and lists step types', async () => {
    const c = browserClient(server.base);
    const { status, text } = await c.get('/editor/new');
    expect(status).toBe(200);
    expect(text).toContain('name="$.steps[0].type"');
    for (const type of ['echo', 'flaky', 'talk']) expect(text).toContain(`<option value="${type}"`);
    // echo's config: `message` is unknown (a JSON box), `ms` a number with its default as placeholder.
    expect(text).toMatch(/<textarea class="code" id="f\$\.steps\[0\]\.config\.message" name="\$\.steps\[0\]\.config\.message"/);
    expect(text).toMatch(/<input type="number" step="any" id="f\$\.steps\[0\]\.config\.ms" name="\$\.steps\[0\]\.config\.ms" value="" placeholder="0"/);
  });

  it('sync: a bad cron is an issue at its field, the fixed one previews its fires; the JSON view follows the form', async () => {
    const c = browserClient(server.base);
    await c.get('/editor/new');
    const bad = await c.post('/editor/sync', formOf(c.csrf, 'editor-sync', '0 0 25 * * ?'), HX);
    expect(bad.status).toBe(200);
    expect(bad.text).toMatch(/<li class="issue-error" data-path="\$\.schedule\.expression" data-kind="error">/);
    expect(bad.text).toContain('data-testid="editor-no-preview"');
    // The first answer redraws the form (its shape differs from the empty one sent); typing after it does not.
    expect(bad.text).toContain('hx-swap-oob="outerHTML:#editor-views"');
    const shape = /name="shape" value="([^"]*)"/.exec(bad.text)![1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    const good = await c.post('/editor/sync', { ...formOf(c.csrf, 'editor-sync', '0 30 23 ? * MON-FRI'), shape }, HX);
    expect(good.text).toContain('data-testid="editor-valid"');
    expect(good.text).toMatch(/data-testid="editor-preview"[\s\S]*<span class="pill o-fire">runs<\/span>/);
    const json = /<textarea id="editor-json"[^>]*hx-swap-oob="true">([\s\S]*?)<\/textarea>/.exec(good.text)![1]!.replace(/&quot;/g, '"');
    expect(JSON.parse(json)).toMatchObject({ name: 'editor-sync', schedule: { type: 'cron', expression: '0 30 23 ? * MON-FRI' }, steps: [{ id: 'fetch', config: { message: 'hi', ms: 0 } }, { id: 'store', type: 'talk', config: { lines: 1 } }] });
    // Typing does not redraw the form (the field keeps focus: the JSON view alone follows); adding a step does.
    expect(good.text).not.toContain('editor-views');
    const added = await c.post('/editor/sync', { ...formOf(c.csrf, 'editor-sync', '0 30 23 ? * MON-FRI'), shape, op: 'add:$.steps' }, HX);
    expect(added.text).toContain('hx-swap-oob="outerHTML:#editor-views"');
    expect(added.text).toContain('name="$.steps[2].id" value="step3"');
  });

  it('sync with a calendar shows shifted and skipped fires; switching to the form from bad JSON stays in JSON with the error', async () => {
    const c = browserClient(server.base);
    await c.get('/editor/new');
    const def = { name: 'cal', schedule: { type: 'cron', expression: '0 0 9 * * ?', timezone: 'Asia/Ho_Chi_Minh', calendar: 'vn', calendar_shift: 'following' }, steps: [{ id: 'a', type: 'echo', config: { message: 1 } }] };
    const r = await c.post('/editor/sync', { _csrf: c.csrf, view: 'json', json: JSON.stringify(def), switch: 'form' }, HX);
    expect(r.text).toContain('hx-swap-oob="outerHTML:#editor-views"');
    expect(r.text).toContain('name="$.schedule.calendar" value="vn"');
    expect(r.text).toMatch(/o-skipped[\s\S]*(weekend|not a business day)/);
    const broken = await c.post('/editor/sync', { _csrf: c.csrf, view: 'json', json: '{ "name": ', switch: 'form' }, HX);
    // Nothing to draw a form from: the JSON view stays, not redrawn, with the error.
    expect(broken.text).not.toContain('editor-views');
    expect(broken.text).toMatch(/data-path="\$" data-kind="error"><code>\$<\/code> is not valid JSON/);
  });

  it('save creates the job (audited), edit updates it keeping masked secrets, clone copies, delete needs the confirmation', async () => {
    const c = browserClient(server.base);
    await c.get('/editor/new');
    const invalid = await c.post('/editor/save', formOf(c.csrf, 'editor-save', 'not a cron'));
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('data-path="$.schedule.expression"');
    expect(await cron.jobs.getByName('editor-save')).toBeNull();

    const saved = await c.post('/editor/save', formOf(c.csrf, 'editor-save', '0 0 2 * * ?'));
    expect(saved.status).toBe(303);
    const job = (await cron.jobs.getByName('editor-save'))!;
    expect(saved.res.headers.get('location')).toBe(`/dash/jobs/${job.id}`);
    expect(job.definition.steps.map((s) => s.id)).toEqual(['fetch', 'store']);
    expect(actions.find((a) => a.action === 'job.create' && a.resource === `job:${job.id}`)?.result).toBe('ok');

    // A literal secret is shown masked in the editor and kept on save.
    await cron.jobs.updateFromJson(job.id, { ...job.definition, steps: [{ id: 'fetch', type: 'echo', config: { message: { password: 'pw-42' } } }] });
    const edit = await c.get(`/editor/${job.id}`);
    expect(edit.text).not.toContain('pw-42');
    expect(edit.text).toContain(SECRET_MASK);
    const json = JSON.stringify({ name: 'editor-save', schedule: null, steps: [{ id: 'fetch', type: 'echo', config: { message: { password: SECRET_MASK } } }], description: 'edited' });
    expect((await c.post('/editor/save', { _csrf: c.csrf, view: 'json', json, job_id: job.id })).status).toBe(303);
    const updated = (await cron.jobs.get(job.id))!;
    expect(updated.definition.description).toBe('edited');
    expect(updated.definition.steps[0]!.config).toEqual({ message: { password: 'pw-42' } });
    expect(actions.some((a) => a.action === 'job.update' && a.resource === `job:${job.id}`)).toBe(true);

    const clone = await c.get(`/editor/new?from=${job.id}`);
    expect(clone.text).toContain('value="editor-save-copy"');
    const cloneJson = JSON.stringify({ name: 'editor-save-copy', steps: [{ id: 'fetch', type: 'echo', config: { message: { password: SECRET_MASK } } }] });
    expect((await c.post('/editor/save', { _csrf: c.csrf, view: 'json', json: cloneJson, from: job.id })).status).toBe(303);
    const copy = (await cron.jobs.getByName('editor-save-copy'))!;
    expect(copy.definition.steps[0]!.config).toEqual({ message: { password: 'pw-42' } });

    // A taken name is reported at the name field.
    const taken = await c.post('/editor/save', { _csrf: c.csrf, view: 'json', json: JSON.stringify({ name: 'editor-save-copy', steps: [{ id: 'a', type: 'echo', config: { message: 1 } }] }) });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('data-path="$.name"');

    expect((await c.get(`/editor/${copy.id}/delete`)).text).toContain('data-testid="confirm-delete"');
    expect((await c.post(`/editor/${copy.id}/delete`, { _csrf: c.csrf })).status).toBe(400);
    expect(await cron.jobs.get(copy.id)).not.toBeNull();
    expect((await c.post(`/editor/${copy.id}/delete`, { _csrf: c.csrf, confirm: copy.name })).status).toBe(303);
    expect(await cron.jobs.get(copy.id)).toBeNull();
    expect(actions.find((a) => a.action === 'job.delete')?.resource).toBe(`job:${copy.id}`);
  });

  it('refuses editor posts without the CSRF token or the permission', async () => {
    const c = browserClient(server.base);
    await c.get('/editor/new');
    expect((await c.post('/editor/save', { ...formOf('', 'no-csrf', '0 0 2 * * ?'), _csrf: 'nope' })).status).toBe(403);
    const viewer = await serveDashboard({ cron, executors: testExecutors(), authorize: (_req, p) => p === 'job:read' });
    try {
      const v = browserClient(viewer.base);
      expect((await v.get('/editor/new')).status).toBe(403);
      await v.get('/');
      expect((await v.post('/editor/save', formOf(v.csrf, 'viewer-job', '0 0 2 * * ?'))).status).toBe(403);
      expect(await cron.jobs.getByName('viewer-job')).toBeNull();
    } finally {
      await viewer.close();
    }
  });
});

describe('run with parameters', () => {
  it('hands the payload to the execution; the same key submitted twice makes one execution; bad JSON names the field', async () => {
    const job = await cron.jobs.create({ name: 'run-payload', steps: [{ id: 'a', type: 'echo', config: { message: '{{payload.date}}' } }] });
    const c = browserClient(server.base);
    const page = await c.get(`/jobs/${job.id}`);
    expect(page.text).toContain('data-testid="run-payload"');
    const key = /id="run-key" name="idempotency_key" value="([^"]+)"/.exec(page.text)![1]!;
    const form = { _csrf: c.csrf, idempotency_key: key, payload: '{"date": "2026-12-07"}' };
    const [first, second] = await Promise.all([c.post(`/jobs/${job.id}/run`, form, HX), c.post(`/jobs/${job.id}/run`, form, HX)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    // The answer carries a new key for the next run.
    const next = /id="run-key" name="idempotency_key" value="([^"]+)" hx-swap-oob="true"/.exec(first.text)![1]!;
    expect(next).not.toBe(key);
    const runs = await cron.executions.list({ jobId: job.id });
    expect(runs).toHaveLength(1);
    const done = await cron.executions.wait(runs[0]!.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('success');
    expect(done.context.payload).toEqual({ date: '2026-12-07' });
    expect(done.context.steps.a!.output).toEqual({ said: '2026-12-07' });

    const bad = await c.post(`/jobs/${job.id}/run`, { _csrf: c.csrf, idempotency_key: 'k-bad', payload: '{ nope' }, HX);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('$.payload');
    expect(await cron.executions.list({ jobId: job.id })).toHaveLength(1);
  });
});
