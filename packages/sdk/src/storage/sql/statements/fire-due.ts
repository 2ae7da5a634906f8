/**
 * `fireDueSchedules` of the SQL storage (docs/architecture.md#one-execution-end-to-end, steps 2–3):
 * one transaction of three statements per batch, whatever the batch size — lock the due schedules,
 * count open executions of the jobs whose overlap policy reads them (none for the default `allow`),
 * then one statement that inserts the executions, writes the ledger rows of the skips and misses
 * (a fire's execution is its ledger entry) and advances the schedules.
 * Per due row the cost is the fire decision and a few array slots; the job's definition is not
 * read, only its fire-deciding fields (`FireSpec`), parsed once per distinct value.
 */
import type { Execution } from '../../../model/execution.js';
import { overlapReadsOpenExecutions } from '../../../model/job-definition.js';
import type { FireSkip, FireSpec, PlannedFire, Storage } from '../../port.js';
import type { SqlClient } from '../sql-client.js';
import { ACTIVE, iso, isoOrNull } from '../sql-values.js';
import { EPOCH_MS, FIRE_METADATA_SQL, FIRE_SPEC_SQL, LAST, dueRowsWithJob, fireKey, fireParts, fireSpecOf, lockDueRows, newExecutionRow, reportFireState } from './fire-rows.js';
import type { FireSpecCache, Planned } from './fire-rows.js';
import { fireShared } from './fire-due-shared.js';

/** The arguments of `Storage.fireDueSchedules`. */
export type FireDueArgs = Parameters<Storage['fireDueSchedules']>[0];

type Row = Record<string, unknown>;

/** A locked due schedule row and its job's fire spec. */
interface Due {
  r: Row;
  spec: Readonly<FireSpec>;
}

/** What one batch writes, as the arrays of the final statement (see {@link writeFires}). */
interface FirePlan {
  fires: { id: string[]; job: string[]; key: string[]; at: string[]; available: string[] };
  reasons: { id: string[]; reason: string[] };
  skips: { job: string[]; at: string[]; outcome: string[]; reason: string[] };
  schedules: { tid: string[]; job: string[]; next: Array<string | null>; last: Array<string | null> };
  planned: Planned[];
  cancelJobs: string[];
}

/**
 * Runs inside the caller's transaction `tx`. With `sharedDecision`, the due rows are locked and
 * read as groups first, and the shared ones are fired set-based (fire-due-shared.ts); the rest,
 * and every row without it, one decision per row here.
 */
export async function fireDue(tx: SqlClient, specs: FireSpecCache, args: FireDueArgs): Promise<Execution[]> {
  if (!args.sharedDecision) {
    const due = await lockDue(tx, specs, iso(args.now), { limit: args.limit });
    await reportFireState(tx, args.fireState, due[0]?.r);
    return fireEach(tx, args, due);
  }
  const { created, others } = await fireShared(tx, specs, args, args.sharedDecision);
  if (others) created.push(...(await fireEach(tx, args, await lockDue(tx, specs, iso(args.now), { tids: others }))));
  return created;
}

/** One decision per due row, one statement for all of them. */
async function fireEach(tx: SqlClient, { now, decide, newExecutionId, markPublished = false, onSkipped }: FireDueArgs, due: Due[]): Promise<Execution[]> {
  if (!due.length) return [];
  const nowIso = iso(now);
  const open = await countOpen(tx, due);
  const plan = emptyPlan();
  for (const d of due) planSchedule(plan, d, open.get(String(d.r.job_id)), decide, newExecutionId);
  if (plan.cancelJobs.length) await cancelOpen(tx, plan.cancelJobs, nowIso);
  const created = await writeFires(tx, plan, nowIso, markPublished);
  if (onSkipped && plan.skips.job.length) {
    const { job, at, outcome, reason } = plan.skips;
    onSkipped(job.map((jobId, i) => ({ jobId, fireAt: new Date(at[i]!), outcome: outcome[i] as FireSkip['outcome'], reason: reason[i]! })));
  }
  return plan.planned.filter((p) => created.has(p.id)).map((p) => newExecutionRow(p, now));
}

/**
 * Locks up to `limit` due schedules (skipping those another scheduler holds), with their jobs'
 * fire specs; or, with `tids`, reads the rows this transaction has already locked (a tid array
 * literal, see fire-due-shared.ts).
 */
