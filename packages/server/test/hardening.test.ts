/**
 * The findings of the security review (issue 10), each attacked against a real server the way the
 * reviewer did. Every test here failed on main before its fix.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NonRetryableError, defineExecutor } from '@vecron/sdk';
import type { AnyExecutor } from '@vecron/sdk';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { signWebhook, signWebhookV2 } from '../src/webhooks/signature.js';
import { auditHash } from '../src/audit/audit-log.js';
import { loadConfig } from '../src/config/load-config.js';
import { defaultExecutors } from '../src/runtime/build-system.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testServers } from '@vecron/test-servers';
import type { AuditRecord } from '../src/audit/audit-log.js';
import { ADMIN_NEW_PASSWORD, adminToken, browser, client, echoJob, sseEvents, startTestServer, testExecutors, userToken } from './helpers.js';

let server: RunningServer;
let api: ReturnType<typeof client>;
let admin: string;
let adminId: string;

/** A step that leaks its secret config value in encoded forms: in its output, or in its error. */
const leaky = defineExecutor({
  type: 'leaky', config: z.object({ secret: z.string(), fail: z.boolean().default(false) }),
  async execute(c) {
    const forms = {
      json: JSON.stringify({ s: c.secret }),
      url: `https://x.test/?q=${encodeURIComponent(c.secret)}`,
      basic: `Basic ${Buffer.from(`svc:${c.secret}`).toString('base64')}`,
      b64: Buffer.from(c.secret).toString('base64'),
    };
    if (c.fail) throw new NonRetryableError(`upstream refused ${forms.basic} for ${forms.url} ${forms.json}`);
    return forms;
  },
}) as AnyExecutor;

beforeAll(async () => {
  server = await startTestServer({}, { executors: [...testExecutors(), leaky] });
  api = client(server.apiUrl!);
  admin = await adminToken(server.apiUrl!);
  adminId = (await api.call('GET', '/api/auth/me', { token: admin })).body.id;
});
afterAll(async () => {
  await server?.stop();
});

/** Creates a custom role with these permissions and a user holding only it. */
async function userWith(name: string, permissions: string[]): Promise<{ id: string; token: string }> {
  const role = await api.call('POST', '/api/roles', { token: admin, body: { name: `${name}-role`, permissions } });
  expect(role.status).toBe(201);
  return userToken(server.apiUrl!, admin, name, [`${name}-role`]);
}

describe('1. no privilege escalation through custom roles', () => {
  it('user:manage alone cannot reset the Admin password, disable or delete the Admin, nor create a role beyond its own', async () => {
    const m = await userWith('manager', ['user:manage']);
    const reset = await api.call('PATCH', `/api/users/${adminId}`, { token: m.token, body: { password: 'Attacker-Pass-12345', must_change_password: false } });
    expect(reset.status).toBe(403);
    expect(reset.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'grant_exceeds_caller' } });
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'Attacker-Pass-12345' } })).status).toBe(401);
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_NEW_PASSWORD } })).status).toBe(200);
    expect((await api.call('PATCH', `/api/users/${adminId}`, { token: m.token, body: { disabled: true } })).status).toBe(403);
    expect((await api.call('DELETE', `/api/users/${adminId}`, { token: m.token })).status).toBe(403);
    const role = await api.call('POST', '/api/roles', { token: m.token, body: { name: 'all-powerful', permissions: ['user:manage', 'system:config'] } });
    expect(role.status).toBe(403);
    expect(role.body.error.details.permissions).toEqual(['system:config']);
    // Within its own permissions it still works.
    expect((await api.call('POST', '/api/roles', { token: m.token, body: { name: 'managers-2', permissions: ['user:manage'] } })).status).toBe(201);
    const peer = await userToken(server.apiUrl!, admin, 'plain-user', []);
    expect((await api.call('PATCH', `/api/users/${peer.id}`, { token: m.token, body: { password: 'Another-Pass-12345' } })).status).toBe(200);
  });

  it('role:assign alone cannot give itself or anyone the Admin role, nor strip roles from a stronger user', async () => {
    const a = await userWith('assigner', ['role:assign']);
    const self = await api.call('PUT', `/api/users/${a.id}/roles`, { token: a.token, body: { roles: ['Admin'] } });
    expect(self.status).toBe(403);
    expect(self.body.error.details.reason).toBe('grant_exceeds_caller');
    expect((await api.call('GET', '/api/users/' + a.id, { token: admin })).body.roles).toEqual(['assigner-role']);
    expect((await api.call('PUT', `/api/users/${adminId}/roles`, { token: a.token, body: { roles: [] } })).status).toBe(403);
    expect((await api.call('GET', '/api/users/' + adminId, { token: admin })).body.roles).toEqual(['Admin']);
    // user:manage + role:assign may create a user only with roles within its own permissions.
    const both = await userWith('both', ['user:manage', 'role:assign']);
    const created = await api.call('POST', '/api/users', { token: both.token, body: { username: 'sneaky', password: 'Sneaky-Pass-12345', roles: ['Admin'] } });
    expect(created.status).toBe(403);
    expect((await api.call('POST', '/api/users', { token: both.token, body: { username: 'fine', password: 'Fine-Pass-123456', roles: ['assigner-role'] } })).status).toBe(201);
  });
});

