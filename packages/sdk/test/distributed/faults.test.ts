/**
 * Multi-process fault tests (issue 3 acceptance). Private PostgreSQL, NATS and Redis servers on
 * random loopback ports, so restarting them never disturbs other suites; every test has its own
 * schema, stream and key prefix. Side effects land in `harness_sink`; terminal transitions are
 * logged by a trigger; the checker counts lost and duplicated executions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '@vecron/sdk';
import { check, diagnose, waitAllTerminal } from './harness/checker.js';
import { createCluster } from './harness/cluster.js';
import type { Node } from './harness/cluster.js';
import { createRun } from './harness/run.js';
import type { Run } from './harness/run.js';
import { privateNats, privatePostgres, privateRedis } from './harness/servers.js';
import type { PrivateServer } from './harness/servers.js';

const LEASE_MS = 2_000;
const ACK_WAIT_MS = 2_500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const report = (what: string, data: Record<string, unknown>): void => {
  // Numbers the issue asks to report (recovery times, durations).
  process.stdout.write(`[distributed] ${what}: ${JSON.stringify(data)}\n`);
};

let pg: PrivateServer;
let nats: PrivateServer;
let redis: PrivateServer;
let cluster: ReturnType<typeof createCluster>;
let run: Run | null = null;

beforeAll(async () => {
  [pg, nats, redis] = await Promise.all([privatePostgres(), privateNats(), privateRedis()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([pg?.destroy(), nats?.destroy(), redis?.destroy()]);
});

afterEach(async () => {
  await cluster?.stopAll();
  await run?.cleanup();
  run = null;
}, 60_000);

const servers = (withRedis = true) => ({ pgUrl: pg.url, natsUrl: nats.url, redisUrl: withRedis ? redis.url : null });

async function newRun(opts: { concurrency?: number; withRedis?: boolean; queue?: 'nats' | 'postgres' } = {}): Promise<Run> {
  run = await createRun(servers(opts.withRedis ?? true), { leaseMs: LEASE_MS, ackWaitMs: ACK_WAIT_MS, concurrency: opts.concurrency ?? 8 }, opts.queue ?? 'nats');
  cluster = createCluster(run.schema);
  return run;
}

/**
 * Waits for a node started with a crash hook to kill itself, and records that exit as expected.
 * The window is generous (60 s): the hook fires within seconds, but spawning three processes on a
 * loaded 2-core machine has taken most of a 20 s window; the verdict of the test is the 0 lost /
 * 0 duplicated check, not how fast the crash came.
 */
async function waitCrashed(n: Node): Promise<void> {
  for (let i = 0; i < 600 && !n.exits.length; i++) await sleep(100);
  expect(n.exits[0]?.signal, `${n.name} should have crashed itself (SIGKILL) within 60 s`).toBe('SIGKILL');
  cluster.expectExit(n.exits[0]!.pid);
}

async function oneStepJob(r: Run, name: string, ms: number, extra: Record<string, unknown> = {}): Promise<string> {
  const job = await r.cron.jobs.create({ name, max_retries: 0, steps: [{ id: 's', type: 'sink', config: { ms, ...extra } }] });
  return job.id;
}

