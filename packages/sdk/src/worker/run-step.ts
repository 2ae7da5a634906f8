import type { Logger } from 'pino';
import { InternalError, StepTimeoutError, ValidationError, VecronError } from '../errors/errors.js';
import { zodIssues } from '../errors/zod-issues.js';
import type { ExecutorRegistry } from '../executor/registry.js';
import type { createFileArea } from '../files/file-area.js';
import type { StepDefinition } from '../model/job-definition.js';
import { renderTemplate } from '../template/index.js';
import type { TemplateScope } from '../template/index.js';
import type { ExecutionAbort } from './execution-abort.js';
import { toJsonOutput } from './step-outcome.js';

/** Who runs the step, for its executor context. */
export interface StepRunIds {
  executionId: string;
  jobId: string;
  attempt: number;
  files: ReturnType<typeof createFileArea>;
  variables: Record<string, string>;
  logger: Logger;
}

/** Runs vecron's own step plumbing; a plain exception from it becomes a non-retryable {@link InternalError}. */
function internal<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof VecronError) throw err;
    throw new InternalError(`${what} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

/** Renders and validates a step's config with its executor's schema. */
function parseConfig(executor: ReturnType<ExecutorRegistry['get']>, step: StepDefinition, index: number, scope: TemplateScope): unknown {
  // Rendering and parsing are vecron's own code (and the plugin's schema object): a plain
  // exception here is a bug that fails the same way every time, so it is never retried.
  const parsed = internal(`preparing step "${step.id}" (type ${step.type})`, () => {
    const rendered = renderTemplate(step.config, scope, {
      basePath: `$.steps[${index}].config`,
      ...(executor.unrenderedPaths ? { skip: executor.unrenderedPaths } : {}),
    });
    return executor.config.safeParse(rendered);
  });
  if (!parsed.success) {
    throw new ValidationError(`config of step "${step.id}" (type ${step.type})`, zodIssues(parsed.error).map((i) => ({ ...i, path: i.path.replace(/^\$/, `$.steps[${index}].config`) })));
  }
  return parsed.data;
}

/**
 * How one step attempt stops early: the execution's abort or the step's timeout, the first one
 * wins. `race` rejects with its reason. The executor's `ctx.signal` is made only if the executor
 * reads it (most never do, and an `AbortSignal` costs about 5 µs to make), already aborted if the
 * step stopped before that.
 */
class StepStop {
  /** Rejects with the reason of the stop. */
  readonly race: Promise<never>;
  private controller: AbortController | undefined;
  private stopped = false;
  private why: unknown;
  private reject!: (reason: unknown) => void;

  constructor() {
    this.race = new Promise<never>((_, reject) => (this.reject = reject));
    this.race.catch(noop);
  }

  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.why = reason;
    this.controller?.abort(reason);
    this.reject(reason);
  }

  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }
}

const noop = (): void => undefined;

/** Runs one step's executor under the execution's signal and the step's timeout; returns its output as JSON. */
export async function runStep(executors: ExecutorRegistry, step: StepDefinition, index: number, scope: TemplateScope, signal: ExecutionAbort, ids: StepRunIds): Promise<unknown> {
  const executor = executors.get(step.type);
  const config = parseConfig(executor, step, index, scope);
  const timeoutMs = step.timeout_seconds ? step.timeout_seconds * 1000 : undefined;
  const stop = new StepStop();
  const offParent = signal.onAbort(() => stop.stop(signal.reason));
  // Aborted while the step attempt was being opened: the listener above would never fire.
  if (signal.aborted) stop.stop(signal.reason);
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs) {
    timer = setTimeout(() => stop.stop(new StepTimeoutError(step.id, timeoutMs)), timeoutMs);
    timer.unref();
  }
  try {
    const work = executor.execute(config, {
      executionId: ids.executionId, jobId: ids.jobId, stepId: step.id, attempt: ids.attempt,
      idempotencyKey: `${ids.executionId}:${step.id}`,
      get signal() {
        return stop.signal();
      },
      logger: ids.logger, files: ids.files, variables: Object.freeze({ ...ids.variables }), timeoutMs,
    });
    // An executor that ignores its signal must not hold the execution past a timeout or cancel.
    const output = await Promise.race([work, stop.race]);
    return internal(`storing the output of step "${step.id}" (type ${step.type}) as JSON`, () => toJsonOutput(output));
  } finally {
    if (timer) clearTimeout(timer);
    offParent();
  }
}
