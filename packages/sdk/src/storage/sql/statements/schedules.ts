/** Schedules and the fire ledger: fire what is due (`fire-due.ts`), fire times, finished runs, the ledger. */
import type { LedgerEntry } from '../../../model/execution.js';
import type { JobFireTimes } from '../../../model/job.js';
import type { Storage } from '../../port.js';
import { toLedgerEntry } from '../row-mappers.js';
import type { SqlClient } from '../sql-client.js';
import { iso, isoOrNull } from '../sql-values.js';
import { fireDue } from './fire-due.js';
import { FIRE_KEY_RANGE, createFireSpecCache, fireKey } from './fire-rows.js';
import { wrap } from './wrap.js';

export async function getFireTimes(db: SqlClient, jobIds: string[]): Promise<JobFireTimes[]> {
  if (!jobIds.length) return [];
  const { rows } = await db.query(`SELECT job_id, next_fire_at, last_fire_at FROM vecron_schedules WHERE job_id = ANY($1::uuid[])`, [jobIds]);
  return rows.map((r) => ({
    jobId: String(r.job_id),
    nextFireAt: r.next_fire_at ? new Date(r.next_fire_at as string) : null,
    lastFireAt: r.last_fire_at ? new Date(r.last_fire_at as string) : null,
  }));
}

export async function markScheduleFinished(db: SqlClient, jobId: string, finishedAt: Date, nextFireAt: Date | null): Promise<void> {
  await db.query(
    `UPDATE vecron_schedules SET last_finished_at = $2, next_fire_at = COALESCE(next_fire_at, $3) WHERE job_id = $1`,
    [jobId, iso(finishedAt), isoOrNull(nextFireAt)],
  );
}

/**
 * The fire ledger of a job, ordered by instant: its ledger rows (skips, misses, and the `fired`
 * rows of databases from before fires stopped writing them) merged with its fires' executions,
 * which are the `fired` entries: a scheduled or backfilled execution whose idempotency key is the
 * fire key of its `scheduled_for` (reason from its trigger metadata, or `backfill`; recorded at its
 * creation). An execution whose instant has a ledger row is left out: that row is its entry, as
 * it was written. Each side is read in instant order and cut at `limit` before the merge: the
 * ledger by its primary key, the executions by the unique (job_id, idempotency_key) index over
 * the fire keys of the range (`fireKey`: they sort by instant).
 */
export async function listLedger(db: SqlClient, jobId: string, args: { from?: Date; to?: Date; limit?: number } = {}): Promise<LedgerEntry[]> {
  const keys = fireKeyRange(args.from, args.to);
  const { rows } = await db.query(
    `(SELECT job_id, fire_at, outcome, reason, execution_id, recorded_at FROM vecron_fire_ledger WHERE job_id = $1
        AND ($2::timestamptz IS NULL OR fire_at >= $2) AND ($3::timestamptz IS NULL OR fire_at < $3)
      ORDER BY fire_at LIMIT $4)
     UNION ALL
     (SELECT e.job_id, e.scheduled_for, 'fired', CASE e.trigger_source WHEN 'backfill' THEN 'backfill' ELSE e.trigger_metadata->>'reason' END, e.id, e.created_at
      FROM vecron_executions e WHERE e.job_id = $1 AND e.idempotency_key >= $5 AND e.idempotency_key <= $6
        AND e.trigger_source IN ('scheduled','backfill')
        AND ($2::timestamptz IS NULL OR e.scheduled_for >= $2) AND ($3::timestamptz IS NULL OR e.scheduled_for < $3)
        AND NOT EXISTS (SELECT 1 FROM vecron_fire_ledger l WHERE l.job_id = e.job_id AND l.fire_at = e.scheduled_for)
      ORDER BY e.idempotency_key LIMIT $4)
     ORDER BY fire_at LIMIT $4`,
    [jobId, isoOrNull(args.from), isoOrNull(args.to), args.limit ?? 10_000, keys.first, keys.last],
  );
  return rows.map(toLedgerEntry);
}

/**
 * The fire keys of the instants in [`from`, `to`), bounds included, clipped to the years whose
 * keys sort by instant (`FIRE_KEY_RANGE`); `first` above `last` when none is (an empty range).
 */
function fireKeyRange(from: Date | undefined, to: Date | undefined): { first: string; last: string } {
  const { first, last } = FIRE_KEY_RANGE;
  const lo = Math.max(from?.getTime() ?? -Infinity, first.getTime());
  const hi = Math.min(to === undefined ? Infinity : to.getTime() - 1, last.getTime());
  return lo > hi ? { first: fireKey(iso(last)), last: fireKey(iso(first)) } : { first: fireKey(iso(new Date(lo))), last: fireKey(iso(new Date(hi))) };
}

export async function recordLedger(db: SqlClient, entry: LedgerEntry): Promise<void> {
  await db.query(
    `INSERT INTO vecron_fire_ledger (job_id, fire_at, outcome, reason, execution_id, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [entry.jobId, iso(entry.fireAt), entry.outcome, entry.reason, entry.executionId, iso(entry.recordedAt)],
  );
}

type ScheduleOperations = Pick<Storage, 'getFireTimes' | 'fireDueSchedules' | 'markScheduleFinished' | 'listLedger' | 'recordLedger'>;

export function scheduleOperations(db: SqlClient): ScheduleOperations {
  const fireSpecs = createFireSpecCache();
  return {
    getFireTimes: (jobIds) => getFireTimes(db, jobIds),
    fireDueSchedules: (args) => wrap('fireDueSchedules', () => db.transaction((tx) => fireDue(tx, fireSpecs, args))),
    markScheduleFinished: (jobId, finishedAt, nextFireAt) => markScheduleFinished(db, jobId, finishedAt, nextFireAt),
    listLedger: (jobId, args) => listLedger(db, jobId, args),
    recordLedger: (entry) => recordLedger(db, entry),
  };
}
