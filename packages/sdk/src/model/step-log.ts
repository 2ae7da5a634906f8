/** Levels of a stored step log line (pino's). */
export const STEP_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Level of one stored step log line. */
export type StepLogLevel = (typeof STEP_LOG_LEVELS)[number];

/**
 * One line a step logged through `ctx.logger`, kept with its step attempt (secrets scrubbed, at
 * most `stepLogs.maxLines` lines and `stepLogs.maxBytes` bytes per attempt; a last line with
 * `fields.truncated: true` says how much was left out).
 */
export interface StepLogLine {
  executionId: string;
  stepId: string;
  attempt: number;
  /** 1, 2, 3, … within the attempt, in the order the step logged them. */
  seq: number;
  at: Date;
  level: StepLogLevel;
  message: string;
  /** The line's own fields (the bound `executionId`, `jobId`, `stepId`, `attempt` left out); null when none. */
  fields: Record<string, unknown> | null;
}

/** A stored step log line with its place in the execution's log: pass `id` back as `after` to read on. */
export interface StoredStepLogLine extends StepLogLine {
  /** Increases with every stored line of the execution (a paging cursor, not a count). */
  id: number;
}

/** Filters of `Storage.listStepLogs`. */
export interface StepLogQuery {
  stepId?: string;
  attempt?: number;
  /** Only lines stored after the line with this id. */
  after?: number;
  /** At most this many lines. @default 500 */
  limit?: number;
}
