/** Exponential backoff with full jitter (AWS architecture blog), as docs/architecture.md#7-retries-backoff-dead-letter fixes it. */

/** Options of the retry backoff (how the worker spaces retries: docs/architecture.md#7-retries-backoff-dead-letter). */
export interface BackoffOptions {
  /** First delay before jitter, ms. @default 5000 */
  baseMs?: number;
  /** Growth per attempt. @default 3 */
  factor?: number;
  /** Largest delay, ms. @default 1_800_000 (30 min) */
  capMs?: number;
}

/** The delay before retry number `attempt` (1-based) without jitter: min(cap, base × factor^(attempt−1)). */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 5_000;
  const factor = options.factor ?? 3;
  const cap = options.capMs ?? 1_800_000;
  const n = Math.max(1, Math.floor(attempt));
  const raw = base * Math.pow(factor, n - 1);
  return Number.isFinite(raw) ? Math.min(cap, raw) : cap;
}

/**
 * Full-jitter delay: uniform in [0, ceiling]. `random` is injectable so tests are deterministic.
 * The result always lies within [0, capMs].
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, options);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling * r);
}
