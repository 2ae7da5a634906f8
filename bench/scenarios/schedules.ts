/**
 * Scenarios on vecron distributed (PostgreSQL + NATS + Redis):
 * c. cron lateness: n schedules due in the same second (scheduler poll 250 ms, worker concurrency 100);
 * d. scheduler tick cost with n schedules, 1 % due per tick;
 * e. memory per 10k schedules (vecron PostgreSQL bytes and scheduler RSS; BullMQ Redis memory).
 */
import { Queue as BullQueue } from 'bullmq';
import { Redis } from 'ioredis';
import { PG_ADMIN_URL, REDIS_URL, cpuMsSince, pgUrl, withPg, pgBackendPids, percentile, round, serverCpuMeter, sleep } from '../lib/env.js';
import { delRedisPrefix } from '../lib/systems.js';
import { cloneJobs, schemaBytes, vecronRig } from '../lib/vecron-distributed.js';
import { internalsOf } from '../../packages/sdk/src/internal/cron-internals.js';
import { threadMeter } from '../lib/thread-cpu.js';

/**
 * Unmeasured ticks of d between `coldTick` and the measured ticks (each fires 1 % of the schedules):
 * at least 10, and enough for 100,000 fires. V8 optimises a function after enough calls, and the
 * code a tick runs once (the claim, the publish round, the `pg` and NATS writers) is called once a
 * tick: at 10k, 10 warm-up ticks left it still being compiled by the measured ticks (2.5–10 ms of
 * TurboFan work each, on V8's background threads; `--trace-opt`, round 7 in docs/benchmarks.md).
 */
export const dWarmUpTicks = (due: number): number => Math.max(10, Math.ceil(100_000 / Math.max(1, due)));

export interface ScheduleArgs { n: number; db: string; id: string; ticks?: number; timeoutMs?: number; flushWaitMs?: number; warmUpTicks?: number }

