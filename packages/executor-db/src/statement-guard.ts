/**
 * Cancellation of a database step: a statement stopped on the server when the step is aborted or
 * times out, and a pool acquire abandoned (its session released) when the step is aborted.
 */
import { CancelledError } from '@vecron/sdk';
import type { DbSession } from './dialects/dialect.js';

/** How long to wait for a cancelled statement to report back before discarding its connection anyway. */
const CANCEL_SETTLE_MS = 5000;

/**
 * Watches one session: on `signal` abort or on the client-side timeout it cancels the running
 * statement on the server (from another connection), waits for it to stop, and makes `run` reject.
 */
export class StatementGuard {
  abortedBy: 'signal' | 'timeout' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;

  constructor(
    private readonly session: DbSession,
    private readonly signal: AbortSignal,
    private readonly timeoutMs: number | undefined,
    private readonly where: string,
  ) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const work = fn();
    return new Promise<T>((resolve, reject) => {
      const stop = (by: 'signal' | 'timeout'): void => {
        if (this.abortedBy) return;
        this.abortedBy = by;
        // Cancel on the server, then wait (bounded) for the statement to report back, so the query is gone when we reject.
        void this.session
          .cancel()
          .catch(() => undefined)
          .then(() => settleWithin(work, CANCEL_SETTLE_MS))
          .then(() => reject(new CancelledError(`${this.where}: cancelled`)));
      };
      this.onAbort = () => stop('signal');
      this.signal.addEventListener('abort', this.onAbort, { once: true });
      if (this.timeoutMs !== undefined) {
        this.timer = setTimeout(() => stop('timeout'), this.timeoutMs);
        this.timer.unref();
      }
      if (this.signal.aborted) stop('signal');
      work.then(
        (v) => {
          if (!this.abortedBy) resolve(v);
        },
        (err: unknown) => {
          if (!this.abortedBy) reject(err);
        },
      );
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.signal.removeEventListener('abort', this.onAbort);
  }
}

function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => {
        clearTimeout(t);
        resolve();
      },
    );
  });
}

/** Waits for `p` unless `signal` aborts first; a value that arrives after the abort is handed to `discard`. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal, discard: (v: T) => unknown): Promise<T> {
  if (signal.aborted) {
    void p.then(discard, () => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      void p.then(discard, () => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The signal's reason as an error (a `CancelledError` when it is not one). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError(typeof reason === 'string' ? reason : 'step aborted');
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}
