import type { Storage } from '../storage/port.js';
import type { SqlClient } from '../storage/sql/sql-client.js';

const byStorage = new WeakMap<object, SqlClient>();

/** Called by `createSqlStorage`: remembers the client under a storage for vecron's own tests. */
export function registerSqlClient(storage: Storage, client: SqlClient): Storage {
  byStorage.set(storage, client);
  return storage;
}

/**
 * The raw SQL client under a storage made by `createSqlStorage`, for vecron's own tests (to
 * inspect or bend rows). Not exported from any entry point.
 */
export function sqlClientOf(storage: Storage): SqlClient {
  const found = byStorage.get(storage);
  if (!found) throw new TypeError('not a storage made by createSqlStorage of this @vecron/sdk');
  return found;
}
