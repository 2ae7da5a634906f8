/** Races against an `AbortSignal`: the deadlines of start-up checks. */
import { VecronError } from '../errors/errors.js';

/**
 * Resolves with `p`, or rejects with `onAbort()` once `signal` aborts first (at once when it has
 * already). The abort listener is removed when the race ends either way.
 */
export async function beforeAbort<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => unknown): Promise<T> {
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => reject(onAbort());
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    if (listener) signal.removeEventListener('abort', listener);
  }
}

/**
 * The `check` of a queue adapter: runs `probe` until `signal` aborts (not at all when it has
 * already). A `VecronError` from the probe passes through; any other failure, and the abort, become
 * `unavailable('connect', cause)` (the adapter's `QUEUE_UNAVAILABLE` error naming its server).
 */
export async function probeBeforeAbort(
  probe: () => Promise<unknown>,
  signal: AbortSignal,
  unavailable: (what: string, cause: unknown) => VecronError,
): Promise<void> {
  const timedOut = (): VecronError => unavailable('connect', new Error('no answer within the start deadline'));
  if (signal.aborted) throw timedOut();
  try {
    await beforeAbort(probe(), signal, timedOut);
  } catch (err) {
    throw err instanceof VecronError ? err : unavailable('connect', err);
  }
}
