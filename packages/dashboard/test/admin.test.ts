import type { CronSystem } from '@vecron/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardActionRecord, DashboardUser } from '../src/index.js';
import { browserClient, fakeAdmin, serveDashboard, startCron } from './helpers.js';

// The administration pages behind a fake sign-in: an admin (every permission), a writer without
// variable:encrypt, and a Regular User (the server's role: reads, runs, no administration).
const USERS: Record<string, DashboardUser> = {
  admin: { id: 'u-admin', name: 'admin' },
  writer: { id: 'u-writer', name: 'writer', permissions: ['job:read', 'job:write', 'variable:read', 'variable:write'] },
  regular: { id: 'u-regular', name: 'regular', permissions: ['job:read', 'job:execute', 'execution:read', 'execution:stop', 'variable:read'] },
};

let cron: CronSystem;
let dash: { base: string; close(): Promise<void> };
let bare: { base: string; close(): Promise<void> };
const actions: DashboardActionRecord[] = [];

const admin = fakeAdmin(actions);

beforeAll(async () => {
  cron = await startCron();
  dash = await serveDashboard({
    cron,
    auth: {
      verify: async (session) => USERS[session.replace(/^s-/, '')] ?? null,
      login: async ({ username, password }) => (USERS[username] && password === `${username}-pass` ? { ok: true, session: `s-${username}`, maxAgeSeconds: 600 } : { ok: false, reason: 'invalid' }),
    },
    onAction: (r) => void actions.push(r),
    admin,
  });
  bare = await serveDashboard({ cron }, '/bare');
});
afterAll(async () => {
  await bare.close();
  await dash.close();
  await cron.stop({ graceMs: 0 });
});

async function signIn(name: string) {
  const c = browserClient(dash.base);
  await c.get('/login');
  expect((await c.post('/login', { _csrf: c.csrf, username: name, password: `${name}-pass` })).status).toBe(303);
  await c.get('/');
  return c;
}
const htmx = { 'hx-request': 'true' };

describe('variables page', () => {
  it('lists global and job variables with sensitive values masked; creates, replaces and deletes them, audited', async () => {
    const job = await cron.jobs.create({ name: 'sao-ke', schedule: null, steps: [{ id: 'a', type: 'echo', config: { message: 'hi' } }] });
    const c = await signIn('admin');
    const page = await c.get('/variables');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="nav-variables"');
    expect(page.text).toContain('name="sensitive"');

    expect((await c.post('/variables', { _csrf: c.csrf, name: 'REGION', value: 'HN<b>' }, htmx)).status).toBe(200);
    const secret = await c.post('/variables', { _csrf: c.csrf, name: 'API_TOKEN', value: 'tok-very-secret-123', sensitive: '1', job_id: job.id }, htmx);
    expect(secret.status).toBe(200);
    expect(secret.text).toContain('Variable API_TOKEN saved.');
    expect(secret.res.headers.get('hx-trigger')).toBe('vecron-refresh');

    const list = await c.get(`/variables?job=${job.id}`);
    expect(list.text).not.toContain('tok-very-secret-123');
    expect(list.text).toContain('HN&lt;b&gt;');
    expect(list.text).toMatch(/data-variable="API_TOKEN" data-scope="[0-9a-f-]{36}"[\s\S]*?class="masked"/);
    // The region the page reloads after an action.
    const region = await c.get(`/variables?job=${job.id}&region=1`, htmx);
    expect(region.text.startsWith('<div id="variables-region"')).toBe(true);
    expect((await cron.variables.list(job.id)).find((v) => v.name === 'API_TOKEN')?.sensitive).toBe(true);

    // A bad name is refused naming the field; nothing is stored.
    const bad = await c.post('/variables', { _csrf: c.csrf, name: '1-bad name', value: 'x' }, htmx);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('$.name');

    expect((await c.post('/variables/delete', { _csrf: c.csrf, name: 'API_TOKEN', job_id: job.id }, htmx)).status).toBe(200);
    expect((await cron.variables.list(job.id)).some((v) => v.name === 'API_TOKEN')).toBe(false);
    expect(actions.filter((a) => a.user?.name === 'admin').map((a) => `${a.action} ${a.resource} ${a.result}`)).toEqual(expect.arrayContaining([
      'variable.set variable:global:REGION ok', `variable.set variable:${job.id}:API_TOKEN ok`, 'variable.set variable:global:1-bad name VALIDATION_FAILED', `variable.delete variable:${job.id}:API_TOKEN ok`,
    ]));
    await cron.variables.delete('REGION', null);
    await cron.jobs.delete(job.id);
  });

  it('sensitive variables need variable:encrypt: no box, and the server refuses to create, downgrade or delete one', async () => {
    await cron.variables.set({ name: 'DB_PASSWORD', value: 's3cret-value', sensitive: true });
    const c = await signIn('writer');
    const page = await c.get('/variables');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="sensitive"');
    expect(page.text).not.toContain('data-testid="delete-variable-DB_PASSWORD"');
    expect(page.text).not.toContain('s3cret-value');
    expect((await c.post('/variables', { _csrf: c.csrf, name: 'NEW_SECRET', value: 'x', sensitive: '1' }, htmx)).status).toBe(403);
    expect((await c.post('/variables', { _csrf: c.csrf, name: 'DB_PASSWORD', value: 'plain now' }, htmx)).status).toBe(403);
    expect((await c.post('/variables/delete', { _csrf: c.csrf, name: 'DB_PASSWORD' }, htmx)).status).toBe(403);
    expect((await cron.variables.list(null)).find((v) => v.name === 'DB_PASSWORD')?.sensitive).toBe(true);
    expect((await c.post('/variables', { _csrf: c.csrf, name: 'PLAIN', value: 'ok' }, htmx)).status).toBe(200);
    await cron.variables.delete('PLAIN', null);
    await cron.variables.delete('DB_PASSWORD', null);
  });
});

