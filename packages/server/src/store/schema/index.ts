import type { SchemaDefinition, SqlClient, Storage } from '@vecron/sdk';
import { m0001AccountsWebhooksAudit } from './0001-accounts-webhooks-audit.js';
import { m0002Processes } from './0002-processes.js';
import { m0003ProcessDrain } from './0003-process-drain.js';

/** The owner under which the server's migrations are recorded in `vecron_migrations`. */
export const SERVER_SCHEMA_OWNER = 'vecron-server';

/**
 * The reference server's own tables (users, roles, webhooks, audit log, cluster registry), kept
 * in the same database as the core's but migrated by the server, never by the SDK.
 */
export const serverSchema: SchemaDefinition = {
  owner: SERVER_SCHEMA_OWNER,
  migrations: [m0001AccountsWebhooksAudit, m0002Processes, m0003ProcessDrain],
};

/**
 * Applies the server's pending migrations through the storage port and returns the SQL client
 * for the server's own tables. Throws `SchemaTooNewError` when a newer server migrated them.
 */
export async function attachServerSchema(storage: Storage): Promise<SqlClient> {
  return storage.attachSchema(serverSchema);
}
