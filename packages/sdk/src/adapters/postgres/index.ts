/**
 * `@vecron/sdk/postgres` — vecron's storage and work queue on PostgreSQL (`pg`, an optional peer dependency)
 * and the database clock of distributed mode.
 *
 * @packageDocumentation
 */
export { postgresStorage } from './postgres-storage.js';
export type { PostgresStorage, PostgresStorageOptions } from './postgres-storage.js';
export { databaseClock } from './database-clock.js';
export type { DatabaseClock, DatabaseClockOptions } from './database-clock.js';
export { pgPoolClient } from './pg-client.js';
export { isConnectionError, mapPgError } from './pg-errors.js';
export { postgresQueue } from './postgres-queue.js';
export type { PostgresQueue, PostgresQueueOptions } from './postgres-queue.js';
export { markDeadLetter } from '../nats/dead-letter.js';
