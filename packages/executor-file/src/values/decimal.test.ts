import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDecimal, normalizeDecimal, numberToDecimal } from './decimal.js';

describe('decimal text', () => {
  it('normalises', () => {
    expect(normalizeDecimal('+001.50')).toBe('1.50');
    expect(normalizeDecimal('-0.0')).toBe('0.0');
    expect(normalizeDecimal('.5')).toBe('0.5');
    expect(normalizeDecimal('1e3')).toBe('1000');
    expect(normalizeDecimal('1.25e-3')).toBe('0.00125');
    expect(normalizeDecimal('12.')).toBe('12');
    expect(normalizeDecimal('abc')).toBeUndefined();
    expect(normalizeDecimal('.')).toBeUndefined();
    expect(numberToDecimal(1e21)).toBe('1000000000000000000000');
    expect(numberToDecimal(1e-7)).toBe('0.0000001');
  });

  it('compares like numbers do (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        expect(Math.sign(compareDecimal(numberToDecimal(a), numberToDecimal(b))) + 0).toBe(Math.sign(a - b) + 0);
      }),
      { numRuns: 2_000 },
    );
  });
});
