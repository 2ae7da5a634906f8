import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { generateSecretKey } from '@vecron/sdk/crypto';
import { testServers } from '@vecron/test-servers';
import { privateRedis } from '@vecron/test-servers/provision';
import type { PrivateServer } from '@vecron/test-servers/provision';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerConfigOverrides } from '../src/config/config-schema.js';
import type { Role, RunningServer } from '../src/runtime/start-server.js';
import { adminToken, client, startTestServer } from './helpers.js';

/** Issue 17: operational behaviour of a real server process (readiness under a partial outage). */

let redis: PrivateServer | undefined;
let server: RunningServer | undefined;
const cluster: RunningServer[] = [];
afterAll(async () => {
  await server?.stop();
  await redis?.destroy();
  for (const s of cluster.reverse()) await s.stop();
});

/** Processes of one cluster: one PostgreSQL schema and one set of NATS names per test file. */
const tag = randomUUID().slice(0, 8);
const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const encryptionKey = generateSecretKey();
function clusterConfig(extra: ServerConfigOverrides = {}): ServerConfigOverrides {
  return {
    ...extra,
    storage: { database_url: testServers().postgres, schema: `vecron_ops_${tag}`, ...extra.storage },
    queue: { nats_servers: testServers().nats, stream: `OPS_${tag}`, subject: `ops-${tag}.work`, consumer: `ops-${tag}`, events_subject: `ops-${tag}.events`, ...extra.queue },
    security: { encryption_key: encryptionKey, ...extra.security },
    auth: { keys: [{ kid: 'k1', private_key_pem: jwtKey }], ...extra.auth },
  };
}
async function member(role: Role, extra: ServerConfigOverrides = {}): Promise<RunningServer> {
  const s = await startTestServer(clusterConfig(extra), { role });
  cluster.push(s);
  return s;
}

