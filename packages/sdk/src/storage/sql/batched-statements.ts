/**
 * One statement for many calls of the hot per-execution operations (see `group-commit.ts`).
 * Each function keeps the exact conditions of its one-row version in `sql-storage.ts` — the
 * fencing token, the status guards — applied row by row through `unnest` arrays, and returns one
 * result per input, in input order. Inputs have distinct keys (the group commit guarantees it),
 * so every target row is joined at most once. The columns of `unnest` are named `x_…` so that
 * they never shadow the table's own columns. Each UPDATE also names its rows with `= ANY($1)`:
 * without it the planner may hash-join the input against a sequential scan of the whole table
 * (seen on `vecron_schedules` at 100k rows), an O(table) cost per batch.
 */
import type { Execution, ExecutionContext, ExecutionStatus, ErrorRecord } from '../../model/execution.js';
import type { ClaimResult, NewExecution, StoredVariable } from '../port.js';
import { EXECUTION_COLUMNS, toExecution, toStoredVariable } from './row-mappers.js';
import type { SqlClient } from './sql-client.js';
import { ACTIVE, iso, isoOrNull, lockInIdOrder, unclaimedReason } from './sql-values.js';

/** Rows by id, as executions. */
async function executionsById(db: SqlClient, ids: string[]): Promise<Map<string, Execution>> {
  const { rows } = await db.query(`SELECT ${EXECUTION_COLUMNS} FROM vecron_executions WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [String(r.id), toExecution(r)]));
}

export async function getExecutions(db: SqlClient, ids: string[]): Promise<Array<Execution | null>> {
  const byId = await executionsById(db, ids);
  return ids.map((id) => byId.get(id) ?? null);
}

export interface ClaimInput {
  id: string;
  owner: string;
  leaseMs: number;
  now: Date;
}

/** Non-exclusive claims: the conditional UPDATE of `claimExecution`, for many rows. */
export async function claimExecutions(db: SqlClient, items: ClaimInput[]): Promise<ClaimResult[]> {
  const { rows } = await db.query(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions
     SET status = CASE WHEN status = 'cancelling' THEN 'cancelling' ELSE 'running' END,
         lease_owner = u.x_owner, lease_expires_at = u.x_until, fencing_token = nextval('vecron_fencing_seq'),
         started_at = COALESCE(started_at, u.x_now)
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS u(x_id, x_owner, x_until, x_now)
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked)
       AND ((status = 'pending' AND available_at <= u.x_now) OR (status IN ${ACTIVE} AND lease_expires_at < u.x_now))
     RETURNING ${EXECUTION_COLUMNS}`,
    [items.map((i) => i.id), items.map((i) => i.owner), items.map((i) => iso(new Date(i.now.getTime() + i.leaseMs))), items.map((i) => iso(i.now))],
  );
  const claimed = new Map(rows.map((r) => [String(r.id), toExecution(r)]));
  const missed = items.filter((i) => !claimed.has(i.id)).map((i) => i.id);
  const current = missed.length ? await executionsById(db, missed) : new Map<string, Execution>();
  return items.map((i): ClaimResult => {
    const won = claimed.get(i.id);
    if (won) return { claimed: true, execution: won };
    const e = current.get(i.id) ?? null;
    return { claimed: false, reason: unclaimedReason(e, i.now), execution: e };
  });
}

export interface LeaseInput {
  id: string;
  token: number;
  leaseMs: number;
  now: Date;
}

