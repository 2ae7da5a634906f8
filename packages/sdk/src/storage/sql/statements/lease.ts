/** Lease extension (the worker's heartbeat): only with the live fencing token. */
import type { ExecutionStatus } from '../../../model/execution.js';
import type { Storage } from '../../port.js';
import { perItem, type Batching } from '../group-commit.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { ACTIVE, iso, lockInIdOrder } from '../sql-values.js';

export interface LeaseInput {
  id: string;
  token: number;
  leaseMs: number;
  now: Date;
}

/** Per input: whether the lease was extended, and whether a cancel was requested meanwhile. */
export async function extendLeases(db: SqlClient, items: LeaseInput[]): Promise<Array<{ ok: boolean; cancelRequested: boolean }>> {
  const { rows } = await db.query<{ id: string; status: ExecutionStatus }>(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions SET lease_expires_at = u.x_until
     FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(x_id, x_token, x_until)
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked) AND fencing_token = u.x_token AND status IN ${ACTIVE}
     RETURNING id, status`,
    [items.map((i) => i.id), items.map((i) => i.token), items.map((i) => iso(new Date(i.now.getTime() + i.leaseMs)))],
    PREPARED,
  );
  const status = new Map(rows.map((r) => [String(r.id), r.status]));
  return items.map((i) => ({ ok: status.has(i.id), cancelRequested: status.get(i.id) === 'cancelling' }));
}

export function leaseOperations(db: SqlClient, batching: Batching): Pick<Storage, 'extendLease'> {
  const extend = perItem(batching, (items: LeaseInput[]) => extendLeases(db, items), (i) => i.id);
  return { extendLease: (id, token, { leaseMs, now }) => extend({ id, token, leaseMs, now }) };
}
