import { ConfigError, ConflictError, NotFoundError, StorageError, VecronError } from '../../errors/errors.js';
import { sqlStateOf } from '../../sql/sqlstates.js';
import { mapDriverError } from './sql-errors.js';
import type { Execution, ExecutionStatus } from '../../model/execution.js';
import type { Job } from '../../model/job.js';
import type { ClaimResult, DispatchReason, Storage, StoredVariable } from '../port.js';
import { EXECUTION_COLUMNS, toExecution, toJob, toLedgerEntry, toStepAttempt, toStepLogLine, toStoredVariable } from './row-mappers.js';
import type { SqlClient } from './sql-client.js';
import * as batched from './batched-statements.js';
import { groupCommit } from './group-commit.js';
import { createFireSpecCache, fireDue } from './fire-due.js';
import { registerSqlClient } from '../../internal/storage-internals.js';
import { listMigrations, migrate } from './migrations.js';
import { createReadModel } from './read-model.js';
import { createRetentionStatements } from './retention-statements.js';
import { CORE_OWNER } from './schema/index.js';
import { ACTIVE, iso, isoOrNull, likeEscape, lockInIdOrder, unclaimedReason } from './sql-values.js';


/** Options of {@link createSqlStorage}. */
export interface SqlStorageOptions {
  /** Called once by `close()` to release the driver (pool, PGlite instance, lockfile). */
  onClose?: () => Promise<void>;
  /**
   * Group commit of the hot per-execution operations (read, claim, step start and success,
   * completion, lease extension, create, mark published, variables): calls that arrive while
   * earlier ones of the same kind are in flight go to the database together, one statement per
   * batch. Each caller still gets its own result after its own write has committed; a lone call
   * runs exactly as without it. `false` sends every call on its own.
   * @default true
   */
  groupCommit?: boolean | { maxBatch?: number; maxInFlight?: number };
}

/**
 * The one SQL implementation of the {@link Storage} port, for PGlite and PostgreSQL alike.
 * Expects the core schema (`storage/sql/schema/`) to be applied.
 */
