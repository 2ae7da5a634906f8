import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/errors.js';
import { createCalendarRegistry } from '../built-in-calendars.js';
import { createBusinessCalendar } from '../calendar.js';

const registry = createCalendarRegistry();
const vn = registry.get('vn');

/** Every date from `from` to `to` inclusive, computed with Date (independent of the code under test). */
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
const weekday = (d: string): number => new Date(`${d}T00:00:00Z`).getUTCDay();

/**
 * Holiday breaks as announced for civil servants (and followed by the State Bank), each written as
 * the full run of days off, weekends included. Every day in a run must be a non-business day, and
 * the weekdays just outside it business days.
 */
const OFFICIAL_BREAKS: Array<[string, string, string]> = [
  ['2018 Tết Mậu Tuất', '2018-02-14', '2018-02-20'],
  ['2018 Giỗ Tổ', '2018-04-25', '2018-04-25'],
  ['2018 30/4–1/5', '2018-04-28', '2018-05-01'],
  ['2018 Quốc khánh (Sun → Mon nghỉ bù)', '2018-09-01', '2018-09-03'],
  ['2019 Tết Dương lịch (swap 31/12)', '2018-12-29', '2019-01-01'],
  ['2019 Tết Kỷ Hợi', '2019-02-02', '2019-02-10'],
  ['2019 Giỗ Tổ (Sun → Mon)', '2019-04-13', '2019-04-15'],
  ['2019 30/4–1/5 (swap 29/4)', '2019-04-27', '2019-05-01'],
  ['2019 Quốc khánh', '2019-08-31', '2019-09-02'],
  ['2020 Tết Canh Tý', '2020-01-23', '2020-01-29'],
  ['2020 30/4–1/5', '2020-04-30', '2020-05-03'],
  ['2020 Quốc khánh (1 day, 2012 code)', '2020-09-02', '2020-09-02'],
  ['2021 Tết Dương lịch', '2021-01-01', '2021-01-03'],
  ['2021 Tết Tân Sửu', '2021-02-10', '2021-02-16'],
  ['2021 30/4–1/5 (Sat 1/5 → Mon)', '2021-04-30', '2021-05-03'],
  ['2021 Quốc khánh', '2021-09-02', '2021-09-05'],
  ['2022 Tết Dương lịch (Sat → Mon)', '2022-01-01', '2022-01-03'],
  ['2022 Tết Nhâm Dần', '2022-01-29', '2022-02-06'],
  ['2022 Giỗ Tổ (Sun → Mon)', '2022-04-09', '2022-04-11'],
  ['2022 30/4–1/5 (Sat, Sun → Mon, Tue)', '2022-04-30', '2022-05-03'],
  ['2022 Quốc khánh', '2022-09-01', '2022-09-04'],
  ['2023 Tết Dương lịch (Sun → Mon)', '2022-12-31', '2023-01-02'],
  ['2023 Tết Quý Mão', '2023-01-20', '2023-01-26'],
  ['2023 Giỗ Tổ + 30/4–1/5', '2023-04-29', '2023-05-03'],
  ['2023 Quốc khánh', '2023-09-01', '2023-09-04'],
  ['2024 Tết Giáp Thìn', '2024-02-08', '2024-02-14'],
  ['2024 30/4–1/5 (swap 29/4)', '2024-04-27', '2024-05-01'],
  ['2024 Quốc khánh', '2024-08-31', '2024-09-03'],
  ['2025 Tết Ất Tỵ', '2025-01-25', '2025-02-02'],
  ['2025 Giỗ Tổ', '2025-04-05', '2025-04-07'],
  ['2025 30/4–1/5 (swap 2/5)', '2025-04-30', '2025-05-04'],
  ['2025 Quốc khánh', '2025-08-30', '2025-09-02'],
];

/** Saturdays worked to make up a swapped day. */
const MAKE_UP_SATURDAYS = ['2019-01-05', '2019-05-04', '2024-05-04', '2025-04-26'];

