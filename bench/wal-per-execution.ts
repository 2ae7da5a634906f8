/**
 * WAL written per execution by the storage alone, split by relation (table, each index):
 *
 *   node --conditions=vecron-source --import tsx bench/wal-per-execution.ts <postgres-url> [executions] [in-flight] [--drain]
 *
 * Runs each no-op single-step execution through the real PostgreSQL storage with the writes a
 * worker makes (create, mark published, the claim with the step's start `claimAndStartStep`, the
 * step's success with the completion `completeWithStepSuccess`), `in-flight` at a time, in a
 * database of its own on the given server. The server should serve nothing else meanwhile (WAL is
 * the whole server's) and needs the `pg_walinspect` extension (PostgreSQL 15+) for the split.
 * Prints WAL bytes per execution (all, and per relation), the row versions written per execution
 * (inserts and updates of the execution and step-attempt tables) with the share of HOT updates,
 * and, when the server runs on this machine (its processes readable in /proc), the CPU time of
 * its processes and of this client per execution.
 * Reports only; docs/benchmarks.md explains the numbers.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parseJobDefinition } from '@vecron/sdk';
import { postgresStorage } from '@vecron/sdk/postgres';

const [url, nArg, inFlightArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!url) throw new Error('usage: wal-per-execution.ts <postgres-url> [executions] [in-flight]');
const N = Number(nArg ?? 3_000);
const IN_FLIGHT = Number(inFlightArg ?? 100);
const WARMUP = Math.min(500, N);
/** `--drain`: create every execution first, then work them (scenario a's drain); otherwise each runs start to end. */
const DRAIN = process.argv.includes('--drain');