describe('2. no webhook replay', () => {
  let hook: { id: string; secret: string };
  let jobId: string;
  beforeAll(async () => {
    jobId = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('hooked', { triggers: { webhook: { enabled: true, rate_limit: { max_requests: 100, window_seconds: 60 } } } }) })).body.id;
    hook = (await api.call('POST', '/api/webhooks', { token: admin, body: { job_id: jobId } })).body;
  });
  const send = async (h: Record<string, string>, body: string) => {
    const res = await fetch(`${server.apiUrl}/webhooks/${hook.id}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...h } });
    return { status: res.status, body: (await res.json()) as { execution_id?: string; error?: { code: string } } };
  };
  const executions = async (): Promise<number> => (await server.cron.executions.list({ jobId, limit: 1000 })).length;

  it('a captured legacy (sha256=) request re-sent under a new delivery id is refused, and starts nothing', async () => {
    const body = JSON.stringify({ amount: 100 });
    const ts = String(Math.floor(Date.now() / 1000));
    const captured = { 'x-vecron-timestamp': ts, 'x-vecron-signature': signWebhook(hook.secret, ts, body) };
    expect((await send({ ...captured, 'x-vecron-delivery': randomUUID() }, body)).status).toBe(202);
    const before = await executions();
    for (let i = 0; i < 3; i++) {
      const replay = await send({ ...captured, 'x-vecron-delivery': randomUUID() }, body);
      expect(replay.status).toBe(409);
      expect(replay.body.error!.code).toBe('WEBHOOK_REPLAY');
    }
    expect(await executions()).toBe(before);
  });

  it('a v2 signature covers the delivery id: changing it breaks the signature; the signed request is accepted once', async () => {
    const body = JSON.stringify({ amount: 200 });
    const ts = String(Math.floor(Date.now() / 1000));
    const delivery = randomUUID();
    const sig = signWebhookV2(hook.secret, ts, delivery, body);
    expect((await send({ 'x-vecron-timestamp': ts, 'x-vecron-delivery': delivery, 'x-vecron-signature': sig }, body)).status).toBe(202);
    const moved = await send({ 'x-vecron-timestamp': ts, 'x-vecron-delivery': randomUUID(), 'x-vecron-signature': sig }, body);
    expect(moved.status).toBe(401);
    expect(moved.body.error!.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect((await send({ 'x-vecron-timestamp': ts, 'x-vecron-delivery': delivery, 'x-vecron-signature': sig }, body)).status).toBe(409);
  });
});

describe('3. the embedded data folder is private', () => {
  it('after a real start: folders 0700, files 0600; a reachable world-writable file stops the next start, naming it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-data-'));
    try {
      const s = await startTestServer({ storage: { data_dir: dir } });
      await s.stop();
      const loose: string[] = [];
      let files = 0;
      const stack = [dir];
      while (stack.length) {
        const p = stack.pop()!;
        const st = lstatSync(p);
        if (st.isDirectory()) {
          if ((st.mode & 0o777) !== 0o700) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
          for (const e of readdirSync(p)) stack.push(path.join(p, e));
        } else {
          files++;
          if ((st.mode & 0o077) !== 0) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
        }
      }
      expect(files).toBeGreaterThan(100);
      expect(loose).toEqual([]);
      // What an install from before this fix looks like: readable folders, a 0666 file.
      const victim = path.join(dir, 'pgdata', 'PG_VERSION');
      chmodSync(dir, 0o755);
      chmodSync(path.join(dir, 'pgdata'), 0o755);
      chmodSync(victim, 0o666);
      await expect(startTestServer({ storage: { data_dir: dir } })).rejects.toMatchObject({ code: 'DATA_DIR_INSECURE', details: { path: victim } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('4. literal credentials in job definitions are masked for readers and in exports', () => {
  const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETPEM\n-----END PRIVATE KEY-----';
  const LEAKS = /hunter2-db|Bearer eyJSECRET|xak-SECRET|SECRETPEM|conn-pa55|url-key-SECRET/;
  const definition = {
    name: 'creds-job',
    variables: { DB_PASSWORD: 'hunter2-db', REGION: 'HN' },
    steps: [
      {
        id: 'say', type: 'echo',
        config: {
          message: 'hi',
          url: 'https://api.example.test/v1?api_key=url-key-SECRET&page=1',
          headers: { Authorization: 'Bearer eyJSECRET', 'X-Api-Key': 'xak-SECRET', Accept: 'application/json' },
          tls: { key: PEM },
          connection_string: 'postgres://app:conn-pa55@db.example.test/core',
        },
      },
    ],
  };

  it('a job:read user, the job list and the exports show none of them; an update with the masks keeps them', async () => {
    const job = await api.call('POST', '/api/jobs', { token: admin, body: definition });
    expect(job.status).toBe(201);
    expect(JSON.stringify(job.body)).not.toMatch(LEAKS);
    const reader = await userWith('reader', ['job:read', 'job:export']);
    const one = await api.call('GET', `/api/jobs/${job.body.id}`, { token: reader.token });
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body)).not.toMatch(LEAKS);
    expect(one.body.definition.variables.REGION).toBe('HN');
    expect(one.body.definition.steps[0].config.connection_string).toBe('postgres://app:••••••@db.example.test/core');
    expect(JSON.stringify((await api.call('GET', '/api/jobs', { token: reader.token })).body)).not.toMatch(LEAKS);
    const exported = await api.call('GET', `/api/jobs/${job.body.id}/export`, { token: reader.token });
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).not.toMatch(LEAKS);
    expect(JSON.stringify((await api.call('GET', '/api/jobs/export', { token: reader.token })).body)).not.toMatch(LEAKS);
    // Sent back as shown (masks included): the stored values stay.
    const put = await api.call('PUT', `/api/jobs/${job.body.id}`, { token: admin, body: { ...one.body.definition, description: 'edited' } });
    expect(put.status).toBe(200);
    const stored = (await server.cron.jobs.get(job.body.id))!.definition as unknown as typeof definition;
    expect(stored.variables.DB_PASSWORD).toBe('hunter2-db');
    expect(stored.steps[0]!.config).toEqual(definition.steps[0]!.config);
    // A masked password moved to another host is not restored.
    const moved = structuredClone(one.body.definition);
    moved.steps[0].config.connection_string = 'postgres://app:••••••@evil.example.test/core';
    const bad = await api.call('PUT', `/api/jobs/${job.body.id}`, { token: admin, body: moved });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('connection_string');
  });
});

describe('5. the audit chain is keyed; a checkpoint detects truncation', () => {
  it('an edited row with every hash recomputed is detected; deleting the newest rows is detected against a checkpoint', async () => {
    const s = await startTestServer();
    try {
      const t = await adminToken(s.apiUrl!);
      const c = client(s.apiUrl!);
      for (let i = 0; i < 5; i++) await c.call('POST', '/api/jobs', { token: t, body: echoJob(`audited-${i}`) });
      const checkpoint = (await c.call('GET', '/api/audit/checkpoint', { token: t })).body;
      expect(checkpoint).toMatchObject({ format: 'vecron.audit-checkpoint', count: expect.any(Number), head_hash: expect.stringMatching(/^hmac:/) });
      expect(await s.audit.verify(checkpoint)).toMatchObject({ ok: true });
      const untouched = await s.audit.list({ limit: 10_000, offset: 0 });
      const tamper = async (sql: string): Promise<void> => {
        await s.sql.exec(`ALTER TABLE vecron_audit_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE vecron_audit_log ENABLE TRIGGER USER;`);
      };
      // The reviewer's attack: edit a row, then recompute every hash from the genesis on.
      const rows = [...untouched].sort((a, b) => a.seq - b.seq);
      const edited: AuditRecord[] = rows.map((r) => (r.seq === 3 ? { ...r, actor: 'mallory' } : r));
      let prev = '0'.repeat(64);
      const updates: string[] = [];
      for (const r of edited) {
        const hash = auditHash(prev, r);
        updates.push(`UPDATE vecron_audit_log SET actor = '${r.actor}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${r.seq}`);
        prev = hash;
      }
      await tamper(updates.join('; '));
      const v = await s.audit.verify();
      expect(v.ok).toBe(false);
      expect(v.reason).toMatch(/not keyed/);
      // Put the real rows back, then truncate: drop the two newest records.
      await tamper(rows.map((r) => `UPDATE vecron_audit_log SET actor = '${r.actor}', prev_hash = '${r.prev_hash}', hash = '${r.hash}' WHERE seq = ${r.seq}`).join('; '));
      expect(await s.audit.verify(checkpoint)).toMatchObject({ ok: true });
      await tamper(`DELETE FROM vecron_audit_log WHERE seq > ${checkpoint.count - 2}`);
      expect(await s.audit.verify()).toMatchObject({ ok: true }); // what the chain alone cannot see
      const cut = await s.audit.verify(checkpoint);
      expect(cut.ok).toBe(false);
      expect(cut.reason).toMatch(/truncated/);
      // A forged checkpoint (count lowered to hide the cut) is refused by its signature.
      expect((await s.audit.verify({ ...checkpoint, count: checkpoint.count - 2 })).reason).toMatch(/signature/);
    } finally {
      await s.stop();
    }
  });
});