describe('operations', () => {
  it('/ready stays 200 "degraded" while the optional Redis is down, and is "ready" again once it is back', async () => {
    redis = await privateRedis();
    server = await startTestServer({ coordination: { redis_url: redis.url, key_prefix: 'ops-ready:' } });
    const ready = async (): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; required: boolean }> } }> => {
      const res = await fetch(`${server!.metricsUrl}/ready`);
      return { status: res.status, body: await res.json() as never };
    };
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', checks: { storage: { ok: true, required: true }, redis: { ok: true, required: false } } } });
    await redis.stop();
    const down = await ready();
    expect(down).toMatchObject({ status: 200, body: { status: 'degraded', checks: { storage: { ok: true }, redis: { ok: false, required: false } } } });
    await redis.start();
    let back = await ready();
    for (let i = 0; i < 50 && back.body.status !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await ready();
    }
    expect(back).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('GET /api/cluster lists every live process with role, version, fingerprint, heartbeat and held executions; a process with other queue names is refused, another time zone is reported', async () => {
    const api = await member('all');
    const worker = await member('worker');
    const token = await adminToken(api.apiUrl!);
    const c = client(api.apiUrl!);
    const view = await c.call('GET', '/api/cluster', { token });
    expect(view.status).toBe(200);
    expect(view.body.self).toBe(api.cluster.id);
    expect(view.body.processes.map((p: { id: string; role: string }) => [p.id, p.role]).sort()).toEqual([[api.cluster.id, 'all'], [worker.cluster.id, 'worker']].sort());
    const w = view.body.processes.find((p: { id: string }) => p.id === worker.cluster.id);
    expect(w).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), held_executions: 0, self: false, fingerprint: { queue: { stream: `OPS_${tag}` }, timezone: 'Asia/Ho_Chi_Minh', jwt_kids: [] } });
    expect(w.fingerprint.schema_version).toMatch(/^vecron:\d+ vecron-server:\d+$/);
    expect(w.heartbeat_age_ms).toBeLessThan(30_000);
    expect(view.body.drift).toEqual([]);
    expect((await client(api.apiUrl!).call('GET', '/api/cluster')).status).toBe(401);

    // A scheduler publishing into another stream would strand its work: refused before any role runs.
    const refused = await startTestServer(clusterConfig({ queue: { stream: `OTHER_${tag}` } }), { role: 'scheduler' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONFIG_INVALID', issues: expect.arrayContaining([expect.objectContaining({ path: '$.queue.stream' })]) });

    // Another default time zone starts, and is shown.
    const other = await member('scheduler', { scheduler: { timezone: 'UTC' } });
    const after = await c.call('GET', '/api/cluster', { token });
    expect(after.body.processes).toHaveLength(3);
    expect(after.body.drift).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'scheduler.timezone', severity: 'warn', mine: 'Asia/Ho_Chi_Minh', theirs: 'UTC', process: other.cluster.id })]));

    // A clean stop removes the process from the view.
    await other.stop();
    expect((await c.call('GET', '/api/cluster', { token })).body.processes.map((p: { id: string }) => p.id).sort()).toEqual([api.cluster.id, worker.cluster.id].sort());
    for (const p of [worker, api]) {
      await p.stop();
      cluster.splice(cluster.indexOf(p), 1);
    }
  });

  it('POST /api/scheduler/pause and /resume (system:config, audited): a paused scheduler records fires as skipped (paused) and creates none', async () => {
    const s = await startTestServer({}, {});
    cluster.push(s);
    const token = await adminToken(s.apiUrl!);
    const c = client(s.apiUrl!);
    const job = await s.cron.jobs.create({ name: 'every-second', schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' }, steps: [{ id: 'say', type: 'echo', config: { message: 'hi' } }] });
    expect((await c.call('GET', '/api/scheduler', { token })).body).toEqual({ paused: false, since: null, by: null, reason: null });
    const paused = await c.call('POST', '/api/scheduler/pause', { token, body: { reason: 'maintenance window' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, by: 'admin', reason: 'maintenance window' });
    const since = Date.parse(paused.body.since);
    await new Promise((r) => setTimeout(r, 2_500));
    const during = (await s.cron.ledger(job.id)).filter((e) => e.fireAt.getTime() > since + 500);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(during.every((e) => e.outcome === 'skipped' && e.reason === 'paused')).toBe(true);
    expect((await s.cron.executions.list({ jobId: job.id })).filter((e) => e.scheduledFor!.getTime() > since + 500)).toEqual([]);
    expect((await c.call('POST', '/api/scheduler/resume', { token })).body).toMatchObject({ paused: false });
    const resumedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await s.cron.ledger(job.id)).some((e) => e.outcome === 'fired' && e.fireAt.getTime() > resumedAt)).toBe(true);
    expect((await s.cron.jobs.get(job.id))!.enabled).toBe(true);
    const actions = (await s.audit.list({ limit: 50, offset: 0 })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['scheduler.pause', 'scheduler.resume']));
  });

  it('access log: one line per request with method, route pattern, status, duration, user and request id', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const s = await startTestServer({}, { logger });
    cluster.push(s);
    const token = await adminToken(s.apiUrl!);
    const job = await s.cron.jobs.create({ name: 'logged', steps: [{ id: 'say', type: 'echo', config: { message: 'hi' } }] });
    const res = await fetch(`${s.apiUrl}/api/jobs/${job.id}`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-abc-1' } });
    expect(res.status).toBe(200);
    await fetch(`${s.apiUrl}/api/jobs/${job.id}`);
    const access = lines.filter((l) => l.component === 'access' && l.msg === 'request');
    expect(access).toEqual(expect.arrayContaining([
      expect.objectContaining({ method: 'GET', route: '/api/jobs/:id', status: 200, user: 'admin', request_id: 'req-abc-1', duration_ms: expect.any(Number) }),
      expect.objectContaining({ method: 'GET', route: '/api/jobs/:id', status: 401, user: null }),
    ]));
    expect(access.some((l) => String(l.route).includes(job.id))).toBe(false);
  });

  it('POST /api/workers/{id}/drain: the worker stops taking work and hands back what it holds; another worker finishes it', { timeout: 120_000 }, async () => {
    const api = await member('api');
    const w1 = await member('worker');
    const token = await adminToken(api.apiUrl!);
    const c = client(api.apiUrl!);
    const job = await api.cron.jobs.create({ name: 'long', max_retries: 0, steps: [{ id: 'nap', type: 'sleep', config: { ms: 15_000 } }] });
    // The step outlasts the hand-back by far: the drain is noticed at the next heartbeat (≤ 5 s) and
    // handed back after a 1 s grace, so a 6 s step could end first under load (seen in CI).
    const e1 = (await api.cron.trigger(job.id)).executionId;
    const held = async (id: string): Promise<string | null> => (await api.cron.executions.get(id))?.leaseOwner ?? null;
    for (let i = 0; i < 100 && (await held(e1)) !== w1.cluster.id; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await held(e1)).toBe(w1.cluster.id);

    expect((await c.call('POST', `/api/workers/${encodeURIComponent(api.cluster.id)}/drain`, { token })).status).toBe(409);
    expect((await c.call('POST', '/api/workers/nobody/drain', { token })).status).toBe(404);
    const drained = await c.call('POST', `/api/workers/${encodeURIComponent(w1.cluster.id)}/drain`, { token });
    expect(drained.status).toBe(202);
    // Noticed at the next heartbeat (≤ 5 s), handed back after the 1 s grace: pending, held by nobody.
    let e = await api.cron.executions.get(e1);
    for (let i = 0; i < 100 && e!.status !== 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      e = await api.cron.executions.get(e1);
    }
    expect(e).toMatchObject({ status: 'pending', leaseOwner: null });
    const e2 = (await api.cron.trigger(job.id)).executionId;
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await api.cron.executions.get(e2))!.status).toBe('pending'); // the drained worker takes nothing
    const view = (await c.call('GET', '/api/cluster', { token })).body;
    expect(view.processes.find((p: { id: string }) => p.id === w1.cluster.id)).toMatchObject({ draining: true, held_executions: 0 });
    expect((await api.audit.list({ limit: 50, offset: 0 })).some((a) => a.action === 'worker.drain' && a.resource === `process:${w1.cluster.id}`)).toBe(true);

    // Another worker takes both: the handed-back one and the one the drained worker left alone.
    await member('worker');
    const done = await Promise.all([e1, e2].map((id) => api.cron.executions.wait(id, { timeoutMs: 60_000 })));
    expect(done.map((x) => x.status)).toEqual(['success', 'success']);
  });

  it('/metrics counts the dispatcher\'s publishes by reason (a lease reclaim here) and shows the NATS consumer lag', { timeout: 120_000 }, async () => {
    // A cluster of its own, so no other test's worker reclaims the execution.
    const own = { storage: { schema: `vecron_ops_m_${tag}` }, queue: { stream: `OPSM_${tag}`, subject: `opsm-${tag}.work`, consumer: `opsm-${tag}`, events_subject: `opsm-${tag}.events` } };
    const api = await member('api', own);
    const job = await api.cron.jobs.create({ name: 'reclaimed', steps: [{ id: 'say', type: 'echo', config: { message: 'hi' } }] });
    const { executionId: orphan } = await api.cron.trigger(job.id);
    // A worker that died holding it: running, its lease expired, published before the lease.
    await api.sql.query(
      `UPDATE vecron_executions SET status = 'running', lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second',
              fencing_token = 7, started_at = now() - interval '20 seconds', published_at = now() - interval '15 seconds' WHERE id = $1`, [orphan]);
    const worker = await member('worker', own);
    expect((await api.cron.executions.wait(orphan, { timeoutMs: 60_000 })).status).toBe('success');
    const { executionId: fresh } = await api.cron.trigger(job.id);
    expect((await api.cron.executions.wait(fresh, { timeoutMs: 60_000 })).status).toBe('success');
    const text = await (await fetch(`${worker.metricsUrl}/metrics`)).text();
    const value = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('vecron_dispatches_total{reason="lease_expired"}')).toBe(1);
    // Triggered executions are published by the trigger itself; the dispatcher catches only what that
    // missed. A dispatcher pass that falls between the trigger's insert and its mark-published (a
    // loaded machine: the last CI run) publishes the fresh one once more under the same id, which the
    // queue de-duplicates and the conditional claim would absorb anyway: at most one such dispatch.
    expect(value('vecron_dispatches_total{reason="new"}')).toBeLessThanOrEqual(1);
    expect(value('vecron_dispatches_total{reason="republish"}')).toBe(0);
    expect(value('vecron_queue_consumer_pending')).toBe(0);
    expect(value('vecron_queue_consumer_ack_pending')).toBeGreaterThanOrEqual(0);
    for (const p of [worker, api]) {
      await p.stop();
      cluster.splice(cluster.indexOf(p), 1);
    }
  });

  it('/metrics on every process: cluster gauges from the database (running, oldest pending, dead letters, live processes by role)', async () => {
    const s = await startTestServer({}, { role: 'api' });
    cluster.push(s);
    const job = await s.cron.jobs.create({ name: 'waits', steps: [{ id: 'say', type: 'echo', config: { message: 'hi' } }] });
    await s.cron.trigger(job.id); // an api process runs no worker: it stays pending
    await new Promise((r) => setTimeout(r, 1_500));
    const text = await (await fetch(`${s.metricsUrl}/metrics`)).text();
    const value = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('vecron_executions_running')).toBe(0);
    expect(value('vecron_dead_letters')).toBe(0);
    expect(value('vecron_live_processes{role="api"}')).toBe(1);
    expect(value('vecron_oldest_pending_seconds')).toBeGreaterThanOrEqual(1);
  });
});
