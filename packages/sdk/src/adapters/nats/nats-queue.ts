import { headers as natsHeaders, nanos } from '@nats-io/transport-node';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { connect, createInbox } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Consumer, ConsumerConfig, JetStreamClient, JetStreamManager, JsMsg, StreamConfig } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { VecronError } from '../../errors/errors.js';
import { sleep } from '../../internal/clock.js';
import { describeServer } from '../../internal/server-url.js';
import type { Queue, QueueHandler, QueueMessage } from '../../queue/port.js';
import { runHandler } from '../../queue/run-handler.js';
import type { Delivered } from '../../queue/run-handler.js';

/** Header carrying the instant before which a message must not be worked on (ISO 8601). */
export const NOT_BEFORE_HEADER = 'Vecron-Not-Before';
/** W3C trace context header. */
export const TRACEPARENT_HEADER = 'traceparent';
/** Header naming the execution's job (a hint for the worker's fast path, see `QueueMessage.jobId`). */
export const JOB_ID_HEADER = 'Vecron-Job-Id';

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
  /** How long one pull request waits for messages, in ms (min 1000). @default 2000 */
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
}

/**
 * Whether an error from the client means the stream or the consumer is gone (e.g. a server that
 * lost its state, or a stream deleted under a live connection). A publish to a subject no stream
 * listens on fails with "jetstream is not enabled" caused by "no responders", so causes count too.
 */
/** The error a JetStream publish acknowledgement reports, or null when the stream stored (or de-duplicated) the message. */
function pubAckError(msg: Msg): Error | null {
  // No stream on the subject: the server answers with a 503 status ("no responders").
  if (msg.headers?.hasError) return new Error(`no responders: ${msg.headers.code} ${msg.headers.description}`.trim());
  let ack: { stream?: unknown; error?: { code?: number; err_code?: number; description?: string } };
  try {
    ack = JSON.parse(msg.string()) as typeof ack;
  } catch {
    return new Error('unreadable publish acknowledgement');
  }
  if (ack.error) return new Error(`publish refused: ${ack.error.description ?? 'no description'} (${ack.error.err_code ?? ack.error.code ?? '?'})`);
  return typeof ack.stream === 'string' ? null : new Error('publish acknowledgement without a stream');
}

function isMissingResource(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    if (/stream not found|consumer not found|no responders/i.test(String((e as Error).message))) return true;
    e = (e as Error).cause;
  }
  return false;
}

/**
 * The work queue on NATS JetStream (docs/architecture.md#queue): a work-queue stream and one durable pull
 * consumer, provisioned idempotently by every process; publish uses the execution id as the
 * `Nats-Msg-Id` (de-duplicated inside `duplicateWindowMs`); consumers pull exactly as many
 * messages as they have free slots, so nothing waits in a local buffer while its ack timer runs.
 * Messages carry the execution id only (plus `Vecron-Not-Before` and `traceparent` headers).
 *
 * A publish with `notBefore` in the future is stored at once; a consumer that receives it early
 * naks it with the remaining delay without calling the handler (nats-server 2.9 has no scheduled
 * messages). A message delivered `maxDeliver` times is copied to the DLQ stream, removed from the
 * work stream and handed to `onDeadLetter`.
 *
 * The connection reconnects forever; while the server is down publishes fail with a retryable
 * `QUEUE_UNAVAILABLE` error, the consumer loop logs and waits, and nothing crashes.
 */
