/** Execution statuses (docs/concepts.md#statuses, docs/architecture.md#exactly-once-invariants). */
export const EXECUTION_STATUSES = ['pending', 'running', 'cancelling', 'success', 'failed', 'timeout', 'cancelled', 'dead_letter'] as const;
/** One execution status. */
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
/** Statuses after which nothing changes unless a person replays. */
export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['success', 'failed', 'timeout', 'cancelled', 'dead_letter']);

/** What started an execution. */
export type TriggerSource = 'scheduled' | 'manual' | 'webhook' | 'retry' | 'replay' | 'backfill';

/** Per-step state kept in the execution context, persisted after every step. */
export interface StepState {
  status: 'succeeded' | 'failed' | 'skipped';
  output?: unknown;
  error?: ErrorRecord;
  attempts: number;
  finished_at: string;
}

/** The persisted context of an execution: step outputs and the trigger's input. */
export interface ExecutionContext {
  steps: Record<string, StepState>;
  webhook?: { payload: unknown; headers: Record<string, string>; query_params: Record<string, string> };
  payload?: unknown;
  /** Retry delays chosen so far, ms, in order. */
  retry_delays_ms?: number[];
}

/** A JSON-safe error. */
export interface ErrorRecord {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** One execution row. */
export interface Execution {
  id: string;
  jobId: string;
  idempotencyKey: string;
  status: ExecutionStatus;
  triggerSource: TriggerSource;
  triggerMetadata: Record<string, unknown>;
  scheduledFor: Date | null;
  attempt: number;
  currentStep: string | null;
  context: ExecutionContext;
  error: ErrorRecord | null;
  availableAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  fencingToken: number | null;
  replayOf: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One attempt of one step: the timeline row. */
export interface StepAttempt {
  executionId: string;
  stepId: string;
  attempt: number;
  status: 'running' | 'succeeded' | 'failed' | 'abandoned';
  fencingToken: number;
  startedAt: Date;
  finishedAt: Date | null;
  error: ErrorRecord | null;
  /** The backoff chosen after this failure before the next try, ms. */
  retryDelayMs: number | null;
}

/** What the schedule produced for one fire instant. */
export interface LedgerEntry {
  jobId: string;
  fireAt: Date;
  outcome: 'fired' | 'skipped' | 'missed';
  reason: string | null;
  executionId: string | null;
  recordedAt: Date;
}
