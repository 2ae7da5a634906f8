/**
 * Business calendars: a validated definition (see `calendar-schema.ts`) turned into pure date
 * functions — is this a business day, why not, the next/previous one, shift rules, n-th business
 * day of a month, counting. Dates are plain local dates; nothing here knows about instants.
 *
 * Precedence for one date, first match wins:
 * 1. the calendar's own `extra_working_days` / `excluded_dates` (a child's entry beats its parent's);
 * 2. the rules: a rule holiday makes a day off, a rule working day (make-up Saturday) a business day;
 * 3. `excluded_weekdays` ("weekend");
 * 4. otherwise a business day.
 */
import { ConfigError, ScheduleError, ValidationError } from '../errors/errors.js';
import { zodIssues } from '../errors/zod-issues.js';
import { calendarDefinitionSchema, DEFAULT_EXCLUDED_WEEKDAYS } from './calendar-schema.js';
import { DEFAULT_TIME_ZONE } from '../time/zoned.js';
import type { CalendarDefinition } from './calendar-schema.js';
import { formatDayNumber, toDayNumber } from './local-date.js';
import type { DateInput } from './local-date.js';
import { fromJulianDayNumber, julianDayNumber, weekdayOfJulianDay } from './lunar/julian-day.js';
import type { RuleDay } from './rule.js';
import { BUILT_IN_RULES } from './rules.js';
import type { CalendarRuleName } from './rules.js';

/** How to move a date that is not a business day. */
export const SHIFT_RULES = ['skip', 'following', 'preceding', 'modified_following', 'modified_preceding'] as const;

/**
 * - `skip`: no date (`null`) — the occurrence is dropped;
 * - `following` / `preceding`: the next / previous business day;
 * - `modified_following`: following, unless that is in the next month, then preceding;
 * - `modified_preceding`: preceding, unless that is in the previous month, then following.
 */
export type ShiftRule = (typeof SHIFT_RULES)[number];

/** Why a day is or is not a business day. */
export type DayKind =
  | 'business_day'
  | 'weekend'
  | 'public_holiday'
  | 'compensatory'
  | 'swap'
  | 'excluded_date'
  | 'make_up_working_day'
  | 'extra_working_day';

/** The full verdict on one date. */
export interface DayInfo {
  /** The date, `YYYY-MM-DD`. */
  date: string;
  /** Whether work runs that day. */
  businessDay: boolean;
  /** Why not a business day (`Tết Nguyên Đán`, `weekend`, a label from `excluded_dates` …); `null` on business days. */
  reason: string | null;
  /** Classification of the verdict. */
  kind: DayKind;
  /** The law or announcement (rule days) or the calendar name (explicit dates); `null` otherwise. */
  source: string | null;
}

/** A calendar definition with `extends` resolved and defaults applied. */
export interface ResolvedCalendar {
  name: string;
  description: string | undefined;
  timezone: string;
  excludedWeekdays: readonly number[];
  rules: readonly CalendarRuleName[];
  /** Explicit dates by Julian Day Number. */
  dates: ReadonlyMap<number, { businessDay: boolean; label: string; calendar: string }>;
  /** This calendar's name followed by its ancestors'. */
  chain: readonly string[];
}

