/**
 * `@vecron/sdk/nats` — vecron's work queue on NATS JetStream (`@nats-io/transport-node` and
 * `@nats-io/jetstream`, optional peer dependencies).
 *
 * @packageDocumentation
 */
export { natsQueue, NOT_BEFORE_HEADER, TRACEPARENT_HEADER } from './nats-queue.js';
export type { NatsQueue, NatsQueueOptions } from './nats-queue.js';
export { markDeadLetter } from './dead-letter.js';