export async function extendLeases(db: SqlClient, items: LeaseInput[]): Promise<Array<{ ok: boolean; cancelRequested: boolean }>> {
  const { rows } = await db.query<{ id: string; status: ExecutionStatus }>(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions SET lease_expires_at = u.x_until
     FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(x_id, x_token, x_until)
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked) AND fencing_token = u.x_token AND status IN ${ACTIVE}
     RETURNING id, status`,
    [items.map((i) => i.id), items.map((i) => i.token), items.map((i) => iso(new Date(i.now.getTime() + i.leaseMs)))],
  );
  const status = new Map(rows.map((r) => [String(r.id), r.status]));
  return items.map((i) => ({ ok: status.has(i.id), cancelRequested: status.get(i.id) === 'cancelling' }));
}

export interface StepStartInput {
  id: string;
  token: number;
  stepId: string;
  now: Date;
}

/** `startStepAttempt` for many executions: the same four CTEs, joined on the input rows. */
export async function startStepAttempts(db: SqlClient, items: StepStartInput[]): Promise<Array<{ attempt: number; previousFailures: number } | null>> {
  const { rows } = await db.query<{ id: string; attempt: number | string; failures: number | string }>(
    `WITH ${lockInIdOrder(1)}, input AS (
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[]) AS u(x_id, x_token, x_step, x_now)
     ), own AS (
       UPDATE vecron_executions e SET current_step = i.x_step
       FROM input i
       WHERE e.id = i.x_id AND e.id = ANY($1::uuid[]) AND e.id IN (SELECT l_id FROM locked) AND e.fencing_token = i.x_token AND e.status IN ${ACTIVE}
       RETURNING e.id
     ), abandoned AS (
       UPDATE vecron_step_attempts a SET status = 'abandoned', finished_at = i.x_now
       FROM input i
       WHERE a.execution_id = i.x_id AND a.step_id = i.x_step AND a.status = 'running' AND i.x_id IN (SELECT id FROM own)
     ), prev AS (
       SELECT i.x_id, i.x_token, i.x_step, i.x_now,
              COALESCE(MAX(a.attempt), 0) AS n, COUNT(a.attempt) FILTER (WHERE a.status = 'failed') AS failures
       FROM input i LEFT JOIN vecron_step_attempts a ON a.execution_id = i.x_id AND a.step_id = i.x_step
       GROUP BY i.x_id, i.x_token, i.x_step, i.x_now
     ), opened AS (
       INSERT INTO vecron_step_attempts (execution_id, step_id, attempt, status, fencing_token, started_at)
       SELECT p.x_id, p.x_step, p.n + 1, 'running', p.x_token, p.x_now FROM prev p WHERE p.x_id IN (SELECT id FROM own)
       RETURNING execution_id, attempt
     )
     SELECT o.execution_id AS id, o.attempt, p.failures FROM opened o JOIN prev p ON p.x_id = o.execution_id`,
    [items.map((i) => i.id), items.map((i) => i.token), items.map((i) => i.stepId), items.map((i) => iso(i.now))],
  );
  const byId = new Map(rows.map((r) => [String(r.id), { attempt: Number(r.attempt), previousFailures: Number(r.failures) }]));
  return items.map((i) => byId.get(i.id) ?? null);
}

export interface StepSuccessInput {
  id: string;
  token: number;
  stepId: string;
  attempt: number;
  context: ExecutionContext;
  now: Date;
}

/** `recordStepSuccess` for many executions: each finished step commits with its context. */
export async function recordStepSuccesses(db: SqlClient, items: StepSuccessInput[]): Promise<boolean[]> {
  const { rows } = await db.query<{ id: string }>(
    `WITH ${lockInIdOrder(1)}, input AS (
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::timestamptz[])
         AS u(x_id, x_token, x_step, x_attempt, x_context, x_now)
     ), own AS (
       UPDATE vecron_executions e SET context = i.x_context::jsonb, current_step = i.x_step
       FROM input i
       WHERE e.id = i.x_id AND e.id = ANY($1::uuid[]) AND e.id IN (SELECT l_id FROM locked) AND e.fencing_token = i.x_token AND e.status IN ${ACTIVE}
       RETURNING e.id
     ), closed AS (
       UPDATE vecron_step_attempts a SET status = 'succeeded', finished_at = i.x_now
       FROM input i
       WHERE a.execution_id = i.x_id AND a.step_id = i.x_step AND a.attempt = i.x_attempt AND a.fencing_token = i.x_token
         AND a.status = 'running' AND i.x_id IN (SELECT id FROM own)
     )
     SELECT id FROM own`,
    [
      items.map((i) => i.id), items.map((i) => i.token), items.map((i) => i.stepId), items.map((i) => i.attempt),
      items.map((i) => JSON.stringify(i.context)), items.map((i) => iso(i.now)),
    ],
  );
  const ok = new Set(rows.map((r) => String(r.id)));
  return items.map((i) => ok.has(i.id));
}

export interface CompletionInput {
  id: string;
  token: number;
  status: ExecutionStatus;
  error: ErrorRecord | null;
  context: ExecutionContext;
  now: Date;
}

export async function completeExecutions(db: SqlClient, items: CompletionInput[]): Promise<boolean[]> {
  const { rows } = await db.query<{ id: string }>(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions
     SET status = u.x_status, error = u.x_error::jsonb, context = u.x_context::jsonb, finished_at = u.x_now,
         lease_owner = NULL, lease_expires_at = NULL
     FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       AS u(x_id, x_token, x_status, x_error, x_context, x_now)
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked) AND fencing_token = u.x_token AND status IN ${ACTIVE}
     RETURNING id`,
    [
      items.map((i) => i.id), items.map((i) => i.token), items.map((i) => i.status),
      items.map((i) => (i.error ? JSON.stringify(i.error) : null)), items.map((i) => JSON.stringify(i.context)), items.map((i) => iso(i.now)),
    ],
  );
  const ok = new Set(rows.map((r) => String(r.id)));
  return items.map((i) => ok.has(i.id));
}

