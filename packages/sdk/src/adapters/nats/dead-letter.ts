import type { Clock } from '../../internal/clock.js';
import { systemClock } from '../../internal/clock.js';
import type { Storage } from '../../storage/port.js';

/**
 * Marks an execution `dead_letter` after its message exceeded the queue's delivery limit —
 * only when nobody holds it: the function claims it like a worker (so a finished execution, or
 * one a live worker holds, is left alone) and completes it under that fencing token. Returns
 * whether it marked the execution.
 *
 * @example
 * ```ts
 * const queue = natsQueue({ servers, onDeadLetter: (id) => markDeadLetter(storage, id).then(() => undefined) });
 * ```
 */
export async function markDeadLetter(storage: Storage, executionId: string, options: { clock?: Clock; owner?: string } = {}): Promise<boolean> {
  const clock = options.clock ?? systemClock;
  const claim = await storage.claimExecution(executionId, { owner: options.owner ?? 'vecron-dead-letter', leaseMs: 60_000, now: clock.now(), exclusive: false });
  if (!claim.claimed) return false;
  return storage.completeExecution(executionId, claim.execution.fencingToken!, {
    status: 'dead_letter',
    error: {
      name: 'MaxDeliveriesError', code: 'MAX_DELIVERIES', retryable: false,
      message: 'the queue delivered this execution too many times without an outcome; see the dead-letter stream',
    },
    context: claim.execution.context,
    now: clock.now(),
  });
}
