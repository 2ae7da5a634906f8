import { CancelledError } from '@vecron/sdk';

/** The error to throw for an aborted signal: its reason when that is an Error, else a `CancelledError`. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(typeof reason === 'string' ? reason : 'aborted');
}

/** Rejects with {@link abortError} as soon as `signal` aborts; resolves or rejects with `work` otherwise. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const listener = () => {
      onAbort();
      reject(abortError(signal));
    };
    signal.addEventListener('abort', listener, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', listener);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', listener);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Waits for `p` to settle, at most `ms` milliseconds; never rejects. */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms).unref();
    }),
  ]);
  clearTimeout(timer);
}
