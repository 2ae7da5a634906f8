import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { StorageType } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { VecronError } from '../../errors/errors.js';
import { probeBeforeAbort } from '../../internal/abort.js';
import { systemClock } from '../../internal/clock.js';
import type { Clock } from '../../internal/clock.js';
import { describeServer } from '../../internal/server-url.js';
import type { Queue } from '../../queue/port.js';
import { createNatsLink } from './nats-connection.js';
import type { NatsClients, NatsLink } from './nats-connection.js';
import { createAckBatcher } from './nats-delivery.js';
import type { AckBatcher } from './nats-delivery.js';
import { isMissingResource, queueUnavailable, withTimeout } from './nats-errors.js';
import { provisionQueue } from './nats-provision.js';
import type { NatsLayout } from './nats-provision.js';
import { createBatchPublisher } from './nats-publish.js';
import { startPullConsumer } from './nats-pull.js';
import type { PullConsumer } from './nats-pull.js';

export { JOB_ID_HEADER, NOT_BEFORE_HEADER, TRACEPARENT_HEADER } from './nats-provision.js';

/** Options of {@link natsQueue}. */
export interface NatsQueueOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Work-queue stream name. @default 'VECRON_WORK' */
  stream?: string;
  /** Subject of execution messages (the stream's only subject). @default 'vecron.work' */
  subject?: string;
  /** Durable pull consumer shared by all workers. @default 'vecron-workers' */
  consumer?: string;
  /**
   * Deliveries of one message before it goes to the dead-letter stream. Every nak counts,
   * including the ones that wait for a delayed retry or for another run of a non-concurrent job
   * to finish, so keep this generous. @default 100
   */
  maxDeliver?: number;
  /** A delivered message not acked, nacked or marked in progress within this is delivered again. @default 30000 */
  ackWaitMs?: number;
  /**
   * JetStream de-duplication window for the message id (the execution id, or
   * `${executionId}:${fencingToken}` when the dispatcher re-publishes a claimed execution). Keep it
   * below the cron system's `republishAfterMs`, so a periodic re-publish of a pending execution
   * is never dropped as a duplicate. @default 10000
   */
  duplicateWindowMs?: number;
  /** Stream that keeps dead-lettered messages. @default `${stream}_DLQ` */
  dlqStream?: string;
  /** Subject of dead-lettered messages. @default `${subject}.dlq` */
  dlqSubject?: string;
  /** File or memory storage for both streams. @default 'file' */
  storage?: 'file' | 'memory';
  /**
   * Called once per message that exceeded `maxDeliver` (after the copy to the DLQ stream),
   * typically `markDeadLetter(storage, …)` so the execution is marked `dead_letter` unless it is
   * already finished or held by a live worker.
   */
  onDeadLetter?: (executionId: string, info: { deliveries: number; streamSequence: number }) => Promise<void>;
  /** Connection name shown by the server. @default 'vecron' */
  name?: string;
  /** Delay between reconnect attempts (forever), in ms. @default 1000 */
  reconnectTimeWaitMs?: number;
  /** How long a publish waits for the connection and the server's ack, in ms. @default 5000 */
  publishTimeoutMs?: number;
  /** How long one pull request waits on the server for messages, in ms (min 1000). @default 2000 */
  fetchExpiresMs?: number;
  /** Where connection state and errors are logged. @default silent */
  logger?: Logger;
}

/** The queue on NATS JetStream, with its connection for diagnostics. */
export interface NatsQueue extends Queue {
  /** Resolves with the connection once connected and the streams and consumer exist. */
  ready(): Promise<NatsConnection>;
  /**
   * The work consumer's lag, from the server (`consumer info`): `pending` messages no worker has
   * fetched yet, `ackPending` delivered and not yet acked (running or waiting for their
   * `notBefore`), `redelivered` delivered more than once and not yet acked.
   */
  consumerLag(): Promise<{ pending: number; ackPending: number; redelivered: number }>;
  /**
   * The clock `Vecron-Not-Before` is judged by, by publishers (is it still ahead?) and consumers
   * (how long until it is due?). `createCronSystem` gives its own; call it yourself only for a
   * queue used without a cron system. @default the host clock
   */
  useClock(clock: Clock): void;
}