/** Pure date functions over one calendar. Every function accepts `'YYYY-MM-DD'` or `{ year, month, day }`. */
export interface BusinessCalendar {
  /** The calendar's name. */
  readonly name: string;
  /** The zone in which a scheduler should take the local date of an instant. */
  readonly timezone: string;
  /** The resolved definition. */
  readonly resolved: ResolvedCalendar;
  /** Whether `date` is a business day. */
  isBusinessDay(date: DateInput): boolean;
  /** Why `date` is not a business day (`'Tết Nguyên Đán'`, `'weekend'`, …), or `null` if it is one. */
  holidayReason(date: DateInput): string | null;
  /** The full verdict with its kind and source. */
  describeDay(date: DateInput): DayInfo;
  /** The first business day strictly after `date`. */
  nextBusinessDay(date: DateInput): string;
  /** The last business day strictly before `date`. */
  previousBusinessDay(date: DateInput): string;
  /** `date` itself when it is a business day, else moved by `rule` (`skip` → `null`). */
  shift(date: DateInput, rule: ShiftRule): string | null;
  /**
   * Moves `n` business days: `n > 0` forward (T+n), `n < 0` backward; `n = 0` is `shift(date, 'following')`.
   */
  addBusinessDays(date: DateInput, n: number): string;
  /**
   * The n-th business day of a month: `n ≥ 1` counts from the start, `-1` is the last, `-2` the
   * second-to-last. `null` when the month has fewer business days.
   */
  nthBusinessDayOfMonth(year: number, month: number, n: number): string | null;
  /**
   * Business days `d` with `from < d ≤ to` (negated when `to < from`), so that
   * `businessDaysBetween(t, addBusinessDays(t, n)) === n` for `n ≥ 1`.
   */
  businessDaysBetween(from: DateInput, to: DateInput): number;
  /** Every business day from `from` to `to`, both included, as `YYYY-MM-DD`. */
  listBusinessDays(from: DateInput, to: DateInput): string[];
}

/** Options of {@link createBusinessCalendar}. */
export interface CreateBusinessCalendarOptions {
  /** Finds the definition of a parent calendar named in `extends`. @default none (then `extends` is an error) */
  lookup?: (name: string) => unknown;
}

/** Longest run of non-business days searched before giving up. */
const MAX_SCAN_DAYS = 3660;
/** Longest range `listBusinessDays` / `businessDaysBetween` accept (about 200 years). */
const MAX_RANGE_DAYS = 73_100;

function parseDefinition(input: unknown, what: string): CalendarDefinition {
  const r = calendarDefinitionSchema.safeParse(input);
  if (!r.success) throw new ValidationError(what, zodIssues(r.error));
  return r.data;
}

/**
 * Resolves `extends` chains and defaults into one flat calendar.
 *
 * @throws ConfigError on an unknown parent or a cycle; ValidationError on an invalid definition.
 */
export function resolveCalendar(input: unknown, lookup?: (name: string) => unknown): ResolvedCalendar {
  const seen: string[] = [];
  const resolve = (raw: unknown, what: string): ResolvedCalendar => {
    const def = parseDefinition(raw, what);
    if (seen.includes(def.name)) {
      throw new ConfigError('calendar', [{ path: '$.extends', message: `extends cycle: ${[...seen, def.name].join(' → ')}` }]);
    }
    seen.push(def.name);
    let parent: ResolvedCalendar | undefined;
    if (def.extends !== undefined) {
      const parentRaw = lookup?.(def.extends);
      if (parentRaw === undefined) {
        throw new ConfigError(`calendar "${def.name}"`, [{ path: '$.extends', message: `unknown calendar "${def.extends}"` }]);
      }
      parent = resolve(parentRaw, `calendar "${def.extends}"`);
    }
    const dates = new Map(parent?.dates ?? []);
    for (const e of def.excluded_dates) {
      const [date, label] = typeof e === 'string' ? [e, undefined] : [e.date, e.label];
      dates.set(toDayNumber(date), { businessDay: false, label: label ?? 'excluded date', calendar: def.name });
    }
    for (const e of def.extra_working_days) {
      const [date, label] = typeof e === 'string' ? [e, undefined] : [e.date, e.label];
      dates.set(toDayNumber(date), { businessDay: true, label: label ?? 'extra working day', calendar: def.name });
    }
    const rules = [...(parent?.rules ?? [])];
    for (const r of def.rules) if (!rules.includes(r)) rules.push(r);
    return {
      name: def.name,
      description: def.description,
      timezone: def.timezone ?? parent?.timezone ?? DEFAULT_TIME_ZONE,
      excludedWeekdays: [...(def.excluded_weekdays ?? parent?.excludedWeekdays ?? DEFAULT_EXCLUDED_WEEKDAYS)].sort(),
      rules,
      dates,
      chain: [def.name, ...(parent?.chain ?? [])],
    };
  };
  return resolve(input, 'calendar definition');
}

