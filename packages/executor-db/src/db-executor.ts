import { createHash } from 'node:crypto';
import {
  CancelledError, NonRetryableError, TransientError, VecronError, createCircuitBreakers, defineExecutor, isRetryable,
  checkOutboundHost,
} from '@vecron/sdk';
import type { Executor, StepContext } from '@vecron/sdk';
import { classifyDbError } from './classify-error.js';
import { writeCursorToCsv } from './csv-output.js';
import type { WrittenFile } from './csv-output.js';
import type { DbCursor, DbPool, DbSession, Dialect, FieldInfo } from './dialects/dialect.js';
import { createMysqlDialect } from './dialects/mysql.js';
import { createOracleDialect } from './dialects/oracle.js';
import type { OracleDriver } from './dialects/oracle.js';
import { createPostgresDialect } from './dialects/postgres.js';
import { toJsonRow } from './json-value.js';
import type { JsonValue } from './json-value.js';
import { DRIVER_PACKAGE, loadOptionalModule } from './load-driver.js';
import type { ModuleImporter } from './load-driver.js';
import { parseOptions } from './options.js';
import { connectionHosts } from './connection-hosts.js';
import type { DbExecutorOptions } from './options.js';
import { procedureCallText } from './procedure-call.js';
import { assertParametersFit } from './sql-placeholders.js';
import { dbStepConfigSchema } from './step-config.js';
import type { DatabaseType, DbStepConfig, DbStepConfigInput } from './step-config.js';

/** Output of a `database` step (plain JSON). */
export interface DbStepOutput {
  /** Rows of the (last) statement, column name → JSON value. Absent with `output_to_file`. */
  rows?: Array<Record<string, JsonValue>>;
  /** Rows returned (or written to the file). */
  row_count: number;
  /** Rows inserted / updated / deleted (summed over `statements`). */
  affected_rows: number;
  /** Columns of the result. */
  fields: FieldInfo[];
  /** With `statements`: per statement, in order. */
  statements?: Array<{ row_count: number; affected_rows: number }>;
  /** With `output_to_file`: the file written. */
  files?: WrittenFile[];
}

/** The database executor: an {@link Executor} whose `close()` (ends every pool; idempotent) is always present. */
export type DbExecutor = Executor<DbStepConfig, DbStepOutput, 'database', DbStepConfigInput> & { close(): Promise<void> };

/** Test seam: how optional modules are imported. */
export interface DbExecutorInternals {
  importer?: ModuleImporter;
}

/** Extra wait after a server-side statement timeout should have fired, before the client cancels itself. */
const SERVER_TIMEOUT_GRACE_MS = 2000;
/** How long to wait for a cancelled statement to report back before discarding its connection anyway. */
const CANCEL_SETTLE_MS = 5000;

/**
 * Creates the executor for steps of `type: "database"` (PostgreSQL, MySQL/MariaDB, Oracle).
 *
 * @example
 * ```ts
 * const db = dbExecutor({ connections: { core: { database_type: 'postgresql', connection_string: 'postgres://app@db/core' } } });
 * const cron = createCronSystem({ executors: [db] });
 * ```
 * @throws ConfigError when `options` is invalid.
 */
export function dbExecutor(options?: DbExecutorOptions): DbExecutor {
  return createDbExecutor(options, {});
}

