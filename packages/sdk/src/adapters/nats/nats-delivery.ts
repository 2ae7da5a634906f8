import { nanos } from '@nats-io/transport-node';
import type { Msg } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { QueueMessage } from '../../queue/port.js';
import type { Delivered } from '../../queue/run-handler.js';
import { JOB_ID_HEADER, TRACEPARENT_HEADER } from './nats-provision.js';

const encoder = new TextEncoder();
const ACK = encoder.encode('+ACK');
const NAK = encoder.encode('-NAK');
const WORKING = encoder.encode('+WPI');

/**
 * Acknowledgements (ack, nak, in progress) written together once per turn of the event loop:
 * the executions of a group-committed batch finish in the same turn, and their acks leave in one
 * socket write instead of one each. Fire and forget, as JetStream acks are: the outcome is
 * already committed, so a lost ack only means one more delivery, which the claim refuses.
 */
export interface AckBatcher {
  send(msg: Msg, payload: Uint8Array): void;
  /** Writes what is waiting now (before the connection drains). */
  flush(): void;
}

export function createAckBatcher(logger: Logger): AckBatcher {
  let waiting: Array<{ msg: Msg; payload: Uint8Array }> = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = waiting;
    waiting = [];
    for (const { msg, payload } of batch) {
      try {
        msg.respond(payload);
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message }, executionId: msg.string() }, 'NATS acknowledgement not sent; the message will be delivered again and refused by the claim');
      }
    }
  };
  return {
    send(msg, payload) {
      waiting.push({ msg, payload });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/**
 * The delivery count from a JetStream ack subject:
 * `$JS.ACK.<stream>.<consumer>.<deliveries>.…` (9 tokens) or, with a domain and account hash,
 * `$JS.ACK.<domain>.<hash>.<stream>.<consumer>.<deliveries>.…`.
 */
export function deliveryCountOf(reply: string | undefined): number {
  const tokens = (reply ?? '').split('.');
  const n = Number(tokens[tokens.length === 9 ? 4 : 6]);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** Nak with a delay (JetStream redelivers after it). */
export function nakPayload(delayMs: number): Uint8Array {
  const ms = Math.max(0, Math.round(delayMs));
  return ms > 0 ? encoder.encode(`-NAK ${JSON.stringify({ delay: nanos(ms) })}`) : NAK;
}

/**
 * A delivered JetStream message as the queue port's message; acks go through `acks`. A class, so
 * a delivery makes one object and no closures (this runs once per execution), and the delivery
 * count is read from the reply subject only when asked (the worker never asks).
 */
class NatsMessage implements QueueMessage, Delivered {
  readonly executionId: string;
  declare readonly jobId?: string;
  declare readonly traceparent?: string;
  /** Acked or nak'ed. */
  private done = false;
  readonly #m: Msg;
  readonly #acks: AckBatcher;

  constructor(m: Msg, acks: AckBatcher) {
    this.#m = m;
    this.#acks = acks;
    this.executionId = m.string();
    const headers = m.headers;
    if (headers) {
      const tp = headers.get(TRACEPARENT_HEADER);
      const jobId = headers.get(JOB_ID_HEADER);
      if (tp) this.traceparent = tp;
      if (jobId) this.jobId = jobId;
    }
  }

  get message(): QueueMessage {
    return this;
  }

  settled(): boolean {
    return this.done;
  }

  get deliveryCount(): number {
    return deliveryCountOf(this.#m.reply);
  }

  async ack(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.#acks.send(this.#m, ACK);
  }

  async nak(delayMs = 0): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.#acks.send(this.#m, nakPayload(delayMs));
  }

  async inProgress(): Promise<void> {
    if (!this.done) this.#acks.send(this.#m, WORKING);
  }
}

/** A delivered JetStream message as the queue port's message; acks go through `acks`. */
export function toDelivered(m: Msg, acks: AckBatcher): Delivered {
  return new NatsMessage(m, acks);
}