/**
 * Builds the date functions of one calendar.
 *
 * @example
 * const cal = createBusinessCalendar({ name: 'bank', extends: 'vn' }, { lookup: registry.lookup });
 * cal.shift('2026-02-17', 'following') // '2026-02-23'
 */
export function createBusinessCalendar(definition: unknown, options: CreateBusinessCalendarOptions = {}): BusinessCalendar {
  const cal = resolveCalendar(definition, options.lookup);
  const days = calendarDays(cal);
  const { describe, isBusiness } = days;
  return {
    name: cal.name,
    timezone: cal.timezone,
    resolved: cal,
    isBusinessDay: (date) => isBusiness(toDayNumber(date)),
    holidayReason: (date) => describe(toDayNumber(date)).reason,
    describeDay: (date) => describe(toDayNumber(date)),
    nextBusinessDay: (date) => formatDayNumber(scan(days, toDayNumber(date), 1)),
    previousBusinessDay: (date) => formatDayNumber(scan(days, toDayNumber(date), -1)),
    shift(date, rule) {
      const r = shiftDay(days, toDayNumber(date), rule);
      return r === null ? null : formatDayNumber(r);
    },
    addBusinessDays: (date, n) => addBusinessDays(days, date, n),
    nthBusinessDayOfMonth: (year, month, n) => nthBusinessDayOfMonth(days, year, month, n),
    businessDaysBetween(from, to) {
      const [a, b] = dayRange(from, to);
      const [lo, hi, sign] = a <= b ? [a, b, 1] : [b, a, -1];
      let count = 0;
      for (let d = lo + 1; d <= hi; d += 1) if (isBusiness(d)) count += 1;
      return sign * count;
    },
    listBusinessDays(from, to) {
      const [a, b] = dayRange(from, to);
      const out: string[] = [];
      for (let d = a; d <= b; d += 1) if (isBusiness(d)) out.push(formatDayNumber(d));
      return out;
    },
  };
}

/** The verdict on a day of one calendar, by Julian Day Number. */
interface CalendarDays {
  readonly name: string;
  describe(jdn: number): DayInfo;
  isBusiness(jdn: number): boolean;
}

/** The day verdicts of a resolved calendar, in the precedence of the module comment; rule days cached per year. */
function calendarDays(cal: ResolvedCalendar): CalendarDays {
  const rest = new Set(cal.excludedWeekdays);
  const ruleDays = new Map<number, Map<number, RuleDay>>();
  const rulesOfYear = (year: number): Map<number, RuleDay> => {
    let m = ruleDays.get(year);
    if (m) return m;
    m = new Map();
    for (const name of cal.rules) {
      for (const [jdn, day] of BUILT_IN_RULES[name].daysOfYear(year, { restWeekdays: rest })) {
        const prev = m.get(jdn);
        if (!prev || (prev.kind === 'working' && day.kind === 'holiday')) m.set(jdn, day);
      }
    }
    if (ruleDays.size > 512) ruleDays.clear();
    ruleDays.set(year, m);
    return m;
  };
  const describe = (jdn: number): DayInfo => {
    const date = formatDayNumber(jdn);
    const explicit = cal.dates.get(jdn);
    if (explicit) {
      return explicit.businessDay
        ? { date, businessDay: true, reason: null, kind: 'extra_working_day', source: explicit.calendar }
        : { date, businessDay: false, reason: explicit.label, kind: 'excluded_date', source: explicit.calendar };
    }
    if (cal.rules.length > 0) {
      const day = rulesOfYear(fromJulianDayNumber(jdn).year).get(jdn);
      if (day) {
        if (day.kind === 'working') return { date, businessDay: true, reason: null, kind: 'make_up_working_day', source: day.source };
        return { date, businessDay: false, reason: day.label, kind: day.category === 'make_up_working_day' ? 'public_holiday' : day.category, source: day.source };
      }
    }
    if (rest.has(weekdayOfJulianDay(jdn))) return { date, businessDay: false, reason: 'weekend', kind: 'weekend', source: null };
    return { date, businessDay: true, reason: null, kind: 'business_day', source: null };
  };
  return { name: cal.name, describe, isBusiness: (jdn) => describe(jdn).businessDay };
}