/** {@link dbExecutor} with test seams. @internal */
export function createDbExecutor(options: DbExecutorOptions | undefined, internals: DbExecutorInternals): DbExecutor {
  const opts = parseOptions(options);
  const breakers = createCircuitBreakers({ failureThreshold: opts.circuitFailureThreshold, resetAfterMs: opts.circuitResetMs });
  const dialects = new Map<DatabaseType, Promise<Dialect>>();
  const pools = new Map<string, Promise<DbPool>>();

  const loadDialect = (type: DatabaseType): Promise<Dialect> => {
    let d = dialects.get(type);
    if (!d) {
      d = (async (): Promise<Dialect> => {
        const what = `database_type "${type}"`;
        const pkg = DRIVER_PACKAGE[type];
        if (type === 'postgresql') {
          const pg = await loadOptionalModule<Parameters<typeof createPostgresDialect>[0]>(pkg, what, internals.importer);
          const Cursor = await loadOptionalModule<Parameters<typeof createPostgresDialect>[1]>('pg-cursor', what, internals.importer);
          return createPostgresDialect(pg, Cursor);
        }
        if (type === 'mysql') return createMysqlDialect(await loadOptionalModule<Parameters<typeof createMysqlDialect>[0]>(pkg, what, internals.importer));
        return createOracleDialect(await loadOptionalModule<OracleDriver>(pkg, what, internals.importer));
      })();
      // A missing driver must be reported again next time, not cached as a rejected promise.
      d.catch(() => dialects.delete(type));
      dialects.set(type, d);
    }
    return d;
  };

  const resolveTarget = (config: DbStepConfig): { key: string; label: string; connectionString: string; max: number; idleMs: number; statementTimeoutMs: number | undefined } => {
    if (config.connection !== undefined) {
      const named = opts.connections[config.connection];
      if (!named) {
        throw new NonRetryableError(`unknown connection "${config.connection}"; configured: ${Object.keys(opts.connections).join(', ') || '(none)'}`, {
          code: 'DB_UNKNOWN_CONNECTION',
          details: { connection: config.connection },
        });
      }
      if (named.database_type !== config.database_type) {
        throw new NonRetryableError(`connection "${config.connection}" is ${named.database_type}, but the step says database_type ${config.database_type}`, {
          code: 'DB_UNKNOWN_CONNECTION',
        });
      }
      return {
        key: `name:${config.connection}`,
        label: config.connection,
        connectionString: named.connection_string,
        max: named.pool?.max ?? opts.pool.max,
        idleMs: named.pool?.idle_timeout_ms ?? opts.pool.idle_timeout_ms,
        statementTimeoutMs: named.statement_timeout_ms,
      };
    }
    const cs = config.connection_string!;
    return {
      key: `url:${config.database_type}:${cs}`,
      label: redact(config.database_type, cs),
      connectionString: cs,
      max: opts.pool.max,
      idleMs: opts.pool.idle_timeout_ms,
      statementTimeoutMs: undefined,
    };
  };

  const getPool = (config: DbStepConfig, target: ReturnType<typeof resolveTarget>): Promise<DbPool> => {
    let p = pools.get(target.key);
    if (!p) {
      p = loadDialect(config.database_type).then((dialect) =>
        dialect.createPool({
          connectionString: target.connectionString,
          max: target.max,
          idleTimeoutMs: target.idleMs,
          connectTimeoutMs: opts.connectTimeoutMs,
          statementTimeoutMs: target.statementTimeoutMs,
        }),
      );
      p.catch(() => pools.delete(target.key));
      pools.set(target.key, p);
    }
    return p;
  };

  async function execute(config: DbStepConfig, ctx: StepContext): Promise<DbStepOutput> {
    throwIfAborted(ctx.signal);
    const dialectType = config.database_type;
    const target = resolveTarget(config);
    // A step's own connection string is checked before any connection (named ones are the operator's).
    if (config.connection === undefined && opts.blockPrivateAddresses) {
      for (const host of connectionHosts(target.connectionString)) {
        await checkOutboundHost(host, { blockPrivateAddresses: true, allowHosts: opts.allowHosts });
      }
    }
    const statements = buildStatements(config);
    for (const [i, s] of statements.entries()) {
      assertParametersFit(s.query, s.parameters, dialectType, statements.length > 1 ? `statements[${i}]` : 'query');
    }
    const timeoutMs = config.timeout_seconds !== undefined ? config.timeout_seconds * 1000 : target.statementTimeoutMs;
    const maxRows = config.max_rows ?? opts.maxRows;
    const where = `${dialectType} step "${ctx.stepId}" on ${target.label}`;

    return breakers.run(
      target.key,
      async () => {
        const dialect = await loadDialect(dialectType);
        const pool = await getPool(config, target);
        let session: DbSession;
        try {
          session = await raceSignal(pool.acquire(), ctx.signal, (s) => s.release(true));
        } catch (err) {
          throw ctx.signal.aborted ? abortReason(ctx.signal) : classifyDbError(dialectType, err, where);
        }
        let reusable = true;
        const guard = new StatementGuard(session, ctx.signal, timeoutMs === undefined ? undefined : timeoutMs + (dialect.serverSideTimeout ? SERVER_TIMEOUT_GRACE_MS : 0), where);
        try {
          const output = await guard.run(async () => {
            await session.setStatementTimeout(timeoutMs);
            return runStatements(session, config, statements, maxRows, ctx, (c) => {
              reusable = c;
            });
          });
          return output;
        } catch (err) {
          reusable = false;
          if (guard.abortedBy === 'signal') throw abortReason(ctx.signal);
          if (guard.abortedBy === 'timeout') {
            throw new TransientError(`${where}: statement timed out after ${timeoutMs} ms and was cancelled`, {
              code: 'DB_STATEMENT_TIMEOUT',
              cause: err,
              details: { timeout_ms: timeoutMs },
            });
          }
          throw classifyDbError(dialectType, err, where);
        } finally {
          guard.dispose();
          await session.release(!reusable).catch(() => undefined);
        }
      },
      // Only retryable database failures move the breaker; a cancelled or timed-out step says nothing about the server.
      (err) => !ctx.signal.aborted && isRetryable(err) && !(err instanceof VecronError && err.code === 'DB_STATEMENT_TIMEOUT'),
    );
  }

  async function runStatements(
    session: DbSession,
    config: DbStepConfig,
    statements: Array<{ query: string; parameters: JsonValue[] }>,
    maxRows: number,
    ctx: StepContext,
    setReusable: (reusable: boolean) => void,
  ): Promise<DbStepOutput> {
    const inTransaction = config.statements !== undefined || config.transaction === true;
    const fetchSize = opts.fetchSize;

    if (config.output_to_file) {
      const target = await ctx.files.resolve(config.output_to_file.path);
      if (inTransaction) await session.begin();
      const cursor = await session.open(statements[0]!.query, statements[0]!.parameters, { fetchSize, autoCommit: !inTransaction });
      try {
        const { file, fields } = await writeCursorToCsv(cursor, target, { fetchSize, header: config.output_to_file.header, delimiter: config.output_to_file.delimiter });
        if (inTransaction) await session.commit();
        ctx.logger.info({ rows: file.row_count, bytes: file.size }, 'database step wrote csv');
        return { files: [file], row_count: file.row_count, affected_rows: cursor.affectedRows(), fields };
      } catch (err) {
        setReusable(await cursor.close().catch(() => false));
        throw err;
      }
    }

    if (inTransaction) await session.begin();
    try {
      const perStatement: Array<{ row_count: number; affected_rows: number }> = [];
      let last: { rows: Array<Record<string, JsonValue>>; fields: FieldInfo[]; affected: number } = { rows: [], fields: [], affected: 0 };
      let totalRows = 0;
      for (const s of statements) {
        const cursor = await session.open(s.query, s.parameters, { fetchSize, autoCommit: !inTransaction });
        const rows = await readCapped(cursor, maxRows - totalRows, maxRows, fetchSize, setReusable);
        totalRows += rows.length;
        last = { rows: rows.map(toJsonRow), fields: cursor.fields(), affected: cursor.affectedRows() };
        perStatement.push({ row_count: rows.length, affected_rows: last.affected });
      }
      if (inTransaction) await session.commit();
      const affected = perStatement.reduce((sum, s) => sum + s.affected_rows, 0);
      return {
        rows: last.rows,
        row_count: last.rows.length,
        affected_rows: affected,
        fields: last.fields,
        ...(config.statements ? { statements: perStatement } : {}),
      };
    } catch (err) {
      if (inTransaction && !ctx.signal.aborted) {
        // A failed rollback leaves the connection in an unknown state: discard it.
        await session.rollback().catch(() => setReusable(false));
      }
      throw err;
    }
  }

  const close = async (): Promise<void> => {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.end().catch(() => undefined)));
  };
  const executor = defineExecutor<DbStepConfig, DbStepOutput, 'database', DbStepConfigInput>({
    type: 'database',
    config: dbStepConfigSchema,
    // SQL text is never substituted (docs/architecture.md#templates): values reach the server only as bind parameters.
    unrenderedPaths: isSqlTextPath,
    execute,
    close,
  });
  return { ...executor, close };
}

