import { headers as natsHeaders, nanos } from '@nats-io/transport-node';
import type { Subscription } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, RetentionPolicy } from '@nats-io/jetstream';
import type { ConsumerConfig, JetStreamManager, StorageType, StreamConfig } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { NatsClients } from './nats-connection.js';

/** Header carrying the instant before which a message must not be worked on (ISO 8601). */
export const NOT_BEFORE_HEADER = 'Vecron-Not-Before';
/** W3C trace context header. */
export const TRACEPARENT_HEADER = 'traceparent';
/** Header naming the execution's job (a hint for the worker's fast path, see `QueueMessage.jobId`). */
export const JOB_ID_HEADER = 'Vecron-Job-Id';

/** The names and limits of the queue's streams and consumer. */
export interface NatsLayout {
  stream: string;
  subject: string;
  durable: string;
  dlqStream: string;
  dlqSubject: string;
  maxDeliver: number;
  ackWaitMs: number;
  duplicateWindowMs: number;
  storageType: StorageType;
  logger: Logger;
  onDeadLetter?: (executionId: string, info: { deliveries: number; streamSequence: number }) => Promise<void>;
}

async function ensureStream(m: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
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
}

/**
 * Creates (idempotently) the work stream, the DLQ stream and the durable pull consumer, and
 * subscribes once per connection to the max-deliveries advisory. Returns the advisory
 * subscription (reused when given and still open).
 */
export async function provisionQueue(c: NatsClients, l: NatsLayout, advisory: Subscription | null): Promise<Subscription> {
  await ensureStream(c.jsm, {
    name: l.stream, subjects: [l.subject], retention: RetentionPolicy.Workqueue, storage: l.storageType,
    duplicate_window: nanos(l.duplicateWindowMs),
  });
  await ensureStream(c.jsm, { name: l.dlqStream, subjects: [l.dlqSubject], retention: RetentionPolicy.Limits, storage: l.storageType });
  const config: Partial<ConsumerConfig> = {
    durable_name: l.durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
    filter_subject: l.subject, max_deliver: l.maxDeliver, ack_wait: nanos(l.ackWaitMs), max_ack_pending: -1,
  };
  try {
    await c.jsm.consumers.add(l.stream, config);
  } catch (err) {
    // Exists with another config (an older deployment): update what may change.
    if (!/already exists|already in use/i.test(String((err as Error).message))) throw err;
    await c.jsm.consumers.update(l.stream, l.durable, { max_deliver: l.maxDeliver, ack_wait: nanos(l.ackWaitMs), max_ack_pending: -1 });
  }
  if (advisory && !advisory.isClosed()) return advisory;
  return c.conn.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${l.stream}.${l.durable}`, {
    queue: `vecron-dlq-${l.stream}`,
    callback: (err, msg) => {
      if (err) return;
      void deadLetter(c, l, msg.json<{ stream_seq: number; deliveries: number }>()).catch((e: unknown) =>
        l.logger.error({ err: { message: (e as Error).message } }, 'dead-lettering a message failed; the reaper will re-publish its execution'),
      );
    },
  });
}

/** Copies a message that exceeded `maxDeliver` to the DLQ stream, removes it from the work stream, tells `onDeadLetter`. */
async function deadLetter(c: NatsClients, l: NatsLayout, advisory: { stream_seq: number; deliveries: number }): Promise<void> {
  const stored = await c.jsm.streams.getMessage(l.stream, { seq: advisory.stream_seq });
  if (!stored) return;
  const executionId = stored.string();
  const h = natsHeaders();
  h.set('Vecron-Original-Seq', String(advisory.stream_seq));
  h.set('Vecron-Deliveries', String(advisory.deliveries));
  const tp = stored.header?.get(TRACEPARENT_HEADER);
  if (tp) h.set(TRACEPARENT_HEADER, tp);
  await c.js.publish(l.dlqSubject, executionId, { headers: h, msgID: `dlq:${l.stream}:${advisory.stream_seq}` });
  await c.jsm.streams.deleteMessage(l.stream, advisory.stream_seq, false);
  l.logger.warn({ executionId, deliveries: advisory.deliveries }, 'message exceeded max deliveries; moved to the dead-letter stream');
  await l.onDeadLetter?.(executionId, { deliveries: advisory.deliveries, streamSequence: advisory.stream_seq });
}