export function createSqlStorage(db: SqlClient, options: SqlStorageOptions = {}): Storage {
  let closed: Promise<void> | null = null;
  const fireSpecs = createFireSpecCache();

  /**
   * Driver errors are mapped once, by the SqlClient wrappers (`mapDriverError`); here only a taken
   * job name becomes a ConflictError. A foreign SqlClient that does not map gets the same mapping.
   */
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (sqlStateOf(err) === '23505' && /vecron_jobs_name_key/.test(`${String((err as { details?: { constraint?: unknown } }).details?.constraint ?? '')} ${(err as Error).message}`)) {
        throw new ConflictError('a job with this name already exists', { cause: err });
      }
      throw err instanceof VecronError || sqlStateOf(err) === undefined ? err : mapDriverError(err, what);
    }
  };

  const getExecution = async (id: string): Promise<Execution | null> => {
    const { rows } = await db.query(`SELECT ${EXECUTION_COLUMNS} FROM vecron_executions WHERE id = $1`, [id]);
    return rows[0] ? toExecution(rows[0]) : null;
  };

  const storage: Storage = {
    ...createReadModel(db),
    ...createRetentionStatements(db),

    async createJob({ id, definition, now, anchorAt, nextFireAt }) {
      return wrap('createJob', () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query(
            `INSERT INTO vecron_jobs (id, name, definition, enabled, version, created_at, updated_at)
             VALUES ($1, $2, $3::jsonb, $4, 1, $5, $5) RETURNING *`,
            [id, definition.name, JSON.stringify(definition), definition.enabled, iso(now)],
          );
          await tx.query(
            `INSERT INTO vecron_schedules (job_id, next_fire_at, anchor_at) VALUES ($1, $2, $3)`,
            [id, isoOrNull(nextFireAt), iso(anchorAt)],
          );
          return toJob(rows[0]!);
        }),
      );
    },

    async updateJob(id, { definition, now, nextFireAt, resetAnchor }) {
      return wrap('updateJob', () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query(
            `UPDATE vecron_jobs SET name = $2, definition = $3::jsonb, enabled = $4, version = version + 1, updated_at = $5
             WHERE id = $1 RETURNING *`,
            [id, definition.name, JSON.stringify(definition), definition.enabled, iso(now)],
          );
          if (!rows[0]) throw new NotFoundError('job', id);
          await tx.query(
            `UPDATE vecron_schedules SET next_fire_at = CASE WHEN $5 THEN $2::timestamptz ELSE next_fire_at END,
                    anchor_at = CASE WHEN $3 THEN $4::timestamptz ELSE anchor_at END
             WHERE job_id = $1`,
            [id, isoOrNull(nextFireAt ?? null), resetAnchor === true, iso(now), nextFireAt !== undefined],
          );
          return toJob(rows[0]);
        }),
      );
    },

    async getJob(id) {
      const { rows } = await db.query(`SELECT * FROM vecron_jobs WHERE id = $1`, [id]);
      return rows[0] ? toJob(rows[0]) : null;
    },

    async getJobByName(name) {
      const { rows } = await db.query(`SELECT * FROM vecron_jobs WHERE name = $1`, [name]);
      return rows[0] ? toJob(rows[0]) : null;
    },

    async listJobs(filter = {}) {
      const { rows } = await db.query(
        `SELECT * FROM vecron_jobs
         WHERE ($1::boolean IS NULL OR enabled = $1)
           AND ($4::text IS NULL OR name ILIKE $4 OR definition->>'description' ILIKE $4
                OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(COALESCE(definition->'tags', '[]'::jsonb)) AS tag WHERE tag ILIKE $4))
         ORDER BY name LIMIT $2 OFFSET $3`,
        [filter.enabled ?? null, filter.limit ?? 1000, filter.offset ?? 0, filter.search ? `%${likeEscape(filter.search)}%` : null],
      );
      return rows.map(toJob);
    },

    async getFireTimes(jobIds) {
      if (!jobIds.length) return [];
      const { rows } = await db.query(`SELECT job_id, next_fire_at, last_fire_at FROM vecron_schedules WHERE job_id = ANY($1::uuid[])`, [jobIds]);
      return rows.map((r) => ({
        jobId: String(r.job_id),
        nextFireAt: r.next_fire_at ? new Date(r.next_fire_at as string) : null,
        lastFireAt: r.last_fire_at ? new Date(r.last_fire_at as string) : null,
      }));
    },

    async deleteJob(id) {
      const { rowCount } = await db.query(`DELETE FROM vecron_jobs WHERE id = $1`, [id]);
      return rowCount > 0;
    },

    async fireDueSchedules(args) {
      return wrap('fireDueSchedules', () => db.transaction((tx) => fireDue(tx, fireSpecs, args)));
    },

    async markScheduleFinished(jobId, finishedAt, nextFireAt) {
      await db.query(
        `UPDATE vecron_schedules SET last_finished_at = $2, next_fire_at = COALESCE(next_fire_at, $3) WHERE job_id = $1`,
        [jobId, iso(finishedAt), isoOrNull(nextFireAt)],
      );
    },

    async createExecution(e, now) {
      return wrap('createExecution', async () => {
        const { rows } = await db.query(
          `INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, trigger_metadata, scheduled_for, available_at, context, replay_of, created_at)
           VALUES ($1, $2, $3, 'pending', $4, $5::jsonb, $6, $7, $8::jsonb, $9, $10)
           ON CONFLICT (job_id, idempotency_key) DO NOTHING
           RETURNING ${EXECUTION_COLUMNS}`,
          [
            e.id, e.jobId, e.idempotencyKey, e.triggerSource, JSON.stringify(e.triggerMetadata ?? {}),
            isoOrNull(e.scheduledFor), iso(e.availableAt), JSON.stringify(e.context ?? { steps: {} }), e.replayOf ?? null, iso(now),
          ],
        );
        if (rows[0]) return { execution: toExecution(rows[0]), created: true };
        const existing = await db.query(
          `SELECT ${EXECUTION_COLUMNS} FROM vecron_executions WHERE job_id = $1 AND idempotency_key = $2`,
          [e.jobId, e.idempotencyKey],
        );
        if (!existing.rows[0]) throw new StorageError('execution vanished after an idempotency conflict');
        return { execution: toExecution(existing.rows[0]), created: false };
      });
    },

    getExecution,

    async listExecutions(filter = {}) {
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
    },

    async listLatestExecutionsPerJob(jobIds, perJob, filter = {}) {
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
    },

    async claimExecution(id, { owner, leaseMs, now, exclusive, fifo = false }): Promise<ClaimResult> {
      const claim = async (q: SqlClient): Promise<ClaimResult> => {
        const { rows } = await q.query(
          `UPDATE vecron_executions
           SET status = CASE WHEN status = 'cancelling' THEN 'cancelling' ELSE 'running' END,
               lease_owner = $2, lease_expires_at = $3, fencing_token = nextval('vecron_fencing_seq'),
               started_at = COALESCE(started_at, $4)
           WHERE id = $1
             AND ((status = 'pending' AND available_at <= $4) OR (status IN ${ACTIVE} AND lease_expires_at < $4))
           RETURNING ${EXECUTION_COLUMNS}`,
          [id, owner, iso(new Date(now.getTime() + leaseMs)), iso(now)],
        );
        if (rows[0]) return { claimed: true, execution: toExecution(rows[0]) };
        const current = await getExecutionTx(q, id);
        return { claimed: false, reason: unclaimedReason(current, now), execution: current };
      };
      // The conditional UPDATE alone is atomic: only an exclusive claim needs a transaction (job row lock).
      if (!exclusive) return wrap('claimExecution', () => claim(db));
      return wrap('claimExecution', () =>
        db.transaction(async (tx) => {
          const { rows: lock } = await tx.query(
            `SELECT j.id FROM vecron_jobs j JOIN vecron_executions e ON e.job_id = j.id WHERE e.id = $1 FOR UPDATE OF j`,
            [id],
          );
          if (lock[0]) {
            const { rows: busy } = await tx.query(
              `SELECT 1 FROM vecron_executions o WHERE o.job_id = $1 AND o.id <> $2
                 AND (o.status IN ${ACTIVE}
                      OR ($3 AND o.status = 'pending' AND (o.created_at, o.id) < (SELECT created_at, id FROM vecron_executions WHERE id = $2)))
               LIMIT 1`,
              [lock[0].id, id, fifo],
            );
            if (busy.length) return { claimed: false as const, reason: 'overlap' as const, execution: await getExecutionTx(tx, id) };
          }
          return claim(tx);
        }),
      );
    },

    async extendLease(id, token, { leaseMs, now }) {
      const { rows } = await db.query<{ status: ExecutionStatus }>(
        `UPDATE vecron_executions SET lease_expires_at = $3
         WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE} RETURNING status`,
        [id, token, iso(new Date(now.getTime() + leaseMs))],
      );
      return { ok: rows.length > 0, cancelRequested: rows[0]?.status === 'cancelling' };
    },

    async saveProgress(id, token, { context, currentStep }) {
      const { rowCount } = await db.query(
        `UPDATE vecron_executions SET context = $3::jsonb, current_step = $4
         WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE}`,
        [id, token, JSON.stringify(context), currentStep],
      );
      return rowCount > 0;
    },

    async startStepAttempt(id, token, stepId, now) {
      // One statement (one round trip): own the row, mark the current step, close an attempt a dead
      // worker left running, and open the next one numbered after every earlier attempt.
      const { rows } = await db.query<{ attempt: number | string; failures: number | string }>(
        `WITH own AS (
           UPDATE vecron_executions SET current_step = $3
           WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE}
           RETURNING id
         ), abandoned AS (
           UPDATE vecron_step_attempts SET status = 'abandoned', finished_at = $4
           WHERE execution_id = $1 AND step_id = $3 AND status = 'running' AND EXISTS (SELECT 1 FROM own)
         ), prev AS (
           SELECT COALESCE(MAX(attempt), 0) AS n, COUNT(*) FILTER (WHERE status = 'failed') AS failures
           FROM vecron_step_attempts WHERE execution_id = $1 AND step_id = $3
         ), opened AS (
           INSERT INTO vecron_step_attempts (execution_id, step_id, attempt, status, fencing_token, started_at)
           SELECT $1, $3, prev.n + 1, 'running', $2, $4 FROM prev, own
           RETURNING attempt
         )
         SELECT opened.attempt, prev.failures FROM opened, prev`,
        [id, token, stepId, iso(now)],
      );
      const r = rows[0];
      return r ? { attempt: Number(r.attempt), previousFailures: Number(r.failures) } : null;
    },

    async recordStepSuccess(id, token, { stepId, attempt, context, now }) {
      // One statement, so the finished step and the saved context commit together.
      const { rows } = await db.query(
        `WITH own AS (
           UPDATE vecron_executions SET context = $5::jsonb, current_step = $3
           WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE}
           RETURNING id
         ), closed AS (
           UPDATE vecron_step_attempts SET status = 'succeeded', finished_at = $6
           WHERE execution_id = $1 AND step_id = $3 AND attempt = $4 AND fencing_token = $2 AND status = 'running'
             AND EXISTS (SELECT 1 FROM own)
         )
         SELECT id FROM own`,
        [id, token, stepId, attempt, JSON.stringify(context), iso(now)],
      );
      return rows.length > 0;
    },

    async finishStepAttempt(id, token, { stepId, attempt, status, error, retryDelayMs, now }) {
      const { rowCount } = await db.query(
        `UPDATE vecron_step_attempts a SET status = $5, error = $6::jsonb, retry_delay_ms = $7, finished_at = $8
         WHERE a.execution_id = $1 AND a.step_id = $3 AND a.attempt = $4 AND a.fencing_token = $2 AND a.status = 'running'
           AND EXISTS (SELECT 1 FROM vecron_executions e WHERE e.id = $1 AND e.fencing_token = $2 AND e.status IN ${ACTIVE})`,
        [id, token, stepId, attempt, status, error ? JSON.stringify(error) : null, retryDelayMs, iso(now)],
      );
      return rowCount > 0;
    },

    async completeExecution(id, token, { status, error, context, now }) {
      const { rowCount } = await db.query(
        `UPDATE vecron_executions
         SET status = $3, error = $4::jsonb, context = $5::jsonb, finished_at = $6, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE}`,
        [id, token, status, error ? JSON.stringify(error) : null, JSON.stringify(context), iso(now)],
      );
      return rowCount > 0;
    },

    async requeueExecution(id, token, { availableAt, incrementAttempt, error, context, now }) {
      const { rowCount } = await db.query(
        `UPDATE vecron_executions
         SET status = CASE WHEN status = 'cancelling' THEN 'cancelled' ELSE 'pending' END,
             finished_at = CASE WHEN status = 'cancelling' THEN $7::timestamptz ELSE NULL END,
             available_at = $3, attempt = attempt + $4, error = $5::jsonb, context = $6::jsonb,
             lease_owner = NULL, lease_expires_at = NULL, published_at = NULL
         WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE}`,
        [id, token, iso(availableAt), incrementAttempt ? 1 : 0, error ? JSON.stringify(error) : null, JSON.stringify(context), iso(now)],
      );
      return rowCount > 0;
    },

    async requestCancel(id, now) {
      const { rows } = await db.query<{ status: ExecutionStatus }>(
        `UPDATE vecron_executions
         SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE 'cancelling' END,
             finished_at = CASE WHEN status = 'pending' THEN $2::timestamptz ELSE finished_at END,
             error = CASE WHEN status = 'pending' THEN '{"name":"CancelledError","code":"CANCELLED","message":"cancelled before it started","retryable":false}'::jsonb ELSE error END
         WHERE id = $1 AND status IN ('pending','running') RETURNING status`,
        [id, iso(now)],
      );
      if (rows[0]) return rows[0].status;
      const e = await getExecution(id);
      return e?.status ?? null;
    },

    async findExecutionsToDispatch({ now, republishAfterMs, limit }) {
      const { rows } = await db.query(
        // A running execution whose lease expired goes out once as soon as the lease is gone
        // (not republishAfterMs after its last publish): that is how a dead worker's work resumes
        // within one lease and one dispatch interval. If that publish is lost too, republishAfterMs applies.
        `SELECT id, job_id, available_at, fencing_token::text AS fencing_token,
                CASE WHEN status <> 'pending' THEN 'lease_expired'
                     WHEN published_at IS NOT NULL THEN 'republish'
                     WHEN fencing_token IS NULL THEN 'new'
                     ELSE 'requeued' END AS reason
         FROM vecron_executions
         WHERE (status = 'pending' AND (published_at IS NULL OR published_at < $2))
            OR (status IN ${ACTIVE} AND lease_expires_at < $1
                AND (published_at IS NULL OR published_at < lease_expires_at OR published_at < $2))
         ORDER BY available_at
         LIMIT $3`,
        [iso(now), iso(new Date(now.getTime() - republishAfterMs)), limit],
      );
      return rows.map((r) => ({
        id: String(r.id), jobId: String(r.job_id), availableAt: new Date(r.available_at as string),
        fencingToken: r.fencing_token === null || r.fencing_token === undefined ? null : Number(r.fencing_token),
        reason: r.reason as DispatchReason,
      }));
    },

    async markPublished(ids, now) {
      if (!ids.length) return;
      // Rows locked in id order, so this never deadlocks with a batch of another process.
      await db.query(
        `WITH ${lockInIdOrder(1)}
         UPDATE vecron_executions SET published_at = $2 WHERE id IN (SELECT l_id FROM locked)`,
        [ids, iso(now)],
      );
    },

    async markUnpublished(ids) {
      if (!ids.length) return;
      await db.query(
        `WITH ${lockInIdOrder(1)}
         UPDATE vecron_executions SET published_at = NULL WHERE id IN (SELECT l_id FROM locked) AND status = 'pending'`,
        [ids],
      );
    },

    async listStepAttempts(executionId) {
      const { rows } = await db.query(
        `SELECT execution_id, step_id, attempt, status, fencing_token::text AS fencing_token, started_at, finished_at, error, retry_delay_ms
         FROM vecron_step_attempts WHERE execution_id = $1 ORDER BY started_at, step_id, attempt`,
        [executionId],
      );
      return rows.map(toStepAttempt);
    },

    async listLedger(jobId, args = {}) {
      const { rows } = await db.query(
        `SELECT * FROM vecron_fire_ledger WHERE job_id = $1
           AND ($2::timestamptz IS NULL OR fire_at >= $2) AND ($3::timestamptz IS NULL OR fire_at < $3)
         ORDER BY fire_at LIMIT $4`,
        [jobId, isoOrNull(args.from), isoOrNull(args.to), args.limit ?? 10_000],
      );
      return rows.map(toLedgerEntry);
    },

    async recordLedger(entry) {
      await db.query(
        `INSERT INTO vecron_fire_ledger (job_id, fire_at, outcome, reason, execution_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [entry.jobId, iso(entry.fireAt), entry.outcome, entry.reason, entry.executionId, iso(entry.recordedAt)],
      );
    },

    async appendStepLogs(lines) {
      if (!lines.length) return;
      // Lines of a deleted execution are dropped (the join), never a foreign-key error for the batch.
      await wrap('appendStepLogs', () =>
        db.query(
          `INSERT INTO vecron_step_logs (execution_id, step_id, attempt, seq, at, level, message, fields)
           SELECT l.execution_id, l.step_id, l.attempt, l.seq, l.at, l.level, l.message, l.fields::jsonb
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
                WITH ORDINALITY AS l(execution_id, step_id, attempt, seq, at, level, message, fields, n)
           WHERE EXISTS (SELECT 1 FROM vecron_executions e WHERE e.id = l.execution_id)
           ORDER BY l.n
           ON CONFLICT (execution_id, step_id, attempt, seq) DO NOTHING`,
          [
            lines.map((l) => l.executionId), lines.map((l) => l.stepId), lines.map((l) => l.attempt), lines.map((l) => l.seq),
            lines.map((l) => iso(l.at)), lines.map((l) => l.level), lines.map((l) => l.message),
            lines.map((l) => (l.fields === null ? null : JSON.stringify(l.fields))),
          ],
        ),
      );
    },

    async listStepLogs(executionId, query = {}) {
      const { rows } = await db.query(
        // id as text (drivers differ on int8) under another name: ORDER BY id must sort the number.
        `SELECT id::text AS line_id, execution_id, step_id, attempt, seq, at, level, message, fields FROM vecron_step_logs
         WHERE execution_id = $1 AND ($2::text IS NULL OR step_id = $2) AND ($3::int IS NULL OR attempt = $3) AND id > $4
         ORDER BY id LIMIT $5`,
        [executionId, query.stepId ?? null, query.attempt ?? null, query.after ?? 0, query.limit ?? 500],
      );
      return rows.map(toStepLogLine);
    },

    async putCalendar(name, definition, now) {
      await db.query(
        `INSERT INTO vecron_calendars (name, definition, updated_at) VALUES ($1, $2::jsonb, $3)
         ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at`,
        [name, JSON.stringify(definition), iso(now)],
      );
    },

    async listCalendars() {
      const { rows } = await db.query(`SELECT name, definition, updated_at FROM vecron_calendars ORDER BY name`);
      return rows.map((r) => ({
        name: String(r.name),
        definition: typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition,
        updatedAt: new Date(r.updated_at as string),
      }));
    },

    async deleteCalendar(name) {
      const { rowCount } = await db.query(`DELETE FROM vecron_calendars WHERE name = $1`, [name]);
      return rowCount > 0;
    },

    async setVariable(v) {
      await db.query(
        `INSERT INTO vecron_variables (scope, name, value, sensitive, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, name) DO UPDATE SET value = EXCLUDED.value, sensitive = EXCLUDED.sensitive, updated_at = EXCLUDED.updated_at`,
        [v.scope, v.name, v.value, v.sensitive, iso(v.updatedAt)],
      );
    },

    async listVariables(scope) {
      const scopes = scope === undefined ? null : Array.isArray(scope) ? scope : [scope];
      const { rows } = await db.query(
        `SELECT * FROM vecron_variables WHERE ($1::text[] IS NULL OR scope = ANY($1::text[])) ORDER BY scope, name`,
        [scopes],
      );
      return rows.map(toStoredVariable);
    },

    async replaceVariableValue(scope, name, { from, to }) {
      const { rowCount } = await db.query(`UPDATE vecron_variables SET value = $3 WHERE scope = $1 AND name = $2 AND value = $4`, [scope, name, to, from]);
      return rowCount > 0;
    },

    async deleteVariable(scope, name) {
      const { rowCount } = await db.query(`DELETE FROM vecron_variables WHERE scope = $1 AND name = $2`, [scope, name]);
      return rowCount > 0;
    },

    async getSchedulerPause() {
      const { rows } = await db.query(`SELECT value FROM vecron_cluster_settings WHERE key = 'scheduler.pause'`);
      if (!rows[0]) return null;
      const v = (typeof rows[0].value === 'string' ? JSON.parse(rows[0].value) : rows[0].value) as { since: string; by: string | null; reason: string | null };
      return { since: new Date(v.since), by: v.by ?? null, reason: v.reason ?? null };
    },

    async setSchedulerPause(pause) {
      if (!pause) {
        await db.query(`DELETE FROM vecron_cluster_settings WHERE key = 'scheduler.pause'`);
        return;
      }
      await db.query(
        `INSERT INTO vecron_cluster_settings (key, value, updated_at, updated_by) VALUES ('scheduler.pause', $1::jsonb, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
        [JSON.stringify({ since: pause.since.toISOString(), by: pause.by, reason: pause.reason }), iso(pause.since), pause.by],
      );
    },

    async attachSchema(schema) {
      if (schema?.owner === CORE_OWNER) throw new ConfigError('attachSchema', [{ path: '$.owner', message: `"${CORE_OWNER}" is the core's own schema; attach your tables under an owner of your own` }]);
      await migrate(db, schema);
      return db;
    },

    async listMigrations() {
      return listMigrations(db);
    },

    async close() {
      closed ??= (options.onClose ?? (async () => {}))();
      return closed;
    },
  };
  if (options.groupCommit === false) return registerSqlClient(storage, db);
  return registerSqlClient(withGroupCommit(storage, db, options.groupCommit === true || options.groupCommit === undefined ? {} : options.groupCommit), db);
}

