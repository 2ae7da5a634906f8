import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromJulianDayNumber, julianDayNumber } from './julian-day.js';
import { lunarFromJulianDay, lunarNewYear, lunarToSolar, lunarYearMonths, solarToLunar } from './lunar-calendar.js';

const RUNS = { numRuns: 1000 };

describe('lunar calendar properties (1900–2100)', () => {
  it('Tết falls between 21 January and 20 February', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2100 }), (year) => {
        const t = lunarNewYear(year);
        expect(t.year).toBe(year);
        const md = t.month * 100 + t.day;
        expect(md).toBeGreaterThanOrEqual(121);
        expect(md).toBeLessThanOrEqual(220);
      }),
      RUNS,
    );
  });

  it('solarToLunar(lunarToSolar(x)) === x for valid lunar dates', () => {
    const lunarDate = fc
      .record({ year: fc.integer({ min: 1900, max: 2099 }), monthIndex: fc.nat(), day: fc.integer({ min: 1, max: 30 }) })
      .map(({ year, monthIndex, day }) => {
        const months = lunarYearMonths(year);
        const m = months[monthIndex % months.length]!;
        return { year, month: m.month, leap: m.leap, day: Math.min(day, m.length) };
      });
    fc.assert(
      fc.property(lunarDate, (x) => {
        const s = lunarToSolar(x.year, x.month, x.day, x.leap);
        expect(solarToLunar(s.year, s.month, s.day)).toEqual(x);
      }),
      RUNS,
    );
  });

  it('lunarToSolar(solarToLunar(d)) === d for solar dates', () => {
    fc.assert(
      fc.property(fc.integer({ min: julianDayNumber(1900, 2, 1), max: julianDayNumber(2100, 12, 31) }), (jdn) => {
        const s = fromJulianDayNumber(jdn);
        const l = solarToLunar(s.year, s.month, s.day);
        expect(lunarToSolar(l.year, l.month, l.day, l.leap)).toEqual(s);
      }),
      RUNS,
    );
  });

  it('consecutive days are consecutive lunar days, or day 1 of the next month after day 29/30', () => {
    fc.assert(
      fc.property(fc.integer({ min: julianDayNumber(1900, 1, 1), max: julianDayNumber(2100, 12, 30) }), (jdn) => {
        const a = lunarFromJulianDay(jdn);
        const b = lunarFromJulianDay(jdn + 1);
        expect(a.day).toBeGreaterThanOrEqual(1);
        expect(a.day).toBeLessThanOrEqual(30);
        if (b.day === a.day + 1) {
          expect({ year: b.year, month: b.month, leap: b.leap }).toEqual({ year: a.year, month: a.month, leap: a.leap });
        } else {
          expect(b.day).toBe(1);
          expect(a.day === 29 || a.day === 30).toBe(true);
          if (b.leap) expect(b.month).toBe(a.month); // a leap month follows the month it repeats
          else if (a.month === 12) expect([b.year, b.month]).toEqual([a.year + 1, 1]);
          else expect([b.year, b.month]).toEqual([a.year, a.month + 1]);
        }
      }),
      RUNS,
    );
  });

  it('a lunar year has 12 or 13 months of 29 or 30 days, with at most one leap month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2100 }), (year) => {
        const months = lunarYearMonths(year);
        expect([12, 13]).toContain(months.length);
        expect(months.filter((m) => m.leap).length).toBe(months.length - 12);
        for (const m of months) expect([29, 30]).toContain(m.length);
        const days = months.reduce((n, m) => n + m.length, 0);
        expect(days).toBeGreaterThanOrEqual(353);
        expect(days).toBeLessThanOrEqual(385);
      }),
      { numRuns: 1000 },
    );
  });
});
