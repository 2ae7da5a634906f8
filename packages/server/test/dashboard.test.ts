import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { signWebhookV2 } from '../src/webhooks/signature.js';
import { ADMIN_NEW_PASSWORD, ADMIN_PASSWORD, adminToken, browser, client, echoJob, startTestServer, userToken } from './helpers.js';

let server: RunningServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer();
  base = server.apiUrl!;
});
afterAll(async () => {
  await server.stop();
});

describe('/dashboard behind the server auth', () => {
  it('sends a browser to the sign-in form; a one-time password is changed there (current, new, repeat) and the admin is signed in', async () => {
    const b = browser(base);
    const first = await b.get('/dashboard/');
    expect(first.status).toBe(303);
    expect(first.location).toBe('/dashboard/login?next=%2F');
    await b.get('/dashboard/login');
    const r = await b.post('/dashboard/login', { username: 'admin', password: ADMIN_PASSWORD, next: '/' });
    expect(r.status).toBe(401);
    expect(r.text).toContain('must change its one-time password');
    expect(r.text).toContain('data-testid="password-change"');
    expect(b.jar.has('vecron_session')).toBe(false);
    const form = { username: 'admin', current_password: ADMIN_PASSWORD, next: '/' };
    expect((await b.post('/dashboard/login/password', { ...form, new_password: ADMIN_NEW_PASSWORD, repeat_password: 'something-else-123' })).text).toContain('The two new passwords differ.');
    const short = await b.post('/dashboard/login/password', { ...form, new_password: 'short-pass', repeat_password: 'short-pass' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('must be at least 12 characters');
    expect((await b.post('/dashboard/login/password', { ...form, current_password: 'wrong-password', new_password: ADMIN_NEW_PASSWORD, repeat_password: ADMIN_NEW_PASSWORD })).status).toBe(401);
    const changed = await b.post('/dashboard/login/password', { ...form, new_password: ADMIN_NEW_PASSWORD, repeat_password: ADMIN_NEW_PASSWORD });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe('/dashboard/');
    expect(b.jar.has('vecron_session')).toBe(true);
    const home = await b.get('/dashboard/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Signed in as admin');
    // The API agrees: the new password works there, the old one does not.
    expect((await client(base).call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status).toBe(401);
    expect((await client(base).call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_NEW_PASSWORD } })).body.must_change_password).toBe(false);
    expect((await server.audit.list({ action: 'auth.password_change', limit: 10, offset: 0 })).some((a) => a.result === 'ok' && a.details.via === 'dashboard')).toBe(true);
  });

  it('signs in with a form into an HttpOnly SameSite=Strict JWT cookie, runs a job, audits it; the cookie is not an API credential', async () => {
    const token = await adminToken(base);
    const api = client(base);
    const job = await api.call('POST', '/api/jobs', { token, body: echoJob('dash-job-<b>') });
    expect(job.status).toBe(201);

    const b = browser(base);
    await b.get('/dashboard/login');
    const login = await b.post('/dashboard/login', { username: 'admin', password: ADMIN_NEW_PASSWORD });
    expect(login.status).toBe(303);
    const setCookie = login.res.headers.getSetCookie().find((c) => c.startsWith('vecron_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/dashboard/);
    const jwt = b.jar.get('vecron_session')!;
    expect(jwt.split('.')).toHaveLength(3);

    const home = await b.get('/dashboard/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Signed in as admin');
    expect(home.text).toContain('dash-job-&lt;b&gt;');
    expect(home.text).not.toContain('no sign-in');

    const run = await b.post(`/dashboard/jobs/${job.body.id}/run`, {}, { 'hx-request': 'true' });
    expect(run.status).toBe(200);
    const executionId = /executions\/([0-9a-f-]{36})/.exec(run.text)![1]!;
    const e = await server.cron.executions.wait(executionId);
    expect(e.status).toBe('success');
    expect(e.triggerMetadata.triggered_by_username).toBe('admin');
    const audit = await server.audit.list({ action: 'job.trigger', limit: 10, offset: 0 });
    expect(audit.find((a) => a.resource === `job:${job.body.id}`)?.details).toMatchObject({ via: 'dashboard', execution_id: executionId });
    expect((await server.audit.list({ action: 'auth.login', limit: 50, offset: 0 })).some((a) => a.details.via === 'dashboard' && a.result === 'ok')).toBe(true);

    // The cookie alone does not authenticate the REST API (it needs the Authorization header).
    const viaCookie = await fetch(`${base}/api/jobs`, { headers: { cookie: `vecron_session=${jwt}` } });
    expect(viaCookie.status).toBe(401);
    // A POST without the page's token is refused even with the session cookie.
    expect((await fetch(`${base}/dashboard/jobs/${job.body.id}/run`, { method: 'POST', headers: { cookie: `vecron_session=${jwt}` }, redirect: 'manual' })).status).toBe(403);
  });

  it('applies the user roles: a Regular User sees no enable/disable and only their own executions; revoked tokens sign out', async () => {
    const admin = await adminToken(base);
    const api = client(base);
    const job = await api.call('POST', '/api/jobs', { token: admin, body: echoJob('dash-rbac') });
    const others = await api.call('POST', `/api/jobs/${job.body.id}/trigger`, { token: admin, body: {} });
    const user = await userToken(base, admin, 'dash-user', ['Regular User']);

    const b = browser(base);
    await b.get('/dashboard/login');
    expect((await b.post('/dashboard/login', { username: 'dash-user', password: 'User-Password-123' })).status).toBe(303);
    const home = await b.get('/dashboard/');
    expect(home.text).toContain('data-testid="run-now"');
    expect(home.text).not.toContain('data-testid="disable"');
    expect((await b.post(`/dashboard/jobs/${job.body.id}/disable`, {}, { 'hx-request': 'true' })).status).toBe(403);
    expect((await b.get(`/dashboard/executions/${others.body.execution_id}`)).status).toBe(404);

    // A role change bumps the token version: the dashboard session ends at once.
    expect((await api.call('PUT', `/api/users/${user.id}/roles`, { token: admin, body: { roles: ['Admin'] } })).status).toBeLessThan(300);
    expect((await b.get('/dashboard/')).status).toBe(303);
  });
});

describe('/dashboard administration pages on the real server', () => {
  const htmx = { 'hx-request': 'true' };
  const signIn = async (username: string, password: string) => {
    const b = browser(base);
    await b.get('/dashboard/login');
    expect((await b.post('/dashboard/login', { username, password })).status).toBe(303);
    await b.get('/dashboard/');
    return b;
  };

  it('an admin creates a user, a webhook (URL and secret shown once), a sensitive variable and a calendar; the audit page lists them and verifies the chain', async () => {
    const token = await adminToken(base);
    const api = client(base);
    const job = await api.call('POST', '/api/jobs', { token, body: { ...echoJob('dash-admin-hook'), triggers: { webhook: { enabled: true } } } });
    expect(job.status).toBe(201);
    const b = await signIn('admin', ADMIN_NEW_PASSWORD);
    const home = await b.get('/dashboard/');
    for (const nav of ['nav-admin', 'nav-variables', 'nav-calendars']) expect(home.text).toContain(`data-testid="${nav}"`);

    const made = await b.post('/dashboard/admin/users', { username: 'ops-night', display_name: 'Trực đêm', password: 'Night-Shift-Pass-1', roles: 'Regular User' }, htmx);
    expect(made.status).toBe(200);
    expect(made.text).toContain('User ops-night created.');
    const listed = (await api.call('GET', '/api/users', { token })).body.items.find((u: { username: string }) => u.username === 'ops-night');
    expect(listed).toMatchObject({ display_name: 'Trực đêm', roles: ['Regular User'], must_change_password: true });
    // The API's rules: a short password is refused naming the field.
    const weak = await b.post('/dashboard/admin/users', { username: 'weak', password: 'short' }, htmx);
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('$.password');
    expect((await b.get('/dashboard/admin/users')).text).toContain('data-user="ops-night"');

    const hook = await b.post('/dashboard/admin/webhooks', { job: 'dash-admin-hook' }, htmx);
    expect(hook.status).toBe(200);
    const url = /data-testid="webhook-url">([^<]+)</.exec(hook.text)![1]!;
    const secret = /data-testid="webhook-secret-value">(whsec_[^<]+)</.exec(hook.text)![1]!;
    expect(url).toMatch(/\/webhooks\/[0-9a-f-]{36}$/);
    expect(hook.text).toContain('openssl dgst -sha256 -hmac');
    expect((await b.get('/dashboard/admin/webhooks')).text).not.toContain(secret);
    // The URL and secret shown work: a call signed as the sample does starts the job.
    const hookId = url.split('/').pop()!;
    const ts = String(Math.floor(Date.now() / 1000));
    const delivery = randomUUID();
    const body = '{"hello":"world"}';
    const call = await fetch(`${base}/webhooks/${hookId}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-vecron-timestamp': ts, 'x-vecron-delivery': delivery, 'x-vecron-signature': signWebhookV2(secret, ts, delivery, body) } });
    expect(call.status).toBe(202);

    expect((await b.post('/dashboard/variables', { name: 'NIGHT_TOKEN', value: 'tok-night-secret-999', sensitive: '1' }, htmx)).status).toBe(200);
    const vars = await b.get('/dashboard/variables');
    expect(vars.text).toContain('data-variable="NIGHT_TOKEN"');
    expect(vars.text).not.toContain('tok-night-secret-999');

    expect((await b.post('/dashboard/calendars', { name: 'bank-night', extends: 'vn', timezone: 'Asia/Ho_Chi_Minh', excluded_dates: '2026-12-24 Khoá sổ cuối năm' }, htmx)).status).toBe(200);
    expect((await b.get('/dashboard/calendars/bank-night?year=2026')).text).toContain('Khoá sổ cuối năm');

    const audit = await b.get('/dashboard/admin/audit?actor=admin');
    expect(audit.status).toBe(200);
    for (const a of ['user.create', 'webhook.create', 'variable.set', 'calendar.define']) expect(audit.text, a).toContain(`data-action="${a}"`);
    expect(audit.text).not.toContain('tok-night-secret-999');
    expect(audit.text).not.toContain(secret);
    const byResource = await b.get(`/dashboard/admin/audit?resource=${encodeURIComponent(`job:${job.body.id}`)}`);
    expect(byResource.text).toContain('data-action="webhook.create"');
    expect(byResource.text).not.toContain('data-action="user.create"');
    expect((await b.get('/dashboard/admin/audit?verify=1')).text).toContain('data-testid="audit-verified"');
  });

  it('a Regular User sees no administration entry and gets 403 on every admin URL by GET and POST', async () => {
    const admin = await adminToken(base);
    const user = await userToken(base, admin, 'dash-regular', ['Regular User']);
    const b = await signIn('dash-regular', 'User-Password-123');
    const home = await b.get('/dashboard/');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('data-testid="nav-admin"');
    for (const p of ['/admin', '/admin/users', '/admin/webhooks', '/admin/audit', '/admin/audit?verify=1']) expect((await b.get(`/dashboard${p}`)).status, p).toBe(403);
    const before = (await client(base).call('GET', '/api/users', { token: admin })).body.items.length;
    const id = user.id;
    for (const p of ['/admin/users', `/admin/users/${id}/roles`, `/admin/users/${id}/disable`, `/admin/users/${id}/enable`, `/admin/users/${id}/password`, '/admin/webhooks', `/admin/webhooks/${id}/rotate`, `/admin/webhooks/${id}/delete`,
      '/variables', '/variables/delete', '/calendars', '/calendars/vn/delete']) {
      expect((await b.post(`/dashboard${p}`, { username: 'sneaky', password: 'Sneaky-Password-1', roles: 'Admin', job: 'dash-admin-hook', name: 'X', value: '1' })).status, p).toBe(403);
    }
    expect((await client(base).call('GET', '/api/users', { token: admin })).body.items.length).toBe(before);
    expect((await client(base).call('GET', `/api/users/${id}`, { token: admin })).body.roles).toEqual(['Regular User']);
  });
});
