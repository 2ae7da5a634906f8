import { format } from 'node:util';
import type { Logger } from 'pino';
import { maskCredentialValue, maskCredentials } from '../crypto/credentials.js';
import { scrubDeep } from '../crypto/scrub.js';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import type { StepLogLevel, StepLogLine } from '../model/step-log.js';
import type { Storage } from '../storage/port.js';

/** How much of what steps log is kept (see `CronSystemOptions.stepLogs`). */
export interface StepLogSettings {
  /** Keep step log lines at least this severe; `false` keeps none. */
  level: StepLogLevel | false;
  /** Most lines kept per step attempt (then one "truncated" line). */
  maxLines: number;
  /** Most bytes (message and fields as JSON) kept per step attempt. */
  maxBytes: number;
  /** Buffered lines are written at least this often (and at the end of each attempt). */
  flushMs: number;
  /** Most lines waiting to be written in this worker; more are dropped and counted. */
  maxBufferedLines: number;
  /** Deadline of one batch write. */
  writeTimeoutMs: number;
}

/** Defaults of {@link StepLogSettings}. */
export const DEFAULT_STEP_LOG_SETTINGS: StepLogSettings = {
  level: 'info', maxLines: 1000, maxBytes: 1_048_576, flushMs: 1000, maxBufferedLines: 10_000, writeTimeoutMs: 10_000,
};

/** Longest message kept of one line; the rest is cut with an ellipsis. */
const MAX_MESSAGE_CHARS = 8192;
/** Largest fields object (as JSON) kept of one line; a larger one is replaced by a note. */
const MAX_FIELDS_BYTES = 16_384;
/** Lines per write; a fuller buffer is written at once instead of at the next tick. */
const BATCH_LINES = 500;

const LEVEL_VALUES: Record<StepLogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
/** Fields the worker binds to every step logger: they are the line's columns, not its fields. */
const BOUND = new Set(['executionId', 'jobId', 'jobName', 'stepId', 'attempt', 'fencingToken']);

/** What a step log writer has done since it started. */
export interface StepLogStats {
  /** Lines stored. */
  written: number;
  /** Lines lost: a failed or timed-out write, or a full buffer (the per-attempt caps are not counted here). */
  dropped: number;
  /** Batch writes that failed. */
  failedWrites: number;
}

/** Capture of one step attempt's log. */
export interface StepLogCapture {
  /** `logger` with every call also recorded for this attempt (children too). */
  readonly logger: Logger;
  /** Ends the attempt's capture (adds the "truncated" line if lines were left out) and starts writing what is buffered; never rejects. */
  finish(): Promise<void>;
}

/** Buffers step log lines of one worker and writes them to storage in batches. */
export interface StepLogWriter {
  /** Starts capturing one attempt; `scrub` masks the execution's sensitive values. */
  open(ids: { executionId: string; jobId: string; stepId: string; attempt: number }, logger: Logger, scrub: (text: string) => string): StepLogCapture;
  /** Writes what is buffered now; resolves when it is stored (or dropped). Never rejects. */
  flush(): Promise<void>;
  stats(): StepLogStats;
  /** Writes what is buffered and stops the timer. */
  close(): Promise<void>;
}

/**
 * Creates the writer. A failing write never fails or holds up a step: its lines are dropped,
 * counted ({@link StepLogStats}), logged as a warning and reported as an `error` event.
 */
export function createStepLogWriter(deps: WriterDeps): StepLogWriter {
  const w: WriterState = { deps, buffer: [], timer: null, chain: Promise.resolve(), stats: { written: 0, dropped: 0, failedWrites: 0 } };
  return {
    open: (ids, stepLogger, scrub) => openCapture(w, ids, stepLogger, scrub),
    flush: () => flush(w),
    stats: () => ({ ...w.stats }),
    async close() {
      await flush(w);
    },
  };
}

/** What a {@link StepLogWriter} writes with. */
interface WriterDeps { storage: Storage; events: CronEventBus; clock: Clock; logger: Logger; settings: StepLogSettings }