/** Config paths holding SQL text or identifiers, which the worker must not render as templates. */
export function isSqlTextPath(jsonPath: string): boolean {
  return jsonPath === '$.query' || jsonPath === '$.procedure_name' || /^\$\.statements\[\d+\]\.query$/.test(jsonPath);
}

/** Reads at most `remaining` rows; one more means the cap is exceeded (the statement is stopped). */
async function readCapped(cursor: DbCursor, remaining: number, maxRows: number, fetchSize: number, setReusable: (r: boolean) => void): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (;;) {
    const want = Math.min(fetchSize, remaining + 1 - rows.length);
    const batch = await cursor.read(Math.max(1, want));
    for (const r of batch) rows.push(r);
    if (rows.length > remaining) {
      setReusable(await cursor.close().catch(() => false));
      throw new NonRetryableError(
        `the result has more than max_rows (${maxRows}) rows; raise max_rows or use output_to_file to stream it to a CSV file`,
        { code: 'DB_ROW_LIMIT_EXCEEDED', details: { max_rows: maxRows } },
      );
    }
    if (batch.length < want || batch.length === 0) {
      setReusable(await cursor.close());
      return rows;
    }
  }
}

function buildStatements(config: DbStepConfig): Array<{ query: string; parameters: JsonValue[] }> {
  if (config.statements) return config.statements.map((s) => ({ query: s.query, parameters: s.parameters as JsonValue[] }));
  if (config.query_type === 'stored_procedure') {
    return [{ query: procedureCallText(config.database_type, config.procedure_name!, config.parameters.length), parameters: config.parameters as JsonValue[] }];
  }
  return [{ query: config.query!, parameters: config.parameters as JsonValue[] }];
}

