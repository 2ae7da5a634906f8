import { pino } from 'pino';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config-schema.js';

/** The OpenTelemetry ids a log line carries, in the field names of the OpenTelemetry log data model. */
export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/** Finds the span of an execution (or of one step attempt of it) from a logger's bindings. */
export type SpanLookup = (bindings: { executionId?: unknown; stepId?: unknown; attempt?: unknown }) => TraceIds | null;

/**
 * Joins logs and traces: a pino `mixin` that adds `trace_id` and `span_id` to every line logged
 * for an execution (the worker's loggers are bound to `executionId`, and to `stepId`/`attempt`
 * inside a step). The tracing module attaches its lookup once spans exist; before that, and with
 * tracing off, lines are unchanged.
 */
export interface LogCorrelation {
  mixin(merge: object, level: number, logger: Logger): Partial<TraceIds>;
  /** Sets the lookup; returns a function that removes it. */
  attach(lookup: SpanLookup): () => void;
}

/** Creates a {@link LogCorrelation}. */
export function createLogCorrelation(): LogCorrelation {
  let lookup: SpanLookup | null = null;
  return {
    mixin(_merge, _level, logger) {
      if (!lookup) return {};
      const b = logger.bindings() as { executionId?: unknown; stepId?: unknown; attempt?: unknown };
      if (typeof b.executionId !== 'string') return {};
      return lookup(b) ?? {};
    },
    attach(l) {
      lookup = l;
      return () => {
        if (lookup === l) lookup = null;
      };
    },
  };
}

/** The server's pino logger at `log.level`, with trace ids on execution lines (see {@link LogCorrelation}). */
export function createServerLogger(config: ServerConfig, correlation: LogCorrelation): Logger {
  return pino({ level: config.log.level, mixin: correlation.mixin });
}
