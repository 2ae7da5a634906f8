import type pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { sleep } from '../../internal/clock.js';

/** How the PostgreSQL queue's idle consumers are woken: `LISTEN/NOTIFY`, local wakes, timers. */
export interface QueueWakeups {
  /** Wakes every idle consumer of this process now. */
  wake(): void;
  /** How many wakes there have been so far: read it before a claim, pass it to `idle` after. */
  wakes(): number;
  /**
   * Waits for a notification, a local wake, `ms`, or the signal (a timer that holds the process
   * open). With `since` (a {@link QueueWakeups.wakes} read earlier), returns at once when a wake
   * came after that read: a notification that arrived while the caller was claiming is not lost.
   */
  idle(ms: number, signal: AbortSignal, since?: number): Promise<void>;
  /** Starts holding the `LISTEN` connection (once; re-opened when it breaks until `stop`). */
  listen(): Promise<void>;
  /** Wakes everyone, then `UNLISTEN`s and gives the connection back. Call after the queue is marked closed. */
  stop(): Promise<void>;
}

/**
 * The wake-ups of {@link postgresQueue} on `channel`. `isClosed` tells when the queue is closed
 * (no more listening). See docs/architecture.md, "Ports and adapters".
 */
export function queueWakeups(deps: { pool: Pool; channel: string; logger: Logger; isClosed: () => boolean }): QueueWakeups {
  const { pool, channel, logger, isClosed } = deps;
  const wakers = new Set<() => void>();
  let wakes = 0;
  const wake = (): void => {
    wakes += 1;
    for (const w of [...wakers]) w();
  };
  const onNotification = (msg: pg.Notification): void => {
    if (msg.channel === channel) wake();
  };
  const state: ListenState = { listener: null, listening: null };
  const listen = (): Promise<void> => {
    state.listening ??= holdListen({ pool, channel, logger, isClosed, wake, onNotification, state, listen });
    return state.listening;
  };
  return {
    wake,
    wakes: () => wakes,
    idle: (ms, signal, since) => (since !== undefined && since !== wakes ? Promise.resolve() : idleFor(wakers, ms, signal)),
    listen,
    async stop() {
      wake();
      const l = state.listener;
      state.listener = null;
      if (l) {
        l.removeListener('notification', onNotification);
        await l.query(`UNLISTEN "${channel}"`).catch(() => undefined);
        l.release();
      }
    },
  };
}

/** The listening connection, and the attempt to get one while there is none. */
interface ListenState {
  listener: PoolClient | null;
  listening: Promise<void> | null;
}

/**
 * Holds one connection with `LISTEN`. When it breaks, it is given back to the pool as broken
 * (destroyed) and another is opened; its 'error' handler stays attached for good, since a
 * destroyed client may still emit errors and an unheard 'error' would end the process.
 */
async function holdListen(deps: {
  pool: Pool;
  channel: string;
  logger: Logger;
  isClosed: () => boolean;
  wake: () => void;
  onNotification: (msg: pg.Notification) => void;
  state: ListenState;
  listen: () => Promise<void>;
}): Promise<void> {
  const { pool, channel, logger, isClosed, wake, onNotification, state } = deps;
  let failures = 0;
  while (!isClosed() && !state.listener) {
    let conn: PoolClient | null = null;
    let broken = false;
    const dropped = (err: Error): void => {
      if (broken) return;
      broken = true;
      conn?.removeListener('notification', onNotification);
      if (state.listener !== conn) return; // still setting up: the catch below gives it back
      state.listener = null;
      state.listening = null;
      logger.error({ err: { message: err.message } }, 'PostgreSQL queue: the LISTEN connection broke; polling until it is back');
      conn!.release(err);
      if (!isClosed()) void deps.listen();
    };
    try {
      conn = await pool.connect();
      conn.on('error', (err: Error) => dropped(err));
      conn.on('notification', onNotification);
      await conn.query(`LISTEN "${channel}"`);
      if (broken) throw new Error('connection lost while subscribing');
      state.listener = conn;
      if (failures > 0) logger.info('PostgreSQL queue: listening again');
      // Anything published while nobody listened is found by this claim round.
      wake();
    } catch (err) {
      if (conn) {
        broken = true;
        conn.removeListener('notification', onNotification);
        conn.release(err as Error);
      }
      if (isClosed()) break;
      failures += 1;
      logger.error({ err: { message: (err as Error).message } }, 'PostgreSQL queue: LISTEN failed; polling meanwhile');
      await sleep(Math.min(5_000, 250 * 2 ** Math.min(failures, 5)));
    }
  }
}

/** Resolves on the first of: a wake (through `wakers`), `ms`, or the signal's abort. */
function idleFor(wakers: Set<() => void>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      wakers.delete(done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    wakers.add(done);
    signal.addEventListener('abort', done, { once: true });
  });
}
