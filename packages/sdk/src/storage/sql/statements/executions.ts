/** Executions: create (idempotent on job and key), read, list, cancel. */
import { StorageError } from '../../../errors/errors.js';
import type { Execution, ExecutionStatus } from '../../../model/execution.js';
import type { ExecutionFilter, NewExecution, Storage } from '../../port.js';
import { perItem, type Batching } from '../group-commit.js';
import { EXECUTION_COLUMNS, toExecution } from '../row-mappers.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { iso, isoOrNull } from '../sql-values.js';
import { wrap } from './wrap.js';

/** Rows by id, as executions. */
export async function executionsById(db: SqlClient, ids: string[]): Promise<Map<string, Execution>> {
  const { rows } = await db.query(`SELECT ${EXECUTION_COLUMNS} FROM vecron_executions WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [String(r.id), toExecution(r)]));
}

/** One execution (or null) per id, in order. */
export async function getExecutions(db: SqlClient, ids: string[]): Promise<Array<Execution | null>> {
  const byId = await executionsById(db, ids);
  return ids.map((id) => byId.get(id) ?? null);
}

export interface CreateInput {
  execution: NewExecution;
  now: Date;
  /** Write the new row as published at `now` (see `Storage.createExecution`). */
  markPublished?: boolean;
}

/** The insert of `createExecutions`: one constant text (built once, so its prepared name is found without hashing it again; see `inputStatement`). */
const INSERT_EXECUTIONS = `INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, trigger_metadata, scheduled_for, available_at, context, replay_of, created_at, published_at)
     SELECT u.x_id, u.x_job, u.x_key, 'pending', u.x_source, u.x_meta::jsonb, u.x_sched, u.x_avail, u.x_context::jsonb, u.x_replay, u.x_now, u.x_published
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::uuid[], $10::timestamptz[], $11::timestamptz[])
       AS u(x_id, x_job, x_key, x_source, x_meta, x_sched, x_avail, x_context, x_replay, x_now, x_published)
     ON CONFLICT (job_id, idempotency_key) DO NOTHING
     RETURNING ${EXECUTION_COLUMNS}`;

/** How many more times an item whose conflicting row vanished before the read-back is inserted again, without the rest of its batch. */
const VANISHED_RETRIES = 3;

/**
 * One INSERT, idempotent on (job, key); the existing rows are read back for the rest.
 *
 * A conflicting row can be deleted (retention, a job delete) between the INSERT and the read-back.
 * Such items are inserted again without the rest of the batch, whose INSERT has committed (at most
 * `VANISHED_RETRIES` more times; then the call fails with a StorageError and the group commit runs
 * each item again alone). And a row found under the item's own id is the item's: an earlier run of
 * this same call inserted it (a batch that failed after its INSERT committed, run again item by
 * item), so it counts as created, not as a duplicate; before, such items came back `created: false`.
 */
export async function createExecutions(db: SqlClient, items: CreateInput[], retries = VANISHED_RETRIES): Promise<Array<{ execution: Execution; created: boolean }>> {
  const e = items.map((i) => i.execution);
  const { rows } = await db.query(
    INSERT_EXECUTIONS,
    [
      e.map((x) => x.id), e.map((x) => x.jobId), e.map((x) => x.idempotencyKey), e.map((x) => x.triggerSource),
      e.map((x) => JSON.stringify(x.triggerMetadata ?? {})), e.map((x) => isoOrNull(x.scheduledFor)), e.map((x) => iso(x.availableAt)),
      e.map((x) => JSON.stringify(x.context ?? { steps: {} })), e.map((x) => x.replayOf ?? null), items.map((i) => iso(i.now)),
      items.map((i) => (i.markPublished ? iso(i.now) : null)),
    ],
    PREPARED,
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
  const existingFor = (x: NewExecution): Execution | undefined => existing.get(`${x.jobId}\u0000${x.idempotencyKey}`);
  const vanished = items.filter((i) => !inserted.has(i.execution.id) && !existingFor(i.execution));
  if (vanished.length > 0 && retries === 0) {
    throw new StorageError(`execution vanished after an idempotency conflict, ${VANISHED_RETRIES + 1} times in a row`);
  }
  const again = vanished.length ? await createExecutions(db, vanished, retries - 1) : [];
  const retried = new Map(vanished.map((i, n) => [i.execution.id, again[n]!]));
  return e.map((x) => {
    const mine = inserted.get(x.id);
    if (mine) return { execution: mine, created: true };
    const other = existingFor(x);
    return other ? { execution: other, created: other.id === x.id } : retried.get(x.id)!;
  });
}

export async function listExecutions(db: SqlClient, filter: ExecutionFilter = {}): Promise<Execution[]> {
  const statuses = filter.status === undefined ? null : Array.isArray(filter.status) ? filter.status : [filter.status];
  const { rows } = await db.query(
    `SELECT ${EXECUTION_COLUMNS} FROM vecron_executions
     WHERE ($1::uuid IS NULL OR job_id = $1)
       AND ($2::text[] IS NULL OR status = ANY($2::text[]))
       AND ($3::text IS NULL OR trigger_source = $3)
       AND ($4::timestamptz IS NULL OR created_at >= $4)
       AND ($5::timestamptz IS NULL OR created_at < $5)
       AND ($8::jsonb IS NULL OR trigger_metadata @> $8::jsonb)
       AND ($9::boolean IS NULL OR EXISTS (SELECT 1 FROM vecron_executions r WHERE r.replay_of = vecron_executions.id) = $9)
       AND ($10::timestamptz IS NULL OR (created_at, id) < ($10::timestamptz, $11::uuid))
       AND ($12::boolean IS NULL OR EXISTS (SELECT 1 FROM vecron_dlq_discards x WHERE x.execution_id = vecron_executions.id) = $12)
     ORDER BY created_at DESC, id DESC
     LIMIT $6 OFFSET $7`,
    [
      filter.jobId ?? null, statuses, filter.triggerSource ?? null, isoOrNull(filter.createdFrom), isoOrNull(filter.createdTo),
      filter.limit ?? 100, filter.offset ?? 0, filter.triggerMetadata === undefined ? null : JSON.stringify(filter.triggerMetadata),
      filter.replayed ?? null, isoOrNull(filter.after?.createdAt), filter.after?.id ?? null, filter.discarded ?? null,
    ],
  );
  return rows.map(toExecution);
}

export async function listLatestExecutionsPerJob(db: SqlClient, jobIds: string[], perJob: number, filter: Pick<ExecutionFilter, 'triggerMetadata'> = {}): Promise<Execution[]> {
  if (!jobIds.length || perJob < 1) return [];
  const { rows } = await db.query(
    `SELECT e.* FROM unnest($1::uuid[]) AS j(id)
     CROSS JOIN LATERAL (
       SELECT ${EXECUTION_COLUMNS} FROM vecron_executions x
       WHERE x.job_id = j.id AND ($3::jsonb IS NULL OR x.trigger_metadata @> $3::jsonb)
       ORDER BY x.created_at DESC, x.id DESC
       LIMIT $2
     ) e`,
    [[...new Set(jobIds)], perJob, filter.triggerMetadata === undefined ? null : JSON.stringify(filter.triggerMetadata)],
  );
  return rows.map(toExecution);
}

/** A pending execution is cancelled at once; a running one is asked to stop. The status after, or null. */
export async function requestCancel(db: SqlClient, id: string, now: Date): Promise<ExecutionStatus | null> {
  const { rows } = await db.query<{ status: ExecutionStatus }>(
    `UPDATE vecron_executions
     SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE 'cancelling' END,
         finished_at = CASE WHEN status = 'pending' THEN $2::timestamptz ELSE finished_at END,
         error = CASE WHEN status = 'pending' THEN '{"name":"CancelledError","code":"CANCELLED","message":"cancelled before it started","retryable":false}'::jsonb ELSE error END
     WHERE id = $1 AND status IN ('pending','running') RETURNING status`,
    [id, iso(now)],
  );
  if (rows[0]) return rows[0].status;
  const [e] = await getExecutions(db, [id]);
  return e?.status ?? null;
}

type ExecutionOperations = Pick<Storage, 'createExecution' | 'getExecution' | 'listExecutions' | 'listLatestExecutionsPerJob' | 'requestCancel'>;

export function executionOperations(db: SqlClient, batching: Batching): ExecutionOperations {
  const create = perItem(batching, (items: CreateInput[]) => createExecutions(db, items), (i) => `${i.execution.jobId}\u0000${i.execution.idempotencyKey}`);
  const get = perItem(batching, (ids: string[]) => getExecutions(db, ids), (id) => id);
  return {
    createExecution: (execution, now, options) => wrap('createExecution', () => create({ execution, now, markPublished: options?.markPublished ?? false })),
    getExecution: get,
    listExecutions: (filter) => listExecutions(db, filter),
    listLatestExecutionsPerJob: (jobIds, perJob, filter) => listLatestExecutionsPerJob(db, jobIds, perJob, filter),
    requestCancel: (id, now) => requestCancel(db, id, now),
  };
}