const dbName = `vecron_wal_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(url);
dbUrl.pathname = `/${dbName}`;
const direct = new pg.Client({ connectionString: dbUrl.toString() });
await direct.connect();
await direct.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');

const storage = await postgresStorage({ connectionString: dbUrl.toString(), poolMax: 20 });
if (process.env.WAL_SETUP_SQL) await direct.query(process.env.WAL_SETUP_SQL);
const jobId = randomUUID();
const definition = parseJobDefinition({ name: 'noop', steps: [{ id: 'say', type: 'echo', config: { message: 'x' } }] });
await storage.createJob({ id: jobId, definition, now: new Date(), anchorAt: new Date(), nextFireAt: null });

const now = (): Date => new Date();

async function create(): Promise<string> {
  const id = randomUUID();
  await storage.createExecution({ id, jobId, idempotencyKey: `manual:${id}`, triggerSource: 'manual', availableAt: now(), context: { steps: {} } }, now());
  await storage.markPublished([id], now());
  return id;
}

async function work(id: string): Promise<void> {
  const claim = await storage.claimAndStartStep(id, { owner: 'wal-bench', leaseMs: 30_000, now: now(), exclusive: false, jobId, stepId: 'say' });
  if (!claim.claimed) throw new Error(`not claimed: ${claim.reason}`);
  const token = claim.execution.fencingToken!;
  const opened = claim.step;
  if (!opened) throw new Error('step not opened');
  const context = { steps: { say: { status: 'succeeded' as const, output: { message: 'x' }, attempts: opened.attempt, finished_at: now().toISOString() } } };
  if (!(await storage.completeWithStepSuccess(id, token, { stepId: 'say', attempt: opened.attempt, context, now: now() }))) throw new Error('completion lost');
}

/** `count` executions, `IN_FLIGHT` at a time; with `drain`, all are created (and published) before any is worked. */
async function run(count: number): Promise<void> {
  const inParallel = async (each: (i: number) => Promise<void>): Promise<void> => {
    let started = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (started < count) await each(started++);
    }));
  };
  if (DRAIN) {
    const ids: string[] = [];
    await inParallel(async () => void ids.push(await create()));
    await inParallel(async (i) => work(ids[i]!));
  } else {
    await inParallel(async () => work(await create()));
  }
}

const lsn = async (): Promise<string> => (await direct.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
type Counts = Record<'ins' | 'upd' | 'hot', number>;
const tableStats = async (): Promise<Record<string, Counts>> => {
  await new Promise((r) => setTimeout(r, 11_000)); // an idle backend flushes its counters within 10 s
  await direct.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await direct.query<{ relname: string; ins: string; upd: string; hot: string }>(
    `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot FROM pg_stat_user_tables
     WHERE relname IN ('vecron_executions', 'vecron_step_attempts')`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot) }]));
};
/** CPU seconds (user + system) of the server's processes, read from /proc; null when they are not on this machine. */
const serverCpu = async (): Promise<number | null> => {
  const { rows } = await direct.query<{ pid: number }>('SELECT pid FROM pg_stat_activity');
  try {
    const ticks = rows.reduce((n, { pid }) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return n + Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }, 0);
    return ticks / 100; // USER_HZ
  } catch {
    return null;
  }
};

await run(WARMUP);
const s0 = await tableStats();
const cpu0 = await serverCpu();
const client0 = process.cpuUsage();
const from = await lsn();
const t0 = performance.now();
await run(N);
const ms = performance.now() - t0;
const to = await lsn();
const client1 = process.cpuUsage(client0);
const cpu1 = await serverCpu();
const s1 = await tableStats();

// Each record is charged to the relation of its first block reference ("rel spc/db/relfilenode").
const { rows: byRel } = await direct.query<{ rel: string | null; bytes: string; fpi: string }>(
  `WITH r AS (
     SELECT substring(block_ref FROM 'rel \\d+/\\d+/(\\d+)')::oid AS node, record_length, fpi_length
     FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
   )
   SELECT COALESCE(c.relname, CASE WHEN r.node IS NULL THEN '(no relation: commits, …)' ELSE 'other ' || r.node END) AS rel,
          sum(r.record_length)::text AS bytes, sum(r.fpi_length)::text AS fpi
   FROM r LEFT JOIN pg_class c ON c.relfilenode = r.node
   GROUP BY 1 ORDER BY sum(r.record_length) DESC`,
  [from, to],
);
const { rows: size } = await direct.query<{ heap: string; idx: string }>(
  `SELECT pg_table_size('vecron_executions')::text AS heap, pg_indexes_size('vecron_executions')::text AS idx`,
);
const total = byRel.reduce((n, r) => n + Number(r.bytes), 0);
const delta = (rel: string, k: keyof Counts): number => (s1[rel]?.[k] ?? 0) - (s0[rel]?.[k] ?? 0);
const perExec = (n: number): string => (n / N).toFixed(2);
const versions = ['vecron_executions', 'vecron_step_attempts'].map((rel) => {
  const [ins, upd, hot] = [delta(rel, 'ins'), delta(rel, 'upd'), delta(rel, 'hot')];
  return `${rel}: inserts ${perExec(ins)}, updates ${perExec(upd)} (HOT ${upd ? Math.round((100 * hot) / upd) : 0} %) per execution`;
});
const rowVersions = ['vecron_executions', 'vecron_step_attempts'].reduce((n, rel) => n + delta(rel, 'ins') + delta(rel, 'upd'), 0);
const out = [
  `${N} executions (${WARMUP} before, not counted), ${IN_FLIGHT} in flight${DRAIN ? ', drain' : ''}, ${Math.round((N / ms) * 1000)}/s`,
  `WAL bytes per execution: ${Math.round(total / N)} (records between ${from} and ${to})`,
  `row versions per execution: ${perExec(rowVersions)}`,
  ...versions.map((v) => `  ${v}`),
  `CPU per execution: server ${cpu0 === null || cpu1 === null ? 'n/a (not on this machine)' : `${((1000 * (cpu1 - cpu0)) / N).toFixed(3)} ms`}, this client ${((client1.user + client1.system) / 1000 / N).toFixed(3)} ms`,
  `vecron_executions on disk per execution: table ${Math.round(Number(size[0]!.heap) / (N + WARMUP))} B, its indexes ${Math.round(Number(size[0]!.idx) / (N + WARMUP))} B`,
  ...byRel.map((r) => `  ${String(Math.round(Number(r.bytes) / N)).padStart(6)} B  (full-page images ${String(Math.round(Number(r.fpi) / N)).padStart(5)} B)  ${r.rel}`),
];
process.stdout.write(`${out.join('\n')}\n`);

await storage.close();
await direct.end();
await admin.query(`DROP DATABASE ${dbName}`);
await admin.end();