describe('6. sessions end everywhere: event streams, the dashboard cookie, sign-out', () => {
  /** Opens /api/events and resolves when the server ends the stream. */
  const openStream = async (token: string): Promise<{ ended: Promise<void>; controller: AbortController }> => {
    const controller = new AbortController();
    const res = await fetch(`${server.apiUrl}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const ended = (async () => {
      for await (const _e of sseEvents(res)) {
        // drain
      }
    })();
    return { ended, controller };
  };
  const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still open'> => Promise.race([p, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms))]);

  it('an open /api/events stream is closed when its user is disabled, deleted, or signs out', async () => {
    for (const [i, end] of ['disable', 'delete', 'logout'].entries()) {
      const u = await userToken(server.apiUrl!, admin, `streamer-${i}`, ['Regular User']);
      const s = await openStream(u.token);
      expect(await within(s.ended, 300)).toBe('still open');
      if (end === 'disable') expect((await api.call('PATCH', `/api/users/${u.id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
      if (end === 'delete') expect((await api.call('DELETE', `/api/users/${u.id}`, { token: admin })).status).toBe(204);
      if (end === 'logout') expect((await api.call('POST', '/api/auth/logout', { token: u.token })).status).toBe(204);
      expect(await within(s.ended, 5_000)).toBeUndefined();
      s.controller.abort();
    }
  });

  it('the dashboard cookie is not a Bearer token, and stops working after sign-out (also a copy of it)', async () => {
    const u = await userToken(server.apiUrl!, admin, 'browser-user', ['Regular User']);
    const b = browser(server.apiUrl!);
    await b.get('/dashboard/login');
    expect((await b.post('/dashboard/login', { username: 'browser-user', password: 'User-Password-123' })).status).toBe(303);
    const cookie = b.jar.get('vecron_session')!;
    expect((await api.call('GET', '/api/auth/me', { token: cookie })).status).toBe(401);
    expect((await api.call('GET', '/api/auth/me', { token: u.token })).status).toBe(200);
    // An API token is not a dashboard session either.
    const asCookie = await fetch(`${server.apiUrl}/dashboard/`, { headers: { cookie: `vecron_session=${u.token}` }, redirect: 'manual' });
    expect(asCookie.status).toBe(303);
    const copy = new Map(b.jar);
    expect((await b.get('/dashboard/')).status).toBe(200);
    expect((await b.post('/dashboard/logout', {})).status).toBe(303);
    const replayed = await fetch(`${server.apiUrl}/dashboard/`, { headers: { cookie: [...copy].map(([k, v]) => `${k}=${v}`).join('; ') }, redirect: 'manual' });
    expect(replayed.status).toBe(303);
    // Sign-out ends every session of the user, the API token too.
    expect((await api.call('GET', '/api/auth/me', { token: u.token })).status).toBe(401);
  });
});

