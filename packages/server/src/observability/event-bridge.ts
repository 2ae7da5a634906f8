import { randomUUID } from 'node:crypto';
import type { NatsQueue } from '@vecron/sdk/nats';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EventHub, ServerEvent } from './event-hub.js';

/** Options of {@link natsEventBridge}. */
export interface NatsEventBridgeOptions {
  /** NATS core subject shared by every process of one deployment (`queue.events_subject`). */
  subject: string;
  /** Feed other processes' events into this hub (api processes, which serve `/api/events`). */
  receive: boolean;
  logger: Logger;
  /** Delay between attempts to reach NATS at start-up, in ms. @default 1000 */
  retryMs?: number;
}

/** A running bridge. */
export interface EventBridge {
  /** Resolves once the bridge is connected (and subscribed, when it receives). */
  ready(): Promise<void>;
  /** Stops publishing and unsubscribes. Idempotent. */
  close(): Promise<void>;
}

type Connection = Awaited<ReturnType<NatsQueue['ready']>>;
type Subscription = ReturnType<Connection['subscribe']>;

const envelope = z.object({
  /** Process that produced the event; a process ignores its own. */
  o: z.string(),
  e: z.object({ type: z.string(), at: z.string() }).catchall(z.unknown()),
});

/**
 * Carries server events between processes in distributed mode: the SDK's events are in-process
 * only, so a worker's `execution.started` / `execution.finished` would never reach the SSE clients
 * of an api process. Every process publishes the events its hub produces on `subject` (NATS core
 * pub/sub, over the queue's own connection); processes with `receive` publish the others' events
 * into their hub.
 *
 * Delivery is at most once: events produced while NATS is unreachable are dropped, like any live
 * stream. SSE clients that need completeness re-read `/api/executions`, which reads PostgreSQL.
 */
export function natsEventBridge(hub: EventHub, queue: NatsQueue, options: NatsEventBridgeOptions): EventBridge {
  const origin = randomUUID();
  const { subject, logger } = options;
  let conn: Connection | null = null;
  let sub: Subscription | null = null;
  let closed = false;
  let lastWarn = 0;
  const warn = (err: unknown, msg: string): void => {
    const now = Date.now();
    if (now - lastWarn < 5_000) return;
    lastWarn = now;
    logger.warn({ err: { message: (err as Error)?.message ?? String(err) } }, msg);
  };

  const connected = (async () => {
    for (;;) {
      if (closed) return;
      try {
        conn = await queue.ready();
        break;
      } catch (err) {
        warn(err, 'event bridge: NATS not reachable yet; cross-process events are dropped until it is');
        await new Promise<void>((r) => setTimeout(r, options.retryMs ?? 1_000).unref());
      }
    }
    if (closed || !options.receive) return;
    // The client re-subscribes by itself after a reconnect.
    sub = conn.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return warn(err, 'event bridge: subscription error');
        let parsed: z.infer<typeof envelope>;
        try {
          const r = envelope.safeParse(msg.json());
          if (!r.success) return warn(new Error(r.error.message), 'event bridge: ignoring a malformed event');
          parsed = r.data;
        } catch (e) {
          return warn(e, 'event bridge: ignoring a non-JSON event');
        }
        if (parsed.o === origin) return;
        hub.publish(parsed.e as ServerEvent, true);
      },
    });
  })();

  hub.setBridge((e) => {
    if (closed || !conn || conn.isClosed()) return;
    try {
      conn.publish(subject, JSON.stringify({ o: origin, e }));
    } catch (err) {
      warn(err, 'event bridge: publish failed; event dropped');
    }
  });

  return {
    ready: () => connected,
    async close() {
      if (closed) return;
      closed = true;
      hub.setBridge(null);
      await connected.catch(() => undefined);
      try {
        sub?.unsubscribe();
      } catch {
        // The queue already closed the connection (and with it the subscription).
      }
      // Events published just before stopping leave with the queue's drain.
      if (conn && !conn.isClosed()) await conn.flush().catch(() => undefined);
    },
  };
}