/** The storage with its hot operations group-committed (see {@link SqlStorageOptions.groupCommit}). */
function withGroupCommit(single: Storage, db: SqlClient, limits: { maxBatch?: number; maxInFlight?: number }): Storage {
  let seq = 0;
  const unique = (): string => String(seq++);
  const getExecution = groupCommit<string, Execution | null>({
    ...limits, key: (id) => id, single: (id) => single.getExecution(id), many: (ids) => batched.getExecutions(db, ids),
  });
  const claim = groupCommit<batched.ClaimInput, ClaimResult>({
    ...limits, key: (i) => i.id,
    single: (i) => single.claimExecution(i.id, { owner: i.owner, leaseMs: i.leaseMs, now: i.now, exclusive: false }),
    many: (items) => batched.claimExecutions(db, items),
  });
  const extendLease = groupCommit<batched.LeaseInput, { ok: boolean; cancelRequested: boolean }>({
    ...limits, key: (i) => i.id, single: (i) => single.extendLease(i.id, i.token, i), many: (items) => batched.extendLeases(db, items),
  });
  const startStep = groupCommit<batched.StepStartInput, { attempt: number; previousFailures: number } | null>({
    ...limits, key: (i) => i.id, single: (i) => single.startStepAttempt(i.id, i.token, i.stepId, i.now), many: (items) => batched.startStepAttempts(db, items),
  });
  const stepSuccess = groupCommit<batched.StepSuccessInput, boolean>({
    ...limits, key: (i) => i.id, single: (i) => single.recordStepSuccess(i.id, i.token, i), many: (items) => batched.recordStepSuccesses(db, items),
  });
  const complete = groupCommit<batched.CompletionInput, boolean>({
    ...limits, key: (i) => i.id, single: (i) => single.completeExecution(i.id, i.token, i), many: (items) => batched.completeExecutions(db, items),
  });
  const create = groupCommit<batched.CreateInput, { execution: Execution; created: boolean }>({
    ...limits, key: (i) => `${i.execution.jobId}\u0000${i.execution.idempotencyKey}`,
    single: (i) => single.createExecution(i.execution, i.now), many: (items) => batched.createExecutions(db, items),
  });
  const markPublished = groupCommit<{ ids: string[]; now: Date }, void>({
    ...limits, key: unique, single: (i) => single.markPublished(i.ids, i.now), many: (items) => batched.markPublishedMany(db, items),
  });
  const listVariables = groupCommit<string[], StoredVariable[]>({
    ...limits, key: unique, single: (scopes) => single.listVariables(scopes), many: (lists) => batched.listVariablesMany(db, lists),
  });
  return {
    ...single,
    getExecution,
    claimExecution: (id, args) =>
      args.exclusive ? single.claimExecution(id, args) : claim({ id, owner: args.owner, leaseMs: args.leaseMs, now: args.now }),
    extendLease: (id, token, args) => extendLease({ id, token, ...args }),
    startStepAttempt: (id, token, stepId, now) => startStep({ id, token, stepId, now }),
    recordStepSuccess: (id, token, args) => stepSuccess({ id, token, ...args }),
    completeExecution: (id, token, args) => complete({ id, token, ...args }),
    createExecution: (execution, now) => create({ execution, now }),
    markPublished: async (ids, now) => {
      if (ids.length) await markPublished({ ids, now });
    },
    // Only the scope-list form is hot (the worker's variable resolution); listing all stays direct.
    listVariables: (scope) => (Array.isArray(scope) && scope.length ? listVariables(scope) : single.listVariables(scope)),
  };
}

async function getExecutionTx(tx: SqlClient, id: string): Promise<Execution | null> {
  const { rows } = await tx.query(`SELECT ${EXECUTION_COLUMNS} FROM vecron_executions WHERE id = $1`, [id]);
  return rows[0] ? toExecution(rows[0]) : null;
}

export type { Job };
