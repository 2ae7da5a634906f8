import type { Logger } from 'pino';
import type { CronEventBus } from '../events.js';
import type { Execution } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';

/**
 * After an execution row is committed: emit `execution.created`, then publish it and mark it
 * published. The row is the outbox: when the publish fails (broker down) it stays
 * unpublished and the dispatcher publishes it later, so the caller never sees a lost run.
 */
export async function announceCreated(
  deps: { storage: Storage; queue: Queue; events: CronEventBus; logger: Logger },
  execution: Execution,
  now: Date,
): Promise<void> {
  // Announce before publishing: once published, a worker's `execution.started` may follow at once.
  deps.events.emit('execution.created', { execution });
  try {
    await deps.queue.publish(execution.id, { notBefore: execution.availableAt, jobId: execution.jobId });
    await deps.storage.markPublished([execution.id], now);
  } catch (err) {
    deps.logger.warn({ err, executionId: execution.id }, 'publish failed; the dispatcher will publish it');
  }
}
