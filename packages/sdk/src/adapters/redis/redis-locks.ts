import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import Redlock from 'redlock';
import type { ExecutionError, Lock } from 'redlock';
import type { CoordinationLock, LockAttempt } from '../../coordination/port.js';

const isResourceLocked = (e: unknown): boolean => (e as Error)?.name === 'ResourceLockedError';

/** Redlock on one client, no retries (a busy lock is an answer); its routine refusals are not logged. */
export function createRedlock(client: Redis, logger: Logger): Redlock {
  const redlock = new Redlock([client], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 500 });
  redlock.on('error', (err: Error) => {
    if (!isResourceLocked(err)) logger.debug({ err: { message: err.message } }, 'redlock error');
  });
  return redlock;
}

/**
 * `Coordination.tryLock` on Redis: `acquired`, `busy` when every vote against is a held lock,
 * else `unavailable` (the caller then relies on the database). See docs/architecture.md#coordination.
 */
export async function tryRedisLock(
  deps: { client: Redis; redlock: Redlock; logger: Logger; prefix: string },
  resource: string,
  ttlMs: number,
): Promise<LockAttempt> {
  const { client } = deps;
  if (client.status !== 'ready') return { status: 'unavailable', error: new Error(`Redis is ${client.status}`) };
  try {
    const lock = await deps.redlock.acquire([`${deps.prefix}lock:${resource}`], ttlMs);
    return { status: 'acquired', lock: heldLock(deps.logger, resource, lock) };
  } catch (err) {
    // Checked by name: a bundler or test runner may load redlock twice, breaking instanceof.
    const attempts = (err as Partial<ExecutionError>).attempts;
    if (Array.isArray(attempts)) {
      const stats = await Promise.all(attempts).catch(() => []);
      const against = stats.flatMap((s) => [...s.votesAgainst.values()]);
      if (against.length > 0 && against.every(isResourceLocked)) return { status: 'busy' };
    }
    return { status: 'unavailable', error: err };
  }
}

/** A held Redlock lock as a {@link CoordinationLock}: extend until refused, release once. */
function heldLock(logger: Logger, resource: string, initial: Lock): CoordinationLock {
  let lock: Lock | null = initial;
  return {
    resource,
    async extend(ttlMs) {
      if (!lock) return false;
      try {
        lock = await lock.extend(ttlMs);
        return true;
      } catch (err) {
        logger.debug({ err: { message: (err as Error).message }, resource }, 'lock extension refused');
        return false;
      }
    },
    async release() {
      const l = lock;
      lock = null;
      if (l) await l.release().catch(() => undefined);
    },
  };
}
