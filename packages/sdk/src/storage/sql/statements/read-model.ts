import type { Storage } from '../../port.js';
import { EXECUTION_COLUMNS, toExecution } from '../row-mappers.js';
import type { SqlClient } from '../sql-client.js';
import { ACTIVE, iso } from '../sql-values.js';

/** An open dead letter: not discarded, not replayed (the conditions both reads and the discard use). */
const OPEN_DEAD_LETTER = `e.status = 'dead_letter'
  AND NOT EXISTS (SELECT 1 FROM vecron_dlq_discards x WHERE x.execution_id = e.id)
  AND NOT EXISTS (SELECT 1 FROM vecron_executions r WHERE r.replay_of = e.id)`;

type ReadModel = Pick<Storage, 'listDeadLetters' | 'discardDeadLetter' | 'executionStats' | 'countHeldExecutions'>;

/** The read side operators and metrics need (dead letters, counts), over the core tables. */
export function createReadModel(db: SqlClient): ReadModel {
  return {
    async listDeadLetters(filter = {}) {
      const { rows } = await db.query(
        `SELECT ${EXECUTION_COLUMNS.split(',').map((c) => `e.${c.trim()}`).join(', ')} FROM vecron_executions e
         WHERE ${OPEN_DEAD_LETTER} AND ($1::uuid IS NULL OR e.job_id = $1) AND ($2::uuid IS NULL OR e.id = $2)
         ORDER BY e.finished_at DESC NULLS LAST, e.id LIMIT $3 OFFSET $4`,
        [filter.jobId ?? null, filter.id ?? null, filter.limit ?? 100, filter.offset ?? 0],
      );
      return rows.map(toExecution);
    },

    async discardDeadLetter(id, { by, reason, now }) {
      const { rowCount } = await db.query(
        `INSERT INTO vecron_dlq_discards (execution_id, discarded_by, reason, discarded_at)
         SELECT e.id, $2, $3, $4 FROM vecron_executions e WHERE e.id = $1 AND ${OPEN_DEAD_LETTER}
         ON CONFLICT DO NOTHING`,
        [id, by, reason, iso(now)],
      );
      return rowCount > 0;
    },

    async executionStats() {
      const { rows } = await db.query<{ pending: number; running: number; oldest: number | null; dead: number }>(
        `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                count(*) FILTER (WHERE status <> 'pending')::int AS running,
                extract(epoch FROM now() - min(available_at) FILTER (WHERE status = 'pending' AND available_at <= now()))::float8 AS oldest,
                (SELECT count(*)::int FROM vecron_executions WHERE status = 'dead_letter') AS dead
         FROM vecron_executions WHERE status IN ('pending','running','cancelling')`,
      );
      const r = rows[0];
      return { pending: r?.pending ?? 0, running: r?.running ?? 0, oldestDuePendingSeconds: Math.max(0, Number(r?.oldest ?? 0)), deadLetters: r?.dead ?? 0 };
    },

    async countHeldExecutions() {
      const { rows } = await db.query<{ owner: string; n: number }>(
        `SELECT lease_owner AS owner, count(*)::int AS n FROM vecron_executions
         WHERE status IN ${ACTIVE} AND lease_expires_at > now() AND lease_owner IS NOT NULL GROUP BY lease_owner`,
      );
      return Object.fromEntries(rows.map((r) => [r.owner, Number(r.n)]));
    },
  };
}
