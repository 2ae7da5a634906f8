/**
 * The SQL a step success shares between `recordStepSuccesses` (steps.ts) and
 * `completeWithStepSuccesses` (folded.ts), and the `own` CTE `startStepAttempts` uses too, so each
 * piece exists once. The two successes differ only in what they set on the execution.
 */
import type { ExecutionContext } from '../../../model/execution.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { ACTIVE, inputStatement, iso, lockInputInIdOrder, type InputColumn } from '../sql-values.js';
import { heldSucceeded, holdsRunning } from './held-attempt.js';

export interface StepSuccessInput {
  id: string;
  token: number;
  stepId: string;
  attempt: number;
  context: ExecutionContext;
  now: Date;
}

/** The input of `stepSuccessWrite`'s statements, one row per item (`inputStatement`). */
const STEP_SUCCESS_INPUT: ReadonlyArray<InputColumn<StepSuccessInput>> = [
  { name: 'x_id', type: 'uuid', value: (i) => i.id },
  { name: 'x_token', type: 'bigint', value: (i) => i.token },
  { name: 'x_step', type: 'text', value: (i) => i.stepId },
  { name: 'x_attempt', type: 'int', value: (i) => i.attempt },
  { name: 'x_context', type: 'text', value: (i) => JSON.stringify(i.context) },
  { name: 'x_now', type: 'timestamptz', value: (i) => iso(i.now) },
];

/**
 * A CTE named `own`: applies `set` to each execution of `source` (as `i`; columns `x_id`,
 * `x_token`; the CTE `lockInputInIdOrder` names `locked`, or a query over it, which took the row
 * locks) whose fencing token is live; returns `e.id` per row owned.
 */
export const ownLive = (set: string, source = 'locked'): string => `own AS (
       UPDATE vecron_executions e SET ${set}
       FROM ${source} i
       WHERE e.id = i.x_id AND e.fencing_token = i.x_token AND e.status IN ${ACTIVE}
       RETURNING e.id
     )`;

/**
 * One statement per batch: each execution owned under its live token and updated with `set`
 * (a constant expression over `e` and `input i`: `x_step`, `x_attempt`, `x_context`, `x_now`; the
 * statement is prepared, one per distinct `set`), and its
 * attempt closed as succeeded, so both commit together; per input, whether the token was live.
 * The attempt is the one the row holds (held-attempt.ts), or, opened before it was, a table row.
 * Made once per `set` (its text is built once per shape, `inputStatement`).
 */
export function stepSuccessWrite(set: string): (db: SqlClient, items: StepSuccessInput[]) => Promise<boolean[]> {
  const statement = inputStatement(STEP_SUCCESS_INPUT, (from) => `WITH ${lockInputInIdOrder(from)},
     ${ownLive(`${set}, ${heldSucceeded(holdsRunning('i.x_step', 'i.x_attempt', 'i.x_token'), 'i.x_now')}`)}, closed AS (
       UPDATE vecron_step_attempts a SET status = 'succeeded', finished_at = i.x_now
       FROM locked i
       WHERE a.execution_id = i.x_id AND a.step_id = i.x_step AND a.attempt = i.x_attempt AND a.fencing_token = i.x_token
         AND a.status = 'running' AND i.x_id IN (SELECT id FROM own)
     )
     SELECT id FROM own`);
  return async (db, items) => {
    const { text, params } = statement(items);
    const { rows } = await db.query<{ id: string }>(text, params, PREPARED);
    const ok = new Set(rows.map((r) => String(r.id)));
    return items.map((i) => ok.has(i.id));
  };
}
