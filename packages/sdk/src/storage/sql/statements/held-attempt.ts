/**
 * The latest step attempt of an execution is held in its row (`latest_attempt_*` columns,
 * migration 0011) and moves into `vecron_step_attempts` only when another attempt replaces it:
 * the next step's start, a retry of the step, a reclaim that abandons it. The SQL pieces that
 * open, close and move it, shared by `startStepAttempts` (steps.ts), `claimAndStartSteps`
 * (folded.ts) and `stepSuccessWrite` (step-success.ts), so each exists once. An attempt is in
 * exactly one place: the row holds the newest, the table the ones it replaced.
 */

/** A `vecron_step_attempts` column and the execution column holding it for the latest attempt. */
const HELD: ReadonlyArray<readonly [string, string]> = [
  ['step_id', 'latest_attempt_step_id'],
  ['attempt', 'latest_attempt_no'],
  ['status', 'latest_attempt_status'],
  ['fencing_token', 'latest_attempt_token'],
  ['started_at', 'latest_attempt_started_at'],
  ['finished_at', 'latest_attempt_finished_at'],
  ['error', 'latest_attempt_error'],
  ['retry_delay_ms', 'latest_attempt_retry_delay_ms'],
];

/**
 * Select list for `lockInputInIdOrder`: the held attempt as the row is once locked, each column named
 * `l_` and its `vecron_step_attempts` name (`l_step_id`, `l_attempt`, `l_status`, …).
 */
export const HELD_LOCKED = HELD.map(([name, column]) => `${column} AS l_${name}`).join(', ');

/**
 * A CTE named `name` over the rows of `from` (a query with columns `x_id`, `x_step` and the
 * `HELD_LOCKED` ones): each row, with `n`, the highest attempt number of the step so far, and
 * `failures`, how many of its attempts failed, counting the table's rows and the held one.
 */
export const priorAttempts = (name: string, from: string): string => `${name} AS (
       SELECT s.*, GREATEST(t.n, CASE WHEN s.l_step_id = s.x_step THEN s.l_attempt ELSE 0 END) AS n,
              t.failures + CASE WHEN s.l_step_id = s.x_step AND s.l_status = 'failed' THEN 1 ELSE 0 END AS failures
       FROM (${from}) s CROSS JOIN LATERAL (
         SELECT COALESCE(MAX(a.attempt), 0) AS n, COUNT(*) FILTER (WHERE a.status = 'failed') AS failures
         FROM vecron_step_attempts a WHERE a.execution_id = s.x_id AND a.step_id = s.x_step
       ) t
     )`;

/**
 * SET list opening attempt `n + 1` of step `step` under `token` at `now` in the row (SQL
 * expressions); with `when`, only where it holds (otherwise the held attempt stays).
 */
export function openHeld({ step, n, token, now }: { step: string; n: string; token: string; now: string }, when?: string): string {
  const values: Record<string, string> = {
    step_id: step, attempt: `${n} + 1`, status: `'running'`, fencing_token: token, started_at: now,
    finished_at: 'NULL', error: 'NULL', retry_delay_ms: 'NULL',
  };
  return HELD.map(([name, column]) => `${column} = ${when ? `CASE WHEN ${when} THEN ${values[name]} ELSE e.${column} END` : values[name]}`).join(', ');
}

/**
 * Two CTEs for the rows `r` of `src` (columns `x_id`, `x_step`, `x_now` and the `HELD_LOCKED`
 * ones) that satisfy `where`, each opening a new attempt of `x_step`: `replaced` moves the
 * attempt the row held into `vecron_step_attempts` (as `abandoned` at `x_now` if it was a
 * running attempt of the same step: a dead worker's), and `abandoned` marks so a running attempt
 * of the step already in the table (one an earlier schema version wrote there).
 *
 * The move gives way to a table row with the same number: during a rolling upgrade a process of
 * the previous version, which knows only the table, can reclaim the execution and number its
 * attempt from the table alone. Its row is kept and the one the row held is dropped, so the
 * claim goes on (a failed batch statement would stop every claim it carries) at the cost of one
 * attempt's history in that window.
 */
export const replaceHeld = (src: string, where: string): string => {
  const abandon = `r.l_status = 'running' AND r.l_step_id = r.x_step`;
  return `replaced AS (
       INSERT INTO vecron_step_attempts (${HELD.map(([name]) => name).join(', ')}, execution_id)
       SELECT ${HELD.map(([name]) => (name === 'status' ? `CASE WHEN ${abandon} THEN 'abandoned' ELSE r.l_status END`
         : name === 'finished_at' ? `CASE WHEN ${abandon} THEN r.x_now ELSE r.l_finished_at END` : `r.l_${name}`)).join(', ')}, r.x_id
       FROM ${src} r WHERE r.l_step_id IS NOT NULL AND ${where}
       ON CONFLICT (execution_id, step_id, attempt) DO NOTHING
     ), abandoned AS (
       UPDATE vecron_step_attempts a SET status = 'abandoned', finished_at = r.x_now
       FROM ${src} r
       WHERE ${where} AND a.execution_id = r.x_id AND a.step_id = r.x_step AND a.status = 'running'
     )`;
};

/** Whether the row `e` holds attempt `attempt` of step `step`, opened under `token` and still running (SQL expressions). */
export const holdsRunning = (step: string, attempt: string, token: string): string =>
  `e.latest_attempt_step_id = ${step} AND e.latest_attempt_no = ${attempt} AND e.latest_attempt_token = ${token} AND e.latest_attempt_status = 'running'`;

/** SET list closing the held attempt as succeeded at `now` when it is the one `holdsRunning` names (else unchanged). */
export const heldSucceeded = (holds: string, now: string): string =>
  `latest_attempt_status = CASE WHEN ${holds} THEN 'succeeded' ELSE e.latest_attempt_status END,
           latest_attempt_finished_at = CASE WHEN ${holds} THEN ${now} ELSE e.latest_attempt_finished_at END`;
