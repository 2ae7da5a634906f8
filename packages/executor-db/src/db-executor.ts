import {
  TransientError, VecronError, createCircuitBreakers, defineExecutor, isRetryable, checkOutboundHost,
} from '@vecron/sdk';
import type { Executor, StepContext } from '@vecron/sdk';
import { classifyDbError } from './classify-error.js';
import type { WrittenFile } from './csv-output.js';
import { createDbConnections, resolveTarget } from './db-connections.js';
import type { DbConnections, DbTarget } from './db-connections.js';
import type { DbSession, FieldInfo } from './dialects/dialect.js';
import type { JsonValue } from './json-value.js';
import type { ModuleImporter } from './load-driver.js';
import { parseOptions } from './options.js';
import { connectionHosts } from './connection-hosts.js';
import type { DbExecutorOptions, ResolvedDbExecutorOptions } from './options.js';
import { buildStatements, runStatements } from './run-statements.js';
import type { Statement } from './run-statements.js';
import { assertParametersFit } from './sql-placeholders.js';
import { abortReason, raceSignal, StatementGuard, throwIfAborted } from './statement-guard.js';
import { dbStepConfigSchema } from './step-config.js';
import type { DbStepConfig, DbStepConfigInput } from './step-config.js';

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
  const connections = createDbConnections(opts, internals.importer);

  async function execute(config: DbStepConfig, ctx: StepContext): Promise<DbStepOutput> {
    throwIfAborted(ctx.signal);
    const step = await prepareStep(opts, config, ctx);
    return breakers.run(
      step.target.key,
      () => runInSession(connections, opts.fetchSize, step),
      // Only retryable database failures move the breaker; a cancelled or timed-out step says nothing about the server.
      (err) => !ctx.signal.aborted && isRetryable(err) && !(err instanceof VecronError && err.code === 'DB_STATEMENT_TIMEOUT'),
    );
  }

  const executor = defineExecutor<DbStepConfig, DbStepOutput, 'database', DbStepConfigInput>({
    type: 'database',
    config: dbStepConfigSchema,
    // SQL text is never substituted (docs/architecture.md#templates): values reach the server only as bind parameters.
    unrenderedPaths: isSqlTextPath,
    execute,
    close: connections.close,
  });
  return { ...executor, close: connections.close };
}

/** A step checked and ready to run: its target, statements, limits and a label for errors. */
interface PreparedStep {
  config: DbStepConfig;
  ctx: StepContext;
  target: DbTarget;
  statements: Statement[];
  timeoutMs: number | undefined;
  maxRows: number;
  where: string;
}

/** Resolves the target and checks the step before any connection: its own host against the outbound policy, its parameters against its placeholders. */
async function prepareStep(opts: ResolvedDbExecutorOptions, config: DbStepConfig, ctx: StepContext): Promise<PreparedStep> {
  const target = resolveTarget(opts, config);
  // A step's own connection string is checked before any connection (named ones are the operator's).
  if (config.connection === undefined && opts.blockPrivateAddresses) {
    for (const host of connectionHosts(target.connectionString)) {
      await checkOutboundHost(host, { blockPrivateAddresses: true, allowHosts: opts.allowHosts });
    }
  }
  const statements = buildStatements(config);
  for (const [i, s] of statements.entries()) {
    assertParametersFit(s.query, s.parameters, config.database_type, statements.length > 1 ? `statements[${i}]` : 'query');
  }
  return {
    config,
    ctx,
    target,
    statements,
    timeoutMs: config.timeout_seconds !== undefined ? config.timeout_seconds * 1000 : target.statementTimeoutMs,
    maxRows: config.max_rows ?? opts.maxRows,
    where: `${config.database_type} step "${ctx.stepId}" on ${target.label}`,
  };
}

/** Runs the step on a session of its pool, under a guard that cancels it on abort or timeout; the session is discarded unless it ended clean. */
async function runInSession(connections: DbConnections, fetchSize: number, step: PreparedStep): Promise<DbStepOutput> {
  const { config, ctx, timeoutMs, where } = step;
  const dialect = await connections.dialect(config.database_type);
  const pool = await connections.pool(config.database_type, step.target);
  let session: DbSession;
  try {
    session = await raceSignal(pool.acquire(), ctx.signal, (s) => s.release(true));
  } catch (err) {
    throw ctx.signal.aborted ? abortReason(ctx.signal) : classifyDbError(config.database_type, err, where);
  }
  let reusable = true;
  const guard = new StatementGuard(session, ctx.signal, timeoutMs === undefined ? undefined : timeoutMs + (dialect.serverSideTimeout ? SERVER_TIMEOUT_GRACE_MS : 0), where);
  try {
    return await guard.run(async () => {
      await session.setStatementTimeout(timeoutMs);
      return runStatements({ session, config, statements: step.statements, maxRows: step.maxRows, fetchSize, ctx, setReusable: (c) => (reusable = c) });
    });
  } catch (err) {
    reusable = false;
    throw stepError(step, guard, err);
  } finally {
    guard.dispose();
    await session.release(!reusable).catch(() => undefined);
  }
}

/** The error a failed statement becomes: the abort reason, a statement timeout, or the classified driver error. */
function stepError(step: PreparedStep, guard: StatementGuard, err: unknown): Error {
  if (guard.abortedBy === 'signal') return abortReason(step.ctx.signal);
  if (guard.abortedBy === 'timeout') {
    return new TransientError(`${step.where}: statement timed out after ${step.timeoutMs} ms and was cancelled`, {
      code: 'DB_STATEMENT_TIMEOUT',
      cause: err,
      details: { timeout_ms: step.timeoutMs },
    });
  }
  return classifyDbError(step.config.database_type, err, step.where);
}

/** Config paths holding SQL text or identifiers, which the worker must not render as templates. */
export function isSqlTextPath(jsonPath: string): boolean {
  return jsonPath === '$.query' || jsonPath === '$.procedure_name' || /^\$\.statements\[\d+\]\.query$/.test(jsonPath);
}
