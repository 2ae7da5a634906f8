/** Schedules and the fire ledger: fire what is due (`fire-due.ts`), fire times, finished runs, the ledger. */
import type { LedgerEntry } from '../../../model/execution.js';
import type { JobFireTimes } from '../../../model/job.js';
import type { Storage } from '../../port.js';
import { toLedgerEntry } from '../row-mappers.js';
import type { SqlClient } from '../sql-client.js';
import { iso, isoOrNull } from '../sql-values.js';
import { fireDue } from './fire-due.js';
import { createFireSpecCache } from './fire-rows.js';
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

export async function listLedger(db: SqlClient, jobId: string, args: { from?: Date; to?: Date; limit?: number } = {}): Promise<LedgerEntry[]> {
  const { rows } = await db.query(
    `SELECT * FROM vecron_fire_ledger WHERE job_id = $1
       AND ($2::timestamptz IS NULL OR fire_at >= $2) AND ($3::timestamptz IS NULL OR fire_at < $3)
     ORDER BY fire_at LIMIT $4`,
    [jobId, isoOrNull(args.from), isoOrNull(args.to), args.limit ?? 10_000],
  );
  return rows.map(toLedgerEntry);
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
