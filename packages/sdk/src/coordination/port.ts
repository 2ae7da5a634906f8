/** A held lock. The lock is a fast path; fencing tokens in storage stay the guarantee. */
export interface CoordinationLock {
  /** The locked resource name (without the adapter's key prefix). */
  readonly resource: string;
  /** Extends the lock by `ttlMs`; false when it was lost (expired, taken over, backend down). */
  extend(ttlMs: number): Promise<boolean>;
  /** Releases the lock. Idempotent; never throws (an unreleased lock expires by itself). */
  release(): Promise<void>;
}

/** Outcome of {@link Coordination.tryLock}. */
export type LockAttempt =
  | { status: 'acquired'; lock: CoordinationLock }
  /** Someone else holds it. */
  | { status: 'busy' }
  /** The backend could not answer; callers fall back to the storage checks. */
  | { status: 'unavailable'; error: unknown };

/** Outcome of {@link Coordination.rateLimit}. */
export interface RateLimitResult {
  /** Whether this hit is within the limit (it was counted only if so). */
  allowed: boolean;
  /** Hits left in the current window after this one. */
  remaining: number;
  /** When not allowed: how long until the oldest hit leaves the window, in ms; else 0. */
  retryAfterMs: number;
}

/**
 * The coordination port (docs/architecture.md#coordination): locks, a shared-invalidation cache and rate limits. Nothing
 * here is needed for correctness — PostgreSQL's conditional updates and fencing tokens are — so
 * every caller must behave correctly when a method reports `unavailable` or throws.
 */
export interface Coordination {
  /** Tries once to take `resource` for `ttlMs`, without waiting. */
  tryLock(resource: string, ttlMs: number): Promise<LockAttempt>;
  /**
   * Returns the cached value of `key`, or loads, caches (for at most `ttlMs`) and returns it.
   * `invalidate` in any process drops it everywhere. Callers that miss while a load of the same
   * key runs may share that load (the built-in adapters do, unless the key was invalidated since
   * it began).
   */
  cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /** Drops `key` from every process's cache. Never throws. */
  invalidate(key: string): Promise<void>;
  /**
   * Sliding-window rate limit: counts this hit under `key` if fewer than `limit` hits happened in
   * the last `windowMs`. Atomic across processes.
   */
  rateLimit(key: string, args: { limit: number; windowMs: number }): Promise<RateLimitResult>;
  /** Forgets every hit counted under `key` (a successful login clears its failures). */
  resetRateLimit(key: string): Promise<void>;
  /**
   * One round trip to the server before `signal` aborts; rejects with an error that names the
   * server (without its password) and the cause. `cron.start()` calls it (`strict: false` only
   * logs a failure). Optional: in-process coordination has nothing to check.
   */
  check?(options: { signal: AbortSignal }): Promise<void>;
  /** Releases connections and timers. Idempotent. */
  close(): Promise<void>;
}
