import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
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
  it('sends a browser to the sign-in form; the one-time admin password must be changed through the API first', async () => {
    const b = browser(base);
    const first = await b.get('/dashboard/');
    expect(first.status).toBe(303);
    expect(first.location).toBe('/dashboard/login?next=%2F');
    await b.get('/dashboard/login');
    const r = await b.post('/dashboard/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(r.status).toBe(401);
    expect(r.text).toContain('must change its password first');
    expect(b.jar.has('vecron_session')).toBe(false);
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
