import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_ROUTER } from '@vecron/dashboard';
import type { ZodType } from 'zod';
import { PERMISSIONS, SEED_ROLES } from '../src/auth/permissions.js';
import { ROUTE_META } from '../src/http/route.js';
import type { RouteDef } from '../src/http/route.js';
import type { RunningServer } from '../src/runtime/start-server.js';
import { adminToken, client, echoJob, sseEvents, startTestServer, userToken } from './helpers.js';

let server: RunningServer;
let api: ReturnType<typeof client>;
let admin: string;
let regular: { id: string; token: string };
const REGULAR_PERMS = new Set<string>(SEED_ROLES.find((r) => r.name === 'Regular User')!.permissions);

beforeAll(async () => {
  server = await startTestServer({}, {});
  api = client(server.apiUrl!);
  admin = await adminToken(server.apiUrl!);
  regular = await userToken(server.apiUrl!, admin, 'regular', ['Regular User']);
});
afterAll(async () => {
  await server?.stop();
});

const routes = (): RouteDef[] => server.routes as unknown as RouteDef[];
const concrete = (path: string): string => `/api${path.replace(':id', randomUUID()).replace(':name', 'SOME_VAR')}`;

/** Calls a route; SSE is aborted once the status is known. */
async function hit(r: RouteDef, token: string | null, body: unknown = {}): Promise<number> {
  const url = `${server.apiUrl}${concrete(r.path)}`;
  if (r.path === '/events') {
    const ac = new AbortController();
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: ac.signal });
    ac.abort();
    return res.status;
  }
  return (await api.call(r.method.toUpperCase(), concrete(r.path), { token, ...(r.method === 'get' ? {} : { body }) })).status;
}

describe('route table', () => {
  it('every route mounted on the router declares its access, and mutating ones an audit action', () => {
    const found: Array<{ method: string; path: string; meta: RouteDef | undefined }> = [];
    let dashboards = 0;
    const walk = (stack: Array<{ route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> }; handle?: { stack?: unknown[] }; matchers?: unknown }>, prefix: string): void => {
      for (const layer of stack) {
        if (layer.route) {
          for (const m of Object.keys(layer.route.methods)) {
            const handlers = layer.route.stack.map((l) => l.handle as Record<symbol, RouteDef | undefined>);
            found.push({ method: m, path: prefix + layer.route.path, meta: handlers.map((h) => h[ROUTE_META]).find(Boolean) });
          }
        } else if (layer.handle && (layer.handle as Record<symbol, unknown>)[DASHBOARD_ROUTER]) {
          // The HTML dashboard has its own sign-in, permission checks, CSRF and audit (test/dashboard.test.ts).
          dashboards++;
        } else if (layer.handle?.stack) {
          walk(layer.handle.stack as never, prefix);
        }
      }
    };
    walk((server.app as unknown as { router: Router }).router.stack as never, '');
    const apiRoutes = found.filter((f) => f.meta);
    const others = found.filter((f) => !f.meta).map((f) => `${f.method} ${f.path}`).sort();
    // Only liveness, readiness and the HMAC-verified webhook receiver live outside the declared table.
    expect(others).toEqual(['get /health', 'get /ready', 'post /webhooks/:id']);
    expect(dashboards).toBe(1);
    expect(apiRoutes.length).toBe(routes().length);
    for (const f of apiRoutes) {
      expect([...PERMISSIONS, 'authenticated', 'public']).toContain(f.meta!.access);
      if (f.method !== 'get') expect(f.meta!.action, `${f.method} ${f.path}`).toMatch(/^[a-z]+\.[a-z_]+$/);
    }
    expect(PERMISSIONS).toHaveLength(18);
  });

  it('the OpenAPI document lists every route with its permission', async () => {
    const r = await api.call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const route of routes()) {
      const op = r.body.paths[`/api${route.path.replace(/:([a-z_]+)/g, '{$1}')}`]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op['x-vecron-permission']).toBe(route.access);
    }
  });
});

