import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { redisCoordination } from '@vecron/sdk/redis';
import { testServers } from '@vecron/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateNats, privateRedis } from '@vecron/test-servers/provision';
import type { PrivateServer } from '@vecron/test-servers/provision';
import { signWebhookV2 } from '../../src/webhooks/signature.js';
import { client, sseEvents } from '../helpers.js';
import { until } from '@vecron/sdk/testing';
import { clusterEnv, launch as launchProc, started } from './processes.js';
import type { Proc } from './processes.js';

/**
 * Issue 6 acceptance, distributed: `vecron api` ×2 + `vecron scheduler` ×2 + `vecron worker` ×2
 * as real processes on PostgreSQL (own schema on the loopback server), NATS and Redis (private
 * servers of the SDK's fault harness, with their own stream and key prefix).
 */

const PG_URL = testServers().postgres;
const RUN_MS = 15_000;
const PASSWORD = 'Cluster-Admin-Pass-1';
const NEW_PASSWORD = 'Cluster-Admin-Pass-2';

const tag = randomUUID().slice(0, 8);
const schema = `vecron_srv_${tag}`;
const keyPrefix = `vsrv-${tag}:`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-srv-cluster-'));

let nats: PrivateServer;
let redis: PrivateServer;
let db: PostgresStorage;
const procs: Proc[] = [];
let env: Record<string, string>;

const launch = (name: string, role: string): Proc => launchProc(name, [role], { cwd: tmp, env, procs });

/** Reads `/api/events` into a list until aborted. */
function sse(base: string, token: string): { events: Array<{ event: string; data: Record<string, unknown> }>; open: Promise<void>; close(): void } {
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  const ac = new AbortController();
  const open = (async () => {
    const res = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
    if (res.status !== 200) throw new Error(`SSE ${res.status}`);
    void (async () => {
      try {
        for await (const { event, data } of sseEvents(res)) if (event) events.push({ event, data: data as Record<string, unknown> });
      } catch {
        /* aborted */
      }
    })();
  })();
  return { events, open, close: () => ac.abort() };
}

/** A loopback HTTP target counting every request an HTTP step makes. */
interface Hit { job: string; for: string; exec: string; key: string }
const hits: Hit[] = [];
const target = http.createServer((req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  hits.push({ job: u.searchParams.get('job') ?? '', for: u.searchParams.get('for') ?? '', exec: u.searchParams.get('exec') ?? '', key: String(req.headers['idempotency-key'] ?? '') });
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
});
let targetUrl = '';