export function natsQueue(options: NatsQueueOptions): NatsQueue {
  const stream = options.stream ?? 'VECRON_WORK';
  const subject = options.subject ?? 'vecron.work';
  const durable = options.consumer ?? 'vecron-workers';
  const dlqStream = options.dlqStream ?? `${stream}_DLQ`;
  const dlqSubject = options.dlqSubject ?? `${subject}.dlq`;
  const maxDeliver = options.maxDeliver ?? 100;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const fetchExpiresMs = Math.max(1_000, options.fetchExpiresMs ?? 2_000);
  const logger = options.logger ?? pino({ level: 'silent' });
  const storageType = options.storage === 'memory' ? StorageType.Memory : StorageType.File;

  let closed = false;
  let nc: NatsConnection | null = null;
  let connecting: Promise<NatsConnection> | null = null;
  let provisioned: Promise<void> | null = null;
  let advisorySub: Subscription | null = null;
  let js: JetStreamClient | null = null;
  let jsm: JetStreamManager | null = null;
  let consumerHandle: Consumer | null = null;

  const server = describeServer(typeof options.servers === 'string' ? options.servers : options.servers);
  const unavailable = (what: string, cause: unknown): VecronError =>
    new VecronError('QUEUE_UNAVAILABLE', `NATS ${what} failed (${server}): ${(cause as Error)?.message ?? String(cause)}`, { cause, retryable: true, details: { server } });

  // Acknowledgements of `publishMany`: one inbox subscription per connection, each message's reply
  // subject naming its waiting slot. A JetStream publish (`js.publish`) makes a request object, a
  // timer and two promises per message; a burst of 100,000 fires spent most of its CPU there.
  let acks: { conn: NatsConnection; prefix: string; sub: Subscription } | null = null;
  const pendingAcks = new Map<string, (err: Error | null) => void>();
  let ackSeq = 0;
  const ackInbox = (conn: NatsConnection): string => {
    if (acks && acks.conn === conn && !acks.sub.isClosed()) return acks.prefix;
    const prefix = createInbox();
    const sub = conn.subscribe(`${prefix}.*`, {
      callback: (err, msg) => {
        // A closed subscription: the waiting publishes time out.
        if (err) return;
        const token = msg.subject.slice(prefix.length + 1);
        const done = pendingAcks.get(token);
        if (!done) return;
        pendingAcks.delete(token);
        done(pubAckError(msg));
      },
    });
    acks = { conn, prefix, sub };
    return prefix;
  };

  const watchStatus = async (conn: NatsConnection): Promise<void> => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect') logger.error({ server: s.server }, 'NATS connection lost; reconnecting until the server is back');
      else if (s.type === 'reconnect') {
        logger.info({ server: s.server }, 'NATS reconnected');
        // A server that restarted without its store has lost the streams: provision again.
        provisioned = null;
        consumerHandle = null;
      }
    }
  };

  const connection = (): Promise<NatsConnection> => {
    if (closed) return Promise.reject(unavailable('connection', new Error('queue closed')));
    connecting ??= (async () => {
      const started = Date.now();
      const nag = setInterval(() => {
        logger.error({ servers: options.servers, waitingMs: Date.now() - started }, 'NATS server unreachable; still trying to connect');
      }, 5_000);
      nag.unref();
      try {
        // The first connect fails fast (the next call tries again) instead of retrying inside
        // nats.js, where an unreachable address kept reconnect timers alive after close().
        const conn = await connect({
          servers: options.servers,
          name: options.name ?? 'vecron',
          waitOnFirstConnect: false,
          timeout: publishTimeoutMs,
          maxReconnectAttempts: -1,
          reconnectTimeWait: options.reconnectTimeWaitMs ?? 1_000,
          reconnectJitter: 200,
          pingInterval: 10_000,
          // Otherwise every request (each publish, ackAck and API call) builds two Error objects
          // with stack traces up front, in case it fails: about 45 % of the client CPU of a
          // publish. A failed request still rejects with the same error class and message, built
          // where it fails; only the stack no longer shows the caller (vecron logs the message).
          noAsyncTraces: true,
        });
        if (closed) {
          await conn.close().catch(() => undefined);
          throw new Error('queue closed');
        }
        nc = conn;
        js = jetstream(conn, { timeout: publishTimeoutMs });
        jsm = await jetstreamManager(conn, { timeout: publishTimeoutMs, checkAPI: false });
        void watchStatus(conn).catch(() => undefined);
        logger.info({ server: conn.getServer() }, 'NATS connected');
        return conn;
      } catch (err) {
        connecting = null;
        throw unavailable('connect', err);
      } finally {
        clearInterval(nag);
      }
    })();
    return connecting;
  };

  const withTimeout = async <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(unavailable(what, new Error(`timed out after ${ms} ms`))), ms);
          timer.unref();
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const ensureStream = async (m: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> => {
    try {
      await m.streams.info(config.name);
      return;
    } catch (err) {
      if (!/stream not found/i.test(String((err as Error).message))) throw err;
    }
    try {
      await m.streams.add(config);
    } catch (err) {
      // Another process created it between our info and add.
      if (!/already in use|already exists/i.test(String((err as Error).message))) throw err;
    }
  };

  const provision = (): Promise<void> => {
    provisioned ??= (async () => {
      const conn = await connection();
      const m = jsm!;
      await ensureStream(m, {
        name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: storageType,
        duplicate_window: nanos(options.duplicateWindowMs ?? 10_000),
      });
      await ensureStream(m, { name: dlqStream, subjects: [dlqSubject], retention: RetentionPolicy.Limits, storage: storageType });
      const config: Partial<ConsumerConfig> = {
        durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
        filter_subject: subject, max_deliver: maxDeliver, ack_wait: nanos(ackWaitMs), max_ack_pending: -1,
      };
      try {
        await m.consumers.add(stream, config);
      } catch (err) {
        // Exists with another config (an older deployment): update what may change.
        if (!/already exists|already in use/i.test(String((err as Error).message))) throw err;
        await m.consumers.update(stream, durable, { max_deliver: maxDeliver, ack_wait: nanos(ackWaitMs), max_ack_pending: -1 });
      }
      if (!advisorySub) {
        advisorySub = conn.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`, {
          queue: `vecron-dlq-${stream}`,
          callback: (err, msg) => {
            if (err) return;
            void handleMaxDeliveries(msg.json<{ stream_seq: number; deliveries: number }>()).catch((e: unknown) =>
              logger.error({ err: { message: (e as Error).message } }, 'dead-lettering a message failed; the reaper will re-publish its execution'),
            );
          },
        });
      }
    })().catch((err: unknown) => {
      provisioned = null;
      throw err;
    });
    return provisioned;
  };

  async function handleMaxDeliveries(advisory: { stream_seq: number; deliveries: number }): Promise<void> {
    const m = jsm!;
    const stored = await m.streams.getMessage(stream, { seq: advisory.stream_seq });
    if (!stored) return;
    const executionId = stored.string();
    const h = natsHeaders();
    h.set('Vecron-Original-Seq', String(advisory.stream_seq));
    h.set('Vecron-Deliveries', String(advisory.deliveries));
    const tp = stored.header?.get(TRACEPARENT_HEADER);
    if (tp) h.set(TRACEPARENT_HEADER, tp);
    await js!.publish(dlqSubject, executionId, { headers: h, msgID: `dlq:${stream}:${advisory.stream_seq}` });
    await m.streams.deleteMessage(stream, advisory.stream_seq, false);
    logger.warn({ executionId, deliveries: advisory.deliveries }, 'message exceeded max deliveries; moved to the dead-letter stream');
    await options.onDeadLetter?.(executionId, { deliveries: advisory.deliveries, streamSequence: advisory.stream_seq });
  }

  const consumerOf = async (): Promise<Consumer> => {
    await provision();
    consumerHandle ??= await js!.consumers.get(stream, durable);
    return consumerHandle;
  };

  function wrap(m: JsMsg): Delivered {
    let done = false;
    const once = (): boolean => {
      if (done) return false;
      done = true;
      return true;
    };
    const tp = m.headers?.get(TRACEPARENT_HEADER);
    const jobId = m.headers?.get(JOB_ID_HEADER);
    const message: QueueMessage = {
      executionId: m.string(),
      deliveryCount: m.info.deliveryCount,
      ...(tp ? { traceparent: tp } : {}),
      ...(jobId ? { jobId } : {}),
      async ack() {
        if (!once()) return;
        // Fire and forget: the outcome is already committed, so a lost ack only means one more
        // delivery, which the claim refuses (and acks). Waiting for the server's confirmation
        // would cost a request round trip per execution and protect nothing.
        try {
          m.ack();
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message }, executionId: message.executionId }, 'NATS ack not sent; the message will be delivered again and refused by the claim');
        }
      },
      async nak(delayMs = 0) {
        if (!once()) return;
        try {
          m.nak(Math.max(0, Math.round(delayMs)));
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message } }, 'NATS nak failed; redelivery after ack wait');
        }
      },
      async inProgress() {
        if (done) return;
        try {
          m.working();
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message } }, 'NATS in-progress ack failed');
        }
      },
    };
    return { message, settled: () => done };
  }

  return {
    // A file-backed stream outlives every process; a memory stream dies with the NATS server.
    durable: storageType === StorageType.File,
    ready: async () => {
      await provision();
      return nc!;
    },

    async check({ signal }) {
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(unavailable('connect', new Error('no answer within the start deadline')));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([provision().then(() => nc!.flush()), aborted]);
      } catch (err) {
        throw err instanceof VecronError ? err : unavailable('connect', err);
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    },

    async publishMany(messages) {
      if (!messages.length) return [];
      try {
        await withTimeout(provision(), publishTimeoutMs, 'publish');
      } catch (err) {
        const e = err instanceof VecronError ? err : unavailable('publish', err);
        return messages.map(() => e);
      }
      const conn = nc!;
      const prefix = ackInbox(conn);
      const answers = new Array<Error | null>(messages.length).fill(null);
      const tokens: string[] = [];
      let left = messages.length;
      let allAnswered!: () => void;
      const answered = new Promise<void>((resolve) => (allAnswered = resolve));
      const settle = (i: number, err: Error | null): void => {
        if (err) answers[i] = err instanceof VecronError ? err : unavailable('publish', err);
        left -= 1;
        if (left === 0) allAnswered();
      };
      const now = Date.now();
      messages.forEach((m, i) => {
        const token = String(ackSeq++);
        tokens.push(token);
        pendingAcks.set(token, (err) => settle(i, err));
        const h = natsHeaders();
        h.set('Nats-Msg-Id', m.deduplicationId ?? m.executionId);
        if (m.notBefore && m.notBefore.getTime() > now) h.set(NOT_BEFORE_HEADER, m.notBefore.toISOString());
        if (m.traceparent) h.set(TRACEPARENT_HEADER, m.traceparent);
        if (m.jobId) h.set(JOB_ID_HEADER, m.jobId);
        try {
          conn.publish(subject, m.executionId, { reply: `${prefix}.${token}`, headers: h });
        } catch (err) {
          pendingAcks.delete(token);
          settle(i, err as Error);
        }
      });
      // One timer for the whole batch, not one per message.
      const timer = setTimeout(() => {
        tokens.forEach((token, i) => {
          if (pendingAcks.delete(token)) settle(i, new Error(`no acknowledgement within ${publishTimeoutMs} ms`));
        });
      }, publishTimeoutMs);
      timer.unref();
      await answered;
      clearTimeout(timer);
      if (answers.some((a) => a !== null && isMissingResource(a))) provisioned = null;
      return answers;
    },

    async publish(executionId, opts = {}) {
      const extra = opts;
      try {
        await withTimeout(provision(), publishTimeoutMs, 'publish');
        const h = natsHeaders();
        if (extra.notBefore && extra.notBefore.getTime() > Date.now()) h.set(NOT_BEFORE_HEADER, extra.notBefore.toISOString());
        if (extra.traceparent) h.set(TRACEPARENT_HEADER, extra.traceparent);
        if (extra.jobId) h.set(JOB_ID_HEADER, extra.jobId);
        await js!.publish(subject, executionId, { msgID: extra.deduplicationId ?? executionId, headers: h, timeout: publishTimeoutMs });
      } catch (err) {
        if (isMissingResource(err)) provisioned = null;
        throw err instanceof VecronError ? err : unavailable('publish', err);
      }
    },

    async consume(handler: QueueHandler, { concurrency, signal }) {
      const running = new Set<Promise<void>>();
      let failures = 0;
      while (!signal.aborted && !closed) {
        if (running.size >= concurrency) {
          await Promise.race(running);
          // Completions arrive in bursts (a group-committed batch resolves many at once): let the
          // rest of the burst free its slots, so one pull asks for all of them, not one each.
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        try {
          const consumer = await consumerOf();
          const batch = await consumer.fetch({ max_messages: concurrency - running.size, expires: fetchExpiresMs });
          const stop = (): void => void batch.stop();
          signal.addEventListener('abort', stop, { once: true });
          try {
            for await (const m of batch) {
              const notBefore = m.headers?.get(NOT_BEFORE_HEADER);
              const wait = notBefore ? Date.parse(notBefore) - Date.now() : 0;
              if (wait > 20) {
                m.nak(wait);
                continue;
              }
              runHandler(handler, wrap(m), running, logger);
            }
          } finally {
            signal.removeEventListener('abort', stop);
          }
          if (failures > 0) logger.info('NATS consumer resumed');
          failures = 0;
        } catch (err) {
          if (signal.aborted || closed) break;
          if (isMissingResource(err)) {
            provisioned = null;
            consumerHandle = null;
          }
          failures += 1;
          const delay = Math.min(5_000, 250 * 2 ** Math.min(failures, 5));
          logger.error({ err: { message: (err as Error).message }, retryInMs: delay }, 'NATS fetch failed; retrying');
          await sleep(delay, signal).catch(() => undefined);
        }
      }
      await Promise.allSettled(running);
    },

    async size() {
      await provision();
      const info = await jsm!.streams.info(stream);
      return info.state.messages;
    },

    async consumerLag() {
      await provision();
      const info = await jsm!.consumers.info(stream, durable);
      return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    },

    async close() {
      if (closed) return;
      closed = true;
      const conn = nc ?? (connecting ? await Promise.race([connecting.catch(() => null), sleep(10).then(() => null)]) : null);
      if (conn) await conn.drain().catch(() => conn.close());
    },
  };
}
