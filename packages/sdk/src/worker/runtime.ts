import type { Logger } from 'pino';
import type { CronEventBus } from '../events.js';
import type { ExecutorRegistry } from '../executor/registry.js';
import type { Coordination } from '../coordination/port.js';
import type { Clock } from '../internal/clock.js';
import type { ErrorRecord, ExecutionStatus } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { BackoffOptions } from '../reliability/backoff.js';
import type { Storage } from '../storage/port.js';
import type { VariableResolver } from '../variables/variables.js';
import type { ExecutionAbort } from './execution-abort.js';
import type { StepLogSettings, StepLogWriter } from './step-logs.js';

/** Settings of the worker role. */
export interface WorkerSettings {
  workerId: string;
  concurrency: number;
  leaseMs: number;
  /** Lease renewal interval. @default min(2000, leaseMs / 3) */
  heartbeatMs?: number;
  backoff: BackoffOptions;
  filesDir: string;
  defaultTimeZone: string;
  /** Delay before retrying a claim that found another run of a non-concurrent job. */
  overlapRetryMs: number;
  /** What is kept of what steps log through `ctx.logger`. @default DEFAULT_STEP_LOG_SETTINGS */
  stepLogs?: StepLogSettings;
}

/** What the worker needs around it. */
export interface WorkerDeps {
  storage: Storage;
  queue: Queue;
  executors: ExecutorRegistry;
  variables: VariableResolver;
  events: CronEventBus;
  clock: Clock;
  logger: Logger;
  settings: WorkerSettings;
  /**
   * Optional coordination: a job-definition cache and a lock per non-concurrent job that saves
   * a database claim while another run holds it. The storage claim stays the guarantee.
   */
  coordination?: Coordination;
}

/** The worker's dependencies with its own shared state, as its modules see them. */
export interface WorkerRuntime extends WorkerDeps {
  stepLogs: StepLogWriter;
  /** Aborts of the executions running in this process, by execution id. */
  running: Map<string, ExecutionAbort>;
  /** Aborts when the worker stops and the grace period is over. */
  shutdown: ExecutionAbort;
}

/** The last step's success, written with the completion in one statement (`completeWithStepSuccess`). */
export interface LastStepSuccess {
  stepId: string;
  attempt: number;
}

/** How a claimed run ended, for `settle`. */
export type Outcome =
  | { kind: 'complete'; status: ExecutionStatus; error: ErrorRecord | null; lastStep?: LastStepSuccess }
  | { kind: 'retry'; delayMs: number; error: ErrorRecord }
  | { kind: 'release' }
  | { kind: 'lost' };
