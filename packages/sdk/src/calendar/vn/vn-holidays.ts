/**
 * Public holidays of the Vietnamese Labour Code, computed per year:
 *
 * | in force | law | Tết | Quốc khánh | Giỗ Tổ |
 * |---|---|---|---|---|
 * | 2007 – 2013-04-30 | Labour Code 1994 as amended (Art. 73; Law 84/2007/QH11 added Giỗ Tổ) | 4 days | 1 day | yes |
 * | 2013-05-01 – 2020-12-31 | Labour Code 2012 (10/2012/QH13), Art. 115 | 5 days | 1 day | yes |
 * | 2021-01-01 – | Labour Code 2019 (45/2019/QH14), Art. 112 | 5 days | 2/9 + 1 adjacent day | yes |
 *
 * plus Tết Dương lịch (1/1), Ngày Chiến thắng (30/4) and Quốc tế Lao động (1/5), one day each.
 * A holiday that falls on a weekly rest day gives a compensatory day (nghỉ bù) on the next working
 * day (1994 code Art. 73(2), 2012 code Art. 115(3), 2019 code Art. 111(3)).
 */
import { ValidationError } from '../../errors/errors.js';
import { julianDayNumber, weekdayOfJulianDay } from '../lunar/julian-day.js';
import { lunarToJulianDay } from '../lunar/lunar-calendar.js';
import { toDayNumber } from '../local-date.js';
import type { CalendarRule, RuleContext, RuleDay } from '../rule.js';
import { VN_NATIONAL_DAY_DECISIONS, VN_SWAPS, VN_TET_DECISIONS } from './vn-adjustments.js';

/** Holiday names, as written in Vietnamese law and announcements. */
export const VN_HOLIDAY_LABELS = {
  newYear: 'Tết Dương lịch',
  tet: 'Tết Nguyên Đán',
  hungKings: 'Giỗ Tổ Hùng Vương',
  victory: 'Ngày Chiến thắng',
  labour: 'Ngày Quốc tế Lao động',
  nationalDay: 'Quốc khánh',
} as const;

/** First and last solar year of the built-in Vietnamese rules. */
export const VN_RULES_COVERAGE = { from: 2007, to: 2100 } as const;

const CODE_1994 = 'Bộ luật Lao động 1994 (sửa đổi 2007), Điều 73';
const CODE_2012 = 'Bộ luật Lao động 2012, Điều 115';
const CODE_2019 = 'Bộ luật Lao động 2019, Điều 112';
const CODE_2012_START = julianDayNumber(2013, 5, 1);
const CODE_2019_START = julianDayNumber(2021, 1, 1);

function lawAt(jdn: number): string {
  if (jdn >= CODE_2019_START) return CODE_2019;
  if (jdn >= CODE_2012_START) return CODE_2012;
  return CODE_1994;
}

function compensationSource(jdn: number): string {
  if (jdn >= CODE_2019_START) return 'Bộ luật Lao động 2019, Điều 111(3)';
  if (jdn >= CODE_2012_START) return 'Bộ luật Lao động 2012, Điều 115(3)';
  return 'Bộ luật Lao động 1994, Điều 73(2)';
}

function checkCoverage(year: number): void {
  if (!Number.isInteger(year) || year < VN_RULES_COVERAGE.from || year > VN_RULES_COVERAGE.to) {
    throw new ValidationError('date', [
      {
        path: '$.date',
        message: `the Vietnamese holiday rules cover ${VN_RULES_COVERAGE.from}–${VN_RULES_COVERAGE.to}; ${year} is outside (list holidays of other years in excluded_dates)`,
      },
    ]);
  }
}

/**
 * The Tết holiday days of lunar year `year` (in solar year `year`): the government's decision when
 * the table has one, else the last day of the old lunar year plus the first 3 (4-day Tết, before
 * 2013-05-01) or 4 (5-day Tết) days of the new year.
 */
export function vnTetDays(year: number): { days: number[]; source: string } {
  const decided = VN_TET_DECISIONS[year];
  if (decided) return { days: decided.days.map((d) => toDayNumber(d)), source: decided.source };
  const first = lunarToJulianDay(year, 1, 1);
  const count = first < CODE_2012_START ? 4 : 5;
  return { days: Array.from({ length: count }, (_, i) => first - 1 + i), source: `${lawAt(first)} (default: last day of the lunar year + first ${count - 1} days)` };
}

/**
 * The day that accompanies 2/9 from 2021: the decided one when the table has it, otherwise the
 * adjacent weekday that joins the holiday to a weekend — 1/9 when 2/9 is a Tuesday, Friday or
 * Saturday; 3/9 when it is a Sunday, Monday or Thursday; 3/9 (no better choice) on a Wednesday.
 */