describe('vn: official holiday breaks 2018–2025', () => {
  for (const [name, from, to] of OFFICIAL_BREAKS) {
    it(`${name}: ${from} … ${to}`, () => {
      for (const d of days(from, to)) expect({ d, business: vn.isBusinessDay(d) }).toEqual({ d, business: false });
      const before = vn.previousBusinessDay(from);
      const after = vn.nextBusinessDay(to);
      // The break is exactly the announced run: the days just outside it are weekends or business days.
      for (const d of days(before, from).slice(1, -1)) expect(weekday(d) % 6).toBe(0);
      for (const d of days(to, after).slice(1, -1)) expect(weekday(d) % 6).toBe(0);
    });
  }
  it('make-up Saturdays are business days', () => {
    for (const d of MAKE_UP_SATURDAYS) {
      expect(weekday(d)).toBe(6);
      expect(vn.describeDay(d)).toMatchObject({ businessDay: true, kind: 'make_up_working_day' });
    }
  });
});

describe('vn: reasons and compensatory days (nghỉ bù)', () => {
  it('names the holiday', () => {
    expect(vn.holidayReason('2026-02-17')).toBe('Tết Nguyên Đán');
    expect(vn.holidayReason('2024-04-18')).toBe('Giỗ Tổ Hùng Vương');
    expect(vn.holidayReason('2026-04-30')).toBe('Ngày Chiến thắng');
    expect(vn.holidayReason('2026-05-01')).toBe('Ngày Quốc tế Lao động');
    expect(vn.holidayReason('2025-09-02')).toBe('Quốc khánh');
    expect(vn.holidayReason('2025-09-01')).toBe('Quốc khánh');
    expect(vn.holidayReason('2026-01-01')).toBe('Tết Dương lịch');
    expect(vn.holidayReason('2026-01-03')).toBe('weekend');
    expect(vn.holidayReason('2026-01-05')).toBeNull();
  });

  it('2022: 30/4 (Sat) and 1/5 (Sun) move to Mon 2/5 and Tue 3/5', () => {
    expect(vn.holidayReason('2022-04-30')).toBe('Ngày Chiến thắng');
    expect(vn.holidayReason('2022-05-02')).toBe('Nghỉ bù Ngày Chiến thắng');
    expect(vn.holidayReason('2022-05-03')).toBe('Nghỉ bù Ngày Quốc tế Lao động');
    expect(vn.describeDay('2022-05-03')).toMatchObject({ kind: 'compensatory', source: 'Bộ luật Lao động 2019, Điều 111(3)' });
    expect(vn.isBusinessDay('2022-05-04')).toBe(true);
  });

  it('2023: Giỗ Tổ on Sat 29/4 and 30/4 on Sun skip the 1/5 holiday', () => {
    expect(vn.holidayReason('2023-05-01')).toBe('Ngày Quốc tế Lao động');
    expect(vn.holidayReason('2023-05-02')).toBe('Nghỉ bù Giỗ Tổ Hùng Vương');
    expect(vn.holidayReason('2023-05-03')).toBe('Nghỉ bù Ngày Chiến thắng');
  });

  it('2023: 2/9 on Saturday → Monday 4/9', () => {
    expect(vn.holidayReason('2023-09-04')).toBe('Nghỉ bù Quốc khánh');
  });

  it('2015: 2/9 on Wednesday was one day under the 2012 code; 2/9/2012 (Sun) → Mon 3/9', () => {
    expect(vn.isBusinessDay('2015-09-01')).toBe(true);
    expect(vn.isBusinessDay('2015-09-03')).toBe(true);
    expect(vn.holidayReason('2012-09-03')).toBe('Nghỉ bù Quốc khánh');
    expect(vn.describeDay('2012-09-03').source).toBe('Bộ luật Lao động 1994, Điều 73(2)');
  });

  it('2009: Giỗ Tổ on Saturday 4/4 (Vietnamese date; 5/4 in China) → Monday 6/4', () => {
    expect(vn.holidayReason('2009-04-04')).toBe('Giỗ Tổ Hùng Vương');
    expect(vn.holidayReason('2009-04-06')).toBe('Nghỉ bù Giỗ Tổ Hùng Vương');
  });

  it('Tết is 4 days before 2013-05-01 (1994 code) and 5 days after', () => {
    // Tết Nhâm Thìn 2012 (1/1 = Mon 23/1): 30 Tết (Sun 22/1) + mùng 1–3 → nghỉ bù Thu 26/1.
    expect(vn.listBusinessDays('2012-01-20', '2012-01-31')).toEqual(['2012-01-20', '2012-01-27', '2012-01-30', '2012-01-31']);
    expect(vn.holidayReason('2012-01-26')).toBe('Nghỉ bù Tết Nguyên Đán');
    // Tết Giáp Ngọ 2014 (1/1 = Fri 31/1): 30 Tết (Thu 30/1) + mùng 1–4; 1–2/2 weekend → Tue 4/2, Wed 5/2.
    expect(vn.listBusinessDays('2014-01-27', '2014-02-07')).toEqual(['2014-01-27', '2014-01-28', '2014-01-29', '2014-02-06', '2014-02-07']);
  });

  it('default adjacent day of 2/9 from 2026 (not yet in the decisions table)', () => {
    expect(vn.holidayReason('2026-09-03')).toBe('Quốc khánh'); // 2/9/2026 is a Wednesday → 3/9
    expect(vn.holidayReason('2027-09-03')).toBe('Quốc khánh'); // Thursday → Friday 3/9
    expect(vn.holidayReason('2028-09-01')).toBe('Quốc khánh'); // Saturday → Friday 1/9
    expect(vn.holidayReason('2028-09-04')).toBe('Nghỉ bù Quốc khánh');
  });

  it('the law without swaps: vn-public-holidays alone keeps 29/4/2024 a working day', () => {
    const lawOnly = createBusinessCalendar({ name: 'law', rules: ['vn-public-holidays'] });
    expect(lawOnly.isBusinessDay('2024-04-29')).toBe(true);
    expect(lawOnly.isBusinessDay('2024-05-04')).toBe(false);
    expect(vn.isBusinessDay('2024-04-29')).toBe(false);
    expect(vn.describeDay('2024-04-29')).toMatchObject({ kind: 'swap', reason: 'Nghỉ hoán đổi dịp 30/4–1/5/2024' });
  });

  it('rejects years outside 2007–2100', () => {
    expect(() => vn.isBusinessDay('2006-12-29')).toThrow(ValidationError);
    expect(() => vn.isBusinessDay('2101-01-03')).toThrow(/2007–2100/);
  });
});

