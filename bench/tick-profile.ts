/**
 * Scenario d's tick, profiled (issue 15, brief "tick"): `n` schedules, the loop stopped, `warm`
 * unmeasured ticks then `ticks` measured ones, 1 % due each; prints the client CPU per tick and per
 * fire, the PostgreSQL statements per tick, and writes a V8 CPU profile of the measured ticks only.
 *   node --conditions=vecron-source --import tsx --expose-gc tick-profile.ts '{"db":"x","id":"p1","n":10000,"warm":20,"ticks":100,"profile":"/tmp/t.cpuprofile"}'
 * With `"callgrind":true`, run under `valgrind --tool=callgrind --instr-atstart=no node …`: only the
 * measured firing ticks are instrumented (`callgrind_control -i on/off`), so the totals are their
 * instructions (client process, all threads).
 */
import { Session } from 'node:inspector/promises';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { cpuMsSince, median, pgUrl, round, sleep, withPg } from './lib/env.js';
import { cloneJobs, vecronRig } from './lib/vecron-distributed.js';
import { threadMeter } from './lib/thread-cpu.js';
import { internalsOf } from '../packages/sdk/src/internal/cron-internals.js';

const a = JSON.parse(process.argv[2] ?? '{}') as { db: string; id: string; n: number; warm?: number; ticks?: number; profile?: string; intervalUs?: number; gapMs?: number; callgrind?: boolean };
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return (query as (...x: unknown[]) => unknown).apply(this, args);
} as typeof query;

const rig = await vecronRig({ db: a.db, id: a.id, pollIntervalMs: 60_000, dispatchIntervalMs: 60_000 });
const sql = rig.storage.sql;
try {
  await cloneJobs(rig, a.n, 'd', (g) => `CASE WHEN ${g} % 100 = 0 THEN date_trunc('second', clock_timestamp()) - interval '1 second' ELSE clock_timestamp() + interval '1 year' END`);
  await rig.cron.start({ scheduler: true, worker: false });
  for (;;) {
    const r = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions`);
    if (r.rows[0]!.n >= a.n / 100) break;
    await sleep(200);
  }
  const scheduler = internalsOf(rig.cron).scheduler()!;
  await scheduler.stop();
  const warm = a.warm ?? 20;
  const total = warm + (a.ticks ?? 100);
  const session = new Session();
  session.connect();
  const rows: Array<{ cpu: number; main: number; others: number; gcMs: number; wall: number; fired: number; statements: number }> = [];
  const threads = threadMeter();
  const empty: number[] = [];
  /** The firing ticks' windows (process.hrtime, µs: the profile's clock), to read only their samples. */
  const windows: Array<[number, number]> = [];
  const us = (): number => Number(process.hrtime.bigint() / 1000n);
  for (let k = 1; k <= total; k += 1) {
    await withPg(pgUrl(a.db), (c) => c.query(
      `UPDATE ${rig.schema}.vecron_schedules s SET next_fire_at = date_trunc('second', clock_timestamp()) - interval '1 second' FROM ${rig.schema}.vecron_jobs j
       WHERE j.id = s.job_id AND j.name LIKE 'd%' AND substr(j.name, 2)::int % 100 = $1`, [k % 100]));
    if (a.gapMs) await sleep(a.gapMs);
    if (k === warm + 1 && a.profile) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: a.intervalUs ?? 250 });
      await session.post('Profiler.start');
    }
    const s0 = statements;
    // Under `valgrind --tool=callgrind --instr-atstart=no`: instruction counts of the firing ticks only.
    if (a.callgrind && k > warm) execFileSync('callgrind_control', ['-i', 'on', String(process.pid)]);
    threads.begin();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const u0 = us();
    const fired = await scheduler.tick();
    const wall = performance.now() - w0;
    if (a.callgrind && k > warm) execFileSync('callgrind_control', ['-i', 'off', String(process.pid)]);
    if (k > warm) windows.push([u0, us()]);
    const cpu = cpuMsSince(c0);
    const split = await threads.end();
    if (k > warm) rows.push({ cpu, main: split.mainCpuMs, others: split.otherThreadsCpuMs, gcMs: split.gcMs, wall, fired, statements: statements - s0 });
    // A tick with nothing due, for the fixed cost of a tick that fires nothing.
    const e0 = process.cpuUsage();
    await scheduler.tick();
    if (k > warm) empty.push(cpuMsSince(e0));
  }
  threads.close();
  if (a.profile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(a.profile, JSON.stringify({ ...profile, windows }));
  }
  const cpu = rows.map((r) => r.cpu);
  const fired = median(rows.map((r) => r.fired));
  console.log('RESULT ' + JSON.stringify({
    schedules: a.n, ticks: rows.length, fired,
    cpuMsMedian: round(median(cpu), 2), cpuMsMean: round(cpu.reduce((x, y) => x + y, 0) / cpu.length, 2),
    usPerFire: round((median(cpu) * 1000) / fired, 1),
    mainCpuMsMedian: round(median(rows.map((r) => r.main)), 2), otherThreadsCpuMsMean: round(rows.reduce((x, r) => x + r.others, 0) / rows.length, 2),
    gcMsMean: round(rows.reduce((x, r) => x + r.gcMs, 0) / rows.length, 2), wallMsMedian: round(median(rows.map((r) => r.wall)), 2),
    emptyTickCpuMsMedian: round(median(empty), 3), statementsPerTick: median(rows.map((r) => r.statements)),
  }));
} finally {
  await rig.close();
}
