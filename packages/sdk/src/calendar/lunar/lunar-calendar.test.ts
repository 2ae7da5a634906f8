import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/errors.js';
import { fromJulianDayNumber, julianDayNumber, weekdayOfJulianDay } from './julian-day.js';
import { lunarNewYear, lunarToSolar, lunarYearMonths, solarToLunar } from './lunar-calendar.js';

const iso = (d: { year: number; month: number; day: number }): string =>
  `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/**
 * Tết Nguyên Đán (lunar 1/1) and Giỗ Tổ Hùng Vương (lunar 10/3) in Vietnam (UTC+7), as printed in
 * Vietnamese calendars (lịch vạn niên) and in the government's holiday announcements. The 2007–2026
 * Hùng Kings dates are the official days off announced each year. Where the Chinese (UTC+8) date
 * differs, it is given as `cn` and checked with the zone parameter set to 8:
 *  - Tết 2007: new moon 2007-02-17 16:14 UT = 23:14 in Hà Nội, 00:14 in Beijing.
 *  - 10/3 2009: new moon 2009-03-26 16:06 UT (month 3 starts a day earlier in Vietnam).
 *  - Tết 2030: new moon 2030-02-02 16:07 UT. Vietnamese Tết is 2 February 2030 (a Saturday);
 *    3 February is the Chinese New Year (the date often quoted for both).
 */
const TABLE: Array<{ year: number; tet: string; hung: string; tetCn?: string; hungCn?: string }> = [
  { year: 2000, tet: '2000-02-05', hung: '2000-04-14' },
  { year: 2001, tet: '2001-01-24', hung: '2001-04-03' },
  { year: 2002, tet: '2002-02-12', hung: '2002-04-22' },
  { year: 2003, tet: '2003-02-01', hung: '2003-04-11' },
  { year: 2004, tet: '2004-01-22', hung: '2004-04-28' },
  { year: 2005, tet: '2005-02-09', hung: '2005-04-18' },
  { year: 2006, tet: '2006-01-29', hung: '2006-04-07' },
  { year: 2007, tet: '2007-02-17', hung: '2007-04-26', tetCn: '2007-02-18' },
  { year: 2008, tet: '2008-02-07', hung: '2008-04-15' },
  { year: 2009, tet: '2009-01-26', hung: '2009-04-04', hungCn: '2009-04-05' },
  { year: 2010, tet: '2010-02-14', hung: '2010-04-23' },
  { year: 2011, tet: '2011-02-03', hung: '2011-04-12' },
  { year: 2012, tet: '2012-01-23', hung: '2012-03-31' },
  { year: 2013, tet: '2013-02-10', hung: '2013-04-19' },
  { year: 2014, tet: '2014-01-31', hung: '2014-04-09' },
  { year: 2015, tet: '2015-02-19', hung: '2015-04-28' },
  { year: 2016, tet: '2016-02-08', hung: '2016-04-16' },
  { year: 2017, tet: '2017-01-28', hung: '2017-04-06' },
  { year: 2018, tet: '2018-02-16', hung: '2018-04-25' },
  { year: 2019, tet: '2019-02-05', hung: '2019-04-14' },
  { year: 2020, tet: '2020-01-25', hung: '2020-04-02' },
  { year: 2021, tet: '2021-02-12', hung: '2021-04-21' },
  { year: 2022, tet: '2022-02-01', hung: '2022-04-10' },
  { year: 2023, tet: '2023-01-22', hung: '2023-04-29' },
  { year: 2024, tet: '2024-02-10', hung: '2024-04-18' },
  { year: 2025, tet: '2025-01-29', hung: '2025-04-07' },
  { year: 2026, tet: '2026-02-17', hung: '2026-04-26' },
  { year: 2027, tet: '2027-02-06', hung: '2027-04-16' },
  { year: 2028, tet: '2028-01-26', hung: '2028-04-04' },
  { year: 2029, tet: '2029-02-13', hung: '2029-04-23' },
  { year: 2030, tet: '2030-02-02', hung: '2030-04-12', tetCn: '2030-02-03' },
];

describe('Tết and Giỗ Tổ Hùng Vương 2000–2030 (published table)', () => {
  it('covers every year 2000–2030', () => {
    expect(TABLE.map((r) => r.year)).toEqual(Array.from({ length: 31 }, (_, i) => 2000 + i));
  });
  for (const row of TABLE) {
    it(`${row.year}: Tết ${row.tet}, Hùng Kings ${row.hung}`, () => {
      expect(iso(lunarNewYear(row.year))).toBe(row.tet);
      expect(iso(lunarToSolar(row.year, 3, 10))).toBe(row.hung);
      const [y, m, d] = row.tet.split('-').map(Number) as [number, number, number];
      expect(solarToLunar(y, m, d)).toEqual({ year: row.year, month: 1, day: 1, leap: false });
      const [hy, hm, hd] = row.hung.split('-').map(Number) as [number, number, number];
      expect(solarToLunar(hy, hm, hd)).toEqual({ year: row.year, month: 3, day: 10, leap: false });
      expect(iso(lunarToSolar(row.year, 1, 1, false, 8))).toBe(row.tetCn ?? row.tet);
      expect(iso(lunarToSolar(row.year, 3, 10, false, 8))).toBe(row.hungCn ?? row.hung);
    });
  }
});

describe('zone-dependent years', () => {
  it('Tết 1985: 21 January in Vietnam (UTC+7), 20 February in China (UTC+8)', () => {
    expect(iso(lunarNewYear(1985))).toBe('1985-01-21');
    expect(iso(lunarNewYear(1985, 8))).toBe('1985-02-20');
  });
  it('Tết Mậu Thân 1968: 29 January in the North (UTC+7), 30 January in the South (UTC+8)', () => {
    expect(iso(lunarNewYear(1968))).toBe('1968-01-29');
    expect(iso(lunarNewYear(1968, 8))).toBe('1968-01-30');
  });
});

describe('leap months', () => {
  // Leap months of recent years as printed in Vietnamese calendars.
  const LEAP: Array<[number, number | null]> = [
    [2017, 6], [2018, null], [2019, null], [2020, 4], [2021, null], [2022, null], [2023, 2], [2024, null], [2025, 6],
    [2026, null], [2028, 5],
  ];
  for (const [year, leap] of LEAP) {
    it(`${year}: leap month ${leap ?? 'none'}`, () => {
      const months = lunarYearMonths(year);
      expect(months.filter((m) => m.leap).map((m) => m.month)).toEqual(leap === null ? [] : [leap]);
      expect(months).toHaveLength(leap === null ? 12 : 13);
    });
  }
  it('converts a day of leap month 2 of 2023 both ways', () => {
    expect(solarToLunar(2023, 3, 22)).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(iso(lunarToSolar(2023, 2, 1, true))).toBe('2023-03-22');
    expect(iso(lunarToSolar(2023, 2, 1, false))).toBe('2023-02-20');
  });
  it('rejects a leap flag on a month that is not leap, and day 30 of a 29-day month', () => {
    expect(() => lunarToSolar(2024, 2, 1, true)).toThrow(ValidationError);
    const short = lunarYearMonths(2025).find((m) => m.length === 29);
    expect(short).toBeDefined();
    expect(() => lunarToSolar(2025, short!.month, 30, short!.leap)).toThrow(/has 29 days/);
  });
  it('rejects years outside 1900–2100 and non-dates', () => {
    expect(() => solarToLunar(1899, 12, 31)).toThrow(ValidationError);
    expect(() => solarToLunar(2101, 1, 1)).toThrow(ValidationError);
    expect(() => solarToLunar(2025, 2, 29)).toThrow(ValidationError);
    expect(() => lunarToSolar(2026, 13, 1)).toThrow(ValidationError);
  });
});

describe('Julian day helpers', () => {
  it('matches Meeus reference values', () => {
    expect(julianDayNumber(2000, 1, 1)).toBe(2451545);
    expect(julianDayNumber(1582, 10, 15)).toBe(2299161);
    expect(julianDayNumber(1582, 10, 4)).toBe(2299160); // last Julian-calendar day
    expect(fromJulianDayNumber(2460000)).toEqual({ year: 2023, month: 2, day: 24 });
    expect(weekdayOfJulianDay(julianDayNumber(2026, 2, 17))).toBe(2); // Tuesday
  });
});
