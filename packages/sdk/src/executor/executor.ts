import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import { ConfigError } from '../errors/errors.js';
import type { ValidationIssue } from '../errors/errors.js';
import type { FileArea } from '../files/file-area.js';

/**
 * What an executor receives besides its config, for one attempt of one step.
 * Everything an executor does with the outside world must honour `signal`.
 */
export interface StepContext {
  readonly executionId: string;
  readonly jobId: string;
  readonly stepId: string;
  /** 1 for the first try of this step in this execution, then 2, 3, … */
  readonly attempt: number;
  /** `${executionId}:${stepId}` — pass it on so a retried side effect is applied once (HTTP sends it as `Idempotency-Key`). */
  readonly idempotencyKey: string;
  /** Aborted on step timeout, job timeout, cancellation or shutdown; `signal.reason` is the vecron error that says which. */
  readonly signal: AbortSignal;
  /** Child logger with `executionId`, `jobId`, `stepId`, `attempt` bound. */
  readonly logger: Logger;
  /** The execution's file area: `{dataDir}/files/jobs/{jobId}/executions/{executionId}/`. */
  readonly files: FileArea;
  /** Resolved variables (job over global, sensitive ones decrypted), read-only. */
  readonly variables: Readonly<Record<string, string>>;
  /** The step's timeout in milliseconds, when it has one (executors may pass it to a driver as a statement timeout). */
  readonly timeoutMs: number | undefined;
}

/**
 * An executor plugin: handles every step whose `type` equals {@link Executor.type}.
 *
 * @example
 * ```ts
 * const echo = defineExecutor({
 *   type: 'echo',
 *   config: z.object({ message: z.string() }),
 *   async execute(config, ctx) { ctx.logger.info('echo'); return { said: config.message }; },
 * });
 * ```
 */
export interface Executor<Config = unknown, Output = unknown, Type extends string = string, ConfigInput = Config> {
  /** The step `type` it handles: 'http', 'database', … */
  readonly type: Type;
  /**
   * zod schema of the step config. Checked when a job is saved (as far as its templates allow)
   * and again after template substitution, before every attempt. Its input type types the
   * `config` of steps of this type in `cron.jobs.create`.
   */
  readonly config: ZodType<Config, ConfigInput>;
  /**
   * Config paths the worker must NOT render as templates, e.g. `(p) => p === '$.query'` so SQL
   * text is never substituted (its values go in as bind parameters). Paths as `toJsonPath` prints them.
   */
  readonly unrenderedPaths?: (jsonPath: string) => boolean;
  /** Runs one attempt. Throw `NonRetryableError` for permanent failures; anything else is retried. */
  execute(config: Config, ctx: StepContext): Promise<Output>;
  /** Releases pools and connections; called by `cron.stop()`. */
  close?(): Promise<void>;
}

/** Any executor, as the registry stores it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExecutor = Executor<any, any, string, any>;

/**
 * What is wrong with an executor object, as validation issues (empty when it keeps the contract):
 * a non-empty `type`, an `execute` function, a zod `config` schema, optional `close` and
 * `unrenderedPaths` functions. Used by {@link defineExecutor} and by `createCronSystem`, so a
 * plugin object written by hand is checked too.
 */
export function executorIssues(executor: unknown): ValidationIssue[] {
  if (typeof executor !== 'object' || executor === null) return [{ path: '$', message: 'must be an executor object (defineExecutor({ type, config, execute }))' }];
  const e = executor as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (typeof e.type !== 'string' || e.type.length === 0) issues.push({ path: '$.type', message: 'must be a non-empty string (the step type it handles)' });
  if (typeof e.execute !== 'function') issues.push({ path: '$.execute', message: 'must be a function (config, ctx) => Promise<output>' });
  const config = e.config as { safeParse?: unknown } | undefined;
  if (config === undefined || config === null) {
    issues.push({ path: '$.config', message: 'is required: a zod schema of the step config (z.object({}) for an executor without config)' });
  } else if (typeof config !== 'object' || typeof config.safeParse !== 'function') {
    issues.push({ path: '$.config', message: 'must be a zod schema (e.g. z.object({ url: z.string() }))' });
  }
  for (const key of ['close', 'unrenderedPaths'] as const) {
    if (e[key] !== undefined && typeof e[key] !== 'function') issues.push({ path: `$.${key}`, message: 'must be a function when given' });
  }
  return issues;
}

/**
 * Declares an executor plugin; returns it unchanged, with its types inferred from the zod schema.
 *
 * @throws ConfigError at once when the definition breaks the contract (no `type`, no `execute`,
 * a missing or non-zod `config`), instead of every execution failing later inside a worker.
 */
export function defineExecutor<Config, Output, const Type extends string = string, ConfigInput = Config>(
  executor: Executor<Config, Output, Type, ConfigInput>,
): Executor<Config, Output, Type, ConfigInput> {
  const issues = executorIssues(executor);
  if (issues.length) {
    const type = typeof (executor as { type?: unknown } | null)?.type === 'string' ? ` "${(executor as { type: string }).type}"` : '';
    throw new ConfigError(`executor${type}`, issues);
  }
  return executor;
}
