/**
 * WAL written per execution by the storage alone, split by relation (table, each index):
 *
 *   node --conditions=vecron-source --import tsx bench/wal-per-execution.ts <postgres-url> [executions] [in-flight] [--drain]
 *
 * Runs each no-op execution through the real PostgreSQL storage in the order a worker does
 * (create, mark published, claim, start step, step success, complete), `in-flight` at a time, in a
 * database of its own on the given server. The server should serve nothing else meanwhile (WAL is
 * the whole server's) and needs the `pg_walinspect` extension (PostgreSQL 15+) for the split.
 * Prints WAL bytes per execution (all, and per relation) and the share of HOT updates.
 * Reports only; docs/benchmarks.md explains the numbers.
 */
import { randomUUID } from 'node:crypto';
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
  const claim = await storage.claimExecution(id, { owner: 'wal-bench', leaseMs: 30_000, now: now(), exclusive: false });
  if (!claim.claimed) throw new Error(`not claimed: ${claim.reason}`);
  const token = claim.execution.fencingToken!;
  const opened = await storage.startStepAttempt(id, token, 'say', now());
  if (!opened) throw new Error('step not opened');
  const context = { steps: { say: { status: 'succeeded' as const, output: { message: 'x' }, attempts: opened.attempt, finished_at: now().toISOString() } } };
  if (!(await storage.recordStepSuccess(id, token, { stepId: 'say', attempt: opened.attempt, context, now: now() }))) throw new Error('step lost');
  if (!(await storage.completeExecution(id, token, { status: 'success', error: null, context, now: now() }))) throw new Error('completion lost');
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
const tableStats = async (): Promise<{ upd: number; hot: number }> => {
  await new Promise((r) => setTimeout(r, 11_000)); // an idle backend flushes its counters within 10 s
  await direct.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await direct.query<{ upd: string; hot: string }>(
    `SELECT n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot FROM pg_stat_user_tables WHERE relname = 'vecron_executions'`,
  );
  return { upd: Number(rows[0]!.upd), hot: Number(rows[0]!.hot) };
};

await run(WARMUP);
const s0 = await tableStats();
const from = await lsn();
const t0 = performance.now();
await run(N);
const ms = performance.now() - t0;
const to = await lsn();
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
const upd = s1.upd - s0.upd;
const hot = s1.hot - s0.hot;
const out = [
  `${N} executions (${WARMUP} before, not counted), ${IN_FLIGHT} in flight${DRAIN ? ', drain' : ''}, ${Math.round((N / ms) * 1000)}/s`,
  `WAL bytes per execution: ${Math.round(total / N)} (records between ${from} and ${to})`,
  `vecron_executions updates: ${upd} (${(upd / N).toFixed(2)} per execution), HOT: ${hot} (${upd ? Math.round((100 * hot) / upd) : 0} %)`,
  `vecron_executions on disk per execution: table ${Math.round(Number(size[0]!.heap) / (N + WARMUP))} B, its indexes ${Math.round(Number(size[0]!.idx) / (N + WARMUP))} B`,
  ...byRel.map((r) => `  ${String(Math.round(Number(r.bytes) / N)).padStart(6)} B  (full-page images ${String(Math.round(Number(r.fpi) / N)).padStart(5)} B)  ${r.rel}`),
];
process.stdout.write(`${out.join('\n')}\n`);

await storage.close();
await direct.end();
await admin.query(`DROP DATABASE ${dbName}`);
await admin.end();