/** c: all `n` schedules due at the same second T; lateness = started_at − scheduled_for. */
export async function lateness(a: ScheduleArgs): Promise<Record<string, unknown>> {
  // "Announced": the queue acknowledged the publish of the execution (the last of them, wall clock).
  const announced = new Set<string>();
  let lastAnnouncedAt = 0;
  const rig = await vecronRig({
    db: a.db, id: a.id, pollIntervalMs: 250,
    onPublished: (id) => {
      if (announced.size < a.n && !announced.has(id)) {
        announced.add(id);
        lastAnnouncedAt = Date.now();
      }
    },
  });
  const sql = rig.storage.sql;
  try {
    await cloneJobs(rig, a.n, 'c', () => 'NULL');
    await rig.cron.start({ scheduler: true, worker: { concurrency: 100 } });
    // One instant for every row, chosen before the UPDATE (clock_timestamp() per row would cross a
    // second while 100k rows are written, giving several instants), far enough ahead to write them all.
    const leadS = Math.max(2, Math.ceil(a.n / 20_000));
    const { rows } = await sql.query<{ t: Date }>(`SELECT date_trunc('second', clock_timestamp()) + make_interval(secs => $1) AS t`, [leadS]);
    const due = new Date(rows[0]!.t).getTime();
    await sql.query(`UPDATE vecron_schedules SET next_fire_at = $1`, [new Date(due)]);
    const deadline = Date.now() + (a.timeoutMs ?? 120_000);
    let started = 0;
    while (Date.now() < deadline) {
      await sleep(250);
      const r = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions WHERE started_at IS NOT NULL AND scheduled_for = $1`, [new Date(due)]);
      started = r.rows[0]!.n;
      if (started >= a.n) break;
    }
    const { rows: lat } = await sql.query<{ ms: number; created_ms: number }>(
      `SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS ms, extract(epoch FROM created_at - scheduled_for) * 1000 AS created_ms
       FROM vecron_executions WHERE started_at IS NOT NULL AND scheduled_for = $1 ORDER BY 1`, [new Date(due)],
    );
    const ms = lat.map((r) => Number(r.ms));
    const created = lat.map((r) => Number(r.created_ms)).sort((x, y) => x - y);
    const { rows: last } = await sql.query<{ t: Date | null }>(`SELECT max(started_at) AS t FROM vecron_executions WHERE scheduled_for = $1`, [new Date(due)]);
    return {
      schedules: a.n, started, notStarted: a.n - started,
      p50Ms: round(percentile(ms, 50), 0), p99Ms: round(percentile(ms, 99), 0), maxMs: round(ms[ms.length - 1] ?? NaN, 0),
      lastFireCreatedMs: round(created[created.length - 1] ?? NaN, 0),
      announced: announced.size, lastAnnouncedMs: announced.size ? lastAnnouncedAt - due : null,
      lastStartedAfterMs: last[0]?.t ? new Date(last[0].t).getTime() - due : null,
    };
  } finally {
    await rig.close();
  }
}

/**
 * d: `n` schedules, 1 % due at each tick; CPU of the tick (client and PostgreSQL backends), wall time and rows read.
 * A long-running scheduler ticks every second, so its code is warm: after the loop's first tick, the
 * first tick of the stopped loop is measured and reported alone as `coldTick` (cold JIT), then
 * `dWarmUpTicks` ticks that fire 1 % each are not measured, then the `ticks` measured ones.
 */
export async function tickCost(a: ScheduleArgs): Promise<Record<string, unknown>> {
  const rig = await vecronRig({ db: a.db, id: a.id, pollIntervalMs: 60_000, dispatchIntervalMs: 60_000 });
  const sql = rig.storage.sql;
  const due = a.n / 100;
  // Backends flush table counters when idle, but may hold them up to 10 s after a recent flush:
  // setup runs on its own connection (flushed when it closes) and the end reading waits that long.
  const rowsRead = async (waitMs: number): Promise<number> => {
    await sleep(waitMs);
    await sql.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await sql.query<{ n: string }>(
      `SELECT COALESCE(sum(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0)::text AS n FROM pg_stat_user_tables WHERE schemaname = $1`, [rig.schema]);
    return Number(rows[0]!.n);
  };
  try {
    const t0 = Date.now();
    await cloneJobs(rig, a.n, 'd', (g) => `CASE WHEN ${g} % 100 = 0 THEN date_trunc('second', clock_timestamp()) - interval '1 second' ELSE clock_timestamp() + interval '1 year' END`);
    const fixtureMs = Date.now() - t0;
    await rig.cron.start({ scheduler: true, worker: false });
    // The loop's first tick fires the first 1 % (warm-up); wait for it.
    for (;;) {
      const r = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions`);
      if (r.rows[0]!.n >= due) break;
      await sleep(200);
    }
    const scheduler = internalsOf(rig.cron).scheduler()!;
    // Only the measured ticks run from here: the loop's own (every 60 s) would compete with them.
    await scheduler.stop();
    // The dispatcher's loop too: its pass every 60 s landed in every third measured tick's window
    // (one pass read every execution row, 102,700 at 10k after the warm-up, and cost the client
    // 12–17 ms; round 7 in docs/benchmarks.md). One pass is measured on its own at the end.
    const dispatcher = internalsOf(rig.cron).dispatcher();
    await dispatcher?.stop();
    const pgCpu = serverCpuMeter(() => pgBackendPids(PG_ADMIN_URL, a.db));
    // The client CPU split: the main thread (the tick's JavaScript and I/O) and the other threads
    // (V8's background compiler and GC helpers), which process.cpuUsage adds together; GC pauses.
    const threads = threadMeter();
    type Tick = { clientCpuMs: number; mainCpuMs: number; otherThreadsCpuMs: number; gcs: number; gcMs: number; pgCpuMs: number; wallMs: number; rowsRead: number; fired: number };
    const ticks: Tick[] = [];
    let coldTick: Tick | undefined;
    // Tick k fires the schedules whose number is k modulo 100 (the loop's first tick fired 0).
    const makeDue = (k: number) => withPg(pgUrl(a.db), (c) => c.query(
      `UPDATE ${rig.schema}.vecron_schedules s SET next_fire_at = date_trunc('second', clock_timestamp()) - interval '1 second' FROM ${rig.schema}.vecron_jobs j
       WHERE j.id = s.job_id AND j.name LIKE 'd%' AND substr(j.name, 2)::int % 100 = $1`, [k % 100]));
    const measured = a.ticks ?? 5;
    const warmUp = a.warmUpTicks ?? dWarmUpTicks(due);
    for (let k = 1; k <= 1 + warmUp + measured; k += 1) {
      await makeDue(k);
      if (k > 1 && k <= 1 + warmUp) {
        await scheduler.tick();
        continue;
      }
      const r0 = await rowsRead(a.flushWaitMs ?? 10_500);
      await pgCpu.begin();
      threads.begin();
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const fired = await scheduler.tick();
      const wallMs = performance.now() - w0;
      const clientCpuMs = cpuMsSince(c0);
      const split = await threads.end();
      const pgCpuMs = await pgCpu.end();
      const r1 = await rowsRead(a.flushWaitMs ?? 10_500);
      const tick = {
        clientCpuMs: round(clientCpuMs, 1), mainCpuMs: round(split.mainCpuMs, 2), otherThreadsCpuMs: round(split.otherThreadsCpuMs, 2),
        gcs: split.gcs, gcMs: round(split.gcMs, 2), pgCpuMs: round(pgCpuMs, 1), wallMs: round(wallMs, 1), rowsRead: r1 - r0, fired };
      if (k === 1) coldTick = tick;
      else ticks.push(tick);
    }
    threads.close();
    // One dispatcher pass (nothing to publish: the ticks wrote their executions as published).
    let dispatcherPass: Record<string, number> | undefined;
    if (dispatcher) {
      const r0 = await rowsRead(a.flushWaitMs ?? 10_500);
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const published = await dispatcher.tick();
      const wallMs = performance.now() - w0;
      const clientCpuMs = cpuMsSince(c0);
      dispatcherPass = { clientCpuMs: round(clientCpuMs, 1), wallMs: round(wallMs, 1), rowsRead: (await rowsRead(a.flushWaitMs ?? 10_500)) - r0, published };
    }
    return { schedules: a.n, duePerTick: due, fixtureMs, warmUpTicks: warmUp, coldTick, ticks, dispatcherPass };
  } finally {
    await rig.close();
  }
}

