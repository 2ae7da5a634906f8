import { CancelledError } from '@vecron/sdk';

/** Anything with destroy() and a close event: node streams. */
interface Destroyable {
  destroy(error?: Error): unknown;
  readonly closed?: boolean;
  once(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

const ignore = (): void => undefined;

/** Destroys a stream; a stream nobody listens to yet must not turn the error into an uncaught exception. */
function destroyQuietly(s: Destroyable, err?: Error): void {
  s.on('error', ignore);
  s.destroy(err);
}

/**
 * Ties streams to an AbortSignal: on abort every tracked stream is destroyed with the signal's
 * reason, and {@link AbortGuard.race} rejects at once even if a library never notices.
 */
export interface AbortGuard {
  readonly signal: AbortSignal;
  /** Throws the abort reason when the signal has fired. */
  throwIfAborted(): void;
  /** Registers a stream to destroy on abort; returns it. */
  track<S extends Destroyable>(stream: S): S;
  /** Resolves/rejects like `work`, or rejects with the abort reason as soon as the signal fires. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Destroys every tracked stream and waits (at most `maxMs`) until they have closed. */
  shutdown(error?: Error, maxMs?: number): Promise<void>;
  /** Removes the abort listener. */
  dispose(): void;
}

/** The error to throw for an aborted signal: its reason when that is an Error (vecron puts a typed one there). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(reason === undefined ? 'aborted' : String(reason));
}

/** Creates an {@link AbortGuard} for one step attempt. */
export function createAbortGuard(signal: AbortSignal): AbortGuard {
  const streams = new Set<Destroyable>();
  const waiters = new Set<(err: Error) => void>();
  const onAbort = (): void => {
    const err = abortReason(signal);
    for (const s of streams) destroyQuietly(s, err);
    for (const w of waiters) w(err);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal,
    throwIfAborted() {
      if (signal.aborted) throw abortReason(signal);
    },
    track(stream) {
      streams.add(stream);
      if (signal.aborted) destroyQuietly(stream, abortReason(signal));
      return stream;
    },
    race(work) {
      if (signal.aborted) {
        work.catch(() => undefined);
        return Promise.reject(abortReason(signal));
      }
      return new Promise((resolve, reject) => {
        const waiter = (err: Error): void => {
          waiters.delete(waiter);
          work.catch(() => undefined); // the losing work fails once its streams are destroyed
          reject(err);
        };
        waiters.add(waiter);
        work.then(
          (v) => {
            waiters.delete(waiter);
            resolve(v);
          },
          (e: unknown) => {
            waiters.delete(waiter);
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      });
    },
    async shutdown(error, maxMs = 2_000) {
      const open = [...streams].filter((s) => s.closed !== true);
      for (const s of open) destroyQuietly(s, error);
      if (open.length === 0) return;
      await new Promise<void>((resolve) => {
        let left = open.length;
        const timer = setTimeout(resolve, maxMs);
        timer.unref();
        for (const s of open) {
          s.once('close', () => {
            if (--left === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
        }
      });
    },
    dispose() {
      signal.removeEventListener('abort', onAbort);
      waiters.clear();
    },
  };
}
