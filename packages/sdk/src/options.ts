import type { Logger } from 'pino';
import { z } from 'zod';
import { parseConfig } from './errors/zod-issues.js';
import { executorIssues } from './executor/executor.js';
import type { AnyExecutor } from './executor/executor.js';
import type { Clock } from './internal/clock.js';
import type { Coordination } from './coordination/port.js';
import type { Queue } from './queue/port.js';
import type { BackoffOptions } from './reliability/backoff.js';
import type { Storage } from './storage/port.js';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from './time/zoned.js';
import type { SecretBox, SecretKeyInput, SecretBoxKeys } from './crypto/index.js';
import { STEP_LOG_LEVELS } from './model/step-log.js';
import type { StepLogLevel } from './model/step-log.js';
import { retentionOptionsSchema } from './scheduler/retention-rules.js';

/**
 * The `retention` option: how long finished history is kept (docs/operations.md#retention). Each
 * kind left unset is kept forever; a job's own `retention` wins field by field.
 */
export type RetentionOptions = z.input<typeof retentionOptionsSchema>;

/** Options of `createCronSystem`. Every field is optional; defaults give a working embedded system. */
export interface CronSystemOptions {
  /** Executor plugins, one per step type. @default [] */
  executors?: AnyExecutor[];
  /**
   * Where jobs and executions live: a `Storage` (or a promise of one, e.g. `postgresStorage(...)`).
   * @default the embedded PGlite store: in memory, or in `dataDir` when given
   */
  storage?: Storage | Promise<Storage>;
  /** Folder of the embedded store and of execution files, when `storage` is not given. @default in memory; files under the OS temp dir */
  dataDir?: string;
  /** Root of execution file areas (`{filesDir}/jobs/{job}/executions/{execution}`). @default `{dataDir}/files` */
  filesDir?: string;
  /** The work queue. @default in-process */
  queue?: Queue;
  /**
   * Locks, cache and rate limits shared by processes (e.g. `redisCoordination(...)`). A fast
   * path only: storage's conditional claims and fencing tokens stay the guarantee.
   * @default none (every check goes to storage)
   */
  coordination?: Coordination;
  /**
   * pino logger. Without one vecron logs nothing, except that each kind of background error
   * (where it happened + code, e.g. a NATS publish failing) is printed once to stderr as a
   * `VecronWarning` process warning, so a wrong address is never silent. Pass
   * `pino({ level: 'silent' })` to silence that too.
   * @default none (the once-per-kind warnings only)
   */
  logger?: Logger;
  /** Zone of cron schedules and date templates without their own. @default 'Asia/Ho_Chi_Minh' */
  timezone?: string;
  /**
   * AES-256-GCM key(s) for sensitive variables: 32 bytes, hex or base64, or `{ current, previous }`,
   * or a ready {@link SecretBox} (e.g. one whose encrypting key the cluster agrees on).
   * @default none (sensitive variables refused)
   */
  encryptionKey?: SecretKeyInput | SecretBoxKeys | SecretBox;
  /**
   * The clock due-ness and leases are judged by: `databaseClock` in distributed mode, a fake one
   * in tests. The queue judges `notBefore` by it too (it is handed over with `Queue.useClock`).
   * @default the system clock
   */
  clock?: Clock;
  /** Identity of this process in leases. @default `${hostname}:${pid}:${random}` */
  workerId?: string;
  /**
   * Worker lease; a worker that stops heartbeating loses its executions after this, and another
   * resumes them. Heartbeats run every min(2 s, lease/3), so a short lease costs no extra writes.
   * @default 10000
   */
  leaseMs?: number;
  /**
   * How often a worker renews the lease of each execution it runs (and tells the queue it is
   * still working on it). Must be below `leaseMs`; a third of it leaves room for two lost renewals.
   * @default min(2000, leaseMs / 3)
   */
  heartbeatMs?: number;
  /** How often the scheduler looks for due schedules. @default 1000 */
  pollIntervalMs?: number;
  /**
   * How often pending executions and expired leases are (re)dispatched. A dead worker's
   * executions resume within `leaseMs + dispatchIntervalMs` (plus one claim). @default 1000
   */
  dispatchIntervalMs?: number;
  /**
   * A pending execution not started this long after publishing is published again (a lost
   * message). An expired lease does not wait for it: it is re-published at the next dispatch.
   * @default 30000
   */
  republishAfterMs?: number;
  /** Retry backoff. @default { baseMs: 5000, factor: 3, capMs: 1800000 } */
  backoff?: BackoffOptions;
  /** A fire at most this late is on time under every misfire policy. @default 60000 */
  misfireThresholdMs?: number;
  /** Most executions one schedule creates per tick under `fire_all`. @default 100 */
  maxFiresPerTick?: number;
  /** How long `stop()` lets in-flight executions finish before releasing them. @default 30000 */
  shutdownGraceMs?: number;
  /**
   * Deadline of `start()` for opening a storage that was passed in (the embedded one has none: it
   * talks to no server), then for one round trip to the queue and the coordination servers. A
   * dependency that does not answer in time fails the start with an error naming its address and
   * the cause. @default 10000
   */
  startTimeoutMs?: number;
  /**
   * When false, a coordination server (Redis) that cannot be reached at `start()` is logged and
   * the start goes on: Redis is a fast path, storage stays the guarantee. Storage and queue are
   * always checked. @default true
   */
  strict?: boolean;
  /**
   * Whether `stop()` also closes the storage, queue, coordination and executors that were passed
   * in (it always closes what it created itself). Set false when they are shared with something
   * that outlives this system. @default true
   */
  closePassedIn?: boolean;
  /**
   * What is kept of what steps log through `ctx.logger`, per step attempt, for the execution page
   * and `cron.executions.logs`: lines at `level` or above (`false`: none), at most `maxLines` lines
   * and `maxBytes` bytes per attempt (then one "truncated" line), secrets and credentials masked,
   * written in batches every `flushMs` and at the end of each attempt. A failed write drops its
   * lines (counted, logged) and never fails the step.
   * @default { level: 'info', maxLines: 1000, maxBytes: 1048576, flushMs: 1000 }
   */
  stepLogs?: { level?: StepLogLevel | false; maxLines?: number; maxBytes?: number; flushMs?: number };
  /**
   * Retention of finished history, run by the scheduler role every `intervalMs` in batches of
   * `batchSize` rows with `pauseMs` between them, never blocking a claim: finished executions
   * older than `maxAgeDays` or beyond the newest `keepLast` of their job (with their step attempts,
   * logs and file folders), fire-ledger rows older than `ledgerMaxAgeDays` (default: `maxAgeDays`).
   * Open executions and dead letters not yet replayed or discarded are never deleted. A job's own
   * `retention` wins field by field. Not given: no retention loop runs and history is kept forever
   * (deleting it is for the owner to decide); `{}` runs the loop for the jobs' own policies only;
   * `enabled: false` keeps the rules for `cron.maintenance.purge` without running the loop.
   * @default none (keep everything)
   */
  retention?: RetentionOptions;
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'object' && v !== null, { message: `must be ${what}` });