async function lockDue(tx: SqlClient, specs: FireSpecCache, nowIso: string, which: { limit: number } | { tids: string }): Promise<Due[]> {
  const cols = 'ctid::text AS tid, job_id, next_fire_at, last_fire_at, last_finished_at, anchor_at';
  const rowsOf = 'tids' in which
    ? { sql: `SELECT ${cols} FROM vecron_schedules WHERE ctid = ANY($1::tid[]) ORDER BY next_fire_at`, params: [which.tids] }
    : { sql: lockDueRows(cols, nowIso, which.limit), params: [] };
  const { rows } = await tx.query(
    `SELECT s.tid, s.job_id, ${EPOCH_MS('s.next_fire_at')} AS next_fire_ms, ${EPOCH_MS('s.last_fire_at')} AS last_fire_ms,
            ${EPOCH_MS('s.last_finished_at')} AS last_finished_ms, ${EPOCH_MS('s.anchor_at')} AS anchor_ms, j.enabled, ${FIRE_SPEC_SQL} AS spec,
            hint.paused, hint.calendars_version
     FROM ${dueRowsWithJob(rowsOf.sql)}`,
    rowsOf.params,
  );
  return rows.map((r) => ({ r, spec: fireSpecOf(specs, String(r.spec)) }));
}

/** Open executions per job, only for the jobs whose overlap policy reads them. */
async function countOpen(tx: SqlClient, due: Due[]): Promise<Map<string, { pending: number; running: number }>> {
  const counted = due.filter((d) => overlapReadsOpenExecutions(d.spec)).map((d) => String(d.r.job_id));
  const open = new Map<string, { pending: number; running: number }>();
  if (!counted.length) return open;
  const { rows } = await tx.query(
    `SELECT job_id, COUNT(*) FILTER (WHERE status = 'pending') AS pending, COUNT(*) FILTER (WHERE status IN ${ACTIVE}) AS running
     FROM vecron_executions WHERE job_id = ANY($1::uuid[]) AND status IN ('pending','running','cancelling') GROUP BY job_id`,
    [counted],
  );
  for (const r of rows) open.set(String(r.job_id), { pending: Number(r.pending), running: Number(r.running) });
  return open;
}

function emptyPlan(): FirePlan {
  return {
    fires: { id: [], job: [], key: [], at: [], available: [] },
    reasons: { id: [], reason: [] },
    skips: { job: [], at: [], outcome: [], reason: [] },
    schedules: { tid: [], job: [], next: [], last: [] },
    planned: [],
    cancelJobs: [],
  };
}

/** Asks `decide` about one due schedule and adds its fires, skips and schedule advance to the plan. */
function planSchedule(plan: FirePlan, { r, spec }: Due, counts: { pending: number; running: number } | undefined, decide: FireDueArgs['decide'], newExecutionId: () => string): void {
  const jobId = String(r.job_id);
  const decision = decide({
    jobId,
    definition: spec,
    enabled: Boolean(r.enabled),
    nextFireAt: new Date(r.next_fire_ms as number),
    lastFireAt: r.last_fire_ms === null ? null : new Date(r.last_fire_ms as number),
    lastFinishedAt: r.last_finished_ms === null ? null : new Date(r.last_finished_ms as number),
    anchorAt: new Date(r.anchor_ms as number),
    pendingCount: counts?.pending ?? 0,
    runningCount: counts?.running ?? 0,
  });
  if (decision.cancelOpen) plan.cancelJobs.push(jobId);
  let lastFire: Date | null = null;
  for (const fire of decision.fire) {
    const at = planFire(plan, jobId, fire, newExecutionId());
    if (!lastFire || at > lastFire) lastFire = at;
  }
  for (const x of decision.skip) {
    plan.skips.job.push(jobId);
    plan.skips.at.push(iso(x.at));
    plan.skips.outcome.push(x.outcome);
    plan.skips.reason.push(x.reason);
  }
  plan.schedules.tid.push(String(r.tid));
  plan.schedules.job.push(jobId);
  plan.schedules.next.push(isoOrNull(decision.nextFireAt));
  plan.schedules.last.push(isoOrNull(lastFire));
}

/** Adds one fire (a new execution `id`, idempotent on the fire instant) to the plan; returns its instant. */
function planFire(plan: FirePlan, jobId: string, fire: PlannedFire, id: string): Date {
  const { at, availableAt: available, reason } = fireParts(fire);
  const atIso = iso(at);
  const key = fireKey(atIso);
  plan.fires.id.push(id);
  plan.fires.job.push(jobId);
  plan.fires.key.push(key);
  plan.fires.at.push(atIso);
  plan.fires.available.push(available === at ? atIso : iso(available));
  if (reason) {
    plan.reasons.id.push(id);
    plan.reasons.reason.push(reason);
  }
  plan.planned.push({ id, jobId, key, at, availableAt: available, reason });
  return at;
}

