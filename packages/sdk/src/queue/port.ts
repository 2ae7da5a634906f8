import type { Clock } from '../internal/clock.js';

/** One delivery of an execution id. Messages carry ids only; the state lives in storage. */
export interface QueueMessage {
  readonly executionId: string;
  /**
   * The execution's job, when the publisher gave it: lets the worker take the job from its cache
   * and claim at once, without reading the execution first. A hint only: the worker checks it
   * against the claimed row.
   */
  readonly jobId?: string;
  /** W3C trace context the message was published with, if any. */
  readonly traceparent?: string;
  /** 1 on first delivery, then 2, 3, … */
  readonly deliveryCount: number;
  /** Done with it: the outcome is committed to storage. */
  ack(): Promise<void>;
  /** Deliver again after `delayMs` (default at once). */
  nak(delayMs?: number): Promise<void>;
  /** Still working on it; postpones redelivery. */
  inProgress(): Promise<void>;
}

/** Handler that a consumer runs per message. It must ack or nak. */
export type QueueHandler = (message: QueueMessage) => Promise<void>;

/** Options of {@link Queue.publish}. */
export interface PublishOptions {
  /** Not delivered before this instant. */
  notBefore?: Date;
  /** W3C trace context carried to the worker. */
  traceparent?: string;
  /** The execution's job (see {@link QueueMessage.jobId}). */
  jobId?: string;
  /**
   * Key the queue de-duplicates this publish on, where it de-duplicates at all. @default the
   * execution id. The dispatcher passes `${executionId}:${fencingToken}` once the execution has
   * been claimed, so re-publishing a handed-back or orphaned execution is never dropped as a
   * duplicate of its first publish (NATS' duplicate window).
   */
  deduplicationId?: string;
}

/**
 * The queue port: a work queue of execution ids. Delivery is at-least-once; storage claims make
 * a start exactly-once. `publish` is idempotent on the execution id.
 */
export interface Queue {
  /**
   * Whether queued messages outlive this process (a server-side queue). When not, `cron.start()`
   * publishes every pending execution once, since a new process's in-process queue is empty; a
   * durable queue still has them, and republishing would only deliver again executions that
   * finished meanwhile (refused by the claim, but paid for). Lost messages of any queue are
   * re-published by the dispatcher after `republishAfterMs`. @default false
   */
  readonly durable?: boolean;
  /**
   * Publishes an execution id, delivered not before `notBefore`; `traceparent` (W3C trace
   * context) and `jobId` (see {@link QueueMessage.jobId}) travel with the message where the
   * adapter supports it.
   */
  publish(executionId: string, options?: PublishOptions): Promise<void>;
  /**
   * Publishes many messages at once, with the meaning of as many `publish` calls: one answer per
   * message, in order — `null` when the queue has it (`publish` would have resolved), the error
   * otherwise (`publish` would have rejected). Never rejects for a message's failure. Optional:
   * the scheduler uses it for a tick's new executions where the queue has it (a burst of due
   * schedules), and `publish` one by one otherwise.
   */
  publishMany?(messages: ReadonlyArray<{ executionId: string } & PublishOptions>): Promise<Array<Error | null>>;
  /**
   * Consumes with at most `concurrency` handlers at once until `signal` aborts; resolves once
   * the in-flight handlers have returned.
   */
  consume(handler: QueueHandler, options: { concurrency: number; signal: AbortSignal }): Promise<void>;
  /** Messages waiting (including delayed ones), when the queue can tell. */
  size(): Promise<number>;
  /**
   * One round trip to the server before `signal` aborts; rejects with an error that names the
   * server (without its password) and the cause. `cron.start()` calls it so a wrong address fails
   * the start instead of leaving executions pending. Optional: an in-process queue has nothing to check.
   */
  check?(options: { signal: AbortSignal }): Promise<void>;
  /**
   * Gives the queue the cron system's clock (`databaseClock` in distributed mode), which
   * `createCronSystem` does once, before any publish or consume: a queue that compares
   * `notBefore` with the time in the process must read it from this clock, so a host whose own
   * clock drifts neither delays nor runs early what the storage judges due by the system's clock.
   * A queue given to several cron systems keeps the last one's clock. Optional: a queue that
   * judges `notBefore` on its server (the PostgreSQL queue's `now()`) or by the host clock (the
   * in-process queue) has no use for it.
   */
  useClock?(clock: Clock): void;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
