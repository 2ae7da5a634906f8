import type { Logger } from 'pino';
import { pino } from 'pino';
import { MinHeap } from '../internal/min-heap.js';
import type { Queue, QueueHandler, QueueMessage } from './port.js';
import { runHandler } from './run-handler.js';

/** `generation`: the publish's deduplication id (the execution id unless the dispatcher gave another). */
type Entry = { id: string; generation: string; jobId: string | undefined; due: number; deliveries: number };

/** Options of {@link memoryQueue}. */
export interface MemoryQueueOptions {
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Where a handler that throws is logged (its message is delivered again in 1 s). @default silent */
  logger?: Logger;
}

/**
 * The in-process queue: one process, zero setup. A message not acked is redelivered; a publish
 * of an id already queued or in flight under the same deduplication id is a no-op (the
 * de-duplication JetStream gives by message id), one under a new deduplication id is a new
 * generation, delivered even while an older one is held (the dispatcher's re-publish after a lost
 * lease). Nothing survives the process: after a restart the dispatcher re-publishes pending
 * executions from storage.
 */
export function memoryQueue(options: MemoryQueueOptions = {}): Queue {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: 'silent' });
  const waiting = new Map<string, Entry>();
  // Ordered by due time. A queued entry is never changed in place: a new due time is a new entry,
  // and one that is no longer the id's entry in `waiting` is stale and skipped when it surfaces,
  // so publish and take stay O(log n) with thousands queued.
  const byDue = new MinHeap<Entry>((a, b) => a.due < b.due);
  const enqueue = (entry: Entry): void => {
    waiting.set(entry.id, entry);
    byDue.push(entry);
  };
  const earliest = (): Entry | null => {
    for (;;) {
      const top = byDue.peek();
      if (!top) return null;
      if (waiting.get(top.id) === top) return top;
      byDue.pop();
    }
  };
  // id → generation of its newest delivery in flight (an older one may still be held too).
  const inFlight = new Map<string, string>();
  const wakers = new Set<() => void>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const wake = (): void => {
    for (const w of [...wakers]) w();
  };
  const armTimer = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const next = earliest();
    if (!next) return;
    timer = setTimeout(wake, Math.max(0, Math.min(next.due - now(), 2_147_000_000)));
    timer.unref();
  };
  const takeDue = (): Entry | null => {
    const next = earliest();
    if (!next || next.due > now()) return null;
    byDue.pop();
    waiting.delete(next.id);
    return next;
  };

  return {
    async publish(executionId, opts = {}) {
      if (closed) return;
      const due = opts.notBefore?.getTime() ?? now();
      const generation = opts.deduplicationId ?? executionId;
      const existing = waiting.get(executionId);
      if (existing) {
        if (existing.generation !== generation) enqueue({ ...existing, generation, due: Math.min(due, existing.due) });
        else if (due < existing.due) enqueue({ ...existing, due });
      } else if (inFlight.get(executionId) !== generation) {
        enqueue({ id: executionId, generation, jobId: opts.jobId, due, deliveries: 0 });
      }
      armTimer();
      wake();
    },

    async consume(handler: QueueHandler, { concurrency, signal }) {
      const running = new Set<Promise<void>>();
      while (!signal.aborted && !closed) {
        if (running.size >= concurrency) {
          await Promise.race(running);
          continue;
        }
        const entry = takeDue();
        if (!entry) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              wakers.delete(done);
              signal.removeEventListener('abort', done);
              resolve();
            };
            wakers.add(done);
            signal.addEventListener('abort', done, { once: true });
            armTimer();
          });
          continue;
        }
        entry.deliveries += 1;
        inFlight.set(entry.id, entry.generation);
        let settled = false;
        /** Whether this call settled a delivery that no newer generation has superseded. */
        const settle = (): boolean => {
          if (settled) return false;
          settled = true;
          if (inFlight.get(entry.id) !== entry.generation) return false;
          inFlight.delete(entry.id);
          return true;
        };
        const message: QueueMessage = {
          executionId: entry.id,
          ...(entry.jobId ? { jobId: entry.jobId } : {}),
          deliveryCount: entry.deliveries,
          ack: async () => {
            settle();
          },
          nak: async (delayMs = 0) => {
            if (!settle() || closed) return;
            const prior = waiting.get(entry.id);
            if (!prior) enqueue({ ...entry, due: now() + delayMs });
            armTimer();
            wake();
          },
          inProgress: async () => {},
        };
        runHandler(handler, { message, settled: () => settled }, running, logger);
      }
      await Promise.allSettled(running);
    },

    async size() {
      return waiting.size + inFlight.size;
    },

    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      waiting.clear();
      byDue.clear();
      wake();
    },
  };
}
