import { createInbox, headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs, MsgHdrsImpl, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { PublishOptions } from '../../queue/port.js';
import { JOB_ID_HEADER, NOT_BEFORE_HEADER, TRACEPARENT_HEADER } from './nats-provision.js';
import { pubAckError } from './nats-errors.js';

/** The headers of one execution message (the de-duplication id only where asked). */
export function messageHeaders(m: PublishOptions, now: number, msgId?: string): MsgHdrs {
  const h = natsHeaders();
  if (msgId !== undefined) h.set('Nats-Msg-Id', msgId);
  if (m.notBefore && m.notBefore.getTime() > now) h.set(NOT_BEFORE_HEADER, m.notBefore.toISOString());
  if (m.traceparent) h.set(TRACEPARENT_HEADER, m.traceparent);
  if (m.jobId) h.set(JOB_ID_HEADER, m.jobId);
  return h;
}

const hasLineBreak = (v: string): boolean => v.includes('\r') || v.includes('\n');

/**
 * The bytes `messageHeaders(m, now, msgId).encode()` would give, written directly: the keys are
 * already what nats.js keeps (it canonicalises only to validate), the values trimmed as nats.js
 * does. A value nats.js refuses (CR or LF in it) goes through `messageHeaders`, which throws
 * nats.js's own error.
 */
export function encodeMessageHeaders(m: PublishOptions, now: number, msgId: string): Uint8Array {
  if (hasLineBreak(msgId) || (m.traceparent && hasLineBreak(m.traceparent)) || (m.jobId && hasLineBreak(m.jobId))) {
    return (messageHeaders(m, now, msgId) as MsgHdrsImpl).encode();
  }
  let block = `NATS/1.0\r\nNats-Msg-Id: ${msgId.trim()}`;
  if (m.notBefore && m.notBefore.getTime() > now) block += `\r\n${NOT_BEFORE_HEADER}: ${m.notBefore.toISOString()}`;
  if (m.traceparent) block += `\r\n${TRACEPARENT_HEADER}: ${m.traceparent.trim()}`;
  if (m.jobId) block += `\r\n${JOB_ID_HEADER}: ${m.jobId.trim()}`;
  // Buffer.from: half the CPU of TextEncoder.encode for a string this short (a slice of a pooled slab).
  return Buffer.from(`${block}\r\n\r\n`);
}

/**
 * A header block encoded once. nats.js's `publish` only calls `encode()` on the headers it is
 * given (nats-core 3.3 `ProtocolHandler.publish`; trace options, which would `set` more, are not used).
 */
class EncodedHeaders {
  constructor(private readonly block: Uint8Array) {}
  encode(): Uint8Array {
    return this.block;
  }
}

/** The answers of one batch: `undefined` while a message waits for its acknowledgement. */
interface Batch {
  answers: Array<Error | null | undefined>;
  left: number;
  done: () => void;
}

/** Records message `i`'s answer; the first one counts, and an index outside the batch is ignored. */
function answer(batch: Batch, i: number, err: Error | null): void {
  if (!(i >= 0 && i < batch.answers.length) || batch.answers[i] !== undefined) return;
  batch.answers[i] = err;
  batch.left -= 1;
  if (batch.left === 0) batch.done();
}

/**
 * Publishes many messages with their JetStream acknowledgements gathered on one inbox
 * subscription per connection, each message's reply subject naming its batch and its index
 * (`<inbox>.<batch>.<index>`). A JetStream publish (`js.publish`) makes a request object, a timer
 * and two promises per message; a burst of 100,000 fires spent most of its CPU there. Here a
 * message costs its header block, encoded directly, and `conn.publish`. `now` is the system's
 * time in ms: a `notBefore` not after it needs no header.
 */
export function createBatchPublisher(subject: string, timeoutMs: number, now: () => number): (conn: NatsConnection, messages: ReadonlyArray<{ executionId: string } & PublishOptions>) => Promise<Array<Error | null>> {
  let acks: { conn: NatsConnection; prefix: string; sub: Subscription } | null = null;
  const batches = new Map<number, Batch>();
  let batchSeq = 0;
  const ackInbox = (conn: NatsConnection): string => {
    if (acks && acks.conn === conn && !acks.sub.isClosed()) return acks.prefix;
    const prefix = createInbox();
    const sub = conn.subscribe(`${prefix}.*.*`, {
      callback: (err, msg) => {
        // A closed subscription: the waiting publishes time out.
        if (err) return;
        const dot = msg.subject.indexOf('.', prefix.length + 1);
        const batch = batches.get(Number(msg.subject.slice(prefix.length + 1, dot)));
        if (batch) answer(batch, Number(msg.subject.slice(dot + 1)), pubAckError(msg));
      },
    });
    acks = { conn, prefix, sub };
    return prefix;
  };

  return async (conn, messages) => {
    if (!messages.length) return [];
    const id = batchSeq++;
    const replyTo = `${ackInbox(conn)}.${id}.`;
    let done!: () => void;
    const answered = new Promise<void>((resolve) => (done = resolve));
    const batch: Batch = { answers: new Array<Error | null | undefined>(messages.length), left: messages.length, done };
    batches.set(id, batch);
    // On the system's clock, as consumers judge the header: a host clock ahead of it would leave
    // out the header of a message that is not due yet.
    const at = now();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      try {
        const headers = new EncodedHeaders(encodeMessageHeaders(m, at, m.deduplicationId ?? m.executionId)) as unknown as MsgHdrs;
        // The payload as bytes: Buffer.from costs less than nats.js's TextEncoder for a short string.
        conn.publish(subject, m.executionId, { reply: replyTo + i, headers });
      } catch (err) {
        answer(batch, i, err as Error);
      }
    }
    // One timer for the whole batch, not one per message.
    const timer = setTimeout(() => {
      for (let i = 0; i < messages.length; i++) if (batch.answers[i] === undefined) answer(batch, i, new Error(`no acknowledgement within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    await answered;
    clearTimeout(timer);
    batches.delete(id);
    return batch.answers as Array<Error | null>;
  };
}
