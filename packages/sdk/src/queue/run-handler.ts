import type { Logger } from 'pino';
import type { VecronError } from '../errors/errors.js';
import type { QueueHandler, QueueMessage } from './port.js';

/** A delivered message and whether it has been acked or nak'ed yet. */
export interface Delivered {
  readonly message: QueueMessage;
  /** Called as a method (`delivered.settled()`): a queue's message class can be its own `Delivered`. */
  settled(): boolean;
}

/**
 * Runs a consumer's handler on one delivered message, kept in `running` until it is done (so a
 * stopping consumer can wait for it): a handler that throws gets the message delivered again in
 * 1 s; one that returns without acking or nak'ing hands it back at once. The queue adapters'
 * shared delivery rule (docs/architecture.md#ports-and-adapters). `onDone` runs once it has left
 * `running` (a consumer that asks for as many messages as it has free slots asks again there).
 */
export function runHandler(handler: QueueHandler, delivered: Delivered, running: Set<Promise<void>>, logger: Logger, onDone?: () => void): void {
  const { message } = delivered;
  const p: Promise<void> = handler(message)
    .catch((err: unknown) => {
      logger.error({ err: { message: (err as Error)?.message, code: (err as VecronError)?.code }, executionId: message.executionId }, 'queue handler failed; delivering again in 1 s');
      return message.nak(1_000);
    })
    .finally(() => {
      if (!delivered.settled()) void message.nak(0);
      running.delete(p);
      onDone?.();
    });
  running.add(p);
}
