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
import { ACTIVE, iso, lockInputInIdOrder } from '../sql-values.js';
import { HELD_LOCKED, holdsRunning, openHeld, priorAttempts, replaceHeld } from './held-attempt.js';
import { ownLive, stepSuccessWrite, type StepSuccessInput } from './step-success.js';

export interface StepStartInput {
  id: string;
  token: number;
  stepId: string;
  now: Date;
}

/**
 * One statement (one round trip) per batch: own the row, mark the current step, and open the
 * next attempt, numbered after every earlier attempt, in the row; the attempt the row held moves
 * into the table (abandoned if a dead worker left it running). Per input: the new attempt and
 * the failures before it, or null when the token is not live.
 */
export async function startStepAttempts(db: SqlClient, items: StepStartInput[]): Promise<Array<{ attempt: number; previousFailures: number } | null>> {
  const { rows } = await db.query<{ id: string; attempt: number | string; failures: number | string }>(
    `WITH ${lockInputInIdOrder('unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[]) AS u(x_id, x_token, x_step, x_now)', HELD_LOCKED)},
     ${priorAttempts('prev', 'SELECT * FROM locked')},
     ${ownLive(`current_step = i.x_step, ${openHeld({ step: 'i.x_step', n: 'i.n', token: 'i.x_token', now: 'i.x_now' })}`, 'prev')},
     ${replaceHeld('prev', 'r.x_id IN (SELECT id FROM own)')}
     SELECT p.x_id AS id, p.n + 1 AS attempt, p.failures FROM prev p WHERE p.x_id IN (SELECT id FROM own)`,
    [items.map((i) => i.id), items.map((i) => i.token), items.map((i) => i.stepId), items.map((i) => iso(i.now))],
  );
  const byId = new Map(rows.map((r) => [String(r.id), { attempt: Number(r.attempt), previousFailures: Number(r.failures) }]));
  return items.map((i) => byId.get(i.id) ?? null);
}

/** One statement, so each finished step and its saved context commit together; per input, whether the token was live. */
export const recordStepSuccesses: (db: SqlClient, items: StepSuccessInput[]) => Promise<boolean[]> = stepSuccessWrite('context = i.x_context::jsonb, current_step = i.x_step');

type FinishStep = Parameters<Storage['finishStepAttempt']>[2];

/** Closes the attempt the row holds or, opened before it was, a table row: whichever it is, under the live token. */
export async function finishStepAttempt(db: SqlClient, id: string, token: number, { stepId, attempt, status, error, retryDelayMs, now }: FinishStep): Promise<boolean> {
  const { rows } = await db.query<{ n: number | string }>(
    `WITH held AS (
       UPDATE vecron_executions e SET latest_attempt_status = $5, latest_attempt_error = $6::jsonb, latest_attempt_retry_delay_ms = $7, latest_attempt_finished_at = $8
       WHERE e.id = $1 AND e.fencing_token = $2 AND e.status IN ${ACTIVE} AND ${holdsRunning('$3', '$4', '$2')}
       RETURNING 1
     ), tabled AS (
       UPDATE vecron_step_attempts a SET status = $5, error = $6::jsonb, retry_delay_ms = $7, finished_at = $8
       WHERE a.execution_id = $1 AND a.step_id = $3 AND a.attempt = $4 AND a.fencing_token = $2 AND a.status = 'running'
         AND EXISTS (SELECT 1 FROM vecron_executions e WHERE e.id = $1 AND e.fencing_token = $2 AND e.status IN ${ACTIVE})
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM held) + (SELECT count(*) FROM tabled) AS n`,
    [id, token, stepId, attempt, status, error ? JSON.stringify(error) : null, retryDelayMs, iso(now)],
  );
  return Number(rows[0]?.n ?? 0) > 0;
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
     FROM vecron_step_attempts_all WHERE execution_id = $1 ORDER BY started_at, step_id, attempt`,
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
