import type { Logger } from 'pino';
import type { CronEventBus } from '../events.js';
import type { Execution } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';

/**
 * After an execution row is committed: publish it, mark it published and emit
 * `execution.created`. The row is the outbox: when the publish fails (broker down) it stays
 * unpublished and the dispatcher publishes it later, so the caller never sees a lost run.
 */
export async function announceCreated(
  deps: { storage: Storage; queue: Queue; events: CronEventBus; logger: Logger },
  execution: Execution,
  now: Date,
): Promise<void> {
  try {
    await deps.queue.publish(execution.id, { notBefore: execution.availableAt });
    await deps.storage.markPublished([execution.id], now);
  } catch (err) {
    deps.logger.warn({ err, executionId: execution.id }, 'publish failed; the dispatcher will publish it');
  }
  deps.events.emit('execution.created', { execution });
}
