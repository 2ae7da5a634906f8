/** Step log lines: appended in batches (the worker's log buffer), paged by id. */
import type { StepLogLine, StepLogQuery, StoredStepLogLine } from '../../../model/step-log.js';
import type { Storage } from '../../port.js';
import { toStepLogLine } from '../row-mappers.js';
import type { SqlClient } from '../sql-client.js';
import { iso } from '../sql-values.js';
import { wrap } from './wrap.js';

/** Lines of a deleted execution are dropped (the join), never a foreign-key error for the batch. */
export async function appendStepLogs(db: SqlClient, lines: StepLogLine[]): Promise<void> {
  if (!lines.length) return;
  await wrap('appendStepLogs', () =>
    db.query(
      `INSERT INTO vecron_step_logs (execution_id, step_id, attempt, seq, at, level, message, fields)
       SELECT l.execution_id, l.step_id, l.attempt, l.seq, l.at, l.level, l.message, l.fields::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
            WITH ORDINALITY AS l(execution_id, step_id, attempt, seq, at, level, message, fields, n)
       WHERE EXISTS (SELECT 1 FROM vecron_executions e WHERE e.id = l.execution_id)
       ORDER BY l.n
       ON CONFLICT (execution_id, step_id, attempt, seq) DO NOTHING`,
      [
        lines.map((l) => l.executionId), lines.map((l) => l.stepId), lines.map((l) => l.attempt), lines.map((l) => l.seq),
        lines.map((l) => iso(l.at)), lines.map((l) => l.level), lines.map((l) => l.message),
        lines.map((l) => (l.fields === null ? null : JSON.stringify(l.fields))),
      ],
    ),
  );
}

export async function listStepLogs(db: SqlClient, executionId: string, query: StepLogQuery = {}): Promise<StoredStepLogLine[]> {
  const { rows } = await db.query(
    // id as text (drivers differ on int8) under another name: ORDER BY id must sort the number.
    `SELECT id::text AS line_id, execution_id, step_id, attempt, seq, at, level, message, fields FROM vecron_step_logs
     WHERE execution_id = $1 AND ($2::text IS NULL OR step_id = $2) AND ($3::int IS NULL OR attempt = $3) AND id > $4
     ORDER BY id LIMIT $5`,
    [executionId, query.stepId ?? null, query.attempt ?? null, query.after ?? 0, query.limit ?? 500],
  );
  return rows.map(toStepLogLine);
}

export function logOperations(db: SqlClient): Pick<Storage, 'appendStepLogs' | 'listStepLogs'> {
  return {
    appendStepLogs: (lines) => appendStepLogs(db, lines),
    listStepLogs: (executionId, query) => listStepLogs(db, executionId, query),
  };
}