/**
 * Watches one session: on `signal` abort or on the client-side timeout it cancels the running
 * statement on the server (from another connection), waits for it to stop, and makes `run` reject.
 */
class StatementGuard {
  abortedBy: 'signal' | 'timeout' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;

  constructor(
    private readonly session: DbSession,
    private readonly signal: AbortSignal,
    private readonly timeoutMs: number | undefined,
    private readonly where: string,
  ) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const work = fn();
    return new Promise<T>((resolve, reject) => {
      const stop = (by: 'signal' | 'timeout'): void => {
        if (this.abortedBy) return;
        this.abortedBy = by;
        // Cancel on the server, then wait (bounded) for the statement to report back, so the query is gone when we reject.
        void this.session
          .cancel()
          .catch(() => undefined)
          .then(() => settleWithin(work, CANCEL_SETTLE_MS))
          .then(() => reject(new CancelledError(`${this.where}: cancelled`)));
      };
      this.onAbort = () => stop('signal');
      this.signal.addEventListener('abort', this.onAbort, { once: true });
      if (this.timeoutMs !== undefined) {
        this.timer = setTimeout(() => stop('timeout'), this.timeoutMs);
        this.timer.unref();
      }
      if (this.signal.aborted) stop('signal');
      work.then(
        (v) => {
          if (!this.abortedBy) resolve(v);
        },
        (err: unknown) => {
          if (!this.abortedBy) reject(err);
        },
      );
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.signal.removeEventListener('abort', this.onAbort);
  }
}

function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => {
        clearTimeout(t);
        resolve();
      },
    );
  });
}

/** Waits for `p` unless `signal` aborts first; a value that arrives after the abort is handed to `discard`. */
function raceSignal<T>(p: Promise<T>, signal: AbortSignal, discard: (v: T) => unknown): Promise<T> {
  if (signal.aborted) {
    void p.then(discard, () => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      void p.then(discard, () => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(typeof reason === 'string' ? reason : 'step aborted');
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** A connection label for logs and breaker errors: never the password. */
function redact(type: DatabaseType, connectionString: string): string {
  try {
    const u = new URL(connectionString);
    return `${type}://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return `${type}:${createHash('sha256').update(connectionString).digest('hex').slice(0, 12)}`;
  }
}
