import type { Storage } from '@vecron/sdk';

/**
 * Wraps a storage so a test can cut one "process" off from the database (every call blocks, as
 * for a frozen or partitioned worker) and later let the blocked calls through (its late writes).
 * `close()` is a no-op: the test owns the shared storage.
 */
export function partitionable(storage: Storage): { storage: Storage; partition(): void; heal(): void } {
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  const proxy = new Proxy(storage, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'close') return async () => {};
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (gate) await gate;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    storage: proxy,
    partition() {
      gate ??= new Promise<void>((r) => (open = r));
    },
    heal() {
      open?.();
      gate = null;
      open = null;
    },
  };
}