/** The layout of the queue's streams and consumer, with the defaults of {@link NatsQueueOptions}. */
function layoutOf(options: NatsQueueOptions, logger: Logger): NatsLayout {
  const stream = options.stream ?? 'VECRON_WORK';
  const subject = options.subject ?? 'vecron.work';
  return {
    stream, subject, durable: options.consumer ?? 'vecron-workers',
    dlqStream: options.dlqStream ?? `${stream}_DLQ`, dlqSubject: options.dlqSubject ?? `${subject}.dlq`,
    maxDeliver: options.maxDeliver ?? 100, ackWaitMs: options.ackWaitMs ?? 30_000,
    duplicateWindowMs: options.duplicateWindowMs ?? 10_000,
    storageType: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    logger, ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
  };
}

/**
 * The work queue on NATS JetStream (docs/architecture.md#queue): a work-queue stream and one durable pull
 * consumer, provisioned idempotently by every process; publish uses the execution id as the
 * `Nats-Msg-Id` (de-duplicated inside `duplicateWindowMs`); consumers keep asking for exactly as
 * many messages as they have free slots, on one long-lived subscription, so nothing waits in a
 * local buffer while its ack timer runs; acks of one turn of the event loop leave in one write.
 * Messages carry the execution id only (plus `Vecron-Not-Before` and `traceparent` headers).
 *
 * A publish with `notBefore` in the future is stored at once; a consumer that receives it early
 * naks it with the remaining delay without calling the handler (nats-server 2.9 has no scheduled
 * messages). Both judge `notBefore` by the cron system's clock (`databaseClock` in distributed
 * mode, handed over by `createCronSystem` through `useClock`), not by the host's. A message delivered `maxDeliver` times is copied to the DLQ stream, removed from the
 * work stream and handed to `onDeadLetter`.
 *
 * The connection reconnects forever; while the server is down publishes fail with a retryable
 * `QUEUE_UNAVAILABLE` error, the consumer loop logs and waits, and nothing crashes.
 */
export function natsQueue(options: NatsQueueOptions): NatsQueue {
  const core = createQueueCore(options);
  return {
    // A file-backed stream outlives every process; a memory stream dies with the NATS server.
    durable: core.layout.storageType === StorageType.File,
    ready: async () => (await provision(core)).conn,
    check: async ({ signal }) => probeBeforeAbort(() => provision(core).then((c) => c.conn.flush()), signal, core.unavailable),
    publishMany: (messages) => publishMany(core, messages),
    publish: (executionId, opts = {}) => publishOne(core, executionId, opts),
    consume: (handler, opts) => consume(core, handler, opts),
    useClock: (clock) => void (core.clock = clock),

    async size() {
      const { jsm } = await provision(core);
      return (await jsm.streams.info(core.layout.stream)).state.messages;
    },

    async consumerLag() {
      const { jsm } = await provision(core);
      const info = await jsm.consumers.info(core.layout.stream, core.layout.durable);
      return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    },

    async close() {
      core.acks.flush();
      await core.link.close();
    },
  };
}

/** What the methods of one {@link natsQueue} share: its settings, connection, provisioning and consumers. */
interface QueueCore {
  options: NatsQueueOptions;
  logger: Logger;
  layout: NatsLayout;
  publishTimeoutMs: number;
  unavailable: (what: string, cause: unknown) => VecronError;
  consumers: Set<PullConsumer>;
  /** The streams and consumer are provisioned on this connection; `null` means provision again. */
  provisioned: Promise<NatsClients> | null;
  advisory: Subscription | null;
  link: NatsLink;
  publishBatch: ReturnType<typeof createBatchPublisher>;
  acks: AckBatcher;
  /** What `notBefore` is judged by (see {@link NatsQueue.useClock}). */
  clock: Clock;
}

