import type { JsonValue } from '../json-value.js';

/** A column of a result: its name and, when the driver tells, its database type name. */
export interface FieldInfo {
  name: string;
  type?: string;
}

/** An open result: rows are fetched in batches, so a large result never sits in memory. */
export interface DbCursor {
  /** Columns of the result (empty for a statement that returns no rows). Known after the first `read`. */
  fields(): FieldInfo[];
  /** Up to `n` more rows; an empty array at the end. */
  read(n: number): Promise<Record<string, unknown>[]>;
  /** Rows inserted/updated/deleted by the statement, once it has finished (0 for a query). */
  affectedRows(): number;
  /**
   * Stops the statement early (or confirms it finished) and frees its server-side resources.
   * Resolves `false` when the session must be discarded rather than returned to its pool.
   */
  close(): Promise<boolean>;
}

/** One checked-out connection. */
export interface DbSession {
  /** Sets the server-side statement timeout for what follows (undefined: the connection default). */
  setStatementTimeout(ms: number | undefined): Promise<void>;
  /** Runs `sql` with `params` bound and returns a cursor over its result. */
  open(sql: string, params: readonly JsonValue[], options: { fetchSize: number; autoCommit: boolean }): Promise<DbCursor>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Cancels the statement running on this session, from another connection; resolves when sent. */
  cancel(): Promise<void>;
  /** Returns the connection to its pool, or closes it when `broken` (after a cancel or a failure mid-protocol). */
  release(broken: boolean): Promise<void>;
}

/** A pool for one connection target. */
export interface DbPool {
  acquire(): Promise<DbSession>;
  end(): Promise<void>;
}

/** What a dialect needs to open a pool. */
export interface PoolSpec {
  connectionString: string;
  max: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Connection-level default statement timeout. */
  statementTimeoutMs: number | undefined;
}

/** A database dialect: how to open pools with its (lazily loaded) driver. */
export interface Dialect {
  /** Whether the server enforces `setStatementTimeout` itself (the client watchdog then waits a grace period). */
  readonly serverSideTimeout: boolean;
  createPool(spec: PoolSpec): DbPool;
}
