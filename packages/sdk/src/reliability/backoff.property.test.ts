import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from './backoff.js';

describe('backoff (full jitter)', () => {
  it('stays within [0, cap] for any attempt, options and random source', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.record({ baseMs: fc.integer({ min: 0, max: 1e7 }), factor: fc.double({ min: 1, max: 100, noNaN: true }), capMs: fc.integer({ min: 0, max: 1e9 }) }),
        fc.double({ min: -1, max: 2, noNaN: true }),
        (attempt, options, r) => {
          const d = backoffDelay(attempt, options, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(options.capMs);
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('ceilings grow with the attempt until the cap (default ≈ 5 s, 15 s, 45 s, … capped at 30 min)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffCeiling(a))).toEqual([5_000, 15_000, 45_000, 135_000, 405_000, 1_215_000, 1_800_000, 1_800_000]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), (a) => {
        expect(backoffCeiling(a + 1)).toBeGreaterThanOrEqual(backoffCeiling(a));
      }),
      { numRuns: 1_000 },
    );
  });
});
