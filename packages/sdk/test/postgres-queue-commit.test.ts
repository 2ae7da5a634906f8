import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresQueue } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { queueStatements } from '../src/adapters/postgres/queue-statements.js';

const admin = new pg.Pool({ connectionString: testServers().postgres, max: 2 });
afterAll(() => admin.end());

/** The transaction's `synchronous_commit` after `text` ran in it, starting from `on`. */
async function commitModeAfter(text: string, params: unknown[] = []): Promise<{ mode: string; rows: number }> {
  const c = await admin.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL synchronous_commit = on');
    const r = await c.query(text, params);
    const mode = (await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit;
    await c.query('COMMIT');
    return { mode, rows: r.rowCount ?? 0 };
  } finally {
    c.release();
  }
}

describe('postgresQueue commits', () => {
  it('publish, claim, in-progress, nak and ack commit without waiting for the WAL flush (a lost publish is published again from the execution row, a lost settle is only a redelivery), and the session keeps its setting', async () => {
    const schema = `qc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const q = postgresQueue({ pool: admin, schema });
    try {
      await q.ready();
      const sql = queueStatements(schema, 'vecron_queue');
      const id = randomUUID();
      const one = { id, delivery: 1, delayMs: 30_000 };
      const write = ({ text, params }: { text: string; params: unknown[] }) => commitModeAfter(text, params);
      expect((await write(sql.publish([{ id, generation: id, jobId: null, traceparent: null, notBefore: null }]))).mode).toBe('off');
      const claim = await commitModeAfter(sql.claim, [10, 30_000]);
      expect(claim).toEqual({ mode: 'off', rows: 2 });
      expect(await write(sql.extend([one]))).toEqual({ mode: 'off', rows: 1 });
      expect(await write(sql.nak([{ ...one, delayMs: 0 }]))).toEqual({ mode: 'off', rows: 1 });
      await commitModeAfter(sql.claim, [10, 30_000]);
      expect(await write(sql.ack([{ ...one, delivery: 2 }]))).toEqual({ mode: 'off', rows: 1 });
      // Claiming nothing still sets it (and writes nothing).
      expect(await commitModeAfter(sql.claim, [10, 30_000])).toEqual({ mode: 'off', rows: 1 });
      // Only the transaction: a pooled connection's next statement commits durably again.
      const c = await admin.connect();
      try {
        await c.query(sql.claim, [10, 30_000]);
        expect((await c.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).rows[0]!.s).toBe((await c.query<{ s: string }>(`SELECT reset_val AS s FROM pg_settings WHERE name = 'synchronous_commit'`)).rows[0]!.s);
      } finally {
        c.release();
      }
    } finally {
      await q.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
  it('a lone publish, ack and nak run over scalars and keep a generic plan after five runs; a batch runs over arrays with the same effect', async () => {
    const schema = `qc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    // Two connections: the consumer's LISTEN holds one, so every statement runs on the other.
    const one = new pg.Pool({ connectionString: testServers().postgres, max: 2 });
    const q = postgresQueue({ pool: one, schema });
    const seen: string[] = [];
    const stop = new AbortController();
    try {
      await q.ready();
      // Six lone publishes, each consumed and acked alone (or nak'ed once, then acked).
      const consuming = q.consume(async (m) => {
        seen.push(m.executionId);
        if (m.deliveryCount === 1 && seen.length === 1) await m.nak(0);
        else await m.ack();
      }, { concurrency: 1, signal: stop.signal });
      for (let i = 0; i < 6; i++) {
        await q.publish(randomUUID());
        await expect.poll(async () => q.size(), { timeout: 10_000 }).toBe(0);
      }
      const plans = (await one.query<{ statement: string; generic: number; custom: number }>(
        'SELECT statement, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE NOT from_sql')).rows;
      const publish = plans.filter((p) => /INSERT INTO/.test(p.statement));
      const ack = plans.filter((p) => /DELETE FROM/.test(p.statement));
      expect(publish.map((p) => /\(SELECT \$1::text AS id, /.test(p.statement))).toEqual([true]);
      expect(ack.map((p) => /\(SELECT \$1::text AS id, /.test(p.statement))).toEqual([true]);
      // Six runs each: five custom plans, then the generic one, kept.
      for (const p of [...publish, ...ack]) expect({ generic: p.generic, custom: p.custom }).toEqual({ generic: 1, custom: 5 });
      expect(plans.filter((p) => /in_flight = false/.test(p.statement)).map((p) => /\(SELECT \$1::text AS id, /.test(p.statement))).toEqual([true]);
      expect(seen).toHaveLength(7);
      // A batch: the array shape, the same effect (each row written once, then all acked).
      const ids = Array.from({ length: 20 }, () => randomUUID());
      await Promise.all(ids.map((id) => q.publish(id)));
      await expect.poll(async () => q.size(), { timeout: 10_000 }).toBe(0);
      expect(new Set(seen.slice(7))).toEqual(new Set(ids));
      const after = (await one.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements WHERE NOT from_sql')).rows;
      expect(after.some((p) => /INSERT INTO/.test(p.statement) && /unnest\(\$1::text\[\]/.test(p.statement))).toBe(true);
      stop.abort();
      await consuming;
    } finally {
      stop.abort();
      await q.close();
      await one.end();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
