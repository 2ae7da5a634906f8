import { ConflictError, VecronError } from '../../../errors/errors.js';
import { sqlStateOf } from '../../../sql/sqlstates.js';
import { mapDriverError } from '../sql-errors.js';

/**
 * Runs `fn`, naming its failure. Driver errors are mapped once, by the SqlClient wrappers
 * (`mapDriverError`); here only a taken job name becomes a ConflictError. A foreign SqlClient that
 * does not map gets the same mapping.
 */
export async function wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (sqlStateOf(err) === '23505' && /vecron_jobs_name_key/.test(`${String((err as { details?: { constraint?: unknown } }).details?.constraint ?? '')} ${(err as Error).message}`)) {
      throw new ConflictError('a job with this name already exists', { cause: err });
    }
    throw err instanceof VecronError || sqlStateOf(err) === undefined ? err : mapDriverError(err, what);
  }
}
