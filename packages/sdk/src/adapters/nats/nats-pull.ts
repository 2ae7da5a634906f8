import { createInbox, nanos } from '@nats-io/transport-node';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { sleep } from '../../internal/clock.js';
import type { QueueHandler } from '../../queue/port.js';
import { runHandler } from '../../queue/run-handler.js';
import type { AckBatcher } from './nats-delivery.js';
import { nakPayload, toDelivered } from './nats-delivery.js';
import { isMissingResource } from './nats-errors.js';
import { NOT_BEFORE_HEADER } from './nats-provision.js';

/** What a pull consumer needs from its queue. */
export interface PullConsumerDeps {
  /** Provisions the streams and the consumer if needed; resolves with the connection. */
  ready: () => Promise<NatsConnection>;
  /** The stream or the consumer is gone: provision again before the next pull. */
  forget: () => void;
  /** `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` */
  nextSubject: string;
  /** How long one pull request waits on the server for messages, in ms. */
  expiresMs: number;
  acks: AckBatcher;
  logger: Logger;
  closed: () => boolean;
}

/** A running pull consumer; `reset` forgets its waiting request (after a reconnect the server may have lost it). */
export interface PullConsumer {
  done: Promise<void>;
  reset(): void;
}

/**
 * Consumes the durable pull consumer on one long-lived inbox subscription (docs/architecture.md#queue).
 * It asks for exactly as many messages as it has free slots, so requested-but-not-received plus
 * running never exceeds `concurrency`: no message waits in a local buffer while its ack timer
 * runs, and another worker gets what this one has no room for. (nats.js `consume()` refills as
 * messages arrive, not as handlers finish, so it would buffer.) One pull request waits at a time:
 * while one is only partly delivered the stream is empty, so a second would add nothing; the
 * next goes out once it is delivered in full or expires (the server's 408), and the completions
 * of one turn of the event loop share it. Data messages arrive under the stream's subject, status
 * messages under the request's own reply subject, which tells a stale status from the current one.
 */
export function startPullConsumer(deps: PullConsumerDeps, handler: QueueHandler, { concurrency, signal }: { concurrency: number; signal: AbortSignal }): PullConsumer {
  const running = new Set<Promise<void>>();
  /** The waiting request: its reply subject, messages it may still deliver, when it is given up if the server never ends it. */
  let request: { reply: string; left: number; deadline: number } | null = null;
  let seq = 0;
  let link: { conn: NatsConnection; sub: Subscription; prefix: string; fail: (err: Error) => void } | null = null;
  let pullScheduled = false;
  let failures = 0;
  const healthy = (): void => {
    if (failures === 0) return;
    failures = 0;
    deps.logger.info('NATS consumer resumed');
  };
  const graceMs = Math.max(1_000, deps.expiresMs / 2);

  const pull = (): void => {
    pullScheduled = false;
    if (!link || signal.aborted || request) return;
    const free = concurrency - running.size;
    if (free <= 0) return;
    const reply = `${link.prefix}.${seq++}`;
    request = { reply, left: free, deadline: Date.now() + deps.expiresMs + graceMs };
    try {
      link.conn.publish(deps.nextSubject, JSON.stringify({ batch: free, expires: nanos(deps.expiresMs) }), { reply });
    } catch (err) {
      request = null;
      link.fail(err as Error);
    }
  };

  const pullSoon = (): void => {
    if (pullScheduled) return;
    pullScheduled = true;
    setImmediate(pull);
  };

  const deliver = (msg: Msg): void => {
    healthy();
    const counted = request !== null;
    if (request && --request.left === 0) {
      request = null;
      pullSoon();
    }
    const notBefore = msg.headers?.get(NOT_BEFORE_HEADER);
    const wait = notBefore ? Date.parse(notBefore) - Date.now() : 0;
    // Early (nats-server has no scheduled messages), after a stop, or from a request already
    // given up while every slot is taken: back to the server, not to a local buffer.
    if (wait > 20 || signal.aborted || (!counted && running.size >= concurrency)) {
      deps.acks.send(msg, nakPayload(wait > 20 ? wait : 0));
      if (counted) pullSoon();
      return;
    }
    runHandler(handler, toDelivered(msg, deps.acks), running, deps.logger, pullSoon);
  };

  /** A status ends the waiting request (408 on expiry, anything else logged); a missing consumer fails the subscription. */
  const onStatus = (msg: Msg): void => {
    if (request?.reply !== msg.subject) return;
    request = null;
    const { code, description } = msg.headers!;
    if (code === 408) {
      healthy();
      return pullSoon();
    }
    if (code === 503 || /consumer deleted|consumer not found|stream not found/i.test(description)) {
      return link?.fail(new Error(`consumer not found: ${code} ${description}`));
    }
    deps.logger.warn({ code, description }, 'NATS pull request ended early; asking again shortly');
    setTimeout(pullSoon, 250).unref();
  };

  const attach = (conn: NatsConnection): Promise<never> => {
    const prefix = createInbox();
    let fail!: (err: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const sub = conn.subscribe(`${prefix}.*`, {
      callback: (err, msg) => {
        if (err) return fail(err);
        // Idle heartbeats (100) are not asked for; other statuses end a request.
        if (msg.headers && msg.headers.code > 100 && msg.data.length === 0) onStatus(msg);
        else if (!msg.headers || msg.headers.code === 0) deliver(msg);
      },
    });
    void conn.closed().then(() => fail(new Error('connection closed')));
    link = { conn, sub, prefix, fail };
    request = null;
    pullSoon();
    return failed;
  };

  const detach = (): void => {
    link?.sub.unsubscribe();
    link = null;
    request = null;
  };

  // A request the server forgot (a restart, a lost connection) would otherwise hold its slots forever.
  const sweep = setInterval(() => {
    if (request && request.deadline < Date.now()) {
      request = null;
      pullSoon();
    }
  }, Math.min(1_000, deps.expiresMs));
  sweep.unref();

  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

  const loop = async (): Promise<void> => {
    while (!signal.aborted && !deps.closed()) {
      try {
        const failed = attach(await deps.ready());
        await Promise.race([failed, stopped]);
      } catch (err) {
        detach();
        if (signal.aborted || deps.closed()) break;
        if (isMissingResource(err)) deps.forget();
        failures += 1;
        const delay = Math.min(5_000, 250 * 2 ** Math.min(failures, 5));
        deps.logger.error({ err: { message: (err as Error).message }, retryInMs: delay }, 'NATS pull failed; retrying');
        await sleep(delay, signal).catch(() => undefined);
      }
    }
    // Messages that arrive while the last handlers finish go back to the server at once (deliver).
    await Promise.allSettled(running);
    clearInterval(sweep);
    deps.acks.flush();
    detach();
  };

  return {
    done: loop(),
    reset() {
      request = null;
      pullSoon();
    },
  };
}
