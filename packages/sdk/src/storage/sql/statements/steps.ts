/**
 * Step attempts and the context saved with them: open an attempt, record a success (with the
 * context, in the same statement), finish a failed one, save progress. Every write is conditional
 * on the execution's live fencing token.
 */
import type { ExecutionContext, StepAttempt } from '../../../model/execution.js';
import type { Storage } from '../../port.js';
import { perItem, type Batching } from '../group-commit.js';
import { toStepAttempt } from '../row-mappers.js';
import type { SqlClient } from '../sql-client.js';
import { ACTIVE, iso, lockInIdOrder } from '../sql-values.js';
import { ownLive, writeStepSuccesses, type StepSuccessInput } from './step-success.js';

export interface StepStartInput {
  id: string;
  token: number;
  stepId: string;
  now: Date;
}

/**
 * One statement (one round trip) per batch: own the row, mark the current step, close an attempt
 * a dead worker left running, and open the next one numbered after every earlier attempt. Per
 * input: the new attempt and the failures before it, or null when the token is not live.
 */
export async function startStepAttempts(db: SqlClient, items: StepStartInput[]): Promise<Array<{ attempt: number; previousFailures: number } | null>> {
  const { rows } = await db.query<{ id: string; attempt: number | string; failures: number | string }>(
    `WITH ${lockInIdOrder(1)}, input AS (
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[]) AS u(x_id, x_token, x_step, x_now)
     ), ${ownLive('current_step = i.x_step', 1)}, abandoned AS (
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

/** One statement, so each finished step and its saved context commit together; per input, whether the token was live. */
export function recordStepSuccesses(db: SqlClient, items: StepSuccessInput[]): Promise<boolean[]> {
  return writeStepSuccesses(db, items, 'context = i.x_context::jsonb, current_step = i.x_step');
}

type FinishStep = Parameters<Storage['finishStepAttempt']>[2];

export async function finishStepAttempt(db: SqlClient, id: string, token: number, { stepId, attempt, status, error, retryDelayMs, now }: FinishStep): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vecron_step_attempts a SET status = $5, error = $6::jsonb, retry_delay_ms = $7, finished_at = $8
     WHERE a.execution_id = $1 AND a.step_id = $3 AND a.attempt = $4 AND a.fencing_token = $2 AND a.status = 'running'
       AND EXISTS (SELECT 1 FROM vecron_executions e WHERE e.id = $1 AND e.fencing_token = $2 AND e.status IN ${ACTIVE})`,
    [id, token, stepId, attempt, status, error ? JSON.stringify(error) : null, retryDelayMs, iso(now)],
  );
  return rowCount > 0;
}

export async function saveProgress(db: SqlClient, id: string, token: number, { context, currentStep }: { context: ExecutionContext; currentStep: string | null }): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vecron_executions SET context = $3::jsonb, current_step = $4
     WHERE id = $1 AND fencing_token = $2 AND status IN ${ACTIVE}`,
    [id, token, JSON.stringify(context), currentStep],
  );
  return rowCount > 0;
}

export async function listStepAttempts(db: SqlClient, executionId: string): Promise<StepAttempt[]> {
  const { rows } = await db.query(
    `SELECT execution_id, step_id, attempt, status, fencing_token::text AS fencing_token, started_at, finished_at, error, retry_delay_ms
     FROM vecron_step_attempts WHERE execution_id = $1 ORDER BY started_at, step_id, attempt`,
    [executionId],
  );
  return rows.map(toStepAttempt);
}

type StepOperations = Pick<Storage, 'startStepAttempt' | 'recordStepSuccess' | 'finishStepAttempt' | 'saveProgress' | 'listStepAttempts'>;

export function stepOperations(db: SqlClient, batching: Batching): StepOperations {
  const start = perItem(batching, (items: StepStartInput[]) => startStepAttempts(db, items), (i) => i.id);
  const success = perItem(batching, (items: StepSuccessInput[]) => recordStepSuccesses(db, items), (i) => i.id);
  return {
    startStepAttempt: (id, token, stepId, now) => start({ id, token, stepId, now }),
    recordStepSuccess: (id, token, { stepId, attempt, context, now }) => success({ id, token, stepId, attempt, context, now }),
    finishStepAttempt: (id, token, args) => finishStepAttempt(db, id, token, args),
    saveProgress: (id, token, args) => saveProgress(db, id, token, args),
    listStepAttempts: (executionId) => listStepAttempts(db, executionId),
  };
}
