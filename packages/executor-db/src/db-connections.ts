/**
 * The database executor's drivers and pools: one dialect per database type (its driver loaded on
 * first use), one pool per named connection or per step connection string.
 */
import { createHash } from 'node:crypto';
import { NonRetryableError } from '@vecron/sdk';
import type { DbPool, Dialect } from './dialects/dialect.js';
import { createMysqlDialect } from './dialects/mysql.js';
import { createOracleDialect } from './dialects/oracle.js';
import type { OracleDriver } from './dialects/oracle.js';
import { createPostgresDialect } from './dialects/postgres.js';
import { DRIVER_PACKAGE, loadOptionalModule } from './load-driver.js';
import type { ModuleImporter } from './load-driver.js';
import type { ResolvedDbExecutorOptions } from './options.js';
import type { DatabaseType, DbStepConfig } from './step-config.js';

/** Where a step's statements go: the pool key, a label without the password, and the pool's settings. */
export interface DbTarget {
  key: string;
  label: string;
  connectionString: string;
  max: number;
  idleMs: number;
  statementTimeoutMs: number | undefined;
}

/** The executor's dialects and pools. */
export interface DbConnections {
  /** The dialect of `type`; a missing driver is reported again at the next call, never cached. */
  dialect(type: DatabaseType): Promise<Dialect>;
  /** The pool of `target`, created on first use (a failed creation is retried next time). */
  pool(type: DatabaseType, target: DbTarget): Promise<DbPool>;
  /** Ends every pool. Idempotent. */
  close(): Promise<void>;
}

/** Creates the dialect and pool registry of one executor. */
export function createDbConnections(opts: ResolvedDbExecutorOptions, importer: ModuleImporter | undefined): DbConnections {
  const dialects = new Map<DatabaseType, Promise<Dialect>>();
  const pools = new Map<string, Promise<DbPool>>();

  const dialect = (type: DatabaseType): Promise<Dialect> => {
    let d = dialects.get(type);
    if (!d) {
      d = loadDialect(type, importer);
      // A missing driver must be reported again next time, not cached as a rejected promise.
      d.catch(() => dialects.delete(type));
      dialects.set(type, d);
    }
    return d;
  };

  return {
    dialect,
    pool(type, target) {
      let p = pools.get(target.key);
      if (!p) {
        p = dialect(type).then((d) =>
          d.createPool({
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
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.end().catch(() => undefined)));
    },
  };
}

async function loadDialect(type: DatabaseType, importer: ModuleImporter | undefined): Promise<Dialect> {
  const what = `database_type "${type}"`;
  const pkg = DRIVER_PACKAGE[type];
  if (type === 'postgresql') {
    const pg = await loadOptionalModule<Parameters<typeof createPostgresDialect>[0]>(pkg, what, importer);
    const Cursor = await loadOptionalModule<Parameters<typeof createPostgresDialect>[1]>('pg-cursor', what, importer);
    return createPostgresDialect(pg, Cursor);
  }
  if (type === 'mysql') return createMysqlDialect(await loadOptionalModule<Parameters<typeof createMysqlDialect>[0]>(pkg, what, importer));
  return createOracleDialect(await loadOptionalModule<OracleDriver>(pkg, what, importer));
}

/** The step's target: its named connection (checked against its database type) or its own connection string. */
export function resolveTarget(opts: ResolvedDbExecutorOptions, config: DbStepConfig): DbTarget {
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
