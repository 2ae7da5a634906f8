import type { Logger } from 'pino';
import type { Coordination, CoordinationLock } from '../coordination/port.js';
import type { CronEventBus } from '../events.js';
import { runLoop } from '../internal/clock.js';

/** A pass repeated every interval in the background (the scheduler's, the dispatcher's, retention's). */
export interface BackgroundLoop {
  /** Aborted by `stop()`: a long pass checks it between its batches. */
  readonly signal: AbortSignal;
  /** Runs `pass` now and then every interval; a second call while running does nothing. */
  start(pass: () => Promise<void>): void;
  /** Aborts the loop and resolves once the pass in flight (if any) has returned. */
  stop(): Promise<void>;
}

/**
 * Creates a background loop. A failed pass is logged (`failure`, the message) and emitted as an
 * `error` event with `where`; the loop goes on at the next interval.
 */
export function createBackgroundLoop(o: { intervalMs: number; logger: Logger; events: CronEventBus; where: string; failure: string }): BackgroundLoop {
  const abort = new AbortController();
  let loop: Promise<void> | null = null;
  return {
    signal: abort.signal,
    start(pass) {
      loop ??= runLoop(pass, {
        intervalMs: o.intervalMs,
        signal: abort.signal,
        onError: (error) => {
          o.logger.error({ err: error }, o.failure);
          o.events.emit('error', { where: o.where, error });
        },
      });
    },
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

/** One process at a time running a housekeeping pass, through a coordination lock kept between passes. */
export interface Leadership {
  /** True when this process holds (or just took) the lock, or when there is no coordination or it cannot answer (every process runs then: the passes are safe to repeat). */
  isLeader(): Promise<boolean>;
  /** Releases the lock if held. */
  release(): Promise<void>;
}

/** Elects one holder of `resource`; the lock lives `ttlMs` and is extended at each `isLeader()`. */
export function createLeadership(coordination: Coordination | undefined, resource: string, ttlMs: number): Leadership {
  let held: CoordinationLock | null = null;
  return {
    async isLeader() {
      if (!coordination) return true;
      if (held && (await held.extend(ttlMs))) return true;
      held = null;
      const attempt = await coordination.tryLock(resource, ttlMs);
      if (attempt.status === 'acquired') held = attempt.lock;
      return attempt.status !== 'busy';
    },
    async release() {
      const lock = held;
      held = null;
      await lock?.release();
    },
  };
}
