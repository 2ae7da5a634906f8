/**
 * The hot statements go to PostgreSQL as named prepared statements (parsed once per connection,
 * then only bound and executed), keep working across many calls on one connection and on the new
 * connection after the old one died, and are sent unnamed with `preparedStatements: false`.
 * One pooled connection (`poolMax: 1`), so `pg_prepared_statements` shows that connection's.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testServers } from '@vecron/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import type { Storage } from '../src/index.js';
import { postgresQueue, postgresStorage } from '../src/adapters/postgres/index.js';
import type { PostgresQueue, PostgresStorage } from '../src/adapters/postgres/index.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
const schemas: string[] = [];
const opened: Array<Storage | PostgresQueue> = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  const admin = await postgresStorage({ connectionString: testServers().postgres, migrate: false });
  for (const schema of schemas.splice(0)) await admin.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
});

async function open(preparedStatements?: boolean): Promise<PostgresStorage> {
  const schema = `prep_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  schemas.push(schema);
  const s = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 1, ...(preparedStatements === undefined ? {} : { preparedStatements }) });
  opened.push(s);
  return s;
}

interface Prepared { name: string; statement: string; runs: number }
/** The protocol-level prepared statements of the pool's one connection. */
async function preparedOn(s: PostgresStorage): Promise<Prepared[]> {
  const { rows } = await s.sql.query<Prepared>(`SELECT name, statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE NOT from_sql ORDER BY name`);
  return rows;
}

/** Creates, claims (with the first step's start) and finishes `n` executions, one after another. */
async function runExecutions(s: Storage, jobId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const { execution } = await s.createExecution({ id: randomUUID(), jobId, idempotencyKey: randomUUID(), triggerSource: 'manual', availableAt: T0 }, T0);
    const claim = await s.claimAndStartStep(execution.id, { owner: 'w', leaseMs: 30_000, now: T0, exclusive: false, jobId, stepId: 's1' });
    expect(claim.claimed).toBe(true);
    if (!claim.claimed || !claim.step) throw new Error('not claimed');
    const token = claim.execution.fencingToken!;
    expect((await s.extendLease(execution.id, token, { leaseMs: 30_000, now: T0 })).ok).toBe(true);
    expect(await s.completeWithStepSuccess(execution.id, token, { stepId: 's1', attempt: claim.step.attempt, context: { steps: { s1: { status: 'succeeded', output: null, attempts: 1, finished_at: T0.toISOString() } } }, now: T0 })).toBe(true);
    expect((await s.getExecution(execution.id))?.status).toBe('success');
  }
}

async function jobOf(s: Storage): Promise<string> {
  const job = await s.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: `prep-${randomUUID()}`, steps: [{ id: 's1', type: 'echo', config: {} }] }), now: T0, anchorAt: T0, nextFireAt: null });
  return job.id;
}

const HOT = [/^\s*INSERT INTO vecron_executions/, /UPDATE vecron_executions e\s+SET status = CASE/, /UPDATE vecron_executions SET lease_expires_at/, /own AS \(\s+UPDATE vecron_executions e SET status = 'success'/];

describe('named prepared statements (PostgreSQL)', () => {
  it('parses each hot statement once per connection and runs it many times', async () => {
    const s = await open();
    await runExecutions(s, await jobOf(s), 12);
    const prepared = await preparedOn(s);
    for (const hot of HOT) {
      const mine = prepared.filter((p) => hot.test(p.statement));
      expect(mine, String(hot)).toHaveLength(1);
      expect(mine[0]!.name).toMatch(/^vecron_[0-9a-f]{24}$/);
      expect(mine[0]!.runs).toBe(12);
    }
  });

  it('prepares them again on the connection that replaces a dead one', async () => {
    const s = await open();
    const jobId = await jobOf(s);
    await runExecutions(s, jobId, 3);
    const { rows: [me] } = await s.sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = await postgresStorage({ connectionString: testServers().postgres, migrate: false });
    try {
      await admin.sql.query('SELECT pg_terminate_backend($1)', [me!.pid]);
    } finally {
      await admin.close();
    }
    // The pool drops the dead idle connection (or fails one call on it, retryable) and opens a new one.
    await new Promise((r) => setTimeout(r, 200));
    await runExecutions(s, jobId, 2);
    const { rows: [now] } = await s.sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(now!.pid).not.toBe(me!.pid);
    const prepared = await preparedOn(s);
    for (const hot of HOT) expect(prepared.filter((p) => hot.test(p.statement)).map((p) => p.runs), String(hot)).toEqual([2]);
  });

  it('works on a fresh pool over the same tables', async () => {
    const s = await open();
    const jobId = await jobOf(s);
    await runExecutions(s, jobId, 2);
    const schema = s.schema!;
    const again = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 1 });
    opened.push(again);
    await runExecutions(again, jobId, 2);
    expect((await preparedOn(again)).filter((p) => HOT[0]!.test(p.statement)).map((p) => p.runs)).toEqual([2]);
  });

  it('sends every statement unnamed with preparedStatements: false', async () => {
    const s = await open(false);
    await runExecutions(s, await jobOf(s), 3);
    expect(await preparedOn(s)).toEqual([]);
  });

  it('refuses a preparedStatements that is not a boolean', async () => {
    await expect(postgresStorage({ connectionString: testServers().postgres, preparedStatements: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(() => postgresQueue({ connectionString: testServers().postgres, preparedStatements: 1 as unknown as boolean })).toThrow(/preparedStatements/);
  });
});

describe('named prepared statements (PostgreSQL queue)', () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.end();
  });
  /** A queue on a pool of one connection (it LISTENs only while consuming), and that pool. */
  async function openQueue(preparedStatements?: boolean): Promise<{ q: PostgresQueue; pool: pg.Pool }> {
    const schema = `prepq_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(schema);
    const pool = new pg.Pool({ connectionString: testServers().postgres, max: 1 });
    pools.push(pool);
    const q = postgresQueue({ pool, schema, ...(preparedStatements === undefined ? {} : { preparedStatements }) });
    opened.push(q);
    await q.ready();
    return { q, pool };
  }
  const preparedOnPool = async (pool: pg.Pool): Promise<Prepared[]> =>
    (await pool.query<Prepared>(`SELECT name, statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE NOT from_sql`)).rows;

  it('publishes through one named statement, many times', async () => {
    const { q, pool } = await openQueue();
    for (let i = 0; i < 8; i++) await q.publish(randomUUID());
    const publish = (await preparedOnPool(pool)).filter((p) => /INSERT INTO/.test(p.statement));
    expect(publish.map((p) => p.runs)).toEqual([8]);
  });

  it('publishes unnamed with preparedStatements: false', async () => {
    const { q, pool } = await openQueue(false);
    for (let i = 0; i < 3; i++) await q.publish(randomUUID());
    expect(await preparedOnPool(pool)).toEqual([]);
  });
});
