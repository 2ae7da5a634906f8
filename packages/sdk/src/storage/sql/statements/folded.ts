/**
 * The two writes a run saves by folding (issue 15, docs/architecture.md steps 5–7): the claim with
 * the first step's start, and the last step's success with the completion. A no-op single-step
 * execution then takes three writes: create, claim+start, finish. Each is one statement for any
 * number of executions (group-committed), with exactly the conditions of the writes it folds.
 */
import type { Execution } from '../../../model/execution.js';
import type { ClaimAndStartResult, Storage } from '../../port.js';
import { perItem, type Batching } from '../group-commit.js';
import { EXECUTION_COLUMNS, toExecution } from '../row-mappers.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { claimable, inputStatement, iso, lockInputInIdOrder, unclaimedReason, type InputColumn } from '../sql-values.js';
import { claimExclusive } from './claim.js';
import { executionsById } from './executions.js';
import { HELD_LOCKED, openHeld, priorAttempts, replaceHeld } from './held-attempt.js';
import { stepSuccessWrite, type StepSuccessInput } from './step-success.js';
import { wrap } from './wrap.js';

export interface ClaimStartInput {
  id: string;
  owner: string;
  leaseMs: number;
  now: Date;
  jobId: string;
  stepId: string;
}

/** The input of `claimAndStartSteps`, one row per item (`inputStatement`). */
const CLAIM_START_INPUT: ReadonlyArray<InputColumn<ClaimStartInput>> = [
  { name: 'x_id', type: 'uuid', value: (i) => i.id },
  { name: 'x_owner', type: 'text', value: (i) => i.owner },
  { name: 'x_until', type: 'timestamptz', value: (i) => iso(new Date(i.now.getTime() + i.leaseMs)) },
  { name: 'x_now', type: 'timestamptz', value: (i) => iso(i.now) },
  { name: 'x_job', type: 'uuid', value: (i) => i.jobId },
  { name: 'x_step', type: 'text', value: (i) => i.stepId },
];

/** A step the stored context has finished is never opened again (the worker skips it). */
const STEP_OPEN = (e: string, i: string): string =>
  `${e}.job_id = ${i}.x_job AND COALESCE(${e}.context->'steps'->${i}.x_step->>'status', '') NOT IN ('succeeded','skipped','failed')`;

const CLAIM_START = inputStatement(CLAIM_START_INPUT, (from) => {
  const open = `e.status <> 'cancelling' AND ${STEP_OPEN('e', 'i')}`;
  return `WITH ${lockInputInIdOrder(from, `${HELD_LOCKED}, nextval('vecron_fencing_seq') AS l_token`)},
     ${priorAttempts('prev', 'SELECT * FROM locked')}, claimed AS (
       UPDATE vecron_executions e
       SET status = CASE WHEN e.status = 'cancelling' THEN 'cancelling' ELSE 'running' END,
           lease_owner = i.x_owner, lease_expires_at = i.x_until, fencing_token = i.l_token,
           started_at = COALESCE(e.started_at, i.x_now),
           current_step = CASE WHEN ${open} THEN i.x_step ELSE e.current_step END,
           ${openHeld({ step: 'i.x_step', n: 'i.n', token: 'i.l_token', now: 'i.x_now' }, open)}
       FROM prev i
       WHERE e.id = i.x_id AND ${claimable('e', 'i.x_now')}
       RETURNING ${EXECUTION_COLUMNS}, i.*, (e.status = 'running' AND ${STEP_OPEN('e', 'i')}) AS x_open
     ), ${replaceHeld('claimed', 'r.x_open')}
     SELECT c.*, CASE WHEN c.x_open THEN c.n + 1 END AS x_attempt, c.failures AS x_failures FROM claimed c`;
});

/**
 * The claim of `claimExecutions` and, for each claimed row of the named job that is now `running`
 * and has not finished the step, `startStepAttempts` of that step: the current step, the next
 * attempt opened in the row under the new token, the attempt the row held moved into the table
 * (abandoned if a dead worker left it running). The new token is drawn before the update so the
 * attempt can carry it (a row that is not claimed leaves its number unused).
 */
export async function claimAndStartSteps(db: SqlClient, items: ClaimStartInput[]): Promise<ClaimAndStartResult[]> {
  const { text, params } = CLAIM_START(items);
  const { rows } = await db.query(text, params, PREPARED);
  const claimed = new Map(rows.map((r) => [String(r.id), {
    execution: toExecution(r),
    step: r.x_attempt === null || r.x_attempt === undefined ? null : { attempt: Number(r.x_attempt), previousFailures: Number(r.x_failures) },
  }]));
  const missed = items.filter((i) => !claimed.has(i.id)).map((i) => i.id);
  const current = missed.length ? await executionsById(db, missed) : new Map<string, Execution>();
  return items.map((i): ClaimAndStartResult => {
    const won = claimed.get(i.id);
    if (won) return { claimed: true, execution: won.execution, step: won.step };
    const e = current.get(i.id) ?? null;
    return { claimed: false, reason: unclaimedReason(e, i.now), execution: e, step: null };
  });
}

/** The same input as a step success: the folded completion writes it and finishes the execution. */
export type StepCompletionInput = StepSuccessInput;

/**
 * `recordStepSuccesses` and `completeExecutions` with status `success` in one statement: the
 * attempt closed as succeeded, the context saved, the execution finished and its lease released,
 * all under the live token; per input, whether it was live.
 */
export const completeWithStepSuccesses: (db: SqlClient, items: StepCompletionInput[]) => Promise<boolean[]> = stepSuccessWrite(
  `status = 'success', error = NULL, context = i.x_context::jsonb, current_step = i.x_step, finished_at = i.x_now,
           lease_owner = NULL, lease_expires_at = NULL`,
);

export function foldedOperations(db: SqlClient, batching: Batching): Pick<Storage, 'claimAndStartStep' | 'completeWithStepSuccess'> {
  const claimStart = perItem(batching, (items: ClaimStartInput[]) => claimAndStartSteps(db, items), (i) => i.id);
  const complete = perItem(batching, (items: StepCompletionInput[]) => completeWithStepSuccesses(db, items), (i) => i.id);
  return {
    claimAndStartStep: (id, { owner, leaseMs, now, exclusive, fifo = false, jobId, stepId }) => {
      const item = { id, owner, leaseMs, now, jobId, stepId };
      return wrap('claimAndStartStep', () => (exclusive
        ? claimExclusive(db, item, fifo, claimAndStartSteps, (execution): ClaimAndStartResult => ({ claimed: false, reason: 'overlap', execution, step: null }))
        : claimStart(item)));
    },
    completeWithStepSuccess: (id, token, { stepId, attempt, context, now }) => complete({ id, token, stepId, attempt, context, now }),
  };
}
