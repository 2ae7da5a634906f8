import { parseConfig } from '@vecron/sdk';
import { z } from 'zod';
import { databaseTypeSchema } from './step-config.js';

/** Pool settings of one connection. */
const poolSchema = z.strictObject({
  /** Most connections open at once. @default 10 */
  max: z.number().int().positive().max(1000).default(10),
  /** An idle connection is closed after this many ms. @default 30000 */
  idle_timeout_ms: z.number().int().nonnegative().default(30_000),
});

/** A named connection configured in the plugin, referenced by a step's `connection`. */
const connectionSchema = z.strictObject({
  /** Which database it is. */
  database_type: databaseTypeSchema,
  /** URL of the database, e.g. `postgres://user:pass@host:5432/db`, `mysql://…`, `oracle://user:pass@host:1521/service`. */
  connection_string: z.string().min(1),
  /** Pool settings; defaults to the plugin's `pool`. */
  pool: poolSchema.partial().optional(),
  /** Statement timeout when a step gives no `timeout_seconds`. */
  statement_timeout_ms: z.number().int().positive().optional(),
});

/** Options of {@link dbExecutor}, as accepted (defaults optional). */
export const dbExecutorOptionsSchema = z.strictObject({
  /** Named connections; a step refers to one with `connection: "<name>"`. @default {} */
  connections: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'connection names use letters, digits, _ . -'), connectionSchema).default({}),
  /** Row cap when a step gives no `max_rows`. More rows fail the step (use `output_to_file`). @default 10000 */
  maxRows: z.number().int().positive().default(10_000),
  /** Pool settings for connections without their own (and for every distinct `connection_string`). */
  pool: poolSchema.default({ max: 10, idle_timeout_ms: 30_000 }),
  /** Time allowed to open a connection, ms. @default 10000 */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Circuit breaker per connection: consecutive retryable failures that open it. @default 5 */
  circuitFailureThreshold: z.number().int().positive().default(5),
  /** How long an open circuit fails fast before a trial call, ms. @default 30000 */
  circuitResetMs: z.number().int().positive().default(30_000),
  /** Rows fetched per round trip when streaming to a file. @default 1000 */
  fetchSize: z.number().int().positive().max(100_000).default(1000),
  /**
   * Refuse a step's own `connection_string` when its host is private, loopback, link-local or a
   * metadata address (SSRF guard; named connections, set by the operator, are exempt). @default false
   */
  blockPrivateAddresses: z.boolean().default(false),
  /** Hosts exempt from `blockPrivateAddresses`: names, IP literals or `*.suffix`. @default [] */
  allowHosts: z.array(z.string().min(1)).default([]),
});

/** Options of {@link dbExecutor}. */
export type DbExecutorOptions = z.input<typeof dbExecutorOptionsSchema>;
/** Options after defaults are applied. */
export type ResolvedDbExecutorOptions = z.output<typeof dbExecutorOptionsSchema>;
/** A named connection, resolved. */
export type NamedConnection = z.output<typeof connectionSchema>;

/**
 * Parses the factory options once, at the boundary.
 *
 * @throws ConfigError listing every issue with its path.
 */
export function parseOptions(input: unknown): ResolvedDbExecutorOptions {
  return parseConfig(dbExecutorOptionsSchema, input ?? {}, 'dbExecutor options');
}
