import { describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import { createCalendarRegistry } from './built-in-calendars.js';
import { createBusinessCalendar } from './calendar.js';
import { parseCalendarDefinition } from './calendar-schema.js';

const registry = createCalendarRegistry();
const vn = registry.get('vn');

describe('calendar definition schema', () => {
  it('applies defaults', () => {
    const def = parseCalendarDefinition({ name: 'plain' });
    expect(def).toMatchObject({ name: 'plain', excluded_dates: [], extra_working_days: [], rules: [] });
    const cal = createBusinessCalendar(def);
    expect(cal.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(cal.resolved.excludedWeekdays).toEqual([0, 6]);
  });

  it('lists every problem with its JSON path', () => {
    let caught: unknown;
    try {
      parseCalendarDefinition({
        name: 'bad name!',
        timezone: 'Mars/Olympus',
        excluded_weekdays: [7],
        excluded_dates: ['2026-02-30', { date: '2026-01-02', label: '' }],
        rules: ['us-federal'],
        surprise: true,
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const paths = (caught as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['$.name', '$.timezone', '$.excluded_weekdays[0]', '$.excluded_dates[0]', '$.excluded_dates[1].label', '$.rules[0]', '$']),
    );
  });

  it('rejects a date both excluded and extra, all seven weekdays off, and self-extension', () => {
    expect(() => parseCalendarDefinition({ name: 'x', excluded_dates: ['2026-01-02'], extra_working_days: [{ date: '2026-01-02' }] })).toThrow(
      /also in excluded_dates/,
    );
    expect(() => parseCalendarDefinition({ name: 'x', excluded_weekdays: [0, 1, 2, 3, 4, 5, 6] })).toThrow(ValidationError);
    expect(() => parseCalendarDefinition({ name: 'x', excluded_weekdays: [0, 0] })).toThrow(/repeat/);
    expect(() => parseCalendarDefinition({ name: 'x', extends: 'x' })).toThrow(/itself/);
  });
});

describe('evaluation and precedence', () => {
  const cal = createBusinessCalendar(
    {
      name: 'bank',
      extends: 'vn',
      excluded_dates: [{ date: '2026-06-30', label: 'Khóa sổ bán niên' }, '2026-03-02'],
      extra_working_days: [{ date: '2026-01-10', label: 'Làm bù' }, '2026-02-20'],
    },
    { lookup: (n) => registry.definition(n) },
  );

  it('own excluded dates carry their label (or a default one)', () => {
    expect(cal.holidayReason('2026-06-30')).toBe('Khóa sổ bán niên');
    expect(cal.describeDay('2026-03-02')).toMatchObject({ businessDay: false, reason: 'excluded date', kind: 'excluded_date', source: 'bank' });
  });

  it('extra working days beat weekends and rule holidays', () => {
    expect(cal.isBusinessDay('2026-01-10')).toBe(true); // a Saturday
    expect(cal.describeDay('2026-01-10').kind).toBe('extra_working_day');
    expect(vn.holidayReason('2026-02-20')).toBe('Tết Nguyên Đán');
    expect(cal.isBusinessDay('2026-02-20')).toBe(true);
  });

  it('inherits the parent rules, zone and weekdays', () => {
    expect(cal.holidayReason('2026-02-17')).toBe('Tết Nguyên Đán');
    expect(cal.holidayReason('2026-01-03')).toBe('weekend');
    expect(cal.holidayReason('2026-01-05')).toBeNull();
    expect(cal.resolved.chain).toEqual(['bank', 'vn']);
    expect(cal.timezone).toBe('Asia/Ho_Chi_Minh');
  });

  it('a child can re-open a day its parent closed and close one its parent opened', () => {
    const reg = createCalendarRegistry({
      calendars: [
        { name: 'child', extends: 'parent', extra_working_days: ['2026-07-01'], excluded_dates: ['2026-07-04'] },
        { name: 'parent', excluded_dates: ['2026-07-01'], extra_working_days: ['2026-07-04'] },
      ],
    });
    expect(reg.get('parent').isBusinessDay('2026-07-01')).toBe(false);
    expect(reg.get('parent').isBusinessDay('2026-07-04')).toBe(true);
    expect(reg.get('child').isBusinessDay('2026-07-01')).toBe(true);
    expect(reg.get('child').isBusinessDay('2026-07-04')).toBe(false);
  });

  it('weekly rest days are configurable (Friday–Saturday weekend)', () => {
    const gulf = createBusinessCalendar({ name: 'gulf', excluded_weekdays: [5, 6] });
    expect(gulf.isBusinessDay('2026-01-04')).toBe(true); // Sunday
    expect(gulf.holidayReason('2026-01-02')).toBe('weekend'); // Friday
  });

  it('compensatory days follow the calendar’s own weekly rest days', () => {
    // 1/1/2022 was a Saturday. With Saturday a working day, no nghỉ bù on Monday 3/1.
    const sixDay = createBusinessCalendar({ name: 'six-day', excluded_weekdays: [0], rules: ['vn-public-holidays'] });
    expect(sixDay.holidayReason('2022-01-01')).toBe('Tết Dương lịch');
    expect(sixDay.isBusinessDay('2022-01-03')).toBe(true);
    expect(vn.holidayReason('2022-01-03')).toBe('Nghỉ bù Tết Dương lịch');
  });

  it('rejects unknown parents, cycles and built-in names', () => {
    expect(() => createCalendarRegistry({ calendars: [{ name: 'a', extends: 'nowhere' }] })).toThrow(ConfigError);
    expect(() =>
      createCalendarRegistry({ calendars: [{ name: 'a', extends: 'b' }, { name: 'b', extends: 'a' }] }),
    ).toThrow(/cycle/);
    expect(() => registry.define({ name: 'vn' })).toThrow(ConflictError);
    expect(() => registry.get('nope')).toThrow(NotFoundError);
    expect(() => createBusinessCalendar({ name: 'orphan', extends: 'vn' })).toThrow(ConfigError);
  });

  it('accepts { year, month, day } and rejects non-dates', () => {
    expect(vn.isBusinessDay({ year: 2026, month: 2, day: 23 })).toBe(true);
    expect(() => vn.isBusinessDay('2026-2-23')).toThrow(ValidationError);
    expect(() => vn.isBusinessDay('2026-02-29')).toThrow(ValidationError);
    expect(() => vn.isBusinessDay({ year: 2026, month: 13, day: 1 })).toThrow(ValidationError);
  });

  it('registry.define replaces a calendar and rebuilds its children', () => {
    const reg = createCalendarRegistry({ calendars: [{ name: 'base' }, { name: 'kid', extends: 'base' }] });
    expect(reg.get('kid').isBusinessDay('2026-05-05')).toBe(true);
    reg.define({ name: 'base', excluded_dates: ['2026-05-05'] });
    expect(reg.get('kid').isBusinessDay('2026-05-05')).toBe(false);
    expect(reg.names()).toEqual(['vn', 'base', 'kid']);
  });
});

describe('shift rules', () => {
  it('leave a business day alone', () => {
    for (const rule of ['skip', 'following', 'preceding', 'modified_following', 'modified_preceding'] as const) {
      expect(vn.shift('2026-02-23', rule)).toBe('2026-02-23');
    }
  });

  it('Tết 2026 (16–20 Feb, mid-month)', () => {
    expect(vn.shift('2026-02-17', 'skip')).toBeNull();
    expect(vn.shift('2026-02-17', 'following')).toBe('2026-02-23');
    expect(vn.shift('2026-02-17', 'preceding')).toBe('2026-02-13');
    expect(vn.shift('2026-02-17', 'modified_following')).toBe('2026-02-23');
    expect(vn.shift('2026-02-17', 'modified_preceding')).toBe('2026-02-13');
  });

  it('Tết 2025 at the end of January: modified_following falls back into January', () => {
    // Tết 27–31/1/2025, then Sat 1/2 and Sun 2/2: the following business day is Mon 3/2.
    expect(vn.shift('2025-01-31', 'following')).toBe('2025-02-03');
    expect(vn.shift('2025-01-31', 'modified_following')).toBe('2025-01-24');
    expect(vn.shift('2025-01-27', 'modified_following')).toBe('2025-01-24');
    expect(vn.shift('2025-02-01', 'modified_following')).toBe('2025-02-03');
  });

  it('modified_preceding at the start of a month falls forward', () => {
    // Sun 1/2/2026: preceding is Fri 30/1 (January) → following, Mon 2/2.
    expect(vn.shift('2026-02-01', 'preceding')).toBe('2026-01-30');
    expect(vn.shift('2026-02-01', 'modified_preceding')).toBe('2026-02-02');
    // Tết Dương lịch 2026 (Thu 1/1): preceding would be 31/12/2025.
    expect(vn.shift('2026-01-01', 'modified_preceding')).toBe('2026-01-02');
  });

  it('next/previous business day are strict', () => {
    expect(vn.nextBusinessDay('2026-02-13')).toBe('2026-02-23');
    expect(vn.previousBusinessDay('2026-02-23')).toBe('2026-02-13');
    expect(vn.nextBusinessDay('2026-02-23')).toBe('2026-02-24');
  });

  it('rejects an unknown rule', () => {
    expect(() => vn.shift('2026-02-17', 'nearest' as never)).toThrow(ValidationError);
  });
});

describe('counting', () => {
  it('n-th business day of a month', () => {
    expect(vn.nthBusinessDayOfMonth(2026, 2, 1)).toBe('2026-02-02');
    expect(vn.nthBusinessDayOfMonth(2026, 1, -1)).toBe('2026-01-30');
    expect(vn.nthBusinessDayOfMonth(2026, 1, -2)).toBe('2026-01-29');
    expect(vn.nthBusinessDayOfMonth(2026, 1, 1)).toBe('2026-01-02'); // 1/1 is Tết Dương lịch
    // February 2026: 20 weekdays, Tết takes 16–20/2 → 15 business days.
    expect(vn.nthBusinessDayOfMonth(2026, 2, 10)).toBe('2026-02-13');
    expect(vn.nthBusinessDayOfMonth(2026, 2, 11)).toBe('2026-02-23');
    expect(vn.nthBusinessDayOfMonth(2026, 2, 15)).toBe('2026-02-27');
    expect(vn.nthBusinessDayOfMonth(2026, 2, 16)).toBeNull();
    expect(vn.nthBusinessDayOfMonth(2026, 2, -15)).toBe('2026-02-02');
    expect(vn.nthBusinessDayOfMonth(2026, 2, -16)).toBeNull();
    expect(() => vn.nthBusinessDayOfMonth(2026, 2, 0)).toThrow(ValidationError);
    expect(vn.nthBusinessDayOfMonth(2026, 2, 5)).toBe('2026-02-06');
    expect(vn.nthBusinessDayOfMonth(2025, 1, -1)).toBe('2025-01-24'); // 27–31/1/2025 were Tết
    expect(vn.nthBusinessDayOfMonth(2025, 4, -1)).toBe('2025-04-29'); // 30/4 holiday
  });

  it('business days between and T+n', () => {
    expect(vn.businessDaysBetween('2026-02-13', '2026-02-23')).toBe(1);
    expect(vn.businessDaysBetween('2026-02-23', '2026-02-13')).toBe(-1);
    expect(vn.businessDaysBetween('2026-01-01', '2026-12-31')).toBe(250);
    expect(vn.addBusinessDays('2026-02-13', 1)).toBe('2026-02-23'); // T+1 over Tết
    expect(vn.addBusinessDays('2026-02-12', 2)).toBe('2026-02-23');
    expect(vn.addBusinessDays('2026-02-23', -1)).toBe('2026-02-13');
    expect(vn.addBusinessDays('2026-02-17', 0)).toBe('2026-02-23');
    expect(vn.listBusinessDays('2026-04-24', '2026-05-05')).toEqual(['2026-04-24', '2026-04-28', '2026-04-29', '2026-05-04', '2026-05-05']);
  });
});
