import type { Logger } from 'pino';
import type { CronEventBus } from '../events.js';
import type { Coordination } from '../coordination/port.js';
import type { Clock } from '../internal/clock.js';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';
import { createBackgroundLoop, createLeadership } from './background-loop.js';
import { publishEach } from './publish-window.js';

/** Rows published at once by a dispatcher pass (one `publishMany` call). */
const DISPATCH_CHUNK = 500;

/** Settings of the dispatcher. */
export interface DispatcherSettings {
  intervalMs: number;
  /** A pending execution published longer ago than this and still pending is published again. */
  republishAfterMs: number;
  batchSize: number;
}

/**
 * Outbox relay and reaper in one loop (docs/architecture.md#4-no-execution-is-lost): publishes executions that were created
 * but not published (or whose message was lost), and running executions whose lease expired so
 * another worker reclaims and resumes them. Publishing is idempotent on the execution id.
 */
export interface Dispatcher {
  /** One pass; `republishAll` ignores recent publishes (used at start, when an in-process queue is empty). */
  tick(republishAll?: boolean): Promise<number>;
  /**
   * Runs `tick` every interval until `stop()`. With `republishAllFirst`, the loop's ticks ignore
   * recent publishes until one succeeds (a start whose first full pass failed).
   */
  start(options?: { republishAllFirst?: boolean }): void;
  stop(): Promise<void>;
}

/** Creates the dispatcher. */
export function createDispatcher(deps: {
  storage: Storage; queue: Queue; events: CronEventBus; clock: Clock; logger: Logger; settings: DispatcherSettings;
  /** Optional: elects one active dispatcher among processes. Redis down → every dispatcher runs (idempotent). */
  coordination?: Coordination;
}): Dispatcher {
  const { storage, queue, events, clock, logger, settings, coordination } = deps;
  const leadership = createLeadership(coordination, 'housekeeping:dispatcher', settings.intervalMs * 5);
  const loop = createBackgroundLoop({ intervalMs: settings.intervalMs, logger, events, where: 'dispatcher', failure: 'dispatch failed; retrying' });

  async function tick(republishAll = false): Promise<number> {
    const now = clock.now();
    const rows = await storage.findExecutionsToDispatch({ now, republishAfterMs: republishAll ? -1 : settings.republishAfterMs, limit: settings.batchSize });
    const sent: typeof rows = [];
    let failure: unknown = null;
    // In chunks, each published at once (`publishMany` where the queue has it): a pass of a
    // thousand rows no longer waits for a thousand round trips in turn.
    for (let i = 0; i < rows.length; i += DISPATCH_CHUNK) {
      const chunk = rows.slice(i, i + DISPATCH_CHUNK);
      const errors = await publishEach(queue, chunk.map((r) => ({
        executionId: r.id, notBefore: r.availableAt, jobId: r.jobId,
        // Claimed before (an orphaned or handed-back run): a new generation, never a duplicate of the first publish.
        ...(r.fencingToken === null ? {} : { deduplicationId: `${r.id}:${r.fencingToken}` }),
      })));
      chunk.forEach((r, k) => {
        if (errors[k] === null || errors[k] === undefined) sent.push(r);
        else failure ??= errors[k];
      });
      // The queue is failing: the rest wait for the next pass rather than for its timeouts.
      if (failure !== null) break;
    }
    // Only what the queue has is marked: a failed publish stays due for the next pass.
    if (sent.length) await storage.markPublished(sent.map((r) => r.id), now);
    for (const r of sent) events.emit('execution.dispatched', { executionId: r.id, jobId: r.jobId, reason: r.reason });
    if (sent.length) logger.debug({ dispatched: sent.length }, 'executions (re)published');
    if (failure !== null) throw failure;
    return sent.length;
  }

  return {
    tick,
    start({ republishAllFirst = false } = {}) {
      let all = republishAllFirst;
      loop.start(async () => {
        if (!(await leadership.isLeader())) return;
        await tick(all);
        all = false;
      });
    },
    async stop() {
      await loop.stop();
      await leadership.release();
    },
  };
}