/** A line waiting to be written, with its job (for the `execution.step.log` event). */
interface Buffered { line: StepLogLine; jobId: string }

/** The buffer of one writer, its flush timer, and the chain that keeps writes in order. */
interface WriterState {
  readonly deps: WriterDeps;
  buffer: Buffered[];
  timer: NodeJS.Timeout | null;
  chain: Promise<void>;
  readonly stats: StepLogStats;
}

/** Starts capturing one attempt, within its line and byte caps; `finish` records a truncation notice and flushes. */
function openCapture(w: WriterState, ids: { executionId: string; jobId: string; stepId: string; attempt: number }, stepLogger: Logger, scrub: (text: string) => string): StepLogCapture {
  const { settings, clock } = w.deps;
  if (settings.level === false) return { logger: stepLogger, finish: async () => undefined };
  const minLevel = LEVEL_VALUES[settings.level];
  let seq = 0;
  let bytes = 0;
  let droppedLines = 0;
  let droppedBytes = 0;
  let finished = false;
  const record = (level: StepLogLevel, args: unknown[], bindings: Record<string, unknown>): void => {
    if (finished || LEVEL_VALUES[level] < minLevel) return;
    const { message, fields } = toLine(args, bindings, scrub);
    const size = Buffer.byteLength(message) + (fields ? Buffer.byteLength(JSON.stringify(fields)) : 0);
    if (seq >= settings.maxLines || bytes + size > settings.maxBytes) {
      droppedLines++;
      droppedBytes += size;
      return;
    }
    bytes += size;
    push(w, { ...ids, seq: ++seq, at: clock.now(), level, message, fields }, ids.jobId);
  };
  return {
    logger: capturing(stepLogger, record, {}),
    async finish() {
      if (finished) return;
      finished = true;
      if (droppedLines) {
        push(w, {
          ...ids, seq: ++seq, at: clock.now(), level: 'warn',
          message: `log truncated: ${droppedLines} more line(s), ${droppedBytes} byte(s) not kept (limits: ${settings.maxLines} lines, ${settings.maxBytes} bytes per step attempt)`,
          fields: { truncated: true, dropped_lines: droppedLines, dropped_bytes: droppedBytes },
        }, ids.jobId);
      }
      if (seq) await flush(w);
    },
  };
}

/** Buffers a line (dropped, and counted, when the buffer is full); a full batch is flushed at once, else after `flushMs`. */
function push(w: WriterState, line: StepLogLine, jobId: string): void {
  const { settings } = w.deps;
  if (w.buffer.length >= settings.maxBufferedLines) {
    w.stats.dropped++;
    return;
  }
  w.buffer.push({ line, jobId });
  if (w.buffer.length >= BATCH_LINES) void flush(w);
  else if (!w.timer) {
    w.timer = setTimeout(() => void flush(w), settings.flushMs);
    w.timer.unref();
  }
}

/** Writes what is buffered after the writes before it; resolves when it is stored (or dropped). */
function flush(w: WriterState): Promise<void> {
  if (w.timer) {
    clearTimeout(w.timer);
    w.timer = null;
  }
  if (!w.buffer.length) return w.chain;
  const batch = w.buffer;
  w.buffer = [];
  w.chain = w.chain.then(() => writeBatch(w, batch));
  return w.chain;
}

/** One write within `writeTimeoutMs`, then an `execution.step.log` event per attempt; a failure drops the batch. Never rejects. */
async function writeBatch(w: WriterState, batch: Buffered[]): Promise<void> {
  const { storage, events, logger, settings } = w.deps;
  const { stats } = w;
  let deadline: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      storage.appendStepLogs(batch.map((b) => b.line)),
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error(`step log write took longer than ${settings.writeTimeoutMs} ms`)), settings.writeTimeoutMs);
        deadline.unref();
      }),
    ]);
    stats.written += batch.length;
    for (const a of linesPerAttempt(batch)) events.emit('execution.step.log', a);
  } catch (err) {
    stats.failedWrites++;
    stats.dropped += batch.length;
    logger.warn({ err, lines: batch.length, dropped: stats.dropped, failedWrites: stats.failedWrites }, 'step log write failed; its lines are dropped');
    events.emit('error', { where: 'step log write', error: err });
  } finally {
    if (deadline) clearTimeout(deadline);
  }
}

