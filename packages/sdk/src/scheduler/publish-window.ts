import type { Logger } from 'pino';
import type { Execution } from '../model/execution.js';
import type { PublishOptions, Queue } from '../queue/port.js';
import type { Storage } from '../storage/port.js';

/** Limits of a {@link PublishWindow}. */
export interface PublishWindowLimits {
  /** Messages awaiting the queue's answer at once (a chunk larger than this still goes alone). */
  maxInFlight: number;
  /** Messages per `publishMany` call (or per group of single publishes). */
  chunk: number;
}

/**
 * The announce of a scheduler tick's new executions (docs/architecture.md#4-no-execution-is-lost):
 * each committed batch is published in chunks (`Queue.publishMany` where the queue has it), with up
 * to `maxInFlight` messages awaiting the queue at once, so the queue's round trips overlap each
 * other and the claim of the next batch. The rows were written as published with the claim
 * (`fireDueSchedules({ markPublished: true })`), so a success costs no write; a publish that fails
 * is logged and its row marked unpublished for the dispatcher's next pass.
 */
export interface PublishWindow {
  /** Starts publishing `executions`; resolves once they are all sent, waiting only for room in the window. */
  add(executions: readonly Execution[]): Promise<void>;
  /**
   * Waits for every publish started. Rejects with the first failed `markUnpublished` (those rows
   * wait for the dispatcher's republish after `republishAfterMs`); a failed publish is only logged.
   */
  finish(): Promise<{ published: number; failed: number }>;
}

/** One message of {@link publishEach}. */
export type PublishMessage = { executionId: string } & PublishOptions;

/**
 * Publishes `messages` at once, one answer per message in order: null when the queue has it,
 * else the error. `Queue.publishMany` where the queue has it, else every `publish` at once.
 * Never rejects.
 */
export async function publishEach(queue: Queue, messages: readonly PublishMessage[]): Promise<unknown[]> {
  if (queue.publishMany) {
    try {
      return await queue.publishMany(messages);
    } catch (err) {
      return messages.map(() => err);
    }
  }
  const results = await Promise.allSettled(messages.map(({ executionId, ...options }) => queue.publish(executionId, options)));
  return results.map((r) => (r.status === 'fulfilled' ? null : (r.reason as unknown)));
}

export function createPublishWindow(deps: { storage: Storage; queue: Queue; logger: Logger; limits: PublishWindowLimits }): PublishWindow {
  const { storage, queue, logger, limits } = deps;
  let inFlight = 0;
  let published = 0;
  let failed = 0;
  const chunks: Array<Promise<unknown>> = [];
  const waiters: Array<() => void> = [];

  const publishChunk = async (chunk: readonly Execution[]): Promise<void> => {
    const errors = await publishEach(queue, chunk.map((e) => ({ executionId: e.id, notBefore: e.availableAt, jobId: e.jobId })));
    const lost: string[] = [];
    chunk.forEach((e, i) => {
      const err = errors[i];
      if (err === null || err === undefined) return;
      lost.push(e.id);
      logger.warn({ err, executionId: e.id }, 'publish failed; the dispatcher will retry');
    });
    published += chunk.length - lost.length;
    failed += lost.length;
    // The rows were written as published (`fireDueSchedules({ markPublished: true })`): only the
    // failures need a write, to hand them to the dispatcher's next pass.
    if (lost.length) await storage.markUnpublished(lost);
  };

  const start = (chunk: readonly Execution[]): void => {
    inFlight += chunk.length;
    chunks.push(
      publishChunk(chunk)
        .then(() => null, (err: unknown) => ({ err }))
        .finally(() => {
          inFlight -= chunk.length;
          while (waiters.length) waiters.shift()!();
        }),
    );
  };

  const room = (): Promise<void> => new Promise<void>((resolve) => waiters.push(resolve));

  return {
    async add(executions) {
      for (let i = 0; i < executions.length; i += limits.chunk) {
        const chunk = executions.slice(i, i + limits.chunk);
        while (inFlight > 0 && inFlight + chunk.length > limits.maxInFlight) await room();
        start(chunk);
      }
    },
    async finish() {
      const outcomes = await Promise.all(chunks);
      const failure = outcomes.find((o): o is { err: unknown } => o !== null);
      if (failure) throw failure.err;
      return { published, failed };
    },
  };
}
