import { CancelledError, ShutdownError } from '../errors/errors.js';
import type { QueueMessage } from '../queue/port.js';
import { createMessageRunner } from './claim.js';
import { ExecutionAbort } from './execution-abort.js';
import type { WorkerDeps } from './runtime.js';
import { DEFAULT_STEP_LOG_SETTINGS, createStepLogWriter } from './step-logs.js';
import type { StepLogStats } from './step-logs.js';

export type { WorkerDeps, WorkerSettings } from './runtime.js';

/** The worker role: consumes execution ids, claims, runs steps, persists after each. */
export interface Worker {
  /** Runs until `stop()`; resolves when the consumer loop has ended. */
  start(): Promise<void>;
  /**
   * Stops taking work; in-flight executions get `graceMs` to finish, then their signals abort
   * with `ShutdownError` and their leases are released (they resume elsewhere or on restart).
   */
  stop(graceMs: number): Promise<void>;
  /** Runs one delivered message (exposed for tests and for queue adapters). */
  handle(message: QueueMessage): Promise<void>;
  /** Aborts an execution this worker is running, at once (a cancel requested in this process). */
  cancelLocal(executionId: string): boolean;
  /** Step log lines written and lost by this worker (lost: a failed write or a full buffer). */
  stepLogStats(): StepLogStats;
  /** Writes the step log lines still buffered (also done by `stop`). */
  flushStepLogs(): Promise<void>;
}

/** Creates a worker (docs/architecture.md, steps 5–7: claim, steps, completion). */
export function createWorker(deps: WorkerDeps): Worker {
  const { storage, queue, events, clock, logger, settings } = deps;
  const consumeAbort = new AbortController();
  // One listener per execution in flight; an ExecutionAbort, not an AbortSignal: adding and
  // removing an EventTarget listener per execution cost ~2 us.
  const shutdown = new ExecutionAbort();
  const inFlight = new Set<Promise<void>>();
  const running = new Map<string, ExecutionAbort>();
  let loop: Promise<void> | null = null;
  const stepLogs = createStepLogWriter({ storage, events, clock, logger, settings: settings.stepLogs ?? DEFAULT_STEP_LOG_SETTINGS });
  const run = createMessageRunner({ ...deps, stepLogs, running, shutdown });

  async function handle(message: QueueMessage): Promise<void> {
    const p = run(message);
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  }

  return {
    handle,
    cancelLocal(executionId) {
      const abort = running.get(executionId);
      abort?.abort(new CancelledError('cancelled by request'));
      return abort !== undefined;
    },
    start() {
      loop ??= queue.consume(handle, { concurrency: settings.concurrency, signal: consumeAbort.signal });
      return loop;
    },
    async stop(graceMs) {
      consumeAbort.abort();
      const all = Promise.allSettled([...inFlight]);
      const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([all, timer]);
      shutdown.abort(new ShutdownError());
      await all;
      await loop;
      await stepLogs.close();
    },
    stepLogStats: () => stepLogs.stats(),
    flushStepLogs: () => stepLogs.flush(),
  };
}