/** e: PostgreSQL bytes and scheduler-process RSS added by 10k vecron schedules; Redis memory of 10k BullMQ job schedulers. */
export async function memory(a: ScheduleArgs): Promise<Record<string, unknown>> {
  const n = a.n;
  const rig = await vecronRig({ db: a.db, id: a.id, pollIntervalMs: 250 });
  let vecron: Record<string, number>;
  try {
    await rig.cron.start({ scheduler: true, worker: { concurrency: 100 } });
    await sleep(1_000);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const b0 = await schemaBytes(rig, rig.schema);
    await cloneJobs(rig, n, 'e', () => `clock_timestamp() + interval '1 year'`);
    await sleep(2_000); // several ticks over the 10k schedules
    global.gc?.();
    const rss1 = process.memoryUsage().rss;
    const b1 = await schemaBytes(rig, rig.schema);
    vecron = { pgBytes: b1 - b0, rssBytes: rss1 - rss0 };
  } finally {
    await rig.close();
  }
  // BullMQ: job schedulers (repeatable jobs) with a cron pattern, in Redis.
  const prefix = `vb:${a.id}:bull`;
  const u = new URL(REDIS_URL);
  const redis = new Redis(REDIS_URL);
  const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  const q = new BullQueue('sched', { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix });
  let bull: Record<string, number>;
  try {
    global.gc?.();
    const m0 = await usedMemory();
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < n; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => q.upsertJobScheduler(`s${i + k}`, { pattern: '0 * * * * *' }, { name: 'noop', data: {} })));
    }
    global.gc?.();
    bull = { redisBytes: (await usedMemory()) - m0, rssBytes: process.memoryUsage().rss - rss0 };
  } finally {
    await q.close();
    redis.disconnect();
    await delRedisPrefix(`${prefix}:`);
  }
  return { schedules: n, vecron, bullmq: bull };
}
