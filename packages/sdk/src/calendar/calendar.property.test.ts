import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCalendarRegistry } from './built-in-calendars.js';
import { SHIFT_RULES } from './calendar.js';
import { formatDayNumber } from './local-date.js';
import { julianDayNumber } from './lunar/julian-day.js';

const vn = createCalendarRegistry().get('vn');
const RUNS = { numRuns: 1000 };
const date = fc.integer({ min: julianDayNumber(2007, 2, 1), max: julianDayNumber(2100, 11, 30) }).map(formatDayNumber);
// Leaves room for T+30 without leaving the rules' coverage (2100).
const dateBefore2100Nov = fc.integer({ min: julianDayNumber(2007, 2, 1), max: julianDayNumber(2100, 10, 31) }).map(formatDayNumber);
const month = (d: string): string => d.slice(0, 7);

describe('vn calendar properties', () => {
  it('every shift result is a business day, and a business day is left alone', () => {
    fc.assert(
      fc.property(date, fc.constantFrom(...SHIFT_RULES), (d, rule) => {
        const r = vn.shift(d, rule);
        if (vn.isBusinessDay(d)) expect(r).toBe(d);
        else if (rule === 'skip') expect(r).toBeNull();
        else expect(vn.isBusinessDay(r!)).toBe(true);
      }),
      RUNS,
    );
  });

  it('following ≥ date ≥ preceding, with only non-business days in between', () => {
    fc.assert(
      fc.property(date, (d) => {
        const f = vn.shift(d, 'following')!;
        const p = vn.shift(d, 'preceding')!;
        expect(f >= d && p <= d).toBe(true);
        expect(vn.businessDaysBetween(p, f)).toBe(p === f ? 0 : 1);
      }),
      RUNS,
    );
  });

  it('modified rules stay in the month whenever the month has a business day', () => {
    fc.assert(
      fc.property(date, (d) => {
        expect(month(vn.shift(d, 'modified_following')!)).toBe(month(d));
        expect(month(vn.shift(d, 'modified_preceding')!)).toBe(month(d));
      }),
      RUNS,
    );
  });

  it('businessDaysBetween(t, addBusinessDays(t, n)) === n, and adding back returns to a business t', () => {
    fc.assert(
      fc.property(dateBefore2100Nov, fc.integer({ min: 1, max: 30 }), (t, n) => {
        const later = vn.addBusinessDays(t, n);
        expect(vn.isBusinessDay(later)).toBe(true);
        expect(vn.businessDaysBetween(t, later)).toBe(n);
        expect(vn.addBusinessDays(later, -n)).toBe(vn.isBusinessDay(t) ? t : vn.previousBusinessDay(t));
      }),
      RUNS,
    );
  });

  it('n-th business day from the start and from the end agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2007, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 23 }), (y, m, n) => {
        const all = vn.listBusinessDays(formatDayNumber(julianDayNumber(y, m, 1)), formatDayNumber(julianDayNumber(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - 1));
        expect(all.length).toBeGreaterThanOrEqual(14); // even February with Tết keeps 14
        expect(vn.nthBusinessDayOfMonth(y, m, n)).toBe(all[n - 1] ?? null);
        expect(vn.nthBusinessDayOfMonth(y, m, -n)).toBe(all[all.length - n] ?? null);
      }),
      RUNS,
    );
  });
});