describe('RBAC matrix: every route × no token, Regular User, Admin', () => {
  it('answers 401 / 403 / allowed exactly as each route declares', async () => {
    for (const r of routes()) {
      const label = `${r.method.toUpperCase()} ${r.path}`;
      if (r.path === '/auth/login') continue; // public and rate limited; covered in security tests
      if (r.path === '/auth/logout') {
        // Signing out ends the caller's sessions: only the anonymous case here (test/hardening.test.ts has the rest).
        expect(await hit(r, null), label).toBe(401);
        continue;
      }
      const anon = await hit(r, null);
      if (r.access === 'public') expect(anon, label).not.toBe(401);
      else expect(anon, label).toBe(401);
      const reg = await hit(r, regular.token);
      const regAllowed = r.access === 'public' || r.access === 'authenticated' || REGULAR_PERMS.has(r.access);
      if (regAllowed) expect([401, 403], label).not.toContain(reg);
      else expect(reg, label).toBe(403);
      const adm = await hit(r, admin);
      expect([401, 403], label).not.toContain(adm);
      expect(adm, label).toBeLessThan(500);
    }
  });

  it('every denial is in the audit log', async () => {
    const before = (await server.audit.list({ limit: 500, offset: 0 })).filter((a) => a.result.startsWith('denied:')).length;
    await api.call('DELETE', `/api/jobs/${randomUUID()}`, { token: regular.token });
    await api.call('GET', '/api/users', {});
    const after = await server.audit.list({ limit: 500, offset: 0 });
    expect(after.filter((a) => a.result.startsWith('denied:')).length).toBe(before + 2);
    expect(after[0]).toMatchObject({ action: 'user.read', result: 'denied:UNAUTHENTICATED', actor: 'anonymous' });
    expect(after[1]).toMatchObject({ action: 'job.delete', result: 'denied:FORBIDDEN', actor: 'regular' });
  });
});

