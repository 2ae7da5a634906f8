/** Options of one {@link SqlClient.query}. */
export interface SqlQueryOptions {
  /**
   * Send the statement as a named prepared statement (PostgreSQL: parsed once per connection,
   * then bound and executed, so its plan can come from the plan cache). Only for constant texts:
   * each distinct text becomes one statement on every connection that runs it. A driver without
   * prepared statements, or one configured not to use them, runs it as any other statement.
   * @default false
   */
  prepare?: boolean;
  /**
   * In a transaction: this is its last statement, so the driver may send the transaction's
   * `COMMIT` with it, in one round trip (PostgreSQL: as one simple-protocol message with the
   * parameters written in as literals; a statement that is also `prepare`d, or whose values it
   * cannot write, goes the usual way). If the statement fails, nothing is committed and the
   * transaction rolls back as usual. A statement after it in the same transaction is an error.
   * Outside a transaction, and for drivers without the round trip to save, it changes nothing.
   * @default false
   */
  commit?: boolean;
}

/**
 * The one seam between vecron's SQL and a database driver. PGlite and `pg` both implement it, so
 * one repository implementation serves the embedded store and PostgreSQL.
 */
export interface SqlClient {
  /** Runs one statement with bound parameters (`$1`, `$2`, …). */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[], options?: SqlQueryOptions): Promise<{ rows: Row[]; rowCount: number }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** Query options of a hot statement with a constant text: prepared where the driver can. */
export const PREPARED: SqlQueryOptions = Object.freeze({ prepare: true });