describe('7 and 13. a sensitive value is scrubbed in every encoded form; execution pages render with sensitive variables', () => {
  const SECRET = 'Sup3r "Secret"/Value+2026';
  const forms = [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64'), Buffer.from(`svc:${SECRET}`).toString('base64')];
  const leaks = (text: string): string[] => forms.filter((f) => text.includes(f));

  it('outputs, errors, the execution API, the SSE stream and the dashboard page show none of its forms', async () => {
    expect((await api.call('PUT', '/api/variables/LEAKY_SECRET', { token: admin, body: { value: SECRET, sensitive: true } })).status).toBeLessThan(300);
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'leaky-ok', steps: [{ id: 'l', type: 'leaky', config: { secret: '${LEAKY_SECRET}' } }] } })).body;
    const bad = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'leaky-fail', max_retries: 0, steps: [{ id: 'l', type: 'leaky', retry_count: 0, config: { secret: '${LEAKY_SECRET}', fail: true } }] } })).body;
    const events = await fetch(`${server.apiUrl}/api/events`, { headers: { authorization: `Bearer ${admin}` } });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of sseEvents(events)) {
        seen.push(JSON.stringify(e.data));
        if (e.event === 'execution.finished' && (e.data as { job_id: string }).job_id === bad.id) return;
      }
    })();
    const ok = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    const failed = (await api.call('POST', `/api/jobs/${bad.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    expect((await server.cron.executions.wait(ok, { timeoutMs: 20_000 })).status).toBe('success');
    expect(['failed', 'dead_letter']).toContain((await server.cron.executions.wait(failed, { timeoutMs: 20_000 })).status);
    await reading;
    for (const id of [ok, failed]) {
      const view = await api.call('GET', `/api/executions/${id}`, { token: admin });
      expect(view.status).toBe(200);
      expect(leaks(JSON.stringify(view.body))).toEqual([]);
    }
    expect(JSON.stringify((await api.call('GET', `/api/executions/${failed}`, { token: admin })).body)).toContain('upstream refused');
    expect(leaks(seen.join('\n'))).toEqual([]);
    // The error as stored has none of them either.
    expect(leaks(JSON.stringify((await server.cron.executions.get(failed))!.error))).toEqual([]);
    // The execution page rendered (it answered 500 "Invalid time value" with any sensitive variable defined).
    const b = browser(server.apiUrl!);
    await b.get('/dashboard/login');
    expect((await b.post('/dashboard/login', { username: 'admin', password: ADMIN_NEW_PASSWORD })).status).toBe(303);
    for (const id of [ok, failed]) {
      const page = await b.get(`/dashboard/executions/${id}`);
      expect(page.status).toBe(200);
      expect(leaks(page.text)).toEqual([]);
    }
  });
});

describe('8. the outbound policy is on by default and covers HTTP, database and SFTP steps', () => {
  it('a server with the default configuration refuses steps to loopback before connecting (only loopback is used here)', async () => {
    let hits = 0;
    const target = http.createServer((_req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const config = loadConfig({ configDir: '/nonexistent', overrides: { storage: { data_dir: '' } } });
    expect(config.executors.block_private_addresses).toBe(true);
    const s = await startTestServer({}, { executors: defaultExecutors(config) });
    try {
      const t = await adminToken(s.apiUrl!);
      const c = client(s.apiUrl!);
      const port = (target.address() as AddressInfo).port;
      const steps = {
        http: { type: 'http', config: { method: 'GET', url: `http://127.0.0.1:${port}/x` } },
        database: { type: 'database', config: { database_type: 'postgresql', connection_string: testServers().postgres, query: 'SELECT 1' } },
        sftp: { type: 'sftp', config: { operation: 'download', host: '127.0.0.1', port, auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/x.csv' } },
      };
      for (const [kind, step] of Object.entries(steps)) {
        const job = await c.call('POST', '/api/jobs', { token: t, body: { name: `ssrf-${kind}`, max_retries: 0, steps: [{ id: 's', retry_count: 0, ...step }] } });
        expect(job.status, JSON.stringify(job.body)).toBe(201);
        const ex = (await c.call('POST', `/api/jobs/${job.body.id}/trigger`, { token: t, body: {} })).body.execution_id;
        const done = await s.cron.executions.wait(ex, { timeoutMs: 30_000 });
        expect(['failed', 'dead_letter'], kind).toContain(done.status);
        expect(done.error, kind).toMatchObject({ code: 'ADDRESS_BLOCKED' });
      }
      expect(hits).toBe(0);
    } finally {
      await s.stop();
      target.close();
    }
  });
});

