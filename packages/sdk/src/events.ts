import { EventEmitter } from 'node:events';
import type { Execution, ErrorRecord } from './model/execution.js';
import type { DispatchReason } from './storage/port.js';

/** Every event vecron emits, with its payload. Also what the server feeds to SSE. */
export interface CronEvents {
  'execution.created': { execution: Execution };
  'execution.started': { execution: Execution };
  'execution.step.started': { executionId: string; jobId: string; stepId: string; attempt: number };
  'execution.step.finished': { executionId: string; jobId: string; stepId: string; attempt: number; status: 'succeeded' | 'failed' | 'skipped'; error?: ErrorRecord };
  /** Step log lines of one attempt were stored (`lines` of them in this batch); read them with `cron.executions.logs`. */
  'execution.step.log': { executionId: string; jobId: string; stepId: string; attempt: number; lines: number };
  'execution.retrying': { executionId: string; jobId: string; stepId: string; delayMs: number; attempt: number };
  'execution.finished': { executionId: string; jobId: string; status: Execution['status']; error: ErrorRecord | null };
  'schedule.fired': { jobId: string; executionId: string; scheduledFor: Date };
  'schedule.skipped': { jobId: string; fireAt: Date; outcome: 'skipped' | 'missed'; reason: string };
  /**
   * The dispatcher published an execution to the queue, and why: `lease_expired` is a lease
   * reclaim (its worker died or stalled), `republish` a lost message, `requeued` a retry or a
   * hand-back, `new` a first publish.
   */
  'execution.dispatched': { executionId: string; jobId: string; reason: DispatchReason };
  /**
   * A retention batch deleted old history (docs/operations.md#retention): executions (with their
   * step attempts and logs), fire-ledger rows, execution file folders. Emitted per batch, by the
   * scheduler that ran it.
   */
  'retention.purged': { executions: number; ledger: number; files: number };
  /** A background loop hit an error it will retry; never thrown. */
  'error': { where: string; error: unknown };
}

/** Name of one vecron event. */
export type CronEventName = keyof CronEvents;

/** A typed event bus. */
export interface CronEventBus {
  on<E extends CronEventName>(event: E, listener: (payload: CronEvents[E]) => void): () => void;
  off<E extends CronEventName>(event: E, listener: (payload: CronEvents[E]) => void): void;
  emit<E extends CronEventName>(event: E, payload: CronEvents[E]): void;
}

/** Creates the in-process event bus; a listener that throws does not break the emitter. */
export function createEventBus(onListenerError: (err: unknown) => void): CronEventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    on(event, listener) {
      const safe = (p: unknown): void => {
        try {
          listener(p as never);
        } catch (err) {
          onListenerError(err);
        }
      };
      (listener as unknown as { __safe?: unknown }).__safe = safe;
      emitter.on(event, safe);
      return () => emitter.off(event, safe);
    },
    off(event, listener) {
      const safe = (listener as unknown as { __safe?: (p: unknown) => void }).__safe;
      if (safe) emitter.off(event, safe);
    },
    emit(event, payload) {
      // node's EventEmitter throws an 'error' event nobody listens to; ours is a report, never a crash.
      if (event === 'error' && emitter.listenerCount('error') === 0) return;
      emitter.emit(event, payload);
    },
  };
}