function createQueueCore(options: NatsQueueOptions): QueueCore {
  const logger = options.logger ?? pino({ level: 'silent' });
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const server = describeServer(options.servers);
  const layout = layoutOf(options, logger);
  const core: Omit<QueueCore, 'link'> & { link?: NatsLink } = {
    options, logger, layout, publishTimeoutMs,
    unavailable: (what, cause) => queueUnavailable(server, what, cause),
    consumers: new Set(), provisioned: null, advisory: null,
    publishBatch: createBatchPublisher(layout.subject, publishTimeoutMs, () => core.clock.now().getTime()),
    acks: createAckBatcher(logger),
    clock: systemClock,
  };
  core.link = createNatsLink({
    servers: options.servers, name: options.name ?? 'vecron', reconnectTimeWaitMs: options.reconnectTimeWaitMs ?? 1_000,
    timeoutMs: publishTimeoutMs, server, logger,
    // A server that restarted without its store has lost the streams and the waiting pull requests.
    onReconnect: () => {
      core.provisioned = null;
      for (const c of core.consumers) c.reset();
    },
  });
  return core as QueueCore;
}

/** Connects and provisions the streams and the consumer once; a failure lets the next call try again. */
function provision(core: QueueCore): Promise<NatsClients> {
  core.provisioned ??= (async () => {
    const c = await core.link.clients();
    core.advisory = await provisionQueue(c, core.layout, core.advisory);
    return c;
  })().catch((err: unknown) => {
    core.provisioned = null;
    throw err;
  });
  return core.provisioned;
}

function ready(core: QueueCore): Promise<NatsClients> {
  const ms = core.publishTimeoutMs;
  return withTimeout(provision(core), ms, () => core.unavailable('publish', new Error(`timed out after ${ms} ms`)));
}

async function publishMany(core: QueueCore, messages: Parameters<NonNullable<Queue['publishMany']>>[0]): Promise<Array<Error | null>> {
  if (!messages.length) return [];
  let conn: NatsConnection;
  try {
    conn = (await ready(core)).conn;
  } catch (err) {
    const e = err instanceof VecronError ? err : core.unavailable('publish', err);
    return messages.map(() => e);
  }
  const answers = (await core.publishBatch(conn, messages)).map((a) => (a === null || a instanceof VecronError ? a : core.unavailable('publish', a)));
  if (answers.some((a) => a !== null && isMissingResource(a))) core.provisioned = null;
  return answers;
}

/**
 * One message through the batch publisher (a batch of one): a JetStream `js.publish` makes a
 * request object, an error object for its possible failure, a timer and two promises per call,
 * 12–24 µs of client CPU on the path of every trigger.
 */
async function publishOne(core: QueueCore, executionId: string, opts: NonNullable<Parameters<Queue['publish']>[1]>): Promise<void> {
  const [answer] = await publishMany(core, [{ ...opts, executionId }]);
  if (answer) throw answer;
}

async function consume(core: QueueCore, handler: Parameters<Queue['consume']>[0], { concurrency, signal }: Parameters<Queue['consume']>[1]): Promise<void> {
  const { layout, options, acks, logger, link } = core;
  const consumer = startPullConsumer({
    ready: async () => (await provision(core)).conn, forget: () => void (core.provisioned = null),
    nextSubject: `$JS.API.CONSUMER.MSG.NEXT.${layout.stream}.${layout.durable}`,
    expiresMs: Math.max(1_000, options.fetchExpiresMs ?? 2_000), acks, logger, closed: () => link.closed,
    now: () => core.clock.now().getTime(),
  }, handler, { concurrency, signal });
  core.consumers.add(consumer);
  try {
    await consumer.done;
  } finally {
    core.consumers.delete(consumer);
  }
}