/** How many lines of each step attempt a batch holds. */
function linesPerAttempt(batch: Buffered[]): Iterable<{ executionId: string; jobId: string; stepId: string; attempt: number; lines: number }> {
  const attempts = new Map<string, { executionId: string; jobId: string; stepId: string; attempt: number; lines: number }>();
  for (const { line, jobId } of batch) {
    const key = `${line.executionId}\u0000${line.stepId}\u0000${line.attempt}`;
    const a = attempts.get(key) ?? { executionId: line.executionId, jobId, stepId: line.stepId, attempt: line.attempt, lines: 0 };
    a.lines++;
    attempts.set(key, a);
  }
  return attempts.values();
}

/**
 * A view of `logger` whose level methods also hand each call to `record` (with the bindings of
 * the children made from it); everything else is the logger's own.
 */
function capturing(logger: Logger, record: (level: StepLogLevel, args: unknown[], bindings: Record<string, unknown>) => void, bindings: Record<string, unknown>): Logger {
  return new Proxy(logger, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in LEVEL_VALUES) {
        const method = (target as unknown as Record<string, (...a: unknown[]) => void>)[prop]!;
        return (...args: unknown[]) => {
          try {
            record(prop as StepLogLevel, args, bindings);
          } catch {
            // Capture is best effort: the process log below still gets the line.
          }
          method.apply(target, args);
        };
      }
      if (prop === 'child') {
        return (childBindings: Record<string, unknown>, options?: object) =>
          capturing(target.child(childBindings, options as never), record, { ...bindings, ...childBindings });
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value, target);
    },
  });
}

/** A pino call's arguments as a stored line: message formatted as pino would, fields JSON-safe, credentials and secrets masked. */
function toLine(args: unknown[], bindings: Record<string, unknown>, scrub: (text: string) => string): { message: string; fields: Record<string, unknown> | null } {
  let obj: Record<string, unknown> = {};
  let rest = args;
  const first = args[0];
  if (first instanceof Error) {
    obj = { err: first };
    rest = args.slice(1);
  } else if (first !== null && typeof first === 'object') {
    obj = { ...(first as Record<string, unknown>) };
    rest = args.slice(1);
  }
  let message = rest.length ? format(...(rest as [unknown, ...unknown[]])) : '';
  if (!message && typeof obj.msg === 'string') message = obj.msg;
  if (!message && first instanceof Error) message = first.message;
  delete obj.msg;
  const all: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...bindings, ...obj })) if (!BOUND.has(k)) all[k] = v;
  if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
  message = maskCredentialValue(null, scrub(message));
  if (!Object.keys(all).length) return { message, fields: null };
  let fields = scrubDeep(maskCredentials(jsonSafe(all) as Record<string, unknown>), scrub);
  const size = Buffer.byteLength(JSON.stringify(fields));
  if (size > MAX_FIELDS_BYTES) fields = { fields_omitted: `${size} bytes of fields, more than ${MAX_FIELDS_BYTES} per line` };
  return { message, fields };
}

/** A JSON-safe copy: errors as `{ type, message, code, stack }`, bigints as strings, cycles and functions left out. */
function jsonSafe(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol' || v === undefined) return undefined;
    if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
    if (seen.has(v) || depth > 20) return '[Circular]';
    seen.add(v);
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (v instanceof Error) {
      const code = (v as { code?: unknown }).code;
      return { type: v.name, message: v.message, ...(code !== undefined ? { code: walk(code, depth + 1) } : {}), ...(v.stack ? { stack: v.stack } : {}) };
    }
    if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const w = walk(x, depth + 1);
      if (w !== undefined) out[k] = w;
    }
    return out;
  };
  return walk(value, 0);
}