export function vnNationalDayAdjacent(year: number): { day: number; source: string } {
  const decided = VN_NATIONAL_DAY_DECISIONS[year];
  if (decided) return { day: toDayNumber(decided.date), source: decided.source };
  const second = julianDayNumber(year, 9, 2);
  const before = [2, 5, 6].includes(weekdayOfJulianDay(second));
  return { day: before ? second - 1 : second + 1, source: `${CODE_2019} (default: adjacent day ${before ? 'before' : 'after'})` };
}

interface Holiday {
  jdn: number;
  label: string;
  source: string;
}

function publicHolidays(year: number): Holiday[] {
  const out: Holiday[] = [];
  const fixed = (month: number, day: number, label: string): void => {
    const jdn = julianDayNumber(year, month, day);
    out.push({ jdn, label, source: lawAt(jdn) });
  };
  fixed(1, 1, VN_HOLIDAY_LABELS.newYear);
  const tet = vnTetDays(year);
  for (const jdn of tet.days) out.push({ jdn, label: VN_HOLIDAY_LABELS.tet, source: tet.source });
  const hung = lunarToJulianDay(year, 3, 10);
  out.push({ jdn: hung, label: VN_HOLIDAY_LABELS.hungKings, source: lawAt(hung) });
  fixed(4, 30, VN_HOLIDAY_LABELS.victory);
  fixed(5, 1, VN_HOLIDAY_LABELS.labour);
  fixed(9, 2, VN_HOLIDAY_LABELS.nationalDay);
  if (julianDayNumber(year, 9, 2) >= CODE_2019_START) {
    const adj = vnNationalDayAdjacent(year);
    out.push({ jdn: adj.day, label: VN_HOLIDAY_LABELS.nationalDay, source: adj.source });
  }
  return out.sort((a, b) => a.jdn - b.jdn);
}

function computePublicHolidays(year: number, ctx: RuleContext): Map<number, RuleDay> {
  const days = new Map<number, RuleDay>();
  const holidays = publicHolidays(year);
  for (const h of holidays) days.set(h.jdn, { kind: 'holiday', label: h.label, category: 'public_holiday', source: h.source });
  // Each holiday on a weekly rest day moves to the next day that is neither a rest day, a holiday,
  // nor already a compensatory day — in date order, so chained weekends (Tết) line up.
  for (const h of holidays) {
    if (!ctx.restWeekdays.has(weekdayOfJulianDay(h.jdn))) continue;
    let d = h.jdn + 1;
    while (ctx.restWeekdays.has(weekdayOfJulianDay(d)) || days.has(d)) d += 1;
    days.set(d, { kind: 'holiday', label: `Nghỉ bù ${h.label}`, category: 'compensatory', source: compensationSource(h.jdn) });
  }
  return days;
}

/** `vn-public-holidays`: Labour Code holidays with compensatory days, 2007–2100. */
export const vnPublicHolidaysRule: CalendarRule = {
  name: 'vn-public-holidays',
  description:
    'Vietnamese public holidays of the Labour Code in force each year (Tết Dương lịch, Tết Nguyên Đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh) with compensatory days (nghỉ bù) after weekly rest days.',
  coverage: VN_RULES_COVERAGE,
  daysOfYear(year, ctx) {
    checkCoverage(year);
    return computePublicHolidays(year, ctx);
  },
};

const swapsByYear = new Map<number, Map<number, RuleDay>>();
for (const s of VN_SWAPS) {
  const jdn = toDayNumber(s.date);
  const year = Number(s.date.slice(0, 4));
  let m = swapsByYear.get(year);
  if (!m) swapsByYear.set(year, (m = new Map()));
  m.set(jdn, {
    kind: s.kind === 'day_off' ? 'holiday' : 'working',
    label: s.label,
    category: s.kind === 'day_off' ? 'swap' : 'make_up_working_day',
    source: s.source,
  });
}
const NO_DAYS: ReadonlyMap<number, RuleDay> = new Map();

/** `vn-government-swaps`: days off swapped with make-up Saturdays by yearly government decision. */
export const vnGovernmentSwapsRule: CalendarRule = {
  name: 'vn-government-swaps',
  description:
    'Days the Vietnamese government swapped (a working day off, a Saturday worked in exchange) for civil servants; banks follow them. Known years only (see docs/calendars.md).',
  coverage: VN_RULES_COVERAGE,
  daysOfYear(year) {
    checkCoverage(year);
    return swapsByYear.get(year) ?? NO_DAYS;
  },
};
