/**
 * Scenario c's burst without the worker (issue 15 target c): `n` schedules due at one instant, the
 * scheduler alone; prints when the last execution was created and announced, the CPU of the client,
 * the database's backends and nats-server from the due instant to the last announce, the WAL the
 * burst wrote (bytes and records per resource manager and kind, `pg_walinspect`), rows inserted,
 * updated and HOT-updated per table, and, when the server loads `pg_stat_statements`, each
 * statement kind's calls, rows and time. Run it against a PostgreSQL of its own for the WAL and
 * statement figures (they are server-wide):
 *   VECRON_BENCH_PG_URL=postgres://postgres@127.0.0.1:5499/postgres node --conditions=vecron-source --import tsx burst-cost.ts '{"db":"x","id":"b1","n":10000}'
 */
import pg from 'pg';
import { NATS_URL, PG_ADMIN_URL, cpuMsSince, loadAvg, pgBackendPids, pgUrl, pidsListeningOn, round, serverCpuMeter, sleep, withPg } from './lib/env.js';
import { cloneJobs, vecronRig } from './lib/vecron-distributed.js';

const a = JSON.parse(process.argv[2] ?? '{}') as { db: string; id: string; n: number; timeoutMs?: number };
let lastAnnouncedAt = 0;
let announced = 0;
const rig = await vecronRig({ db: a.db, id: a.id, pollIntervalMs: 250, dispatchIntervalMs: 60_000, onPublished: () => {
  announced += 1;
  lastAnnouncedAt = Date.now();
} });
const sql = rig.storage.sql;
const admin = new pg.Client({ connectionString: pgUrl(a.db) });
await admin.connect();
const statements = /pg_stat_statements/.test((await admin.query<{ l: string }>("SELECT current_setting('shared_preload_libraries') AS l")).rows[0]?.l ?? '');
if (statements) await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
await admin.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
const tables = async (): Promise<Map<string, { ins: number; upd: number; hot: number }>> => {
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ relname: string; ins: string; upd: string; hot: string }>(
    `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot FROM pg_stat_user_tables WHERE schemaname = $1`, [rig.schema]);
  return new Map(rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot) }]));
};
try {
  await cloneJobs(rig, a.n, 'c', () => 'NULL');
  await rig.cron.start({ scheduler: true, worker: false });
  // Far enough ahead for the fixture's table counters to be flushed (idle backends: within 10 s).
  const leadS = 12 + Math.ceil(a.n / 20_000);
  const { rows } = await sql.query<{ t: Date }>(`SELECT date_trunc('second', clock_timestamp()) + make_interval(secs => $1) AS t`, [leadS]);
  const due = new Date(rows[0]!.t).getTime();
  await sql.query(`UPDATE vecron_schedules SET next_fire_at = $1`, [new Date(due)]);
  // Table counters flush when a backend is idle (at most every 10 s): wait for the fixture's.
  await sleep(Math.max(0, due - Date.now() - 300));
  const t0 = await tables();
  const pgCpu = serverCpuMeter(() => pgBackendPids(PG_ADMIN_URL, a.db));
  const natsCpu = serverCpuMeter(() => pidsListeningOn(NATS_URL));
  if (statements) await admin.query('SELECT pg_stat_statements_reset()');
  const lsn0 = (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
  await pgCpu.begin();
  await natsCpu.begin();
  const c0 = process.cpuUsage();
  const load0 = loadAvg();
  const deadline = Date.now() + (a.timeoutMs ?? 120_000);
  while (announced < a.n && Date.now() < deadline) await sleep(20);
  const clientCpuMs = cpuMsSince(c0);
  const pgCpuMs = await pgCpu.end();
  const natsCpuMs = await natsCpu.end();
  const lsn1 = (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
  const walBytes = Number((await admin.query<{ b: string }>('SELECT pg_wal_lsn_diff($1, $2)::text AS b', [lsn1, lsn0])).rows[0]!.b);
  const { rows: wal } = await admin.query<{ kind: string; count: string; bytes: string }>(
    `SELECT "resource_manager/record_type" AS kind, count::text, combined_size::text AS bytes FROM pg_get_wal_stats($1, $2, true) WHERE count > 0 ORDER BY combined_size DESC LIMIT 14`, [lsn0, lsn1]);
  const { rows: made } = await sql.query<{ created: string; n: number }>(`SELECT max(created_at) AS created, count(*)::int AS n FROM vecron_executions WHERE scheduled_for = $1`, [new Date(due)]);
  const perFire = (x: number) => round(x / a.n, 3);
  let stmts: unknown[] = [];
  if (statements) {
    const { rows: s } = await admin.query<{ q: string; calls: string; rows: string; ms: number; plan_ms: number; wal: string }>(
      `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q, calls::text, rows::text, round(total_exec_time::numeric, 1)::float8 AS ms,
              round(total_plan_time::numeric, 1)::float8 AS plan_ms, wal_bytes::text AS wal
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) ORDER BY total_exec_time DESC LIMIT 10`, [a.db]);
    stmts = s.map((r) => ({ ...r, usPerFire: round((r.ms * 1000) / a.n, 1), walPerFire: perFire(Number(r.wal)) }));
  }
  await sleep(11_000);
  const t1 = await tables();
  const rowsPerFire = Object.fromEntries([...t1].map(([name, v]) => {
    const b = t0.get(name) ?? { ins: 0, upd: 0, hot: 0 };
    return [name, { ins: perFire(v.ins - b.ins), upd: perFire(v.upd - b.upd), hot: perFire(v.hot - b.hot) }];
  }).filter(([, v]) => (v as { ins: number; upd: number }).ins + (v as { upd: number }).upd > 0));
  console.log(`RESULT ${JSON.stringify({
    n: a.n, created: made[0]!.n, announced, load: [load0, loadAvg()],
    lastCreatedMs: made[0]!.created ? new Date(made[0]!.created).getTime() - due : null, lastAnnouncedMs: lastAnnouncedAt - due,
    cpuUsPerFire: { client: round((clientCpuMs * 1000) / a.n, 1), postgres: round((pgCpuMs * 1000) / a.n, 1), nats: round((natsCpuMs * 1000) / a.n, 1) },
    lsn: [lsn0, lsn1], walBytesPerFire: perFire(walBytes), wal: wal.map((w) => ({ kind: w.kind, perFire: perFire(Number(w.count)), bytesPerFire: perFire(Number(w.bytes)) })),
    rowsPerFire, statements: stmts,
  }, null, 1)}`);
} finally {
  await admin.end();
  await rig.close();
  await withPg(PG_ADMIN_URL, async () => undefined);
}
