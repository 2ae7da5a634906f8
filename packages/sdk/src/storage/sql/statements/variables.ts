/** Variables by scope; the worker's scope-list read is group-committed. */
import type { Storage, StoredVariable } from '../../port.js';
import { distinctKey, perItem, type Batching } from '../group-commit.js';
import { toStoredVariable } from '../row-mappers.js';
import { PREPARED, type SqlClient } from '../sql-client.js';
import { iso } from '../sql-values.js';

/**
 * Scope lists up to this long are read over one scalar parameter per scope. A worker's lone read
 * (one execution in flight) asks for two or three scopes: over an array, the custom plan of a
 * two-element array costs less than the generic plan (which takes any array for 10 elements), so
 * PostgreSQL planned that read on every call; over scalars both cost the same and it keeps the
 * generic plan, a primary-key index scan (docs/architecture.md, "Storage").
 */
const SCALAR_SCOPES = 4;

/** The read of 1 … `SCALAR_SCOPES` scopes, `SCOPES_IN[n - 1]` for n scopes: each text built once, so its prepared name is found without hashing a new string (see `inputStatement`). */
const SCOPES_IN = Array.from({ length: SCALAR_SCOPES }, (_, k) =>
  `SELECT * FROM vecron_variables WHERE scope IN (${Array.from({ length: k + 1 }, (_, n) => `$${n + 1}`).join(', ')}) ORDER BY scope, name`);

/** Per input, the variables of those scopes (null: of every scope), ordered by scope and name; one query for all. */
export async function listVariables(db: SqlClient, scopeLists: Array<string[] | null>): Promise<StoredVariable[][]> {
  const all = scopeLists.includes(null) ? null : [...new Set(scopeLists.flat())];
  const { rows } = all !== null && all.length > 0 && all.length <= SCALAR_SCOPES
    ? await db.query(SCOPES_IN[all.length - 1]!, all, PREPARED)
    : await db.query(`SELECT * FROM vecron_variables WHERE ($1::text[] IS NULL OR scope = ANY($1::text[])) ORDER BY scope, name`, [all]);
  return scopeLists.map((scopes) => {
    const wanted = scopes === null ? null : new Set(scopes);
    return rows.filter((r) => wanted === null || wanted.has(String(r.scope))).map(toStoredVariable);
  });
}

export async function setVariable(db: SqlClient, v: StoredVariable): Promise<void> {
  await db.query(
    `INSERT INTO vecron_variables (scope, name, value, sensitive, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (scope, name) DO UPDATE SET value = EXCLUDED.value, sensitive = EXCLUDED.sensitive, updated_at = EXCLUDED.updated_at`,
    [v.scope, v.name, v.value, v.sensitive, iso(v.updatedAt)],
  );
}

export async function replaceVariableValue(db: SqlClient, scope: string, name: string, { from, to }: { from: string; to: string }): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE vecron_variables SET value = $3 WHERE scope = $1 AND name = $2 AND value = $4`, [scope, name, to, from]);
  return rowCount > 0;
}

export async function deleteVariable(db: SqlClient, scope: string, name: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM vecron_variables WHERE scope = $1 AND name = $2`, [scope, name]);
  return rowCount > 0;
}

type VariableOperations = Pick<Storage, 'setVariable' | 'listVariables' | 'replaceVariableValue' | 'deleteVariable'>;

export function variableOperations(db: SqlClient, batching: Batching): VariableOperations {
  const list = perItem(batching, (lists: Array<string[] | null>) => listVariables(db, lists), distinctKey);
  return {
    setVariable: (v) => setVariable(db, v),
    // Only the scope-list form is hot (the worker's variable resolution); the others run alone.
    listVariables: async (scope) =>
      Array.isArray(scope) && scope.length ? list(scope) : (await listVariables(db, [scope === undefined ? null : Array.isArray(scope) ? scope : [scope]]))[0]!,
    replaceVariableValue: (scope, name, args) => replaceVariableValue(db, scope, name, args),
    deleteVariable: (scope, name) => deleteVariable(db, scope, name),
  };
}
