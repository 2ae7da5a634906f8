/** Options of {@link until} and {@link eventually}. */
export interface PollOptions {
  /** Give up after this long, ms. @default 10000 */
  timeoutMs?: number;
  /** Pause between tries, ms. @default 50 */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("the job to finish"). @default 'condition' */
  what?: string;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns a truthy value, and returns that value. Rejects naming `what`
 * after `timeoutMs`; an error thrown by `check` rejects at once (a process that exited, say).
 *
 * @example
 * ```ts
 * const done = await until(() => storage.getExecution(id).then((e) => e?.status === 'success' && e), { what: 'the run to succeed' });
 * ```
 */
export async function until<T>(check: () => T | Promise<T>, options: PollOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(intervalMs);
  }
}

/**
 * Retries `assertion` until it stops throwing (a page or a store that updates asynchronously);
 * after `timeoutMs` rethrows its last error, so the failure reads as the assertion's own.
 *
 * @example
 * ```ts
 * await eventually(async () => expect(await queue.size()).toBe(0), { timeoutMs: 5_000 });
 * ```
 */
export async function eventually(assertion: () => void | Promise<void>, options: Omit<PollOptions, 'what'> = {}): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await pause(intervalMs);
    }
  }
}
