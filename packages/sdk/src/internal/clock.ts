/** Source of the current time; injected so tests can drive time. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    t.unref();
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `tick` every `intervalMs` until `signal` aborts; errors go to `onError`, the loop goes on. */
export async function runLoop(
  tick: () => Promise<void>,
  { intervalMs, signal, onError }: { intervalMs: number; signal: AbortSignal; onError: (err: unknown) => void },
): Promise<void> {
  while (!signal.aborted) {
    try {
      await tick();
    } catch (err) {
      onError(err);
    }
    try {
      await sleep(intervalMs, signal);
    } catch {
      return;
    }
  }
}