describe('calendars page', () => {
  it('defines a calendar from the form, shows its year with the days off marked, and deletes it', async () => {
    const c = await signIn('admin');
    const list = await c.get('/calendars');
    expect(list.status).toBe(200);
    expect(list.text).toContain('data-calendar="vn"');
    const saved = await c.post('/calendars', {
      _csrf: c.csrf, name: 'bank-hn', description: 'Hà Nội branch', timezone: 'Asia/Ho_Chi_Minh', extends: 'vn',
      excluded_dates: '2026-12-24 Khoá sổ cuối năm\n2026-12-31', extra_working_days: '2026-12-26',
    }, htmx);
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Calendar bank-hn saved.');
    const def = await cron.calendars.get('bank-hn');
    expect(def.describeDay('2026-12-24')).toMatchObject({ businessDay: false, reason: 'Khoá sổ cuối năm' });
    expect(def.describeDay('2026-12-26').businessDay).toBe(true);

    const year = await c.get('/calendars/bank-hn?year=2026');
    expect(year.status).toBe(200);
    expect(year.text.match(/<table class="month">/g)).toHaveLength(12);
    expect(year.text).toMatch(/data-date="2026-12-24" title="Extra day off: Khoá sổ cuối năm"/);
    expect(year.text).toMatch(/class="day day-make_up_working_day|class="day day-extra_working_day" data-date="2026-12-26"/);
    // 2 September (National Day) comes from the vn rules it extends.
    expect(year.text).toMatch(/<tr data-date="2026-09-02"><td class="nowrap">2026-09-02<\/td><td>Public holiday<\/td>/);
    const vi = await c.get('/calendars/bank-hn?year=2026&lang=vi');
    expect(vi.text).toContain('Ngày nghỉ thêm: Khoá sổ cuối năm');

    // JSON wins over the fields; its problems name the field.
    const bad = await c.post('/calendars', { _csrf: c.csrf, json: JSON.stringify({ name: 'x', excluded_weekdays: [7] }) }, htmx);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('$.excluded_weekdays[0]');
    expect((await c.post('/calendars', { _csrf: c.csrf, json: '{nope' }, htmx)).status).toBe(400);
    expect((await c.post('/calendars/vn/delete', { _csrf: c.csrf }, htmx)).status).toBe(409);

    expect((await c.post('/calendars/bank-hn/delete', { _csrf: c.csrf }, htmx)).status).toBe(200);
    expect(await cron.calendars.list()).not.toContain('bank-hn');
    expect(actions.filter((a) => a.action.startsWith('calendar.')).map((a) => `${a.action} ${a.resource} ${a.result}`)).toEqual(['calendar.define calendar:bank-hn ok', 'calendar.define calendar:x VALIDATION_FAILED', 'calendar.define calendar: VALIDATION_FAILED', 'calendar.delete calendar:bank-hn ok']);
  });
});

describe('permissions', () => {
  it('a Regular User sees no calendar form and no variable form, and every change is refused by the server', async () => {
    const c = await signIn('regular');
    const vars = await c.get('/variables');
    expect(vars.status).toBe(200);
    expect(vars.text).not.toContain('data-testid="variable-form"');
    const cals = await c.get('/calendars');
    expect(cals.text).not.toContain('data-testid="calendar-form"');
    for (const [path, form] of [['/variables', { name: 'X', value: '1' }], ['/variables/delete', { name: 'X' }], ['/calendars', { name: 'c1' }], ['/calendars/vn/delete', {}]] as const) {
      expect((await c.post(path, { _csrf: c.csrf, ...form })).status, path).toBe(403);
    }
  });

  it('without variable:read or job:read the entries are absent and the pages refused', async () => {
    USERS.none = { id: 'u-none', name: 'none', permissions: ['execution:read'] };
    const c = await signIn('none');
    const home = await c.get('/executions');
    expect(home.text).not.toContain('data-testid="nav-variables"');
    expect(home.text).not.toContain('data-testid="nav-calendars"');
    expect((await c.get('/variables')).status).toBe(403);
    expect((await c.get('/calendars')).status).toBe(403);
    expect((await c.get('/calendars/vn')).status).toBe(403);
  });
});

// Repeated fields (checkboxes) are sent as pairs, as a browser does.
describe('users, webhooks and audit pages (the admin port)', () => {
  it('an admin creates a user, changes roles, disables and resets; every change audited', async () => {
    const c = await signIn('admin');
    const home = await c.get('/');
    expect(home.text).toContain('data-testid="nav-admin"');
    const root = await c.get('/admin');
    expect(root.status).toBe(303);
    expect(root.res.headers.get('location')).toBe('/dash/admin/users');
    const page = await c.get('/admin/users');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="roles"');
    expect(page.text).toContain('<td><code>admin</code></td>');

    const weak = await c.post('/admin/users', { _csrf: c.csrf, username: 'ops', password: 'short' }, htmx);
    expect(weak.status).toBe(403);
    expect(weak.text).toContain('password: must be at least 12 characters');
    const made = await c.post('/admin/users', { _csrf: c.csrf, username: 'ops<i>', display_name: 'Trực ca', password: 'a-long-one-time-pass', roles: 'Regular User' }, htmx);
    expect(made.status).toBe(200);
    expect(made.text).toContain('User ops&lt;i&gt; created.');
    const ops = admin.users.find((u) => u.username === 'ops<i>')!;
    expect(ops).toMatchObject({ displayName: 'Trực ca', roles: ['Regular User'], mustChangePassword: true });
    expect((await c.post(`/admin/users/${ops.id}/roles`, [['_csrf', c.csrf], ['roles', 'Admin'], ['roles', 'Regular User']] as never, htmx)).status).toBe(200);
    expect(ops.roles).toEqual(['Admin', 'Regular User']);
    expect((await c.post(`/admin/users/${ops.id}/disable`, { _csrf: c.csrf }, htmx)).status).toBe(200);
    expect(ops.disabled).toBe(true);
    expect((await c.post(`/admin/users/${ops.id}/password`, { _csrf: c.csrf, password: 'another-one-time-pass' }, htmx)).status).toBe(200);
    const region = await c.get('/admin/users?region=1', htmx);
    expect(region.text).toMatch(/^<div id="users-region"[\s\S]*data-user="ops&lt;i&gt;"[\s\S]*disabled/);

    const audit = await c.get('/admin/audit?actor=admin&action=user.create');
    expect(audit.status).toBe(200);
    expect(audit.text.match(/data-action="user.create"/g)).toHaveLength(2);
    expect(audit.text).toContain('FORBIDDEN');
    const all = await c.get('/admin/audit?actor=admin');
    for (const a of ['user.roles', 'user.disable', 'user.password_reset']) expect(all.text).toContain(`data-action="${a}"`);
    expect(all.text).not.toContain('another-one-time-pass');
    const verified = await c.get('/admin/audit?verify=1');
    expect(verified.text).toContain('data-testid="audit-verified"');
  });

  it('a webhook shows its URL, secret and a caller sample once; the list never shows a secret; rotate and delete', async () => {
    const job = await cron.jobs.create({ name: 'nhan-webhook', schedule: null, steps: [{ id: 'a', type: 'echo', config: { message: 'hi' } }] });
    const c = await signIn('admin');
    expect((await c.get('/admin/webhooks')).text).toContain('data-testid="webhook-form"');
    const made = await c.post('/admin/webhooks', { _csrf: c.csrf, job: 'nhan-webhook' }, htmx);
    expect(made.status).toBe(200);
    const secret = /data-testid="webhook-secret-value">(whsec_[^<]+)</.exec(made.text)![1]!;
    expect(made.text).toMatch(/data-testid="webhook-url">https:\/\/vecron.example\/webhooks\/[0-9a-f-]{36}</);
    expect(made.text).toContain('curl -X POST');
    const list = await c.get('/admin/webhooks');
    expect(list.text).toContain('nhan-webhook');
    expect(list.text).not.toContain(secret);
    const id = /data-webhook="([0-9a-f-]{36})"/.exec(list.text)![1]!;
    // Without JavaScript the secret comes on a page of its own (a redirect would lose it).
    const rotated = await c.post(`/admin/webhooks/${id}/rotate`, { _csrf: c.csrf });
    expect(rotated.status).toBe(200);
    expect(rotated.text).toContain('New secret issued.');
    expect(rotated.text).not.toContain(secret);
    expect((await c.post('/admin/webhooks', { _csrf: c.csrf, job: 'no-such-job' }, htmx)).status).toBe(404);
    expect((await c.post(`/admin/webhooks/${id}/delete`, { _csrf: c.csrf }, htmx)).status).toBe(200);
    expect((await c.get('/admin/webhooks')).text).not.toContain(`data-webhook="${id}"`);
    expect(actions.filter((a) => a.action.startsWith('webhook.')).map((a) => `${a.action} ${a.result}`)).toEqual(['webhook.create ok', 'webhook.rotate ok', 'webhook.delete ok']);
    await cron.jobs.delete(job.id);
  });

  it('a Regular User sees no Administration entry and is refused every admin page and action by the server', async () => {
    const c = await signIn('regular');
    const home = await c.get('/');
    expect(home.text).not.toContain('data-testid="nav-admin"');
    const before = admin.calls.length;
    for (const p of ['/admin', '/admin/users', '/admin/webhooks', '/admin/audit', '/admin/audit?verify=1']) expect((await c.get(p)).status, p).toBe(403);
    const id = admin.users[0]!.id;
    for (const p of ['/admin/users', `/admin/users/${id}/roles`, `/admin/users/${id}/disable`, `/admin/users/${id}/enable`, `/admin/users/${id}/password`, '/admin/webhooks', `/admin/webhooks/${id}/rotate`, `/admin/webhooks/${id}/delete`]) {
      expect((await c.post(p, { _csrf: c.csrf, username: 'x', password: 'a-long-one-time-pass', job: 'x' })).status, p).toBe(403);
    }
    expect(admin.calls.length).toBe(before);
    expect(admin.users[0]!.disabled).toBe(false);
  });

  it('without an admin port the pages are absent', async () => {
    const c = browserClient(bare.base);
    const home = await c.get('/');
    expect(home.text).not.toContain('data-testid="nav-admin"');
    expect(home.text).toContain('data-testid="nav-variables"');
    expect((await c.get('/admin/users')).status).toBe(404);
  });
});