describe('vn: holiday weekdays per year, 2007–2100', () => {
  it('9 weekdays off a year under the 1994 code, 10 under the 2012 code, 11 under the 2019 code (swaps aside)', () => {
    for (let y = 2007; y <= 2100; y += 1) {
      const off = days(`${y}-01-01`, `${y}-12-31`).filter((d) => {
        const k = vn.describeDay(d).kind;
        return weekday(d) % 6 !== 0 && (k === 'public_holiday' || k === 'compensatory');
      }).length;
      // 2013 mixes codes: Tết (February) still 4 days, the rest unchanged.
      const expected = y >= 2021 ? 11 : y >= 2014 ? 10 : 9;
      expect({ y, off }).toEqual({ y, off: expected });
    }
  });
});

describe('vn: every business day of 2026', () => {
  /**
   * Weekdays of 2026 that are not business days, from the Labour Code 2019 rules (no government
   * swap for 2026 is in the table):
   * - 1/1 Thu Tết Dương lịch
   * - 16/2 Mon (29 tháng Chạp, last day of Ất Tỵ) … 20/2 Fri (mùng 4): Tết Nguyên Đán
   * - 27/4 Mon: nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch = Sun 26/4)
   * - 30/4 Thu, 1/5 Fri
   * - 2/9 Wed and 3/9 Thu: Quốc khánh + the default adjacent day
   */
  const HOLIDAY_WEEKDAYS_2026 = [
    '2026-01-01',
    '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
    '2026-04-27',
    '2026-04-30', '2026-05-01',
    '2026-09-02', '2026-09-03',
  ];

  it('is every Monday–Friday except the 11 holiday weekdays (250 days)', () => {
    const expected = days('2026-01-01', '2026-12-31').filter((d) => weekday(d) % 6 !== 0 && !HOLIDAY_WEEKDAYS_2026.includes(d));
    expect(expected).toHaveLength(250);
    expect(vn.listBusinessDays('2026-01-01', '2026-12-31')).toEqual(expected);
  });

  it('first business day of February and last of January 2026', () => {
    expect(vn.nthBusinessDayOfMonth(2026, 2, 1)).toBe('2026-02-02');
    expect(vn.nthBusinessDayOfMonth(2026, 1, -1)).toBe('2026-01-30');
  });
});