export interface CreateInput {
  execution: NewExecution;
  now: Date;
}

/** `createExecution` for many: one INSERT, idempotent on (job, key); existing rows read back for the rest. */
export async function createExecutions(db: SqlClient, items: CreateInput[]): Promise<Array<{ execution: Execution; created: boolean }>> {
  const e = items.map((i) => i.execution);
  const { rows } = await db.query(
    `INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, trigger_metadata, scheduled_for, available_at, context, replay_of, created_at)
     SELECT u.x_id, u.x_job, u.x_key, 'pending', u.x_source, u.x_meta::jsonb, u.x_sched, u.x_avail, u.x_context::jsonb, u.x_replay, u.x_now
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::uuid[], $10::timestamptz[])
       AS u(x_id, x_job, x_key, x_source, x_meta, x_sched, x_avail, x_context, x_replay, x_now)
     ON CONFLICT (job_id, idempotency_key) DO NOTHING
     RETURNING ${EXECUTION_COLUMNS}`,
    [
      e.map((x) => x.id), e.map((x) => x.jobId), e.map((x) => x.idempotencyKey), e.map((x) => x.triggerSource),
      e.map((x) => JSON.stringify(x.triggerMetadata ?? {})), e.map((x) => isoOrNull(x.scheduledFor)), e.map((x) => iso(x.availableAt)),
      e.map((x) => JSON.stringify(x.context ?? { steps: {} })), e.map((x) => x.replayOf ?? null), items.map((i) => iso(i.now)),
    ],
  );
  const inserted = new Map(rows.map((r) => [String(r.id), toExecution(r)]));
  const conflicts = e.filter((x) => !inserted.has(x.id));
  const existing = new Map<string, Execution>();
  if (conflicts.length) {
    const { rows: found } = await db.query(
      `SELECT ${EXECUTION_COLUMNS} FROM vecron_executions
       WHERE (job_id, idempotency_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [conflicts.map((x) => x.jobId), conflicts.map((x) => x.idempotencyKey)],
    );
    for (const r of found) existing.set(`${String(r.job_id)}\u0000${String(r.idempotency_key)}`, toExecution(r));
  }
  return e.map((x) => {
    const mine = inserted.get(x.id);
    if (mine) return { execution: mine, created: true };
    const other = existing.get(`${x.jobId}\u0000${x.idempotencyKey}`);
    // Unreachable unless the row was deleted in between; the caller's single retry reports it.
    if (!other) throw new Error(`execution for idempotency key ${x.idempotencyKey} vanished after a conflict`);
    return { execution: other, created: false };
  });
}

export async function markPublishedMany(db: SqlClient, items: Array<{ ids: string[]; now: Date }>): Promise<void[]> {
  const ids: string[] = [];
  const at: string[] = [];
  for (const i of items) {
    for (const id of i.ids) {
      ids.push(id);
      at.push(iso(i.now));
    }
  }
  await db.query(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions SET published_at = u.x_at
     FROM (SELECT DISTINCT ON (x_id) x_id, x_at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(x_id, x_at) ORDER BY x_id, x_at DESC) AS u
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked)`,
    [ids, at],
  );
  return items.map(() => undefined);
}

/** Variables of several callers' scope lists in one query. */
export async function listVariablesMany(db: SqlClient, scopeLists: string[][]): Promise<StoredVariable[][]> {
  const all = [...new Set(scopeLists.flat())];
  const { rows } = await db.query(`SELECT * FROM vecron_variables WHERE scope = ANY($1::text[]) ORDER BY scope, name`, [all]);
  return scopeLists.map((scopes) => {
    const wanted = new Set(scopes);
    return rows.filter((r) => wanted.has(String(r.scope))).map(toStoredVariable);
  });
}
