/** The end of a hold on an execution: complete it, or requeue it (a retry, or a cancel confirmed). */
import type { ErrorRecord, ExecutionContext, ExecutionStatus } from '../../../model/execution.js';
import type { Storage } from '../../port.js';
import { perItem, type Batching } from '../group-commit.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { ACTIVE, iso, lockInIdOrder } from '../sql-values.js';

export interface CompletionInput {
  id: string;
  token: number;
  status: ExecutionStatus;
  error: ErrorRecord | null;
  context: ExecutionContext;
  now: Date;
}

/** Writes each final status, releasing the lease; per input, whether the token was live. */
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
    PREPARED,
  );
  const ok = new Set(rows.map((r) => String(r.id)));
  return items.map((i) => ok.has(i.id));
}

type Requeue = Parameters<Storage['requeueExecution']>[2];

/** Back to pending at `availableAt` (or, when a cancel was requested, cancelled), releasing the lease. */
export async function requeueExecution(db: SqlClient, id: string, token: number, { availableAt, incrementAttempt, error, context, now }: Requeue): Promise<boolean> {
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
}

export function completionOperations(db: SqlClient, batching: Batching): Pick<Storage, 'completeExecution' | 'requeueExecution'> {
  const complete = perItem(batching, (items: CompletionInput[]) => completeExecutions(db, items), (i) => i.id);
  return {
    completeExecution: (id, token, { status, error, context, now }) => complete({ id, token, status, error, context, now }),
    requeueExecution: (id, token, args) => requeueExecution(db, id, token, args),
  };
}