/** Overlap policy `cancel_other`: cancels the pending executions of these jobs and asks the running ones to stop. */
async function cancelOpen(tx: SqlClient, jobIds: string[], nowIso: string): Promise<void> {
  await tx.query(
    `UPDATE vecron_executions
     SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE 'cancelling' END,
         finished_at = CASE WHEN status = 'pending' THEN $2::timestamptz ELSE finished_at END,
         error = '{"name":"CancelledError","code":"CANCELLED","message":"cancelled by a newer fire (overlap policy cancel_other)","retryable":false}'::jsonb
     WHERE job_id = ANY($1::uuid[]) AND status IN ('pending','running')`,
    [jobIds, nowIso],
  );
}

/**
 * One statement: the executions (idempotent on the fire instant; a fire's ledger note goes in its
 * trigger metadata, see FIRE_METADATA_SQL), the ledger rows of the skips and misses (a conflict
 * means an earlier call recorded the instant), and the schedules. A fire writes no ledger row:
 * its execution is the record (`listLedger` in schedules.ts). Only the ids of the new rows come back; the rest is known here. The
 * schedules are found by the tuple ids read under our row locks (they cannot move before the
 * commit).
 *
 * Why the `enable_seqscan` hint of lockDue stays: no statement shape keeps this write off a scan
 * of every schedule. At 1 % due the due rows sit on nearly every page (~135 schedules a page), so
 * by cost one sequential pass beats a random fetch per row (`random_page_cost` 4 vs
 * `seq_page_cost` 1), whichever way the rows are named. EXPLAIN (ANALYZE), PostgreSQL 15, 1 % due,
 * without the hint — this statement (`ctid = ANY` plus the pairing): Seq Scan, 10,000 rows read
 * at 10k schedules, 100,000 at 100k; by tuple id alone (`s.ctid = u.tid`): Hash Join over a Seq
 * Scan at 1k, 10k and 100k, nested loop `TID Cond: (ctid = u.tid)` only at 1M; by primary key
 * (`s.job_id = ANY(…)` or `= u.job_id`): Seq Scan at 1k–1M. With the hint: TID Scan, 100 and 1,000
 * rows; for `s.ctid = u.tid` at 100k, 27–43 ms with it against 81–142 ms without for the same
 * 1,000 updates (2 shared cores, busy). The pages are in shared buffers, so the cost model's
 * premise does not hold here: the rows read are the cost. The set-based write
 * (fire-due-shared.ts) gets its nested loop without the hint at 10k–1M only because the planner
 * guesses 10 members per group; it scans at 1k, and with 5 members a group (20 groups at 10k,
 * 200 at 100k) it hash-joins a Seq Scan of 10,000 / 100,000 rows.
 */
async function writeFires(tx: SqlClient, { fires, reasons, skips, schedules }: FirePlan, nowIso: string, markPublished: boolean): Promise<Set<string>> {
  const { rows } = await tx.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, trigger_metadata, scheduled_for, available_at, context, created_at, published_at)
       SELECT f.id, f.job_id, f.key, 'pending', 'scheduled', ${FIRE_METADATA_SQL('r.reason')}, f.at, f.available, '{"steps":{}}'::jsonb, $6, $17::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS f(id, job_id, key, at, available)
       LEFT JOIN unnest($7::uuid[], $8::text[]) AS r(id, reason) ON r.id = f.id
       ON CONFLICT (job_id, idempotency_key) DO NOTHING
       RETURNING id
     ), ledger AS (
       INSERT INTO vecron_fire_ledger (job_id, fire_at, outcome, reason, execution_id, recorded_at)
       SELECT k.job_id, k.fire_at, k.outcome, k.reason, NULL, $6
       FROM unnest($9::uuid[], $10::timestamptz[], $11::text[], $12::text[]) AS k(job_id, fire_at, outcome, reason)
       ON CONFLICT DO NOTHING
     ), advanced AS (
       UPDATE vecron_schedules s SET next_fire_at = u.next, last_fire_at = COALESCE(u.last, s.last_fire_at)
       FROM unnest($13::tid[], $14::uuid[], $15::timestamptz[], $16::timestamptz[]) AS u(tid, job_id, next, last)
       WHERE s.ctid = ANY($13::tid[]) AND s.ctid = u.tid AND s.job_id = u.job_id
     )
     SELECT id FROM ins`,
    [
      fires.id, fires.job, fires.key, fires.at, fires.available, nowIso,
      reasons.id, reasons.reason,
      skips.job, skips.at, skips.outcome, skips.reason,
      schedules.tid, schedules.job, schedules.next, schedules.last,
      markPublished ? nowIso : null,
    ],
    LAST,
  );
  return new Set(rows.map((r) => String(r.id)));
}