describe('unknown ids → 404', () => {
  const bodies: Record<string, unknown> = {
    'put /jobs/:id': echoJob('ghost'),
    'put /users/:id/roles': { roles: ['Admin'] },
    'patch /users/:id': { display_name: 'x' },
    'post /webhooks/:id/rotate': {},
    'put /variables/:name': { value: 'x', job_id: randomUUID() },
    'post /jobs/:id/backfill': { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
  };
  it('for every route with an :id (and malformed ids too)', async () => {
    for (const r of routes().filter((x) => x.path.includes(':id'))) {
      const body = bodies[`${r.method} ${r.path}`] ?? {};
      const res = await api.call(r.method.toUpperCase(), concrete(r.path), { token: admin, ...(r.method === 'get' ? {} : { body }) });
      expect(res.status, `${r.method} ${r.path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      const bad = await api.call(r.method.toUpperCase(), `/api${r.path.replace(':id', "1' OR 1=1--")}`, { token: admin, ...(r.method === 'get' ? {} : { body }) });
      expect(bad.status, `${r.method} ${r.path} malformed`).toBe(404);
    }
    const v = await api.call('PUT', '/api/variables/X', { token: admin, body: bodies['put /variables/:name'] });
    expect(v.status).toBe(404);
    expect((await api.call('GET', '/api/nope', { token: admin })).status).toBe(404);
  });
});

describe('bad bodies (fast-check) → 400 with field paths, never 500', () => {
  it('for every route with a body schema', async () => {
    const withBody = routes().filter((r) => r.body && r.method !== 'get' && r.path !== '/auth/login' && r.path !== '/jobs/validate');
    expect(withBody.length).toBeGreaterThan(12);
    for (const r of withBody) {
      const schema = r.body as ZodType;
      const invalid = fc
        .oneof(fc.object({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.constantFrom('name', 'steps', 'value', 'roles', 'job_id', 'jobs', 'password', 'permissions', 'from_start', 'grace_seconds'), fc.jsonValue({ maxDepth: 1 })))
        // Judge the body the server receives: JSON drops `undefined` members ({"": undefined} is sent as {}).
        .map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown)
        .filter((v) => !schema.safeParse(v).success);
      await fc.assert(
        fc.asyncProperty(invalid, async (body) => {
          const res = await api.call(r.method.toUpperCase(), concrete(r.path), { token: admin, body });
          expect(res.status, `${r.method} ${r.path} ${JSON.stringify(body)}`).toBe(400);
          expect(res.body.error.code).toBe('VALIDATION_FAILED');
          expect(res.body.error.details.issues.length).toBeGreaterThan(0);
          for (const i of res.body.error.details.issues) expect(i.path).toMatch(/^\$/);
          expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
        }),
        { numRuns: 12 },
      );
    }
  });

  it('malformed JSON and oversized bodies get the same error shape', async () => {
    const bad = await api.call('POST', '/api/jobs', { token: admin, raw: '{"name": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_JSON');
    const big = await api.call('POST', '/api/jobs', { token: admin, raw: JSON.stringify({ name: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a job with an unknown step type names the field and the registered types', async () => {
    const r = await api.call('POST', '/api/jobs', { token: admin, body: { name: 'bad-type', steps: [{ id: 'a', type: 'nope' }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.issues[0]).toMatchObject({ path: '$.steps[0].type' });
    expect(r.body.error.details.issues[0].message).toContain('echo');
  });
});

describe('jobs and executions (happy paths)', () => {
  it('CRUD, enable/disable, preview, trigger with Idempotency-Key, timeline, filters, ledger', async () => {
    const created = await api.call('POST', '/api/jobs', { token: admin, body: echoJob('crud-job', { schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI' }, tags: ['t'] }) });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await api.call('GET', `/api/jobs/${id}`, { token: regular.token })).body.name).toBe('crud-job');
    expect((await api.call('GET', '/api/jobs?limit=500', { token: admin })).body.items.some((j: { id: string }) => j.id === id)).toBe(true);
    const dup = await api.call('POST', '/api/jobs', { token: admin, body: echoJob('crud-job') });
    expect(dup.status).toBe(409);
    const preview = await api.call('GET', `/api/jobs/${id}/preview?count=3`, { token: admin });
    expect(preview.body.fires).toHaveLength(3);
    const put = await api.call('PUT', `/api/jobs/${id}`, { token: admin, body: echoJob('crud-job', { description: 'v2' }) });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(2);
    expect((await api.call('POST', `/api/jobs/${id}/disable`, { token: admin })).body.enabled).toBe(false);
    expect((await api.call('POST', `/api/jobs/${id}/enable`, { token: admin })).body.enabled).toBe(true);

    const t1 = await api.call('POST', `/api/jobs/${id}/trigger`, { token: regular.token, body: { payload: { a: 1 } }, headers: { 'idempotency-key': 'k-1' } });
    expect(t1.status).toBe(202);
    const t2 = await api.call('POST', `/api/jobs/${id}/trigger`, { token: regular.token, body: {}, headers: { 'idempotency-key': 'k-1' } });
    expect(t2.body).toMatchObject({ execution_id: t1.body.execution_id, created: false });
    const done = await server.cron.executions.wait(t1.body.execution_id, { timeoutMs: 20_000 });
    expect(done.status).toBe('success');
    const got = await api.call('GET', `/api/executions/${done.id}`, { token: regular.token });
    expect(got.body.context.steps.say.output.said).toBe(`hi ${done.id}`);
    expect(got.body.timeline[0]).toMatchObject({ step_id: 'say', status: 'succeeded', attempt: 1 });
    expect(got.body.trigger_metadata.triggered_by).toBe(regular.id);
    const filtered = await api.call('GET', `/api/executions?job_id=${id}&status=success,failed&trigger_source=manual&from=2000-01-01T00:00:00Z&limit=10`, { token: admin });
    expect(filtered.body.items.map((e: { id: string }) => e.id)).toEqual([done.id]);
    expect((await api.call('GET', `/api/executions?trigger_source=scheduled&job_id=${id}`, { token: admin })).body.items).toEqual([]);
    expect((await api.call('GET', '/api/executions?status=bogus', { token: admin })).status).toBe(400);
    expect((await api.call('GET', `/api/jobs/${id}/ledger`, { token: admin })).status).toBe(200);
    const replay = await api.call('POST', `/api/executions/${done.id}/replay`, { token: admin, body: { from_start: true } });
    expect(replay.status).toBe(202);
    expect((await server.cron.executions.wait(replay.body.execution_id, { timeoutMs: 20_000 })).status).toBe('success');
    expect((await api.call('DELETE', `/api/jobs/${id}`, { token: admin })).status).toBe(204);
    expect((await api.call('GET', `/api/jobs/${id}`, { token: admin })).status).toBe(404);
  });

  it('a job shows its stored next_fire_at and last_fire_at (get, list, OpenAPI); null without a schedule', async () => {
    const cron = await api.call('POST', '/api/jobs', { token: admin, body: echoJob('fire-times-cron', { schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: 'UTC' } }) });
    expect(cron.status).toBe(201);
    const first = (await api.call('GET', `/api/jobs/${cron.body.id}/preview?count=1`, { token: admin })).body.fires[0];
    expect(cron.body).toMatchObject({ next_fire_at: first, last_fire_at: null });
    expect((await api.call('GET', `/api/jobs/${cron.body.id}`, { token: admin })).body).toMatchObject({ next_fire_at: first, last_fire_at: null });
    const manual = await api.call('POST', '/api/jobs', { token: admin, body: echoJob('fire-times-manual') });
    expect(manual.body).toMatchObject({ next_fire_at: null, last_fire_at: null });

    const rate = await api.call('POST', '/api/jobs', { token: admin, body: echoJob('fire-times-rate', { schedule: { type: 'fixed_rate', interval_seconds: 1 } }) });
    let listed: { next_fire_at: string | null; last_fire_at: string | null } | undefined;
    for (let i = 0; i < 100; i++) {
      const list = await api.call('GET', '/api/jobs?limit=500', { token: admin });
      listed = list.body.items.find((j: { id: string }) => j.id === rate.body.id);
      if (listed?.last_fire_at) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed!.last_fire_at).not.toBeNull();
    expect(Date.parse(listed!.next_fire_at!)).toBeGreaterThan(Date.parse(listed!.last_fire_at!));
    const ledger = await api.call('GET', `/api/jobs/${rate.body.id}/ledger?limit=500`, { token: admin });
    expect(ledger.body.items.map((r: { fire_at: string }) => r.fire_at)).toContain(listed!.last_fire_at);
    for (const j of [cron, manual, rate]) await api.call('DELETE', `/api/jobs/${j.body.id}`, { token: admin });

    const doc = (await api.call('GET', '/api/openapi.json')).body;
    expect(doc.components.schemas.Job.required).toEqual(expect.arrayContaining(['next_fire_at', 'last_fire_at']));
    expect(doc.paths['/api/jobs/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Job' });
    expect(doc.paths['/api/jobs'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/JobList' });
  });

  it('a regular user sees only the executions they triggered', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('visibility-job') })).body;
    const mine = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: regular.token, body: {} })).body.execution_id;
    const theirs = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    await server.cron.executions.wait(theirs, { timeoutMs: 20_000 });
    const list = await api.call('GET', `/api/executions?job_id=${job.id}`, { token: regular.token });
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([mine]);
    expect((await api.call('GET', `/api/executions/${theirs}`, { token: regular.token })).status).toBe(404);
    expect((await api.call('GET', `/api/executions?job_id=${job.id}`, { token: admin })).body.items).toHaveLength(2);
  });

  it('stop cancels a running execution', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'sleepy', steps: [{ id: 's', type: 'sleep', config: { ms: 30_000 } }] } })).body;
    const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    for (let i = 0; i < 100 && (await server.cron.executions.get(ex))!.status === 'pending'; i++) await new Promise((r) => setTimeout(r, 50));
    const stop = await api.call('POST', `/api/executions/${ex}/stop`, { token: admin });
    expect(stop.status).toBe(202);
    expect((await server.cron.executions.wait(ex, { timeoutMs: 20_000 })).status).toBe('cancelled');
    expect((await api.call('POST', `/api/executions/${ex}/stop`, { token: admin })).status).toBe(409);
  });

  it('dead-letter queue: list, replay, discard', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'dlq-job', max_retries: 0, steps: [{ id: 'x', type: 'transient', retry_count: 0 }] } })).body;
    const a = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    const b = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    expect((await server.cron.executions.wait(a, { timeoutMs: 20_000 })).status).toBe('dead_letter');
    await server.cron.executions.wait(b, { timeoutMs: 20_000 });
    const list = await api.call('GET', `/api/dlq?job_id=${job.id}`, { token: admin });
    expect(list.body.items.map((e: { id: string }) => e.id).sort()).toEqual([a, b].sort());
    expect((await api.call('POST', `/api/dlq/${a}/discard`, { token: admin, body: { reason: 'known issue' } })).status).toBe(200);
    const replay = await api.call('POST', `/api/dlq/${b}/replay`, { token: admin, body: {} });
    expect(replay.status).toBe(202);
    expect((await api.call('GET', `/api/dlq?job_id=${job.id}`, { token: admin })).body.items.map((e: { id: string }) => e.id)).not.toContain(a);
    expect((await api.call('POST', `/api/dlq/${a}/discard`, { token: admin, body: {} })).status).toBe(409);
    await server.cron.executions.wait(replay.body.execution_id, { timeoutMs: 20_000 });
    expect(server.alerts.some((al) => al.kind === 'dead_letter' && al.job_id === job.id)).toBe(true);
  });

  it('alerts after N consecutive failures (default 3), once', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'failing', steps: [{ id: 'x', type: 'fail' }] } })).body;
    for (let i = 0; i < 4; i++) {
      const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
      expect((await server.cron.executions.wait(ex, { timeoutMs: 20_000 })).status).toBe('failed');
    }
    await new Promise((r) => setTimeout(r, 200));
    const alerts = server.alerts.filter((a) => a.kind === 'consecutive_failures' && a.job_id === job.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.details).toMatchObject({ count: 3 });
  });
});

describe('users, roles, variables, webhooks admin, audit, import/export, schema', () => {
  it('users and roles: create, patch, assign, custom role, delete', async () => {
    const u = await api.call('POST', '/api/users', { token: admin, body: { username: 'ops1', password: 'Ops-Password-1234', roles: ['Regular User'] } });
    expect(u.status).toBe(201);
    expect(u.body).not.toHaveProperty('password_hash');
    expect(u.body.must_change_password).toBe(true);
    const role = await api.call('POST', '/api/roles', { token: admin, body: { name: 'Auditor', permissions: ['system:audit'], execution_scope: 'own' } });
    expect(role.status).toBe(201);
    expect((await api.call('PUT', `/api/users/${u.body.id}/roles`, { token: admin, body: { roles: ['Auditor'] } })).body.roles).toEqual(['Auditor']);
    expect((await api.call('PUT', `/api/users/${u.body.id}/roles`, { token: admin, body: { roles: ['Nope'] } })).status).toBe(400);
    expect((await api.call('GET', '/api/roles', { token: admin })).body.items.map((r: { name: string }) => r.name)).toEqual(['Admin', 'Auditor', 'Regular User']);
    expect((await api.call('PATCH', `/api/users/${u.body.id}`, { token: admin, body: { display_name: 'Ops One' } })).body.display_name).toBe('Ops One');
    expect((await api.call('GET', `/api/users/${u.body.id}`, { token: admin })).status).toBe(200);
    expect((await api.call('GET', '/api/users', { token: admin })).body.items.length).toBeGreaterThanOrEqual(3);
    const builtin = (await api.call('GET', '/api/roles', { token: admin })).body.items.find((r: { name: string }) => r.name === 'Admin');
    expect((await api.call('DELETE', `/api/roles/${builtin.id}`, { token: admin })).status).toBe(409);
    expect((await api.call('DELETE', `/api/roles/${role.body.id}`, { token: admin })).status).toBe(204);
    expect((await api.call('DELETE', `/api/users/${u.body.id}`, { token: admin })).status).toBe(204);
  });

  it('sensitive variables: ciphertext in the database row, masked in every response, need variable:encrypt', async () => {
    const put = await api.call('PUT', '/api/variables/API_TOKEN', { token: admin, body: { value: 'super-secret-value-42', sensitive: true } });
    expect(put.status).toBe(200);
    expect(put.body.value).toBe('••••••');
    const list = await api.call('GET', '/api/variables', { token: regular.token });
    expect(JSON.stringify(list.body)).not.toContain('super-secret-value-42');
    expect(list.body.items.find((v: { name: string }) => v.name === 'API_TOKEN').value).toBe('••••••');
    const { rows } = await server.sql.query<{ value: string }>(`SELECT value FROM vecron_variables WHERE name = 'API_TOKEN'`);
    expect(rows[0]!.value).not.toContain('super-secret-value-42');
    expect(rows[0]!.value).toMatch(/^v1:/);
    // The worker decrypts it for templates; the execution context shown by the API has no clear value either.
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'uses-secret', steps: [{ id: 'e', type: 'echo', config: { message: '${API_TOKEN}' } }] } })).body;
    const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    await server.cron.executions.wait(ex, { timeoutMs: 20_000 });
    const shown = await api.call('GET', `/api/executions/${ex}`, { token: admin });
    expect(JSON.stringify(shown.body)).not.toContain('super-secret-value-42');
    const plain = await api.call('PUT', '/api/variables/REGION', { token: admin, body: { value: 'HN' } });
    expect(plain.body.value).toBe('HN');
    const noEncrypt = await userToken(server.apiUrl!, admin, 'writer', []);
    const writerRole = await api.call('POST', '/api/roles', { token: admin, body: { name: 'Var Writer', permissions: ['variable:write', 'variable:read'] } });
    expect(writerRole.status).toBe(201);
    await api.call('PUT', `/api/users/${noEncrypt.id}/roles`, { token: admin, body: { roles: ['Var Writer'] } });
    const relog = await api.call('POST', '/api/auth/login', { body: { username: 'writer', password: 'User-Password-123' } });
    expect((await api.call('PUT', '/api/variables/X1', { token: relog.body.token, body: { value: 'a', sensitive: true } })).status).toBe(403);
    expect((await api.call('PUT', '/api/variables/X1', { token: relog.body.token, body: { value: 'a' } })).status).toBe(200);
    expect((await api.call('DELETE', '/api/variables/X1', { token: relog.body.token })).status).toBe(204);
    expect((await api.call('DELETE', '/api/variables/X1', { token: admin })).status).toBe(404);
  });

  it('webhook endpoints: secret shown once, never again; rotate; delete', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('hooked', { triggers: { webhook: { enabled: true } } }) })).body;
    const w = await api.call('POST', '/api/webhooks', { token: admin, body: { job_id: job.id } });
    expect(w.status).toBe(201);
    expect(w.body.secret).toMatch(/^whsec_/);
    expect(w.body.url).toBe(`${server.apiUrl}/webhooks/${w.body.id}`);
    const shown = await api.call('GET', `/api/webhooks/${w.body.id}`, { token: admin });
    expect(JSON.stringify(shown.body)).not.toContain(w.body.secret);
    const { rows } = await server.sql.query<{ secrets: unknown }>('SELECT secrets FROM vecron_webhooks WHERE id = $1', [w.body.id]);
    expect(JSON.stringify(rows[0]!.secrets)).not.toContain(w.body.secret);
    const rot = await api.call('POST', `/api/webhooks/${w.body.id}/rotate`, { token: admin, body: { grace_seconds: 60 } });
    expect(rot.body.secret).not.toBe(w.body.secret);
    expect(rot.body.secrets).toHaveLength(2);
    expect((await api.call('GET', `/api/webhooks?job_id=${job.id}`, { token: admin })).body.items).toHaveLength(1);
    expect((await api.call('DELETE', `/api/webhooks/${w.body.id}`, { token: admin })).status).toBe(204);
  });

  it('import/export: masked secrets on export, placeholders keep stored values, per-item errors', async () => {
    const def = { name: 'exported', steps: [{ id: 'e', type: 'echo', config: { message: 'x', password: 'literal-pass', token: '${API_TOKEN}' } }] };
    const created = (await api.call('POST', '/api/jobs', { token: admin, body: def })).body;
    expect(created.definition.steps[0].config.password).toBe('••••••');
    expect(created.definition.steps[0].config.token).toBe('${API_TOKEN}');
    const one = await api.call('GET', `/api/jobs/${created.id}/export`, { token: admin });
    expect(one.body.jobs[0].steps[0].config.password).toBe('••••••');
    const all = await api.call('GET', '/api/jobs/export', { token: admin });
    expect(JSON.stringify(all.body)).not.toContain('literal-pass');
    const edited = { ...one.body.jobs[0], description: 'reimported' };
    const imp = await api.call('POST', '/api/jobs/import', { token: admin, body: { jobs: [edited, { name: 'new-with-mask', steps: [{ id: 'e', type: 'echo', config: { message: 'x', password: '••••••' } }] }, { name: 'broken', steps: [] }] } });
    expect(imp.status).toBe(200);
    expect(imp.body.results.map((r: { status: string }) => r.status)).toEqual(['updated', 'error', 'error']);
    expect(imp.body.results[1].error.issues[0].path).toBe('$.steps[0].config.password');
    expect(imp.body.results[2].error.issues[0].path).toBe('$.steps');
    const stored = await server.cron.jobs.get(created.id);
    expect((stored!.definition.steps[0]!.config as { password: string }).password).toBe('literal-pass');
    expect(stored!.definition.description).toBe('reimported');
    const allBad = await api.call('POST', '/api/jobs/import', { token: admin, body: { jobs: [{ name: 'x' }] } });
    expect(allBad.status).toBe(400);
    // A dry run makes the import's own checks: an unknown step type is an error there too (it said 'valid').
    const dry = await api.call('POST', '/api/jobs/import', { token: admin, body: { dry_run: true, jobs: [{ name: 'dry-ok', steps: [{ id: 'e', type: 'echo', config: { message: 'x' } }] }, { name: 'dry-bad', steps: [{ id: 'e', type: 'no_such_type', config: {} }] }] } });
    expect(dry.body.results.map((r: { status: string }) => r.status)).toEqual(['valid', 'error']);
    expect(dry.body.results[1].error.issues[0].path).toBe('$.steps[0].type');
    expect(await server.cron.jobs.getByName('dry-ok')).toBeNull();
  });

  it('audit log lists mutations; the chain verifies; schema and system config', async () => {
    const audit = await api.call('GET', '/api/audit?action=job.create&limit=5', { token: admin });
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect(audit.body.items[0]).toMatchObject({ action: 'job.create', result: 'ok', actor: 'admin' });
    expect(audit.body.items[0].ip).toMatch(/127\.0\.0\.1/);
    expect((await api.call('GET', '/api/audit/verify', { token: admin })).body).toMatchObject({ ok: true });
    const schema = await api.call('GET', '/api/schema/job', { token: regular.token });
    expect(schema.body.properties.steps).toBeDefined();
    const cfg = await api.call('GET', '/api/system/config', { token: admin });
    expect(cfg.body.auth.initial_admin_password).toBe('••••••');
    expect(cfg.body.api.port).toBe(0);
    const me = await api.call('GET', '/api/auth/me', { token: regular.token });
    expect(me.body).toMatchObject({ username: 'regular', execution_scope: 'own' });
    expect((await api.call('GET', '/api/auth/jwks')).body.keys[0].kid).toBeTruthy();
    expect((await api.call('POST', '/api/jobs/validate', { token: admin, body: echoJob('v') })).body).toEqual({ valid: true, warnings: [] });
    expect((await api.call('POST', '/api/jobs/validate', { token: admin, body: { name: 1 } })).status).toBe(400);
  });
});

describe('SSE, metrics, health', () => {
  it('an SSE client sees pending → running → success of a triggered execution', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('sse-job') })).body;
    const ac = new AbortController();
    const res = await fetch(`${server.apiUrl}/api/events?job_id=${job.id}`, { headers: { authorization: `Bearer ${regular.token}` }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const seen: Array<{ type: string; status?: string; execution_id?: string }> = [];
    const reading = (async () => {
      for await (const { data } of sseEvents(res)) {
        seen.push(data as (typeof seen)[number]);
        if (seen.some((e) => e.type === 'execution.finished')) return;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: regular.token, body: {} })).body.execution_id;
    await Promise.race([reading, new Promise((r) => setTimeout(r, 15_000))]);
    ac.abort();
    const statuses = seen.filter((e) => e.execution_id === ex && e.status).map((e) => e.status);
    expect(statuses).toEqual(['pending', 'running', 'success']);
  });

  it('SSE: a reconnect with Last-Event-ID gets the events it missed, in order; an id this process cannot resume from gets stream.reset', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('sse-resume') })).body;
    const open = (lastId?: string): { ac: AbortController; res: Promise<Response> } => {
      const ac = new AbortController();
      return { ac, res: fetch(`${server.apiUrl}/api/events?job_id=${job.id}`, { headers: { authorization: `Bearer ${admin}`, ...(lastId ? { 'last-event-id': lastId } : {}) }, signal: ac.signal }) };
    };
    const readUntil = async (res: Response, stop: (seen: Array<{ event?: string; id?: string; data: { execution_id?: string; status?: string } }>) => boolean) => {
      const seen: Array<{ event?: string; id?: string; data: { execution_id?: string; status?: string } }> = [];
      const reading = (async () => {
        for await (const e of sseEvents(res)) {
          seen.push(e as (typeof seen)[number]);
          if (stop(seen)) return;
        }
      })();
      await Promise.race([reading, new Promise((r) => setTimeout(r, 15_000))]);
      return seen;
    };
    const first = open();
    const firstRes = await first.res;
    await new Promise((r) => setTimeout(r, 100));
    const ex1 = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    const before = await readUntil(firstRes, (s) => s.some((e) => e.event === 'execution.finished' && e.data.execution_id === ex1));
    first.ac.abort();
    const lastId = before.at(-1)!.id!;
    expect(lastId).toMatch(/^\w+-\d+$/);

    // Disconnected while a whole execution runs.
    const ex2 = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    await server.cron.executions.wait(ex2, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const again = open(lastId);
    const missed = await readUntil(await again.res, (s) => s.some((e) => e.event === 'execution.finished' && e.data.execution_id === ex2));
    again.ac.abort();
    expect(missed.filter((e) => e.data.execution_id === ex2 && e.data.status).map((e) => e.data.status)).toEqual(['pending', 'running', 'success']);
    expect(missed.some((e) => e.data.execution_id === ex1)).toBe(false);
    const ids = missed.map((e) => Number(e.id!.split('-')[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(Number(lastId.split('-')[1]));

    // Another process's id (or one from before a restart): told to re-read, with an id to continue from.
    const other = open('someoneelse-42');
    const reset = await readUntil(await other.res, (s) => s.length >= 1);
    other.ac.abort();
    expect(reset[0]).toMatchObject({ event: 'stream.reset', data: { last_event_id: 'someoneelse-42' } });
    expect(reset[0]!.id).toMatch(new RegExp(`^${lastId.split('-')[0]}-\\d+$`));
  });

  it('/metrics counters move when jobs run; /health and /ready', async () => {
    const scrape = async (): Promise<string> => (await fetch(`${server.metricsUrl}/metrics`)).text();
    const value = (text: string, metric: string, job: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`job="${job}"`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('metered') })).body;
    const before = await scrape();
    for (let i = 0; i < 2; i++) {
      const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
      await server.cron.executions.wait(ex, { timeoutMs: 20_000 });
    }
    await new Promise((r) => setTimeout(r, 200));
    const after = await scrape();
    expect(value(after, 'job_success_total', 'metered') - value(before, 'job_success_total', 'metered')).toBe(2);
    expect(value(after, 'job_duration_seconds_count', 'metered')).toBe(2);
    expect(after).toMatch(/step_duration_seconds_count\{type="echo",status="succeeded"\} \d+/);
    expect(after).toMatch(/job_queue_size \d+/);
    expect(after).toContain('schedule_lag_seconds');
    expect(after).toMatch(/job_failed_total\{job="failing",status="failed"\} 4/);
    expect((await fetch(`${server.apiUrl}/health`)).status).toBe(200);
    const ready = await (await fetch(`${server.apiUrl}/ready`)).json();
    expect(ready).toMatchObject({ status: 'ready', checks: { storage: { ok: true } } });
    expect((await fetch(`${server.metricsUrl}/ready`)).status).toBe(200);
  });
});
