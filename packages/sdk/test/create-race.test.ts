/**
 * `createExecution` under group commit, when a row an item conflicted with is deleted between the
 * batch's INSERT and the read-back of the conflicting rows (retention or a job delete racing a
 * fire). Before the fix the batch threw "execution vanished", its items ran again one by one, and
 * the items the first INSERT had created met their own rows and came back as `created: false`.
 * Runs on the run's private PostgreSQL (@vecron/test-servers) in a schema of its own.
 */
import { randomUUID } from 'node:crypto';
import { testServers } from '@vecron/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlStorage, parseJobDefinition, VecronError } from '../src/index.js';
import type { NewExecution, SqlClient, Storage } from '../src/index.js';
import { postgresStorage } from '../src/adapters/postgres/index.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
const isExecutionInsert = (text: string): boolean => /^\s*INSERT INTO vecron_executions\b/.test(text);

/** The real client, with `afterInsert` run right after each INSERT of executions has committed (and `beforeInsert` before it). */
function hooked(inner: SqlClient, hooks: { beforeInsert?: (params: unknown[]) => Promise<void>; afterInsert?: (params: unknown[]) => Promise<void> }): SqlClient & { inserts: number } {
  const c = {
    inserts: 0,
    query: async <Row>(text: string, params: unknown[] = []) => {
      if (!isExecutionInsert(text)) return inner.query<Row>(text, params);
      c.inserts++;
      await hooks.beforeInsert?.(params);
      const result = await inner.query<Row>(text, params);
      await hooks.afterInsert?.(params);
      return result;
    },
    exec: (text: string) => inner.exec(text),
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => inner.transaction(fn),
  };
  return c;
}

const schemas: string[] = [];
const opened: Storage[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  const admin = await postgresStorage({ connectionString: testServers().postgres });
  for (const schema of schemas.splice(0)) await sqlClientOf(admin).query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
});

async function rig() {
  const schema = `race_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  schemas.push(schema);
  const base = await postgresStorage({ connectionString: testServers().postgres, schema });
  opened.push(base);
  const job = await base.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: 'race', steps: [{ id: 's1', type: 'echo', config: {} }] }), now: T0, anchorAt: T0, nextFireAt: null });
  const execution = (key: string): NewExecution => ({ id: randomUUID(), jobId: job.id, idempotencyKey: key, triggerSource: 'manual', availableAt: T0 });
  const old = (await base.createExecution(execution('k-old'), T0)).execution;
  return { base, db: sqlClientOf(base), job, execution, old };
}

/** Each call's outcome, settled, in call order. */
const settle = (s: Storage, items: NewExecution[]) => Promise.allSettled(items.map((e) => s.createExecution(e, T0)));

describe('createExecution when a conflicting row vanishes between the INSERT and the read-back (PostgreSQL, group commit)', () => {
  it('every item the INSERT created reports created: true; the one whose conflict vanished is created fresh', async () => {
    const { base, db, job, execution, old } = await rig();
    let deleted = false;
    const s = createSqlStorage(hooked(db, {
      afterInsert: async (params) => {
        // Only after the batch's INSERT (three items), once: the pre-existing row goes.
        if (deleted || (params[0] as string[]).length < 2) return;
        deleted = true;
        await db.query('DELETE FROM vecron_executions WHERE id = $1', [old.id]);
      },
    }), { groupCommit: true });
    const fresh = [execution('k-a'), execution('k-b')];
    const again = execution('k-old');
    const [a, b, c] = await settle(s, [...fresh, again]);
    expect(deleted).toBe(true);

    for (const [i, r] of [a, b].entries()) {
      expect(r).toMatchObject({ status: 'fulfilled', value: { created: true, execution: { id: fresh[i]!.id } } });
    }
    // The item whose conflicting row vanished: a new row under its own id, or a clear error; never created: false.
    if (c!.status === 'fulfilled') expect(c!.value).toMatchObject({ created: true, execution: { id: again.id, idempotencyKey: 'k-old' } });
    else expect(c!.reason).toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringContaining('vanished') });
    // Nothing lost: the rows are there, one per key.
    const rows = await base.listExecutions({ jobId: job.id, limit: 10 });
    const ids = new Map(rows.map((r) => [r.idempotencyKey, r.id]));
    expect(ids.get('k-a')).toBe(fresh[0]!.id);
    expect(ids.get('k-b')).toBe(fresh[1]!.id);
    if (c!.status === 'fulfilled') expect(ids.get('k-old')).toBe(again.id);
  });

  it('a conflict that vanishes on every try is retried a bounded number of times, then fails alone with a clear error', async () => {
    const { base, db, job, execution } = await rig();
    const carriesKey = (params: unknown[]): boolean => (params[2] as string[]).includes('k-old');
    // Around every INSERT carrying k-old: a row with that key appears before it and is gone after it.
    const hook = hooked(db, {
      beforeInsert: async (params) => {
        if (!carriesKey(params)) return;
        await db.query('DELETE FROM vecron_executions WHERE job_id = $1 AND idempotency_key = $2', [job.id, 'k-old']);
        await base.createExecution(execution('k-old'), T0);
      },
      afterInsert: async (params) => {
        if (carriesKey(params)) await db.query('DELETE FROM vecron_executions WHERE job_id = $1 AND idempotency_key = $2', [job.id, 'k-old']);
      },
    });
    const s = createSqlStorage(hook, { groupCommit: true });
    const fresh = [execution('k-a'), execution('k-b')];
    const [a, b, c] = await settle(s, [...fresh, execution('k-old')]);

    for (const [i, r] of [a, b].entries()) {
      expect(r).toMatchObject({ status: 'fulfilled', value: { created: true, execution: { id: fresh[i]!.id } } });
    }
    expect(c!.status).toBe('rejected');
    expect((c as PromiseRejectedResult).reason).toBeInstanceOf(VecronError);
    expect((c as PromiseRejectedResult).reason).toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringContaining('vanished') });
    expect(hook.inserts).toBeLessThanOrEqual(20);
  });
});
