import { CircuitOpenError } from '../errors/errors.js';

/** Options of {@link createCircuitBreakers}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call, ms. @default 30000 */
  resetAfterMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

type State = { failures: number; openedAt: number | null; trialInFlight: boolean };

/** A set of circuit breakers keyed by target (host, connection name). */
export interface CircuitBreakers {
  /**
   * Runs `fn` through the breaker of `target`. While open, throws {@link CircuitOpenError}
   * without calling `fn`; after `resetAfterMs` lets one trial through (half-open).
   * Only errors for which `countsAsFailure` returns true move the breaker.
   */
  run<T>(target: string, fn: () => Promise<T>, countsAsFailure?: (err: unknown) => boolean): Promise<T>;
  /** `closed`, `open` or `half_open`. */
  state(target: string): 'closed' | 'open' | 'half_open';
}

/** Creates a keyed circuit breaker set. */
export function createCircuitBreakers(options: CircuitBreakerOptions = {}): CircuitBreakers {
  const threshold = options.failureThreshold ?? 5;
  const resetAfter = options.resetAfterMs ?? 30_000;
  const now = options.now ?? Date.now;
  const states = new Map<string, State>();
  const get = (t: string): State => {
    let s = states.get(t);
    if (!s) states.set(t, (s = { failures: 0, openedAt: null, trialInFlight: false }));
    return s;
  };
  const stateOf = (s: State): 'closed' | 'open' | 'half_open' =>
    s.openedAt === null ? 'closed' : now() - s.openedAt >= resetAfter ? 'half_open' : 'open';

  return {
    state: (t) => stateOf(get(t)),
    async run(target, fn, countsAsFailure = () => true) {
      const s = get(target);
      const st = stateOf(s);
      if (st === 'open' || (st === 'half_open' && s.trialInFlight)) {
        const retryIn = Math.max(0, resetAfter - (now() - (s.openedAt ?? now())));
        throw new CircuitOpenError(target, retryIn);
      }
      const trial = st === 'half_open';
      if (trial) s.trialInFlight = true;
      try {
        const result = await fn();
        s.failures = 0;
        s.openedAt = null;
        return result;
      } catch (err) {
        if (countsAsFailure(err)) {
          s.failures += 1;
          if (trial || s.failures >= threshold) s.openedAt = now();
        } else if (trial) {
          s.openedAt = null;
          s.failures = 0;
        }
        throw err;
      } finally {
        if (trial) s.trialInFlight = false;
      }
    },
  };
}
