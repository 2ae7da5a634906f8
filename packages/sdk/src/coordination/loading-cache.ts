/**
 * The process-local cache behind `Coordination.cached` of the built-in adapters (memory, Redis):
 * a value is kept until its TTL ends or its key is dropped, and a key has at most one load
 * running. Callers that miss while a load of their key runs wait for that load instead of
 * starting their own: a worker that starts 100 executions of one job at once (a cold cache, or
 * the TTL just ended) reads the job once, not 100 times. A key dropped (an invalidation) while
 * its load runs is not filled by that load, and the next caller loads again: a load that began
 * before a change never serves a caller that asked after the change was announced.
 */
export interface LoadingCache {
  /** The value of `key` if cached and not expired; else the running load of `key`, or a new one. */
  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /** Drops `key`: its value, and any running load (which then fills nothing). */
  delete(key: string): void;
  /** Drops every key. */
  clear(): void;
}

/** Creates a `LoadingCache`; `now` is the clock TTLs are judged by, in ms. */
export function loadingCache(now: () => number = Date.now): LoadingCache {
  const values = new Map<string, { value: unknown; expires: number }>();
  const loading = new Map<string, Promise<unknown>>();
  return {
    get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const hit = values.get(key);
      if (hit && hit.expires > now()) return Promise.resolve(hit.value as T);
      const running = loading.get(key);
      if (running) return running as Promise<T>;
      let p: Promise<T>;
      try {
        p = Promise.resolve(load());
      } catch (err) {
        return Promise.reject(err as Error);
      }
      loading.set(key, p);
      // Registered before any caller's own reaction: the value is cached when they resume. A
      // rejection is handled here (nothing cached) and reaches every caller through `p`.
      p.then(
        (value) => {
          if (loading.get(key) !== p) return;
          loading.delete(key);
          values.set(key, { value, expires: now() + ttlMs });
        },
        () => {
          if (loading.get(key) === p) loading.delete(key);
        },
      );
      return p;
    },
    delete(key) {
      values.delete(key);
      loading.delete(key);
    },
    clear() {
      values.clear();
      loading.clear();
    },
  };
}
