import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createCronSystem } from '@vecron/sdk';
import type { AnyExecutor, CronSystem } from '@vecron/sdk';
import { natsQueue } from '@vecron/sdk/nats';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { httpExecutor } from '@vecron/executor-http';
import { testServers } from '@vecron/test-servers';
import { privateNats } from '@vecron/test-servers/provision';
import type { PrivateServer } from '@vecron/test-servers/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@vecron/sdk/testing';
import { clusterEnv, clusterQueue, launch as launchProc, started } from './processes.js';
import type { Proc } from './processes.js';

/**
 * Issue 17 acceptance: how fast a dead or stopping worker's executions resume, with the server's
 * DEFAULT recovery configuration (lease 10 s, dispatch every 1 s, ack wait 30 s, republish after
 * 30 s): `vecron scheduler` + `vecron worker` ×2 as real processes on PostgreSQL and NATS. Each
 * execution runs one HTTP step against a loopback target that holds the first request of every
 * execution open, so the step is mid-flight when its worker is killed. The numbers are printed
 * (`[recovery] …`) for the operations guide; the assertions only bound them generously.
 */

const PG_URL = testServers().postgres;
const tag = randomUUID().slice(0, 8);
const schema = `vecron_rec_${tag}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-srv-recovery-'));

let nats: PrivateServer;
let db: PostgresStorage;
let cron: CronSystem;
const procs: Proc[] = [];
let env: Record<string, string>;

/** Requests per execution id; the first of each is held open until `releaseHeld()`. */
const hits = new Map<string, number[]>();
const held: http.ServerResponse[] = [];
const target = http.createServer((req, res) => {
  const exec = new URL(req.url ?? '/', 'http://x').searchParams.get('exec') ?? '';
  const list = hits.get(exec) ?? [];
  list.push(Date.now());
  hits.set(exec, list);
  res.setHeader('content-type', 'application/json');
  if (list.length === 1) held.push(res);
  else res.end('{"ok":true}');
});
const releaseHeld = (): void => {
  for (const res of held.splice(0)) if (!res.writableEnded) res.end('{"ok":true}');
};
let targetUrl = '';

const report = (what: string, data: Record<string, unknown>): void => {
  process.stdout.write(`[recovery] ${what}: ${JSON.stringify(data)}\n`);
};

/** The process whose worker id (`host:pid:random`) holds the lease of `executionId`. */
async function holderOf(executionId: string): Promise<Proc> {
  const owner = await until(async () => (await cron.executions.get(executionId))?.leaseOwner, { timeoutMs: 30_000, what: `a lease on ${executionId}` });
  const pid = Number(owner.split(':').at(-2));
  const proc = procs.find((p) => p.child.pid === pid && p.child.exitCode === null);
  if (!proc) throw new Error(`no live process with pid ${pid} (lease owner ${owner})`);
  return proc;
}

beforeAll(async () => {
  nats = await privateNats();
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  db = await postgresStorage({ connectionString: PG_URL, schema, poolMax: 3 });
  const queue = clusterQueue({ prefix: 'rec', tag });
  cron = createCronSystem({
    storage: db, executors: [httpExecutor() as AnyExecutor], closePassedIn: false,
    queue: natsQueue({ servers: nats.url, ...queue }),
  });
  // Only addresses, names and secrets: every recovery key (lease, heartbeat, dispatch interval,
  // ack wait, republish-after) is the server's default.
  env = {
    ...clusterEnv({ pgUrl: PG_URL, schema, natsUrl: nats.url, prefix: 'rec', tag }),
    VECRON__AUTH__INITIAL_ADMIN_PASSWORD: 'Recovery-Admin-Pass-1',
    // Only for the SIGTERM case: how long a stopping worker lets the held step run before handing it back.
    VECRON__WORKER__SHUTDOWN_GRACE_MS: '1000',
  };
});

afterAll(async () => {
  releaseHeld();
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await cron?.stop({ graceMs: 0 }).catch(() => undefined);
  await db?.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.close();
  await nats?.destroy();
  target.close();
  rmSync(tmp, { recursive: true, force: true });
});

const launch = (name: string, role: string): Proc => launchProc(name, [role], { cwd: tmp, env, procs });

describe('worker recovery with the default configuration (scheduler + worker ×2 on PostgreSQL and NATS)', () => {
  it('kill -9 a worker mid-step: its executions resume on the other worker within lease + dispatch interval, each finishes once', { timeout: 240_000 }, async () => {
    const all = [launch('scheduler', 'scheduler'), launch('worker-1', 'worker'), launch('worker-2', 'worker')];
    await Promise.all(all.map(started));
    const job = await cron.jobs.create({ name: 'held-http', max_retries: 0, steps: [{ id: 'call', type: 'http', config: { method: 'GET', url: `${targetUrl}/hit?exec={{execution_id}}`, timeout_seconds: 120 } }] });
    const ids = await Promise.all([0, 1, 2, 3].map(async () => (await cron.trigger(job.id)).executionId));
    await until(() => ids.every((id) => hits.get(id)?.length === 1), { timeoutMs: 60_000, what: 'every step to be in flight' });

    const victim = await holderOf(ids[0]!);
    const victims: string[] = [];
    for (const id of ids) if ((await holderOf(id)) === victim) victims.push(id);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    // The survivor's own held steps may finish now; the dead worker's sockets are gone.
    releaseHeld();

    await until(() => victims.every((id) => (hits.get(id)?.length ?? 0) >= 2), { timeoutMs: 60_000, what: 'the killed worker\'s steps to run again' });
    const resumeMs = victims.map((id) => hits.get(id)![1]! - killedAt);
    const finished = await Promise.all(ids.map((id) => cron.executions.wait(id, { timeoutMs: 60_000 })));
    expect(finished.map((e) => e.status)).toEqual(ids.map(() => 'success'));
    // Exactly one execution per trigger, and no step ran a third time.
    const { rows } = await db.sql.query<{ n: string }>('SELECT count(*) AS n FROM vecron_executions WHERE job_id = $1', [job.id]);
    expect(Number(rows[0]!.n)).toBe(ids.length);
    for (const id of ids) expect(hits.get(id)!.length).toBe(victims.includes(id) ? 2 : 1);
    const { rows: attempts } = await db.sql.query<{ n: string }>(
      "SELECT count(*) AS n FROM vecron_step_attempts_all WHERE execution_id = ANY($1::uuid[]) AND status = 'succeeded'", [ids],
    );
    expect(Number(attempts[0]!.n)).toBe(ids.length);
    report('kill -9', { executionsOnKilledWorker: victims.length, resumeMs, maxResumeMs: Math.max(...resumeMs), loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' ') });
    // Lease 10 s + dispatch 1 s + claim, by default: ≤ 15 s is the documented target (generous on a loaded machine: 25 s).
    expect(Math.max(...resumeMs)).toBeLessThan(25_000);
  });

  it('SIGTERM with a short grace: the handed-back execution is requeued at once and resumes on the other worker', { timeout: 240_000 }, async () => {
    const fresh = launch('worker-3', 'worker');
    await started(fresh);
    const job = await cron.jobs.create({ name: 'held-http-2', max_retries: 0, steps: [{ id: 'call', type: 'http', config: { method: 'GET', url: `${targetUrl}/hit?exec={{execution_id}}`, timeout_seconds: 120 } }] });
    const { executionId } = await cron.trigger(job.id);
    await until(() => hits.get(executionId)?.length === 1, { timeoutMs: 60_000, what: 'the step to be in flight' });
    const holder = await holderOf(executionId);
    const termAt = Date.now();
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
    const exitedMs = Date.now() - termAt;
    await until(() => (hits.get(executionId)?.length ?? 0) >= 2, { timeoutMs: 60_000, what: 'the handed-back step to run again' });
    const resumeMs = hits.get(executionId)![1]! - termAt;
    const done = await cron.executions.wait(executionId, { timeoutMs: 60_000 });
    expect(done.status).toBe('success');
    report('SIGTERM hand-back', { shutdownGraceMs: 1000, exitedMs, resumeMs, loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' ') });
    // Requeued at once: well before the 30 s republish-after or ack wait (1 s grace + a dispatch or a nak).
    expect(resumeMs).toBeLessThan(15_000);
  });
});