/** The first business day strictly after (`step` 1) or before (-1) `from`. @throws ScheduleError past {@link MAX_SCAN_DAYS} */
function scan(days: CalendarDays, from: number, step: 1 | -1): number {
  for (let i = 1, d = from + step; i <= MAX_SCAN_DAYS; i += 1, d += step) if (days.isBusiness(d)) return d;
  throw new ScheduleError(`calendar "${days.name}" has no business day within ${MAX_SCAN_DAYS} days of ${formatDayNumber(from)}`);
}

const monthOf = (jdn: number): number => fromJulianDayNumber(jdn).month;

/** `jdn` itself when a business day, else moved by `rule` (`skip`: null). */
function shiftDay(days: CalendarDays, jdn: number, rule: ShiftRule): number | null {
  if (days.isBusiness(jdn)) return jdn;
  switch (rule) {
    case 'skip':
      return null;
    case 'following':
      return scan(days, jdn, 1);
    case 'preceding':
      return scan(days, jdn, -1);
    case 'modified_following': {
      const f = scan(days, jdn, 1);
      return monthOf(f) === monthOf(jdn) ? f : scan(days, jdn, -1);
    }
    case 'modified_preceding': {
      const p = scan(days, jdn, -1);
      return monthOf(p) === monthOf(jdn) ? p : scan(days, jdn, 1);
    }
    default:
      throw new ValidationError('shift rule', [{ path: '$.rule', message: `unknown shift rule ${JSON.stringify(rule)}; expected one of ${SHIFT_RULES.join(', ')}` }]);
  }
}

/** {@link BusinessCalendar.addBusinessDays}. */
function addBusinessDays(days: CalendarDays, date: DateInput, n: number): string {
  if (!Number.isInteger(n)) throw new ValidationError('business day count', [{ path: '$.n', message: `expected an integer, got ${n}` }]);
  let d = toDayNumber(date);
  if (n === 0) return formatDayNumber(shiftDay(days, d, 'following')!);
  const step = n > 0 ? 1 : -1;
  for (let i = 0; i < Math.abs(n); i += 1) d = scan(days, d, step);
  return formatDayNumber(d);
}

/** {@link BusinessCalendar.nthBusinessDayOfMonth}. */
function nthBusinessDayOfMonth(days: CalendarDays, year: number, month: number, n: number): string | null {
  if (!Number.isInteger(n) || n === 0) {
    throw new ValidationError('business day index', [{ path: '$.n', message: `expected n ≥ 1 or n ≤ -1, got ${n}` }]);
  }
  const first = toDayNumber({ year, month, day: 1 }, '$.month');
  const last = julianDayNumber(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - 1;
  let count = 0;
  if (n > 0) {
    for (let d = first; d <= last; d += 1) if (days.isBusiness(d) && ++count === n) return formatDayNumber(d);
  } else {
    for (let d = last; d >= first; d -= 1) if (days.isBusiness(d) && ++count === -n) return formatDayNumber(d);
  }
  return null;
}

/** The day numbers of `from` and `to`. @throws ValidationError when they are more than {@link MAX_RANGE_DAYS} apart */
function dayRange(from: DateInput, to: DateInput): [number, number] {
  const a = toDayNumber(from, '$.from');
  const b = toDayNumber(to, '$.to');
  if (Math.abs(b - a) > MAX_RANGE_DAYS) {
    throw new ValidationError('date range', [{ path: '$', message: `range longer than ${MAX_RANGE_DAYS} days` }]);
  }
  return [a, b];
}