describe('9. unauthenticated webhook refusals are rate limited; audit fields are capped and one line', () => {
  it('bad signatures beyond the per-IP limit get 429 and one audit record per window; a hostile URL segment is not stored as sent', async () => {
    const s = await startTestServer({ webhooks: { failure_max_per_ip: 5, failure_max_per_endpoint: 1000, failure_window_seconds: 60 } });
    try {
      const t = await adminToken(s.apiUrl!);
      const c = client(s.apiUrl!);
      const job = (await c.call('POST', '/api/jobs', { token: t, body: echoJob('flooded', { triggers: { webhook: { enabled: true } } }) })).body;
      const hook = (await c.call('POST', '/api/webhooks', { token: t, body: { job_id: job.id } })).body;
      const before = (await s.audit.list({ action: 'webhook.receive', limit: 10_000, offset: 0 })).length;
      const codes: number[] = [];
      for (let i = 0; i < 15; i++) {
        const ts = String(Math.floor(Date.now() / 1000));
        const res = await fetch(`${s.apiUrl}/webhooks/${hook.id}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-vecron-timestamp': ts, 'x-vecron-delivery': randomUUID(), 'x-vecron-signature': `v2=${'0'.repeat(64)}` } });
        codes.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        await res.text();
      }
      expect(codes).toEqual([...Array(5).fill(401), ...Array(10).fill(429)]);
      const rows = (await s.audit.list({ action: 'webhook.receive', limit: 10_000, offset: 0 })).length - before;
      expect(rows).toBe(6);
      const hostile = encodeURIComponent(`${'A'.repeat(8 * 1024)}\r\nforged: line\u0000`);
      const s2 = await startTestServer();
      try {
        const res = await fetch(`${s2.apiUrl}/webhooks/${hostile}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(404);
        await res.text();
        const login = await fetch(`${s2.apiUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'evil\r\nadmin\tx', password: 'whatever-password' }) });
        expect(login.status).toBe(401);
        await login.text();
        const records = await s2.audit.list({ limit: 10_000, offset: 0 });
        const hook404 = records.find((r) => r.action === 'webhook.receive')!;
        expect(hook404.actor).toBe('webhook:(invalid id)');
        expect(hook404.resource).toBeNull();
        const failed = records.find((r) => r.action === 'auth.login')!;
        expect(failed.details.username).toBe('eviladminx');
        for (const r of records) expect(JSON.stringify(r)).not.toMatch(/\\[rn]|\\u0000/);
        expect(await s2.audit.verify()).toMatchObject({ ok: true });
      } finally {
        await s2.stop();
      }
    } finally {
      await s.stop();
    }
  });
});

describe('10. hostile input gets a 4xx naming the problem, never a 500', () => {
  const nested = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  it('deep nesting, NUL and lone surrogates are refused at the parser; the server keeps serving', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('deep-target') })).body;
    for (const depth of [3_000, 20_000]) {
      const r = await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, raw: `{"payload":${nested(depth)}}` });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.details.issues[0].message).toMatch(/nested deeper than 64/);
    }
    expect((await server.cron.executions.list({ jobId: job.id })).length).toBe(0);
    const nulUser = await api.call('POST', '/api/users', { token: admin, raw: JSON.stringify({ username: 'nul\u0000user', password: 'Valid-Password-123' }) });
    expect(nulUser.status).toBe(400);
    expect(nulUser.body.error.details.issues).toEqual([{ path: '$.username', message: 'contains a NUL character' }]);
    const nulJob = await api.call('POST', '/api/jobs', { token: admin, raw: JSON.stringify(echoJob('nul\u0000job')) });
    expect(nulJob.status).toBe(400);
    expect(nulJob.body.error.details.issues[0].path).toBe('$.name');
    const lone = await api.call('POST', '/api/jobs', { token: admin, raw: '{"name":"x\\ud800","steps":[]}' });
    expect(lone.status).toBe(400);
    expect(lone.body.error.details.issues[0].message).toMatch(/lone surrogate/);
    // NUL in a login name: 400 at the parser, and in the dashboard's form: a plain refusal.
    expect((await api.call('POST', '/api/auth/login', { raw: JSON.stringify({ username: 'a\u0000', password: 'x' }) })).status).toBe(400);
    const b = browser(server.apiUrl!);
    await b.get('/dashboard/login');
    expect((await b.post('/dashboard/login', { username: 'admin\u0000', password: 'x' })).status).toBe(401);
    // A deep webhook payload too.
    const hooked = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('deep-hook', { triggers: { webhook: { enabled: true } } }) })).body;
    const hook = (await api.call('POST', '/api/webhooks', { token: admin, body: { job_id: hooked.id } })).body;
    const body = nested(3_000);
    const ts = String(Math.floor(Date.now() / 1000));
    const delivery = randomUUID();
    const wh = await fetch(`${server.apiUrl}/webhooks/${hook.id}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-vecron-timestamp': ts, 'x-vecron-delivery': delivery, 'x-vecron-signature': signWebhookV2(hook.secret, ts, delivery, body) } });
    expect(wh.status).toBe(400);
    await wh.text();
    expect((await api.call('GET', '/api/jobs', { token: admin })).status).toBe(200);
    expect(await server.audit.verify()).toMatchObject({ ok: true });
  });
});

describe('11 and 12. no targeted lockout; sensitive variables cannot be downgraded', () => {
  it('wrong passwords from one address lock only that address out; the real user signs in from theirs, slowed but not refused', async () => {
    const s = await startTestServer({ api: { trust_proxy_hops: 1 }, auth: { login_max_per_user: 3, login_max_per_ip: 1000, login_window_seconds: 900, login_slow_after_per_user: 2, login_slow_ms: 1500 } });
    try {
      const t = await adminToken(s.apiUrl!);
      await userToken(s.apiUrl!, t, 'target', []);
      const from = (ip: string, password: string) =>
        fetch(`${s.apiUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ username: 'target', password }) }).then(async (r) => {
          await r.text();
          return r.status;
        });
      const attacker: number[] = [];
      for (let i = 0; i < 12; i++) attacker.push(await from('203.0.113.66', 'wrong-password-xx'));
      expect(attacker).toEqual([401, 401, 401, ...Array(9).fill(429)]);
      // Past the per-user ceiling (2 checked attempts in the window): the real user waits, and gets in.
      const started = Date.now();
      expect(await from('198.51.100.7', 'User-Password-123')).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(await from('203.0.113.66', 'User-Password-123')).toBe(429);
    } finally {
      await s.stop();
    }
  });

  it('a user without variable:encrypt cannot turn a sensitive variable into a plain one, replace or delete it', async () => {
    expect((await api.call('PUT', '/api/variables/BANK_KEY', { token: admin, body: { value: 'k-very-secret-1', sensitive: true } })).status).toBeLessThan(300);
    const w = await userWith('var-writer', ['variable:read', 'variable:write']);
    const down = await api.call('PUT', '/api/variables/BANK_KEY', { token: w.token, body: { value: 'attacker-known', sensitive: false } });
    expect(down.status).toBe(403);
    expect(down.body.error.details).toMatchObject({ permission: 'variable:encrypt' });
    expect((await api.call('DELETE', '/api/variables/BANK_KEY', { token: w.token })).status).toBe(403);
    const listed = (await api.call('GET', '/api/variables?scope=global', { token: admin })).body.items.find((v: { name: string }) => v.name === 'BANK_KEY');
    expect(listed).toMatchObject({ sensitive: true });
    // Plain variables stay writable without variable:encrypt.
    expect((await api.call('PUT', '/api/variables/REGION', { token: w.token, body: { value: 'HN' } })).status).toBeLessThan(300);
  });
});

describe('13. Run now / Replay on the dashboard start one execution however often the form is sent', () => {
  it('a double-submitted Run now form starts one execution; the button asks first and disables itself in flight', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('double-click') })).body;
    const b = browser(server.apiUrl!);
    await b.get('/dashboard/login');
    expect((await b.post('/dashboard/login', { username: 'admin', password: ADMIN_NEW_PASSWORD })).status).toBe(303);
    const page = await b.get(`/dashboard/jobs/${job.id}`);
    expect(page.status).toBe(200);
    const form = new RegExp(`<form[^>]*action="/dashboard/jobs/${job.id}/run"[^>]*>([\\s\\S]*?)</form>`).exec(page.text);
    expect(form?.[0]).toMatch(/hx-confirm="Run this job now\?"/);
    expect(form?.[0]).toMatch(/hx-disabled-elt="find button"/);
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form![1]!)![1]!;
    for (let i = 0; i < 3; i++) expect((await b.post(`/dashboard/jobs/${job.id}/run`, { idempotency_key: key }, { referer: `${server.apiUrl}/dashboard/jobs/${job.id}` })).status).toBeLessThan(400);
    expect((await server.cron.executions.list({ jobId: job.id })).length).toBe(1);
    // Another page load is another key: another execution.
    const again = /name="idempotency_key" value="([^"]+)"/.exec((await b.get(`/dashboard/jobs/${job.id}`)).text)![1]!;
    expect(again).not.toBe(key);
    await b.post(`/dashboard/jobs/${job.id}/run`, { idempotency_key: again });
    expect((await server.cron.executions.list({ jobId: job.id })).length).toBe(2);
  });
});
