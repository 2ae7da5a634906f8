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
  /** The system's time in ms, which `Vecron-Not-Before` is judged by (not the host clock). */
  now: () => number;
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
  const state: PullState = {
    deps,
    handler,
    concurrency,
    signal,
    running: new Set(),
    request: null,
    seq: 0,
    link: null,
    pullScheduled: false,
    failures: 0,
    graceMs: Math.max(1_000, deps.expiresMs / 2),
    onHandled: () => pullSoon(state),
  };
  return {
    done: consumeLoop(state),
    reset() {
      state.request = null;
      pullSoon(state);
    },
  };
}

/** The inbox subscription on the current connection; `fail` ends its turn of the loop. */
interface PullLink {
  conn: NatsConnection;
  sub: Subscription;
  prefix: string;
  fail: (err: Error) => void;
}

/** The mutable state of one pull consumer, shared by the functions below. */
interface PullState {
  deps: PullConsumerDeps;
  handler: QueueHandler;
  concurrency: number;
  signal: AbortSignal;
  running: Set<Promise<void>>;
  /** The waiting request: its reply subject, messages it may still deliver, when it is given up if the server never ends it. */
  request: { reply: string; left: number; deadline: number } | null;
  seq: number;
  link: PullLink | null;
  pullScheduled: boolean;
  failures: number;
  graceMs: number;
  /** Runs when a handler is done (one function for every message, not a closure each). */
  onHandled: () => void;
}

function healthy(s: PullState): void {
  if (s.failures === 0) return;
  s.failures = 0;
  s.deps.logger.info('NATS consumer resumed');
}

/** Sends one pull request sized to the free slots, unless one is already waiting. */
function pull(s: PullState): void {
  s.pullScheduled = false;
  if (!s.link || s.signal.aborted || s.request) return;
  const free = s.concurrency - s.running.size;
  if (free <= 0) return;
  const reply = `${s.link.prefix}.${s.seq++}`;
  s.request = { reply, left: free, deadline: Date.now() + s.deps.expiresMs + s.graceMs };
  try {
    s.link.conn.publish(s.deps.nextSubject, JSON.stringify({ batch: free, expires: nanos(s.deps.expiresMs) }), { reply });
  } catch (err) {
    s.request = null;
    s.link.fail(err as Error);
  }
}

/** Pulls once the current turn of the event loop is over, so its completions share one request. */
function pullSoon(s: PullState): void {
  if (s.pullScheduled) return;
  s.pullScheduled = true;
  setImmediate(() => pull(s));
}

function deliver(s: PullState, msg: Msg): void {
  healthy(s);
  const counted = s.request !== null;
  if (s.request && --s.request.left === 0) {
    s.request = null;
    pullSoon(s);
  }
  const notBefore = msg.headers?.get(NOT_BEFORE_HEADER);
  const wait = notBefore ? Date.parse(notBefore) - s.deps.now() : 0;
  // Early (nats-server has no scheduled messages), after a stop, or from a request already
  // given up while every slot is taken: back to the server, not to a local buffer.
  if (wait > 20 || s.signal.aborted || (!counted && s.running.size >= s.concurrency)) {
    s.deps.acks.send(msg, nakPayload(wait > 20 ? wait : 0));
    if (counted) pullSoon(s);
    return;
  }
  runHandler(s.handler, toDelivered(msg, s.deps.acks), s.running, s.deps.logger, s.onHandled);
}

/** A status ends the waiting request (408 on expiry, anything else logged); a missing consumer fails the subscription. */
function onStatus(s: PullState, msg: Msg): void {
  if (s.request?.reply !== msg.subject) return;
  s.request = null;
  const { code, description } = msg.headers!;
  if (code === 408) {
    healthy(s);
    return pullSoon(s);
  }
  if (code === 503 || /consumer deleted|consumer not found|stream not found/i.test(description)) {
    return s.link?.fail(new Error(`consumer not found: ${code} ${description}`));
  }
  s.deps.logger.warn({ code, description }, 'NATS pull request ended early; asking again shortly');
  setTimeout(() => pullSoon(s), 250).unref();
}

/** Subscribes the inbox on `conn` and starts pulling; the promise rejects when this link fails. */
function attach(s: PullState, conn: NatsConnection): Promise<never> {
  const prefix = createInbox();
  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const sub = conn.subscribe(`${prefix}.*`, {
    callback: (err, msg) => {
      if (err) return fail(err);
      // Idle heartbeats (100) are not asked for; other statuses end a request.
      if (msg.headers && msg.headers.code > 100 && msg.data.length === 0) onStatus(s, msg);
      else if (!msg.headers || msg.headers.code === 0) deliver(s, msg);
    },
  });
  void conn.closed().then(() => fail(new Error('connection closed')));
  s.link = { conn, sub, prefix, fail };
  s.request = null;
  pullSoon(s);
  return failed;
}

function detach(s: PullState): void {
  s.link?.sub.unsubscribe();
  s.link = null;
  s.request = null;
}

/** A request the server forgot (a restart, a lost connection) would otherwise hold its slots forever. */
function startSweep(s: PullState): NodeJS.Timeout {
  const sweep = setInterval(() => {
    if (s.request && s.request.deadline < Date.now()) {
      s.request = null;
      pullSoon(s);
    }
  }, Math.min(1_000, s.deps.expiresMs));
  sweep.unref();
  return sweep;
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Attaches, waits for a failure or the stop, re-provisions and backs off on failure; drains on the way out. */
async function consumeLoop(s: PullState): Promise<void> {
  const sweep = startSweep(s);
  const stopped = abortedPromise(s.signal);
  while (!s.signal.aborted && !s.deps.closed()) {
    try {
      const failed = attach(s, await s.deps.ready());
      await Promise.race([failed, stopped]);
    } catch (err) {
      detach(s);
      if (s.signal.aborted || s.deps.closed()) break;
      if (isMissingResource(err)) s.deps.forget();
      s.failures += 1;
      const delay = Math.min(5_000, 250 * 2 ** Math.min(s.failures, 5));
      s.deps.logger.error({ err: { message: (err as Error).message }, retryInMs: delay }, 'NATS pull failed; retrying');
      await sleep(delay, s.signal).catch(() => undefined);
    }
  }
  // Messages that arrive while the last handlers finish go back to the server at once (deliver).
  await Promise.allSettled(s.running);
  clearInterval(sweep);
  s.deps.acks.flush();
  detach(s);
}