beforeAll(async () => {
  [nats, redis] = await Promise.all([privateNats(), privateRedis()]);
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  db = await postgresStorage({ connectionString: PG_URL, migrate: false, poolMax: 2 });
  env = {
    ...clusterEnv({ pgUrl: PG_URL, schema, natsUrl: nats.url, prefix: 'srv', tag }),
    VECRON__COORDINATION__REDIS_URL: redis.url,
    VECRON__COORDINATION__KEY_PREFIX: keyPrefix,
    VECRON__AUTH__INITIAL_ADMIN_PASSWORD: PASSWORD,
    VECRON__AUTH__LOGIN_MAX_PER_USER: '4',
    VECRON__SCHEDULER__POLL_INTERVAL_MS: '250',
    VECRON__WORKER__SHUTDOWN_GRACE_MS: '3000',
  };
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await db?.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.close();
  await nats?.destroy();
  await redis?.destroy();
  target.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('vecron api ×2 + scheduler ×2 + worker ×2 on PostgreSQL, NATS and Redis', () => {
  it('runs scheduled and manual jobs exactly once, shows worker executions through the API and SSE, and shares rate limits', { timeout: 300_000 }, async () => {
    const t0 = Date.now();
    const api1 = launch('api-1', 'api');
    const api2 = launch('api-2', 'api');
    // The api and scheduler roles run no worker: every step below ran in a worker process.
    for (const n of [1, 2]) launch(`scheduler-${n}`, 'scheduler');
    for (const n of [1, 2]) launch(`worker-${n}`, 'worker');
    await Promise.all(procs.map(started));
    const startupMs = Date.now() - t0;
    const urlOf = (p: Proc): string => /API on (http:\/\/[\d.:]+)/.exec(p.out())![1]!;
    const a1 = client(urlOf(api1));
    const a2 = client(urlOf(api2));

    const ready = await a1.call('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['nats', 'redis', 'storage']);

    // Both api processes raced to create the first admin; exactly one did.
    const first = await a1.call('POST', '/api/auth/login', { body: { username: 'admin', password: PASSWORD } });
    expect(first.status).toBe(200);
    const token: string = (await a1.call('POST', '/api/auth/password', { token: first.body.token, body: { current_password: PASSWORD, new_password: NEW_PASSWORD } })).body.token;
    expect((await a2.call('GET', '/api/auth/me', { token })).status).toBe(200);

    // SSE on api-1 before anything runs.
    const stream = sse(urlOf(api1), token);
    await stream.open;

    const httpStep = (job: string) => [{ id: 'hit', type: 'http', config: { method: 'GET', url: `${targetUrl}/hit?job=${job}&for={{scheduled_for}}&exec={{execution_id}}` } }];
    const rate = await a1.call('POST', '/api/jobs', { token, body: { name: 'rate-1s', schedule: { type: 'fixed_rate', interval_seconds: 1 }, steps: httpStep('rate') } });
    expect(rate.status).toBe(201);
    const cron = await a2.call('POST', '/api/jobs', { token, body: { name: 'cron-every-second', schedule: { type: 'cron', expression: '* * * * * ?' }, steps: httpStep('cron') } });
    expect(cron.status).toBe(201);
    const manual = await a1.call('POST', '/api/jobs', { token, body: { name: 'manual', steps: httpStep('manual') } });
    expect(manual.status).toBe(201);
    const windowStart = Date.now();

    // Manual triggers with an Idempotency-Key, on both api processes: one execution per key.
    const triggers: Array<{ key: string; ids: string[] }> = [];
    for (let i = 0; i < 3; i++) {
      const key = `k-${tag}-${i}`;
      const r1 = await a2.call('POST', `/api/jobs/${manual.body.id}/trigger`, { token, headers: { 'idempotency-key': key }, body: {} });
      const r2 = await a1.call('POST', `/api/jobs/${manual.body.id}/trigger`, { token, headers: { 'idempotency-key': key }, body: {} });
      expect([r1.status, r2.status]).toEqual([202, 202]);
      expect([r1.body.created, r2.body.created]).toEqual([true, false]);
      triggers.push({ key, ids: [r1.body.execution_id, r2.body.execution_id] });
      await new Promise((r) => setTimeout(r, 2_000));
    }
    for (const t of triggers) expect(t.ids[1]).toBe(t.ids[0]);

    // Login limit shared by the two api processes through Redis (4 per user per window).
    const ghost = `nobody-${tag}`;
    const codes: number[] = [];
    for (const c of [a1, a2, a1, a2, a1, a2]) codes.push((await c.call('POST', '/api/auth/login', { body: { username: ghost, password: 'wrong-password-123' } })).status);
    expect(codes).toEqual([401, 401, 401, 401, 429, 429]);

    // Webhook limit (3 per minute for this job) shared too.
    const hooked = await a1.call('POST', '/api/jobs', { token, body: { name: 'hooked', triggers: { webhook: { enabled: true, rate_limit: { max_requests: 3, window_seconds: 60 } } }, steps: httpStep('webhook') } });
    const hook = (await a1.call('POST', '/api/webhooks', { token, body: { job_id: hooked.body.id } })).body;
    const post = async (base: string): Promise<number> => {
      const body = JSON.stringify({ n: 1 });
      const ts = String(Math.floor(Date.now() / 1000));
      const delivery = randomUUID();
      const res = await fetch(`${base}/webhooks/${hook.id}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-vecron-timestamp': ts, 'x-vecron-delivery': delivery, 'x-vecron-signature': signWebhookV2(hook.secret, ts, delivery, body) } });
      await res.text();
      return res.status;
    };
    const hookCodes: number[] = [];
    for (const base of [urlOf(api1), urlOf(api2), urlOf(api1), urlOf(api2), urlOf(api1)]) hookCodes.push(await post(base));
    expect(hookCodes).toEqual([202, 202, 202, 429, 429]);
    const rc = redisCoordination({ url: redis.url, keyPrefix });
    try {
      await until(() => rc.client.status === 'ready', { timeoutMs: 10_000, what: 'the Redis client' });
      expect(await rc.client.zcard(`${keyPrefix}rate:login:user:${ghost}`)).toBe(4);
      expect(await rc.client.zcard(`${keyPrefix}rate:webhook:job:${hooked.body.id}`)).toBe(3);
    } finally {
      await rc.close();
    }

    // Let the schedules run, then stop them.
    await new Promise((r) => setTimeout(r, Math.max(0, windowStart + RUN_MS - Date.now())));
    const stoppedAt = Date.now();
    expect((await a2.call('POST', `/api/jobs/${rate.body.id}/disable`, { token })).status).toBe(200);
    expect((await a1.call('POST', `/api/jobs/${cron.body.id}/disable`, { token })).status).toBe(200);

    // Everything created finishes.
    await until(async () => {
      const { rows } = await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".vecron_executions WHERE status NOT IN ('success','failed','timeout','cancelled','dead_letter')`);
      return Number(rows[0]!.n) === 0;
    }, { timeoutMs: 60_000, what: 'every execution to finish' });

    const { rows: execs } = await db.sql.query<{ id: string; job_id: string; status: string; trigger_source: string; scheduled_for: Date | null; idempotency_key: string }>(
      `SELECT id, job_id, status, trigger_source, scheduled_for, idempotency_key FROM "${schema}".vecron_executions ORDER BY scheduled_for`,
    );
    expect(execs.every((e) => e.status === 'success')).toBe(true);

    const report: Record<string, unknown> = { startupMs, runMs: stoppedAt - windowStart };
    for (const [name, job] of [['rate', rate.body], ['cron', cron.body]] as const) {
      const mine = execs.filter((e) => e.job_id === job.id);
      // The fire ledger as the API shows it (a fire is listed from its execution).
      const ledger: Array<{ fire_at: string; outcome: string; execution_id: string | null }> = (await a1.call('GET', `/api/jobs/${job.id}/ledger?limit=500`, { token })).body.items;
      const fired = ledger.filter((l) => l.outcome === 'fired');
      const instants = fired.map((l) => new Date(l.fire_at).getTime());
      // Every fire in the window, one second apart, none missing: the ledger has no gap…
      expect(ledger.filter((l) => l.outcome === 'missed')).toEqual([]);
      for (let i = 1; i < instants.length; i++) expect(instants[i]! - instants[i - 1]!).toBe(1_000);
      expect(instants[0]!).toBeLessThan(windowStart + 3_000);
      expect(instants[instants.length - 1]!).toBeGreaterThan(stoppedAt - 4_000);
      // …each fired instant has exactly one execution…
      expect(mine.map((e) => e.scheduled_for!.getTime()).sort()).toEqual([...instants].sort());
      expect(new Set(fired.map((l) => l.execution_id))).toEqual(new Set(mine.map((e) => e.id)));
      // …and exactly one side effect, with the step's idempotency key.
      const jobHits = hits.filter((h) => h.job === name);
      expect(jobHits.map((h) => new Date(h.for).getTime()).sort()).toEqual([...instants].sort());
      expect(new Set(jobHits.map((h) => h.key)).size).toBe(jobHits.length);
      for (const h of jobHits) expect(h.key).toBe(`${h.exec}:hit`);
      report[name] = { executions: mine.length, hits: jobHits.length, duplicates: jobHits.length - new Set(jobHits.map((h) => h.for)).size };
      expect(mine.length).toBeGreaterThanOrEqual(8);
    }
    const manualHits = hits.filter((h) => h.job === 'manual');
    expect(manualHits.map((h) => h.exec).sort()).toEqual(triggers.map((t) => t.ids[0]).sort());
    const webhookHits = hits.filter((h) => h.job === 'webhook');
    expect(webhookHits).toHaveLength(3);

    // API reads (either api process) see the executions the worker processes ran, with their step timeline.
    const listed = await a2.call('GET', `/api/executions?job_id=${rate.body.id}&status=success&limit=100`, { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((e: { id: string }) => e.id).sort()).toEqual(execs.filter((e) => e.job_id === rate.body.id).map((e) => e.id).sort());
    const one = await a1.call('GET', `/api/executions/${triggers[0]!.ids[0]}`, { token });
    expect(one.body.status).toBe('success');
    expect(one.body.timeline.map((s: { step_id: string; status: string }) => [s.step_id, s.status])).toEqual([['hit', 'succeeded']]);

    // SSE on api-1: pending → running → success of executions triggered on api-2 and run by a worker process.
    for (const t of triggers) {
      const seen = stream.events.filter((e) => e.data.execution_id === t.ids[0]);
      const statuses = seen.filter((e) => ['execution.created', 'execution.started', 'execution.finished'].includes(e.event)).map((e) => e.data.status);
      expect(statuses).toEqual(['pending', 'running', 'success']);
      expect(seen.map((e) => e.event)).toContain('execution.step.finished');
    }
    const scheduledSeen = new Set(stream.events.filter((e) => e.event === 'execution.finished' && e.data.job_id === cron.body.id).map((e) => e.data.execution_id));
    report.sseScheduledFinished = scheduledSeen.size;
    expect(scheduledSeen.size).toBeGreaterThan(0);
    stream.close();

    // Graceful stop of every role.
    const t1 = Date.now();
    for (const p of procs) p.child.kill('SIGTERM');
    const codesOnExit = await Promise.all(procs.map((p) => p.exited));
    report.stopMs = Date.now() - t1;
    expect(codesOnExit).toEqual(procs.map(() => 0));
    console.log('cluster report', JSON.stringify(report));
  });
});