const optionsSchema = z
  .object({
    executors: z
      .array(
        z.custom<AnyExecutor>().superRefine((e, ctx) => {
          for (const issue of executorIssues(e)) ctx.addIssue({ code: 'custom', message: `${issue.path.replace(/^\$\.?/, '') || 'executor'} ${issue.message}` });
        }),
      )
      .default([]),
    storage: z.custom<Storage | Promise<Storage>>((v) => typeof v === 'object' && v !== null, 'must be a Storage or a promise of one').optional(),
    dataDir: z.string().min(1).optional(),
    filesDir: z.string().min(1).optional(),
    queue: fn<Queue>('a Queue').optional(),
    coordination: fn<Coordination>('a Coordination').optional(),
    logger: fn<Logger>('a pino logger').optional(),
    timezone: z.string().refine(isValidTimeZone, 'is not an IANA time zone this runtime knows').default(DEFAULT_TIME_ZONE),
    encryptionKey: z.unknown().optional(),
    clock: fn<Clock>('a clock { now(): Date }').optional(),
    workerId: z.string().min(1).max(200).optional(),
    leaseMs: z.number().int().min(100).max(3_600_000).default(10_000),
    heartbeatMs: z.number().int().min(20).max(3_600_000).optional(),
    pollIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
    dispatchIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
    republishAfterMs: z.number().int().min(100).default(30_000),
    backoff: z.object({ baseMs: z.number().min(0).optional(), factor: z.number().min(1).optional(), capMs: z.number().min(0).optional() }).strict().default({}),
    misfireThresholdMs: z.number().int().min(0).default(60_000),
    maxFiresPerTick: z.number().int().min(1).max(10_000).default(100),
    shutdownGraceMs: z.number().int().min(0).default(30_000),
    startTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    strict: z.boolean().default(true),
    closePassedIn: z.boolean().default(true),
    stepLogs: z
      .object({
        level: z.union([z.enum(STEP_LOG_LEVELS), z.literal(false)]).default('info'),
        maxLines: z.number().int().min(1).max(1_000_000).default(1000),
        maxBytes: z.number().int().min(1024).max(1_073_741_824).default(1_048_576),
        flushMs: z.number().int().min(10).max(60_000).default(1000),
      })
      .strict()
      .default({ level: 'info', maxLines: 1000, maxBytes: 1_048_576, flushMs: 1000 }),
    retention: retentionOptionsSchema.optional(),
  })
  .strict()
  .refine((o) => o.heartbeatMs === undefined || o.heartbeatMs < o.leaseMs, { path: ['heartbeatMs'], message: 'must be below leaseMs (a lease would expire between two renewals)' });

/** Options with defaults applied. */
export type ResolvedCronSystemOptions = z.output<typeof optionsSchema>;

/** Validates options; throws `ConfigError` listing every bad field by path. */
export function parseCronSystemOptions(input: CronSystemOptions): ResolvedCronSystemOptions {
  return parseConfig(optionsSchema, input ?? {}, 'cron system options');
}

/** Options of `cron.start()`: which roles this process runs. */
export interface StartOptions {
  /** Run the scheduler role. @default true */
  scheduler?: boolean;
  /** Run the worker role, and with how many executions at once. @default { concurrency: 4 } */
  worker?: false | { concurrency?: number };
}
