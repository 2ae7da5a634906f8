import type { PurgedExecutions, Storage } from '../../port.js';
import type { SqlClient } from '../sql-client.js';
import { iso } from '../sql-values.js';

/**
 * A finished execution retention may delete (docs/architecture.md#retention): terminal, a dead
 * letter only once handled (discarded, or replayed by another execution), and a replay only once
 * the dead letter it replayed is gone or discarded (its existence is what marks that dead letter
 * handled: deleting it first would put the dead letter back in the queue).
 */
const PURGEABLE = `e.finished_at IS NOT NULL
  AND e.status IN ('success','failed','timeout','cancelled','dead_letter')
  AND (e.status <> 'dead_letter'
       OR EXISTS (SELECT 1 FROM vecron_dlq_discards x WHERE x.execution_id = e.id)
       OR EXISTS (SELECT 1 FROM vecron_executions r WHERE r.replay_of = e.id))
  AND (e.replay_of IS NULL
       OR NOT EXISTS (SELECT 1 FROM vecron_executions o WHERE o.id = e.replay_of AND o.status = 'dead_letter'
                      AND NOT EXISTS (SELECT 1 FROM vecron_dlq_discards y WHERE y.execution_id = o.id)))`;

type RetentionStatements = Pick<Storage, 'purgeExecutions' | 'purgeExecutionsBeyond' | 'purgeLedger'>;

/**
 * Retention's deletes, each one statement over at most `limit` rows that locks them with
 * `FOR UPDATE SKIP LOCKED`: a row a claim, a completion or a log write holds is skipped (and taken
 * by a later batch), so a purge never waits for a worker and never makes one wait.
 */
export function createRetentionStatements(db: SqlClient): RetentionStatements {
  /** Deletes (or, dry, counts) the executions `selection` (a SELECT of `e.id, e.job_id` with its LIMIT) names. */
  async function purge(selection: string, params: unknown[], dryRun: boolean): Promise<PurgedExecutions> {
    if (dryRun) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${selection}) p`, params);
      return { count: Number(rows[0]?.n ?? 0), executions: [] };
    }
    const { rows } = await db.query<{ id: string; job_id: string }>(
      `WITH doomed AS (${selection} FOR UPDATE OF e SKIP LOCKED)
       DELETE FROM vecron_executions d USING doomed WHERE d.id = doomed.id RETURNING d.id, d.job_id`,
      params,
    );
    return { count: rows.length, executions: rows.map((r) => ({ id: r.id, jobId: r.job_id })) };
  }

  return {
    purgeExecutions({ finishedBefore, limit, jobId, exceptJobIds = [], dryRun = false }) {
      return purge(
        `SELECT e.id, e.job_id FROM vecron_executions e
         WHERE e.finished_at < $1 AND ${PURGEABLE}
           AND ($2::uuid IS NULL OR e.job_id = $2) AND NOT (e.job_id = ANY($3::uuid[]))
         ORDER BY e.finished_at LIMIT $4`,
        [iso(finishedBefore), jobId ?? null, exceptJobIds, limit],
        dryRun,
      );
    },

    purgeExecutionsBeyond({ jobId, keepLast, limit, dryRun = false }) {
      // The newest `keepLast` finished runs stay (open dead letters among them count); `first` is
      // the newest of the rest: everything finished at or before it may go.
      return purge(
        `SELECT e.id, e.job_id FROM vecron_executions e,
           (SELECT k.finished_at, k.id FROM vecron_executions k WHERE k.job_id = $1 AND k.finished_at IS NOT NULL
            ORDER BY k.finished_at DESC, k.id DESC OFFSET $2 LIMIT 1) first
         WHERE e.job_id = $1 AND (e.finished_at, e.id) <= (first.finished_at, first.id) AND ${PURGEABLE}
         ORDER BY e.finished_at, e.id LIMIT $3`,
        [jobId, keepLast, limit],
        dryRun,
      );
    },

    async purgeLedger({ firedBefore, limit, jobId, exceptJobIds = [], dryRun = false }) {
      const selection = `SELECT l.job_id, l.fire_at FROM vecron_fire_ledger l
         WHERE l.fire_at < $1 AND ($2::uuid IS NULL OR l.job_id = $2) AND NOT (l.job_id = ANY($3::uuid[]))
         ORDER BY l.fire_at LIMIT $4`;
      const params = [iso(firedBefore), jobId ?? null, exceptJobIds, limit];
      if (dryRun) {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${selection}) p`, params);
        return Number(rows[0]?.n ?? 0);
      }
      const { rowCount } = await db.query(
        `WITH doomed AS (${selection} FOR UPDATE OF l SKIP LOCKED)
         DELETE FROM vecron_fire_ledger d USING doomed WHERE d.job_id = doomed.job_id AND d.fire_at = doomed.fire_at`,
        params,
      );
      return rowCount;
    },
  };
}
