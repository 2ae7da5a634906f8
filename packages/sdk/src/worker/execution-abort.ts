/**
 * The execution-wide stop of a claimed run (timeout, cancel, shutdown, lost lease), and the
 * worker's shutdown that each run listens to: what an
 * `AbortController` would do for the worker's own code, without the `EventTarget` (making an
 * `AbortSignal` costs about 5 µs, and adding and removing a listener on one about 1 µs; both
 * were once per execution). Executors never see it: each step's
 * `ctx.signal` is a real `AbortSignal` that follows it (`runStep`).
 */
export class ExecutionAbort {
  /** Whether `abort` was called. */
  aborted = false;
  /** What `abort` was called with. */
  reason: unknown = undefined;
  private readonly listeners = new Set<() => void>();

  /** Aborts once (later calls change nothing) and calls the listeners, in the order they were added. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }

  /** Calls `listener` once on abort (never if already aborted); returns its removal. */
  onAbort(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