describe('distributed mode under faults', { timeout: 180_000 }, () => {
  it('3 schedulers, 1,000 schedules due in the same second, 5 rounds: exactly 1,000 executions per round', async () => {
    const r = await newRun();
    const started = Date.now();
    for (let i = 0; i < 1_000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => r.cron.jobs.create({
        name: `tick-${i + k}`, schedule: { type: 'cron', expression: '0/3 * * * * ?', timezone: 'UTC' },
        steps: [{ id: 's', type: 'sink', config: { ms: 0 } }],
      })));
    }
    await Promise.all([0, 1, 2].map((i) => cluster.spawn(`scheduler-${i}`, r.nodeConfig('scheduler'))));
    // The first instant every job is due at: the next multiple of 3 s after all are created and schedulers run.
    const first = Math.ceil((Date.now() + 1) / 3_000) * 3_000;
    const rounds = [0, 1, 2, 3, 4].map((k) => new Date(first + k * 3_000));
    await sleep(rounds[4]!.getTime() - Date.now() + 1_000);
    const perRound = () => r.storage.sql.query<{ at: Date; n: string; jobs: string }>(
      `SELECT scheduled_for AS at, count(*) AS n, count(DISTINCT job_id) AS jobs FROM vecron_executions
       WHERE scheduled_for = ANY($1::timestamptz[]) GROUP BY scheduled_for ORDER BY scheduled_for`,
      [rounds.map((d) => d.toISOString())],
    );
    // A loaded CI machine may fire the last round a little late (within the misfire threshold): wait for it.
    let { rows } = await perRound();
    for (let i = 0; i < 100 && !(rows.length === 5 && rows.every((x) => Number(x.n) >= 1_000)); i++) {
      await sleep(200);
      ({ rows } = await perRound());
    }
    await sleep(1_000); // and give a duplicate every chance to appear
    ({ rows } = await perRound());
    expect(rows.map((x) => [new Date(x.at).toISOString(), Number(x.n), Number(x.jobs)])).toEqual(rounds.map((d) => [d.toISOString(), 1_000, 1_000]));
    // A fire writes no ledger row (its execution is the record); the ledger lists each fire once.
    const { rows: firedRows } = await r.storage.sql.query<{ n: string }>(`SELECT count(*) AS n FROM vecron_fire_ledger WHERE outcome = 'fired'`);
    expect(Number(firedRows[0]?.n)).toBe(0);
    const { rows: jobs } = await r.storage.sql.query<{ id: string }>(`SELECT id FROM vecron_jobs`);
    let listed = 0;
    for (let i = 0; i < jobs.length; i += 50) {
      const ledgers = await Promise.all(jobs.slice(i, i + 50).map((j) => r.storage.listLedger(j.id, { from: rounds[0]!, to: new Date(rounds[4]!.getTime() + 1) })));
      for (const l of ledgers) {
        expect(l.map((x) => [x.outcome, x.fireAt.getTime(), x.executionId !== null])).toEqual(rounds.map((d) => ['fired', d.getTime(), true]));
        listed += l.length;
      }
    }
    expect(listed).toBe(5_000);
    expect(cluster.unexpectedExits()).toEqual([]);
    const { rows: lag } = await r.storage.sql.query<{ p50: number; max: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, max(ms) AS max FROM (
         SELECT extract(epoch FROM created_at - scheduled_for) * 1000 AS ms FROM vecron_executions WHERE scheduled_for = ANY($1::timestamptz[])) l`,
      [rounds.map((d) => d.toISOString())],
    );
    report('schedulers', { rounds: 5, perRound: 1_000, fireLagMsP50: Math.round(Number(lag[0]?.p50)), fireLagMsMax: Math.round(Number(lag[0]?.max)), durationMs: Date.now() - started });
  });

  it('kill -9 a random worker mid-step 20 times during 2,000 executions: 0 lost, 0 duplicated, all terminal within lease + 30 s', async () => {
    const r = await newRun({ concurrency: 6 });
    const jobId = await oneStepJob(r, 'kill-target', 300);
    const workers = await Promise.all([0, 1, 2, 3].map((i) => cluster.spawn(`worker-${i}`, r.nodeConfig('worker'))));
    const started = Date.now();
    const ids = await r.triggerMany(jobId, 2_000);
    const ready = new Set<Node>(workers);
    const kills: Array<{ pid: number; at: number }> = [];
    for (let k = 0; k < 20; k++) {
      await sleep(700);
      while (ready.size < 2) await sleep(100);
      const candidates = [...ready];
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      const pid = victim.pid();
      ready.delete(victim);
      kills.push({ pid, at: await cluster.kill9(victim) });
      void cluster.respawn(victim).then(() => ready.add(victim), () => undefined);
    }
    const lastKill = kills[kills.length - 1]!.at;
    const doneAt = await waitAllTerminal(r.storage.sql, ids, lastKill + LEASE_MS + 30_000);
    expect(doneAt, await diagnose(r.storage.sql, ids)).not.toBeNull();
    const result = await check(r.storage.sql, ids);
    expect(result).toMatchObject({ total: 2_000, succeeded: 2_000, lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0 });
    // A step re-run is allowed only where a killed worker had run it (crash after the side effect, before saving progress).
    if (result.stepRerunExecutions.length) {
      const { rows: reruns } = await r.storage.sql.query<{ id: string }>(
        `SELECT DISTINCT execution_id AS id FROM harness_sink WHERE execution_id = ANY($1::uuid[]) AND pid = ANY($2::int[])`,
        [result.stepRerunExecutions, kills.map((k) => k.pid)],
      );
      expect(reruns.length).toBe(result.stepRerunExecutions.length);
    }

    // Recovery: for each step a killed worker had in flight, kill → execution finished.
    const { rows } = await r.storage.sql.query<{ pid: number; finished: Date }>(
      `SELECT s.pid, e.finished_at AS finished FROM harness_sink s
       JOIN vecron_step_attempts_all a ON a.execution_id = s.execution_id AND a.step_id = s.step_id AND a.attempt = s.attempt
       JOIN vecron_executions e ON e.id = s.execution_id
       WHERE a.status IN ('abandoned','running') AND s.pid = ANY($1::int[])`,
      [kills.map((k) => k.pid)],
    );
    const killAt = new Map(kills.map((k) => [k.pid, k.at]));
    const recoveries = rows.map((x) => new Date(x.finished).getTime() - killAt.get(x.pid)!).sort((a, b) => a - b);
    expect(recoveries.length).toBeGreaterThanOrEqual(20);
    expect(recoveries[recoveries.length - 1]!).toBeLessThanOrEqual(LEASE_MS + 30_000);
    expect(cluster.unexpectedExits()).toEqual([]);
    report('kill -9 workers', {
      executions: 2_000, kills: 20, interruptedSteps: recoveries.length, leaseMs: LEASE_MS, ackWaitMs: ACK_WAIT_MS,
      recoveryMsMedian: recoveries[Math.floor(recoveries.length / 2)], recoveryMsP95: recoveries[Math.floor(recoveries.length * 0.95)],
      recoveryMsMax: recoveries[recoveries.length - 1], runMs: doneAt! - started, stepReruns: result.duplicatedStepSuccesses,
    });
  });

  it('SIGSTOP a worker past its lease, then SIGCONT: its late writes change 0 rows and its step signal is aborted', async () => {
    const r = await newRun({ concurrency: 2 });
    const jobId = await oneStepJob(r, 'stopped', 200, { first_ms: 15_000 });
    const a = await cluster.spawn('worker-a', r.nodeConfig('worker'));
    const [id] = await r.triggerMany(jobId, 1);
    for (let i = 0; i < 100; i++) {
      const { rows } = await r.storage.sql.query(`SELECT 1 FROM harness_sink WHERE execution_id = $1 AND pid = $2`, [id, a.pid()]);
      if (rows.length) break;
      await sleep(100);
    }
    cluster.signal(a, 'SIGSTOP');
    const b = await cluster.spawn('worker-b', r.nodeConfig('worker'));
    const done = await waitAllTerminal(r.storage.sql, [id!], Date.now() + LEASE_MS + 20_000);
    expect(done).not.toBeNull();
    const snapshot = async () => (await r.storage.sql.query(`SELECT status, fencing_token, finished_at, context::text, current_step, error::text FROM vecron_executions WHERE id = $1`, [id])).rows[0];
    const steps = async () => (await r.storage.sql.query(`SELECT step_id, attempt, status, fencing_token, finished_at, error::text FROM vecron_step_attempts_all WHERE execution_id = $1 ORDER BY attempt`, [id])).rows;
    const before = { row: await snapshot(), steps: await steps() };
    expect(before.row).toMatchObject({ status: 'success' });
    cluster.signal(a, 'SIGCONT');
    // Give the resumed worker time to heartbeat, notice, abort and try its late writes.
    for (let i = 0; i < 50 && !a.lines.some((l) => l.includes('harness: step signal aborted')); i++) await sleep(100);
    await sleep(1_000);
    expect({ row: await snapshot(), steps: await steps() }).toEqual(before);
    const { rows: sink } = await r.storage.sql.query<{ pid: number; aborted: string | null }>(`SELECT pid, aborted FROM harness_sink WHERE execution_id = $1 ORDER BY attempt`, [id]);
    expect(sink).toEqual([{ pid: a.pid(), aborted: 'LEASE_LOST' }, { pid: b.pid(), aborted: null }]);
    expect(a.lines.some((l) => l.includes('lease lost'))).toBe(true);
    expect((await check(r.storage.sql, [id!])).duplicatedCompletions).toBe(0);
    expect(cluster.unexpectedExits()).toEqual([]);
  });

  it('restart PostgreSQL, then NATS, then Redis during a 5,000-execution run: 0 lost, 0 duplicated, every process reconnects and logs, none crashes', async () => {
    const r = await newRun({ concurrency: 10 });
    const jobId = await oneStepJob(r, 'restarts', 40);
    await cluster.spawn('scheduler', r.nodeConfig('scheduler'));
    await Promise.all([0, 1, 2].map((i) => cluster.spawn(`worker-${i}`, r.nodeConfig('worker'))));
    const started = Date.now();
    const ids = await r.triggerMany(jobId, 5_000, 40);
    const outages: Record<string, number> = {};
    const bounce = async (name: string, s: PrivateServer): Promise<void> => {
      const t0 = Date.now();
      await s.stop();
      await sleep(2_000);
      await s.start();
      outages[name] = Date.now() - t0;
      await sleep(2_000);
    };
    await bounce('postgres', pg);
    await bounce('nats', nats);
    await bounce('redis', redis);
    const doneAt = await waitAllTerminal(r.storage.sql, ids, Date.now() + 60_000);
    expect(doneAt, await diagnose(r.storage.sql, ids)).not.toBeNull();
    const result = await check(r.storage.sql, ids);
    // Step re-runs are not asserted here: a step whose progress write hit the PostgreSQL outage runs
    // again on resume (docs/architecture.md#5-resume-not-restart, at-least-once for the step in flight); they are reported.
    expect(result).toMatchObject({ total: 5_000, succeeded: 5_000, lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0 });
    expect(cluster.unexpectedExits()).toEqual([]);
    // Every process survived (above) and logged the outage: its idle pooled connections were cut
    // ("PostgreSQL connection lost") or a statement in flight failed ("database at <server>
    // unavailable during …", or "… failed at <server>: terminating connection due to administrator
    // command" when the server said why). The pattern once matched only the first form, so a worker
    // whose connections were all busy at that instant seemed to have logged nothing.
    for (const n of cluster.nodes) {
      const log = n.lines.join('\n');
      expect(log, n.name).toMatch(/PostgreSQL connection lost|(PostgreSQL|database)( at \S+)? unavailable|terminating connection due to administrator command/);
      expect(log, n.name).toMatch(/NATS connection lost/);
      expect(log, n.name).toMatch(/NATS reconnected/);
      expect(log, n.name).toMatch(/Redis unavailable/);
    }
    report('server restarts', { executions: 5_000, outagesMs: outages, runMs: doneAt! - started, stepReruns: result.duplicatedStepSuccesses, ...result.byStatus });
  });

  it('Redis stopped for a whole run: still 0 duplicates, and non-concurrent jobs never overlap', async () => {
    const r = await newRun({ concurrency: 8 });
    await redis.stop();
    try {
      const concurrent = await oneStepJob(r, 'no-redis', 50);
      const single = (await r.cron.jobs.create({ name: 'no-redis-single', max_retries: 0, allow_concurrent: false, steps: [{ id: 's', type: 'sink', config: { ms: 30 } }] })).id;
      await Promise.all([0, 1].map((i) => cluster.spawn(`worker-${i}`, r.nodeConfig('worker'))));
      const ids = [...(await r.triggerMany(concurrent, 500)), ...(await r.triggerMany(single, 40))];
      expect(await waitAllTerminal(r.storage.sql, ids, Date.now() + 90_000)).not.toBeNull();
      const result = await check(r.storage.sql, ids);
      expect(result).toMatchObject({ total: 540, succeeded: 540, lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0, duplicatedStepSuccesses: 0 });
      // Overlap judged on the database's clock: b's step started after a's step started and before a finished.
      const { rows } = await r.storage.sql.query<{ n: string }>(
        `WITH runs AS (
           SELECT s.execution_id, min(s.at) AS began, (SELECT min(t.at) FROM harness_transitions t WHERE t.execution_id = s.execution_id) AS ended
           FROM harness_sink s JOIN vecron_executions e ON e.id = s.execution_id WHERE e.job_id = $1 GROUP BY s.execution_id)
         SELECT count(*) AS n FROM runs a JOIN runs b ON a.execution_id <> b.execution_id AND b.began > a.began AND b.began < a.ended`, [single],
      );
      expect(Number(rows[0]?.n)).toBe(0);
      expect(cluster.unexpectedExits()).toEqual([]);
      expect(cluster.nodes.every((n) => n.lines.some((l) => l.includes('Redis unavailable')))).toBe(true);
    } finally {
      await redis.start();
    }
  });

  it('crashes between commit and publish, after publish, and between completion and ack: 0 lost, 0 duplicated', async () => {
    const r = await newRun({ concurrency: 4 });
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => r.cron.jobs.create({
      name: `crashy-${i}`, schedule: { type: 'cron', expression: '0/2 * * * * ?', timezone: 'UTC' }, max_retries: 0,
      steps: [{ id: 's', type: 'sink', config: { ms: 20 } }],
    })));
    const early = { awaitReady: false };
    const crashPublish = await cluster.spawn('scheduler-crash-before-publish', r.nodeConfig('scheduler', { crash: { at: 'before-publish', nth: 1 } }), early);
    const crashAfter = await cluster.spawn('scheduler-crash-after-publish', r.nodeConfig('scheduler', { crash: { at: 'after-publish', nth: 3 } }), early);
    const crashAck = await cluster.spawn('worker-crash-before-ack', r.nodeConfig('worker', { crash: { at: 'before-ack', nth: 5 } }), early);
    await Promise.all([waitCrashed(crashPublish), waitCrashed(crashAfter), waitCrashed(crashAck)]);
    // The survivors: one healthy scheduler and worker, plus the crashed ones restarted without faults.
    await Promise.all([
      cluster.spawn('scheduler', r.nodeConfig('scheduler')),
      cluster.spawn('worker', r.nodeConfig('worker')),
      cluster.respawn(crashPublish, { crash: undefined }),
      cluster.respawn(crashAck, { crash: undefined }),
    ]);
    await sleep(4_000);
    await Promise.all(jobs.map((j) => r.cron.jobs.disable(j.id)));
    await sleep(500);
    const { rows } = await r.storage.sql.query<{ id: string }>(`SELECT id FROM vecron_executions`);
    const ids = rows.map((x) => x.id);
    expect(await waitAllTerminal(r.storage.sql, ids, Date.now() + LEASE_MS + 30_000)).not.toBeNull();
    const result = await check(r.storage.sql, ids);
    expect(result).toMatchObject({ lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0, duplicatedStepSuccesses: 0 });
    expect(result.succeeded).toBe(result.total);
    // Every fired instant has exactly one execution (a fire writes no ledger row: the execution is
    // the record), and the first crashed tick's executions ran too.
    await expectOneExecutionPerFire(r.storage.sql);
    expect(cluster.unexpectedExits()).toEqual([]);
    report('crash injection', { executions: result.total });
  });
});

describe('PostgreSQL only (the PostgreSQL queue, no NATS, no Redis) under faults', { timeout: 180_000 }, () => {
  it('kill -9 a random worker mid-step 10 times during 1,000 executions: 0 lost, 0 duplicated, all terminal within lease + 30 s', async () => {
    const r = await newRun({ concurrency: 6, withRedis: false, queue: 'postgres' });
    const jobId = await oneStepJob(r, 'pg-kill-target', 300);
    const workers = await Promise.all([0, 1, 2].map((i) => cluster.spawn(`worker-${i}`, r.nodeConfig('worker'))));
    const started = Date.now();
    const ids = await r.triggerMany(jobId, 1_000);
    const ready = new Set<Node>(workers);
    const kills: Array<{ pid: number; at: number }> = [];
    for (let k = 0; k < 10; k++) {
      await sleep(700);
      while (ready.size < 2) await sleep(100);
      const candidates = [...ready];
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      const pid = victim.pid();
      ready.delete(victim);
      kills.push({ pid, at: await cluster.kill9(victim) });
      void cluster.respawn(victim).then(() => ready.add(victim), () => undefined);
    }
    const lastKill = kills[kills.length - 1]!.at;
    const doneAt = await waitAllTerminal(r.storage.sql, ids, lastKill + LEASE_MS + 30_000);
    expect(doneAt, await diagnose(r.storage.sql, ids)).not.toBeNull();
    const result = await check(r.storage.sql, ids);
    expect(result).toMatchObject({ total: 1_000, succeeded: 1_000, lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0 });
    if (result.stepRerunExecutions.length) {
      const { rows: reruns } = await r.storage.sql.query<{ id: string }>(
        `SELECT DISTINCT execution_id AS id FROM harness_sink WHERE execution_id = ANY($1::uuid[]) AND pid = ANY($2::int[])`,
        [result.stepRerunExecutions, kills.map((k) => k.pid)],
      );
      expect(reruns.length).toBe(result.stepRerunExecutions.length);
    }
    // Nothing is left in the queue table once every execution is terminal and acked.
    for (let i = 0; i < 50 && (await r.queue.size()) > 0; i++) await sleep(100);
    expect(await r.queue.size()).toBe(0);
    expect(cluster.unexpectedExits()).toEqual([]);
    report('kill -9 workers, PostgreSQL queue', { executions: 1_000, kills: 10, leaseMs: LEASE_MS, ackWaitMs: ACK_WAIT_MS, runMs: doneAt! - started, stepReruns: result.duplicatedStepSuccesses });
  });

  it('restart PostgreSQL during a 2,000-execution run: 0 lost, 0 duplicated, every process reconnects and logs, none crashes', async () => {
    const r = await newRun({ concurrency: 10, withRedis: false, queue: 'postgres' });
    const jobId = await oneStepJob(r, 'pg-restart', 40);
    await cluster.spawn('scheduler', r.nodeConfig('scheduler'));
    await Promise.all([0, 1].map((i) => cluster.spawn(`worker-${i}`, r.nodeConfig('worker'))));
    const started = Date.now();
    const ids = await r.triggerMany(jobId, 2_000, 40);
    const t0 = Date.now();
    await pg.stop();
    await sleep(2_000);
    await pg.start();
    const outageMs = Date.now() - t0;
    await sleep(2_000);
    const doneAt = await waitAllTerminal(r.storage.sql, ids, Date.now() + 60_000);
    expect(cluster.unexpectedExits()).toEqual([]);
    expect(doneAt, await diagnose(r.storage.sql, ids)).not.toBeNull();
    const result = await check(r.storage.sql, ids);
    expect(result).toMatchObject({ total: 2_000, succeeded: 2_000, lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0 });
    expect(cluster.unexpectedExits()).toEqual([]);
    for (const n of cluster.nodes) expect(n.lines.join('\n'), n.name).toMatch(/PostgreSQL (connection lost|unavailable)|PostgreSQL queue/);
    report('PostgreSQL restart, PostgreSQL queue', { executions: 2_000, outageMs, runMs: doneAt! - started, stepReruns: result.duplicatedStepSuccesses, ...result.byStatus });
  });

  it('crashes between commit and publish, after publish, and between completion and ack: 0 lost, 0 duplicated', async () => {
    const r = await newRun({ concurrency: 4, withRedis: false, queue: 'postgres' });
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => r.cron.jobs.create({
      name: `pg-crashy-${i}`, schedule: { type: 'cron', expression: '0/2 * * * * ?', timezone: 'UTC' }, max_retries: 0,
      steps: [{ id: 's', type: 'sink', config: { ms: 20 } }],
    })));
    const early = { awaitReady: false };
    const crashPublish = await cluster.spawn('scheduler-crash-before-publish', r.nodeConfig('scheduler', { crash: { at: 'before-publish', nth: 1 } }), early);
    const crashAfter = await cluster.spawn('scheduler-crash-after-publish', r.nodeConfig('scheduler', { crash: { at: 'after-publish', nth: 3 } }), early);
    const crashAck = await cluster.spawn('worker-crash-before-ack', r.nodeConfig('worker', { crash: { at: 'before-ack', nth: 5 } }), early);
    await Promise.all([waitCrashed(crashPublish), waitCrashed(crashAfter), waitCrashed(crashAck)]);
    await Promise.all([
      cluster.spawn('scheduler', r.nodeConfig('scheduler')),
      cluster.spawn('worker', r.nodeConfig('worker')),
      cluster.respawn(crashPublish, { crash: undefined }),
      cluster.respawn(crashAck, { crash: undefined }),
    ]);
    await sleep(4_000);
    await Promise.all(jobs.map((j) => r.cron.jobs.disable(j.id)));
    await sleep(500);
    const { rows } = await r.storage.sql.query<{ id: string }>(`SELECT id FROM vecron_executions`);
    const ids = rows.map((x) => x.id);
    expect(await waitAllTerminal(r.storage.sql, ids, Date.now() + LEASE_MS + 30_000)).not.toBeNull();
    const result = await check(r.storage.sql, ids);
    expect(result).toMatchObject({ lost: 0, duplicatedCompletions: 0, duplicatedAttempts: 0, duplicatedStepSuccesses: 0 });
    expect(result.succeeded).toBe(result.total);
    await expectOneExecutionPerFire(r.storage.sql);
    expect(cluster.unexpectedExits()).toEqual([]);
    report('crash injection, PostgreSQL queue', { executions: result.total });
  });
});

/**
 * Every fired instant has exactly one execution and no `fired` ledger row (a fire writes none: the
 * execution is the record); at least 40 fired, so the crashed ticks' executions ran too.
 */
async function expectOneExecutionPerFire(sql: SqlClient): Promise<void> {
  const { rows: fires } = await sql.query<{ rows: string; execs: string; instants: string }>(
    `SELECT (SELECT count(*) FROM vecron_fire_ledger WHERE outcome = 'fired') AS rows, count(*) AS execs, count(DISTINCT (job_id, scheduled_for)) AS instants
     FROM vecron_executions WHERE trigger_source = 'scheduled'`,
  );
  expect(Number(fires[0]?.rows)).toBe(0);
  expect(Number(fires[0]?.execs)).toBe(Number(fires[0]?.instants));
  expect(Number(fires[0]?.execs)).toBeGreaterThanOrEqual(40);
}
