/**
 * `@vecron/executor-db` — the executor for steps of `type: "database"`: PostgreSQL (`pg`),
 * MySQL/MariaDB (`mysql2`) and Oracle (`oracledb` thin mode). Drivers are optional peer
 * dependencies, imported only when a step of that `database_type` runs.
 *
 * @example
 * ```ts
 * import { createCronSystem } from '@vecron/sdk';
 * import { dbExecutor } from '@vecron/executor-db';
 *
 * const cron = createCronSystem({
 *   executors: [dbExecutor({ connections: { core: { database_type: 'postgresql', connection_string: process.env.CORE_DB_URL! } } })],
 * });
 * // step config: { "database_type": "postgresql", "connection": "core",
 * //                "query": "SELECT id, amount FROM payments WHERE day = $1", "parameters": ["{{execution_date}}"] }
 * ```
 *
 * Exports: {@link dbExecutor}, {@link dbStepConfigSchema}, {@link procedureCallText},
 * {@link scanPlaceholders}, {@link toJsonValue}, {@link classifyDbError}, and their types.
 * @packageDocumentation
 */
export { dbExecutor } from './db-executor.js';
export type { DbExecutor, DbStepOutput } from './db-executor.js';
export { dbExecutorOptionsSchema } from './options.js';
export type { DbExecutorOptions, NamedConnection } from './options.js';
export { dbStepConfigSchema, databaseTypeSchema } from './step-config.js';
export type { DbStepConfig, DbStepConfigInput, DatabaseType } from './step-config.js';
export { procedureCallText } from './procedure-call.js';
export { scanPlaceholders, expectedParameterCount } from './sql-placeholders.js';
export type { Placeholder } from './sql-placeholders.js';
export { toJsonValue } from './json-value.js';
export type { JsonValue } from './json-value.js';
export { classifyDbError } from './classify-error.js';
export { missingDrivers } from './load-driver.js';
export type { MissingDriver, ModuleImporter } from './load-driver.js';
export type { FieldInfo } from './dialects/dialect.js';
export type { WrittenFile } from './csv-output.js';
