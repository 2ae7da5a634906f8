import { NonRetryableError } from '@vecron/sdk';
import { PROCEDURE_NAME } from './step-config.js';
import type { DatabaseType } from './step-config.js';

/**
 * Builds the SQL text that calls a stored procedure, with one bind placeholder per parameter.
 * The name is re-checked against `PROCEDURE_NAME` (identifiers only, optionally qualified) so
 * no user data is ever spliced into the text; the values go in as bind parameters.
 *
 * - PostgreSQL: `CALL name($1, $2)` — a `PROCEDURE` (`CREATE PROCEDURE`); INOUT parameters come
 *   back as one row. Call a set-returning `FUNCTION` with `raw_sql` instead: `SELECT * FROM f($1)`.
 * - MySQL/MariaDB: `CALL name(?, ?)`; result sets the procedure selects come back as rows.
 * - Oracle: `BEGIN name(:1, :2); END;`
 */
export function procedureCallText(dialect: DatabaseType, procedureName: string, parameterCount: number): string {
  if (!PROCEDURE_NAME.test(procedureName)) {
    throw new NonRetryableError(`procedure_name "${procedureName}" is not a plain identifier`, { code: 'DB_INVALID_PROCEDURE_NAME' });
  }
  const marks = Array.from({ length: parameterCount }, (_, i) => (dialect === 'postgresql' ? `$${i + 1}` : dialect === 'mysql' ? '?' : `:${i + 1}`));
  const args = marks.join(', ');
  if (dialect === 'oracle') return `BEGIN ${procedureName}(${args}); END;`;
  return `CALL ${procedureName}(${args})`;
}
