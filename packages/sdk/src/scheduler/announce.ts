import type { Logger } from 'pino';
import type { CronEventBus } from '../events.js';
import type { Execution } from '../model/execution.js';
import type { Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';

/**
 * After an execution row is committed: emit `execution.created`, then publish it. The row is the
 * outbox: when the publish fails (broker down) it is left to the dispatcher, so the caller never
 * sees a lost run.
 *
 * `writtenPublished`: the row was written as published with its insert
 * (`createExecution(…, { markPublished: true })`), so a success costs no write and only a failure
 * does (`markUnpublished`, for the dispatcher's next pass). Otherwise it is marked published after
 * the publish, as before.
 */
export async function announceCreated(
  deps: { storage: Storage; queue: Queue; events: CronEventBus; logger: Logger },
  execution: Execution,
  now: Date,
  { writtenPublished = false }: { writtenPublished?: boolean } = {},
): Promise<void> {
  // Announce before publishing: once published, a worker's `execution.started` may follow at once.
  deps.events.emit('execution.created', { execution });
  try {
    await deps.queue.publish(execution.id, { notBefore: execution.availableAt, jobId: execution.jobId });
  } catch (err) {
    deps.logger.warn({ err, executionId: execution.id }, 'publish failed; the dispatcher will publish it');
    // Written as published: hand it to the dispatcher's next pass (failing that, its republish after `republishAfterMs`).
    if (writtenPublished) await deps.storage.markUnpublished([execution.id]).catch((e: unknown) => deps.logger.warn({ err: e, executionId: execution.id }, 'could not mark it unpublished; the dispatcher republishes it after republishAfterMs'));
    return;
  }
  if (writtenPublished) return;
  try {
    await deps.storage.markPublished([execution.id], now);
  } catch (err) {
    // Published but not marked: the dispatcher publishes it again (de-duplicated by its id).
    deps.logger.warn({ err, executionId: execution.id }, 'publish not recorded; the dispatcher will publish it again');
  }
}
