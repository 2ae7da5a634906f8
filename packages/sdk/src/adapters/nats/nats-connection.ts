import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { sleep } from '../../internal/clock.js';
import { queueUnavailable } from './nats-errors.js';

/** A connection with its JetStream clients. */
export interface NatsClients {
  conn: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** One lazily opened connection per queue, reconnecting forever (see `natsQueue`). */
export interface NatsLink {
  /** Connects on first use; a failed first connect rejects (the next call tries again). */
  clients(): Promise<NatsClients>;
  /** The clients once connected, else null. */
  current(): NatsClients | null;
  /** Drains the connection (or one still being opened). Idempotent. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export interface NatsLinkOptions {
  servers: string | string[];
  name: string;
  reconnectTimeWaitMs: number;
  timeoutMs: number;
  server: string;
  logger: Logger;
  /** After a reconnect: the server may have restarted without its store. */
  onReconnect: () => void;
}

/** Opens and watches the queue's connection. */
export function createNatsLink(o: NatsLinkOptions): NatsLink {
  let closed = false;
  let clients: NatsClients | null = null;
  let connecting: Promise<NatsClients> | null = null;

  const watchStatus = async (conn: NatsConnection): Promise<void> => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect') o.logger.error({ server: s.server }, 'NATS connection lost; reconnecting until the server is back');
      else if (s.type === 'reconnect') {
        o.logger.info({ server: s.server }, 'NATS reconnected');
        o.onReconnect();
      }
    }
  };

  const open = async (): Promise<NatsClients> => {
    const started = Date.now();
    const nag = setInterval(() => {
      o.logger.error({ servers: o.servers, waitingMs: Date.now() - started }, 'NATS server unreachable; still trying to connect');
    }, 5_000);
    nag.unref();
    try {
      // The first connect fails fast (the next call tries again) instead of retrying inside
      // nats.js, where an unreachable address kept reconnect timers alive after close().
      const conn = await connect({
        servers: o.servers, name: o.name, waitOnFirstConnect: false, timeout: o.timeoutMs,
        maxReconnectAttempts: -1, reconnectTimeWait: o.reconnectTimeWaitMs, reconnectJitter: 200, pingInterval: 10_000,
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
      const jsm = await jetstreamManager(conn, { timeout: o.timeoutMs, checkAPI: false });
      clients = { conn, js: jetstream(conn, { timeout: o.timeoutMs }), jsm };
      void watchStatus(conn).catch(() => undefined);
      o.logger.info({ server: conn.getServer() }, 'NATS connected');
      return clients;
    } catch (err) {
      connecting = null;
      throw queueUnavailable(o.server, 'connect', err);
    } finally {
      clearInterval(nag);
    }
  };

  return {
    clients() {
      if (closed) return Promise.reject(queueUnavailable(o.server, 'connection', new Error('queue closed')));
      connecting ??= open();
      return connecting;
    },
    current: () => clients,
    get closed() {
      return closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      const conn = clients?.conn ?? (connecting ? await Promise.race([connecting.then((c) => c.conn, () => null), sleep(10).then(() => null)]) : null);
      if (conn) await conn.drain().catch(() => conn.close());
    },
  };
}
