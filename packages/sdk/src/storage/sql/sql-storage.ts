/**
 * The SQL storage: one module per area under `statements/`, composed here. Every operation has
 * exactly one statement. The hot per-execution ones are written for many items (`unnest` arrays)
 * and group-committed (`group-commit.ts`): calls that arrive while earlier ones of the same kind
 * are in flight go to the database together, and a lone call is the same statement with one item.
 * See docs/architecture.md#storage.
 */
import { ConfigError } from '../../errors/errors.js';
import type { Job } from '../../model/job.js';
import { registerSqlClient } from '../../internal/storage-internals.js';
import type { Storage } from '../port.js';
import type { Batching } from './group-commit.js';
import { listMigrations, migrate } from './migrations.js';
import { CORE_OWNER } from './schema/index.js';
import type { SqlClient } from './sql-client.js';
import { calendarOperations } from './statements/calendars.js';
import { claimOperations } from './statements/claim.js';
import { clusterSettingOperations } from './statements/cluster-settings.js';
import { completionOperations } from './statements/completion.js';
import { dispatchOperations } from './statements/dispatch.js';
import { executionOperations } from './statements/executions.js';
import { foldedOperations } from './statements/folded.js';
import { jobOperations } from './statements/jobs.js';
import { leaseOperations } from './statements/lease.js';
import { logOperations } from './statements/logs.js';
import { createReadModel } from './statements/read-model.js';
import { createRetentionStatements } from './statements/retention.js';
import { scheduleOperations } from './statements/schedules.js';
import { stepOperations } from './statements/steps.js';
import { variableOperations } from './statements/variables.js';

/** Options of {@link createSqlStorage}. */
export interface SqlStorageOptions {
  /** Called once by `close()` to release the driver (pool, PGlite instance, lockfile). */
  onClose?: () => Promise<void>;
  /**
   * Group commit of the hot per-execution operations (read, claim, step start and success,
   * completion, the claim with the first step's start and the last step's success with the completion, lease extension, create, mark published, variables): calls that arrive while
   * earlier ones of the same kind are in flight go to the database together, one statement per
   * batch. Each caller still gets its own result after its own write has committed; a lone call
   * runs exactly as without it. `false` sends every call on its own.
   * @default true
   */
  groupCommit?: boolean | { maxBatch?: number; maxInFlight?: number };
}

/**
 * The one SQL implementation of the {@link Storage} port, for PGlite and PostgreSQL alike.
 * Expects the core schema (`storage/sql/schema/`) to be applied.
 */
export function createSqlStorage(db: SqlClient, options: SqlStorageOptions = {}): Storage {
  const batching: Batching = options.groupCommit === false ? false : options.groupCommit === true || options.groupCommit === undefined ? {} : options.groupCommit;
  let closed: Promise<void> | null = null;
  const storage: Storage = {
    ...jobOperations(db, batching),
    ...scheduleOperations(db),
    ...executionOperations(db, batching),
    ...claimOperations(db, batching),
    ...leaseOperations(db, batching),
    ...stepOperations(db, batching),
    ...completionOperations(db, batching),
    ...foldedOperations(db, batching),
    ...dispatchOperations(db, batching),
    ...logOperations(db),
    ...calendarOperations(db),
    ...variableOperations(db, batching),
    ...clusterSettingOperations(db),
    ...createReadModel(db),
    ...createRetentionStatements(db),

    async attachSchema(schema) {
      if (schema?.owner === CORE_OWNER) throw new ConfigError('attachSchema', [{ path: '$.owner', message: `"${CORE_OWNER}" is the core's own schema; attach your tables under an owner of your own` }]);
      await migrate(db, schema);
      return db;
    },

    listMigrations: () => listMigrations(db),

    async close() {
      closed ??= (options.onClose ?? (async () => {}))();
      return closed;
    },
  };
  return registerSqlClient(storage, db);
}

export type { Job };
