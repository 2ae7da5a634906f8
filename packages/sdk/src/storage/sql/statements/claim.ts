/**
 * Claims: the one conditional UPDATE that takes an execution (a new lease, a new fencing token),
 * for any number of executions. The exclusive claim runs the same statement inside its
 * transaction, after the job row lock and the overlap check.
 */
import type { Execution } from '../../../model/execution.js';
import type { ClaimResult, Storage } from '../../port.js';
import { perItem, type Batching } from '../group-commit.js';
import { EXECUTION_COLUMNS, toExecution } from '../row-mappers.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { ACTIVE, claimable, iso, lockInIdOrder, unclaimedReason } from '../sql-values.js';
import { executionsById, getExecutions } from './executions.js';
import { wrap } from './wrap.js';

export interface ClaimInput {
  id: string;
  owner: string;
  leaseMs: number;
  now: Date;
}

/** Claims each execution that is pending and available, or whose lease expired; one result per input, in order. */
export async function claimExecutions(db: SqlClient, items: ClaimInput[]): Promise<ClaimResult[]> {
  const { rows } = await db.query(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions
     SET status = CASE WHEN status = 'cancelling' THEN 'cancelling' ELSE 'running' END,
         lease_owner = u.x_owner, lease_expires_at = u.x_until, fencing_token = nextval('vecron_fencing_seq'),
         started_at = COALESCE(started_at, u.x_now)
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS u(x_id, x_owner, x_until, x_now)
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked)
       AND ${claimable('vecron_executions', 'u.x_now')}
     RETURNING ${EXECUTION_COLUMNS}`,
    [items.map((i) => i.id), items.map((i) => i.owner), items.map((i) => iso(new Date(i.now.getTime() + i.leaseMs))), items.map((i) => iso(i.now))],
    PREPARED,
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

/**
 * An exclusive claim: one transaction that locks the job row, refuses while another execution of
 * the job is open (or, `fifo`, an older one waits), then runs the claim statement (`claim`:
 * {@link claimExecutions}, or the claim with the first step's start) for this one; `overlap`
 * makes the refusal's result.
 */
export async function claimExclusive<I extends ClaimInput, R extends ClaimResult>(
  db: SqlClient, item: I, fifo: boolean, claim: (tx: SqlClient, items: I[]) => Promise<R[]>, overlap: (execution: Execution | null) => R,
): Promise<R> {
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query(
      `SELECT j.id FROM vecron_jobs j JOIN vecron_executions e ON e.job_id = j.id WHERE e.id = $1 FOR UPDATE OF j`,
      [item.id],
    );
    if (lock[0]) {
      const { rows: busy } = await tx.query(
        `SELECT 1 FROM vecron_executions o WHERE o.job_id = $1 AND o.id <> $2
           AND (o.status IN ${ACTIVE}
                OR ($3 AND o.status = 'pending' AND (o.created_at, o.id) < (SELECT created_at, id FROM vecron_executions WHERE id = $2)))
         LIMIT 1`,
        [lock[0].id, item.id, fifo],
      );
      if (busy.length) {
        const [execution] = await getExecutions(tx, [item.id]);
        return overlap(execution ?? null);
      }
    }
    const [result] = await claim(tx, [item]);
    return result!;
  });
}

export function claimOperations(db: SqlClient, batching: Batching): Pick<Storage, 'claimExecution'> {
  const claim = perItem(batching, (items: ClaimInput[]) => claimExecutions(db, items), (i) => i.id);
  return {
    claimExecution: (id, { owner, leaseMs, now, exclusive, fifo = false }) =>
      wrap('claimExecution', () => (exclusive
        ? claimExclusive(db, { id, owner, leaseMs, now }, fifo, claimExecutions, (execution): ClaimResult => ({ claimed: false, reason: 'overlap', execution }))
        : claim({ id, owner, leaseMs, now }))),
  };
}
