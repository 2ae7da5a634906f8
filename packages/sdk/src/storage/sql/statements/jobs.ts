/**
 * Jobs: a job and its schedule row are written in one transaction. The read by id is a hot
 * per-execution operation (a worker reads the job of each message it has not cached), so it is
 * written for many ids and group-committed like the other hot ones: a burst of fires of many
 * jobs due at one instant costs one read per batch, not one per execution.
 */
import { NotFoundError } from '../../../errors/errors.js';
import type { Job } from '../../../model/job.js';
import type { JobListFilter, Storage } from '../../port.js';
import { distinctKey, perItem, type Batching } from '../group-commit.js';
import { toJob } from '../row-mappers.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { iso, isoOrNull, likeEscape } from '../sql-values.js';
import { wrap } from './wrap.js';

/** A job row's columns as `toJob` reads them (not the stored `fire_spec`, which only the due read needs). */
const JOB_COLUMNS = 'id, name, definition, enabled, version, created_at, updated_at';

export function createJob(db: SqlClient, { id, definition, now, anchorAt, nextFireAt }: Parameters<Storage['createJob']>[0]): Promise<Job> {
  return wrap('createJob', () =>
    db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `INSERT INTO vecron_jobs (id, name, definition, enabled, version, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, 1, $5, $5) RETURNING ${JOB_COLUMNS}`,
        [id, definition.name, JSON.stringify(definition), definition.enabled, iso(now)],
      );
      await tx.query(
        `INSERT INTO vecron_schedules (job_id, next_fire_at, anchor_at) VALUES ($1, $2, $3)`,
        [id, isoOrNull(nextFireAt), iso(anchorAt)],
      );
      return toJob(rows[0]!);
    }),
  );
}

export function updateJob(db: SqlClient, id: string, { definition, now, nextFireAt, resetAnchor }: Parameters<Storage['updateJob']>[1]): Promise<Job> {
  return wrap('updateJob', () =>
    db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE vecron_jobs SET name = $2, definition = $3::jsonb, enabled = $4, version = version + 1, updated_at = $5
         WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
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
}

/** One job (or null) per id, in order; an id may repeat. */
export async function getJobs(db: SqlClient, ids: string[]): Promise<Array<Job | null>> {
  const { rows } = await db.query(`SELECT ${JOB_COLUMNS} FROM vecron_jobs WHERE id = ANY($1::uuid[])`, [ids], PREPARED);
  const byId = new Map(rows.map((r) => [String(r.id), toJob(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The job named `name`, or null. */
async function jobByName(db: SqlClient, name: string): Promise<Job | null> {
  const { rows } = await db.query(`SELECT ${JOB_COLUMNS} FROM vecron_jobs WHERE name = $1`, [name]);
  return rows[0] ? toJob(rows[0]) : null;
}

export async function listJobs(db: SqlClient, filter: JobListFilter = {}): Promise<Job[]> {
  const { rows } = await db.query(
    `SELECT ${JOB_COLUMNS} FROM vecron_jobs
     WHERE ($1::boolean IS NULL OR enabled = $1)
       AND ($4::text IS NULL OR name ILIKE $4 OR definition->>'description' ILIKE $4
            OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(COALESCE(definition->'tags', '[]'::jsonb)) AS tag WHERE tag ILIKE $4))
     ORDER BY name LIMIT $2 OFFSET $3`,
    [filter.enabled ?? null, filter.limit ?? 1000, filter.offset ?? 0, filter.search ? `%${likeEscape(filter.search)}%` : null],
  );
  return rows.map(toJob);
}

export async function deleteJob(db: SqlClient, id: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM vecron_jobs WHERE id = $1`, [id]);
  return rowCount > 0;
}

type JobOperations = Pick<Storage, 'createJob' | 'updateJob' | 'getJob' | 'getJobByName' | 'listJobs' | 'deleteJob'>;

export function jobOperations(db: SqlClient, batching: Batching): JobOperations {
  // A read: calls for the same id may share a batch (the map answers each of them).
  const get = perItem(batching, (ids: string[]) => getJobs(db, ids), distinctKey);
  return {
    createJob: (job) => createJob(db, job),
    updateJob: (id, patch) => updateJob(db, id, patch),
    getJob: get,
    getJobByName: (name) => jobByName(db, name),
    listJobs: (filter) => listJobs(db, filter),
    deleteJob: (id) => deleteJob(db, id),
  };
}
