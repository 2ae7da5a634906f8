/** The dispatcher's reads and writes: what to publish, and which executions were published. */
import type { DispatchReason, Storage } from '../../port.js';
import { distinctKey, perItem, type Batching } from '../group-commit.js';
import type { SqlClient } from '../sql-client.js';
import { ACTIVE, iso, lockInIdOrder } from '../sql-values.js';

type ToDispatch = Awaited<ReturnType<Storage['findExecutionsToDispatch']>>;

export async function findExecutionsToDispatch(db: SqlClient, { now, republishAfterMs, limit }: Parameters<Storage['findExecutionsToDispatch']>[0]): Promise<ToDispatch> {
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
}

/**
 * Marks each item's executions published at its `now` (an id named twice takes the later time).
 * Rows are locked in id order, so this never deadlocks with a batch of another process.
 */
export async function markPublished(db: SqlClient, items: Array<{ ids: string[]; now: Date }>): Promise<void[]> {
  const ids: string[] = [];
  const at: string[] = [];
  for (const i of items) {
    for (const id of i.ids) {
      ids.push(id);
      at.push(iso(i.now));
    }
  }
  await db.query(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions SET published_at = u.x_at
     FROM (SELECT DISTINCT ON (x_id) x_id, x_at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(x_id, x_at) ORDER BY x_id, x_at DESC) AS u
     WHERE id = u.x_id AND id = ANY($1::uuid[]) AND id IN (SELECT l_id FROM locked)`,
    [ids, at],
  );
  return items.map(() => undefined);
}

/** Hands pending executions back to the dispatcher (their publish failed). */
export async function markUnpublished(db: SqlClient, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.query(
    `WITH ${lockInIdOrder(1)}
     UPDATE vecron_executions SET published_at = NULL WHERE id IN (SELECT l_id FROM locked) AND status = 'pending'`,
    [ids],
  );
}

type DispatchOperations = Pick<Storage, 'findExecutionsToDispatch' | 'markPublished' | 'markUnpublished'>;

export function dispatchOperations(db: SqlClient, batching: Batching): DispatchOperations {
  const published = perItem(batching, (items: Array<{ ids: string[]; now: Date }>) => markPublished(db, items), distinctKey);
  return {
    findExecutionsToDispatch: (args) => findExecutionsToDispatch(db, args),
    markPublished: async (ids, now) => {
      if (ids.length) await published({ ids, now });
    },
    markUnpublished: (ids) => markUnpublished(db, ids),
  };
}
