/**
 * The one seam between vecron's SQL and a database driver. PGlite and `pg` both implement it, so
 * one repository implementation serves the embedded store and PostgreSQL.
 */
export interface SqlClient {
  /** Runs one statement with bound parameters (`$1`, `$2`, …). */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}
