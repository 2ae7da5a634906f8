import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresQueue } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { queueStatements } from '../src/adapters/postgres/queue-statements.js';

const admin = new pg.Pool({ connectionString: testServers().postgres, max: 2 });
afterAll(() => admin.end());

/** The transaction's `synchronous_commit` after `text` ran in it, starting from `on`. */
async function commitModeAfter(text: string, params: unknown[]): Promise<{ mode: string; rows: number }> {
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
  it('claim, in-progress, nak and ack commit without waiting for the WAL flush (a lost one is only a redelivery); publish waits, and the session keeps its setting', async () => {
    const schema = `qc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const q = postgresQueue({ pool: admin, schema });
    try {
      await q.ready();
      const sql = queueStatements(schema, 'vecron_queue');
      const id = randomUUID();
      expect((await commitModeAfter(sql.publish, [[id], [null], [null], [null], sql.channel, [id]])).mode).toBe('on');
      const claim = await commitModeAfter(sql.claim, [10, 30_000]);
      expect(claim).toEqual({ mode: 'off', rows: 2 });
      expect(await commitModeAfter(sql.extend, [[id], [1], [30_000]])).toEqual({ mode: 'off', rows: 1 });
      expect(await commitModeAfter(sql.nak, [[id], [1], [0]])).toEqual({ mode: 'off', rows: 1 });
      await commitModeAfter(sql.claim, [10, 30_000]);
      expect(await commitModeAfter(sql.ack, [[id], [2]])).toEqual({ mode: 'off', rows: 1 });
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
});
