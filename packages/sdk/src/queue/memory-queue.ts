import type { Logger } from 'pino';
import { pino } from 'pino';
import { MinHeap } from '../internal/min-heap.js';
import type { PublishOptions, Queue, QueueHandler, QueueMessage } from './port.js';
import { runHandler } from './run-handler.js';
import type { Delivered } from './run-handler.js';

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
  const q: QueueState = {
    now: options.now ?? Date.now,
    logger: options.logger ?? pino({ level: 'silent' }),
    waiting: new Map(),
    byDue: new MinHeap<Entry>((a, b) => a.due < b.due),
    inFlight: new Map(),
    wakers: new Set(),
    timer: null,
    closed: false,
  };
  return {
    publish: async (executionId, opts = {}) => publish(q, executionId, opts),
    consume: async (handler: QueueHandler, { concurrency, signal }) => consume(q, handler, concurrency, signal),
    async size() {
      return q.waiting.size + q.inFlight.size;
    },
    async close() {
      q.closed = true;
      if (q.timer) clearTimeout(q.timer);
      q.waiting.clear();
      q.byDue.clear();
      wake(q);
    },
  };
}

/** The state of one {@link memoryQueue}. */
interface QueueState {
  readonly now: () => number;
  readonly logger: Logger;
  /** id → its queued entry. */
  readonly waiting: Map<string, Entry>;
  /**
   * Ordered by due time. A queued entry is never changed in place: a new due time is a new entry,
   * and one that is no longer the id's entry in `waiting` is stale and skipped when it surfaces,
   * so publish and take stay O(log n) with thousands queued.
   */
  readonly byDue: MinHeap<Entry>;
  /** id → generation of its newest delivery in flight (an older one may still be held too). */
  readonly inFlight: Map<string, string>;
  /** Idle consumers. */
  readonly wakers: Set<() => void>;
  /** Wakes the consumers when the earliest entry falls due. */
  timer: NodeJS.Timeout | null;
  closed: boolean;
}

function enqueue(q: QueueState, entry: Entry): void {
  q.waiting.set(entry.id, entry);
  q.byDue.push(entry);
}

/** The earliest live entry (stale heap entries are dropped on the way). */
function earliest(q: QueueState): Entry | null {
  for (;;) {
    const top = q.byDue.peek();
    if (!top) return null;
    if (q.waiting.get(top.id) === top) return top;
    q.byDue.pop();
  }
}

function wake(q: QueueState): void {
  for (const w of [...q.wakers]) w();
}

function armTimer(q: QueueState): void {
  if (q.timer) clearTimeout(q.timer);
  q.timer = null;
  const next = earliest(q);
  if (!next) return;
  q.timer = setTimeout(() => wake(q), Math.max(0, Math.min(next.due - q.now(), 2_147_000_000)));
  q.timer.unref();
}

/** Removes and returns the earliest entry when it is due. */
function takeDue(q: QueueState): Entry | null {
  const next = earliest(q);
  if (!next || next.due > q.now()) return null;
  q.byDue.pop();
  q.waiting.delete(next.id);
  return next;
}

/** `Queue.publish`: de-duplicated by id and generation; an earlier due time or a new generation re-queues. */
function publish(q: QueueState, executionId: string, opts: PublishOptions): void {
  if (q.closed) return;
  const due = opts.notBefore?.getTime() ?? q.now();
  const generation = opts.deduplicationId ?? executionId;
  const existing = q.waiting.get(executionId);
  if (existing) {
    if (existing.generation !== generation) enqueue(q, { ...existing, generation, due: Math.min(due, existing.due) });
    else if (due < existing.due) enqueue(q, { ...existing, due });
  } else if (q.inFlight.get(executionId) !== generation) {
    enqueue(q, { id: executionId, generation, jobId: opts.jobId, due, deliveries: 0 });
  }
  armTimer(q);
  wake(q);
}

/** `Queue.consume`: delivers due entries to `handler`, at most `concurrency` at once, until the signal aborts. */
async function consume(q: QueueState, handler: QueueHandler, concurrency: number, signal: AbortSignal): Promise<void> {
  const running = new Set<Promise<void>>();
  while (!signal.aborted && !q.closed) {
    if (running.size >= concurrency) {
      await Promise.race(running);
      continue;
    }
    const entry = takeDue(q);
    if (!entry) {
      await idle(q, signal);
      continue;
    }
    runHandler(handler, deliver(q, entry), running, q.logger);
  }
  await Promise.allSettled(running);
}

/** Resolves on the next wake (a publish, a nak, the timer, close) or the signal's abort. */
function idle(q: QueueState, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      q.wakers.delete(done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    q.wakers.add(done);
    signal.addEventListener('abort', done, { once: true });
    armTimer(q);
  });
}

/** One delivery of `entry`: in flight until acked or nak'ed (a nak re-queues it unless a newer generation took over). */
function deliver(q: QueueState, entry: Entry): Delivered {
  entry.deliveries += 1;
  q.inFlight.set(entry.id, entry.generation);
  let settled = false;
  /** Whether this call settled a delivery that no newer generation has superseded. */
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    if (q.inFlight.get(entry.id) !== entry.generation) return false;
    q.inFlight.delete(entry.id);
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
      if (!settle() || q.closed) return;
      const prior = q.waiting.get(entry.id);
      if (!prior) enqueue(q, { ...entry, due: q.now() + delayMs });
      armTimer(q);
      wake(q);
    },
    inProgress: async () => {},
  };
  return { message, settled: () => settled };
}
