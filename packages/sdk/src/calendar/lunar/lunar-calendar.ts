/**
 * The Vietnamese lunisolar calendar (âm lịch), computed with Hồ Ngọc Đức's astronomical algorithm:
 *
 * - a lunar month starts on the local day that contains a new moon;
 * - month 11 is the month that contains the winter solstice (sun at 270°);
 * - a lunar year with 13 months (between two months 11) makes the first month that contains no
 *   major solar term (the sun does not enter a new 30° sector) the leap month, numbered as the
 *   month before it.
 *
 * "Local day" depends on the time zone: Vietnam uses UTC+7 (105°E) since 1968, China UTC+8 (120°E),
 * so the two calendars differ when a new moon or a solar term falls between 16:00 and 17:00 UT
 * (e.g. Tết 2007: 17 Feb in Vietnam, 18 Feb in China; Tết 1985: 21 Jan vs 20 Feb). Every function
 * takes the zone offset in hours, defaulting to {@link VIETNAM_TIME_ZONE_OFFSET}. Before 1968 the
 * Vietnamese calendar followed UTC+8; pass `8` to reproduce dates from that era.
 *
 * Accuracy is validated for 1900–2100; inputs outside that range are rejected.
 */
import { ValidationError } from '../../errors/errors.js';
import { NEW_MOON_EPOCH_JD, SYNODIC_MONTH, newMoonJulianDay, sunLongitude } from './astronomy.js';
import { fromJulianDayNumber, julianDayNumber } from './julian-day.js';
import type { SolarDate } from './julian-day.js';

/** Hours east of UTC used by the Vietnamese lunar calendar since 1968. */
export const VIETNAM_TIME_ZONE_OFFSET = 7;

/** First and last solar year supported by the public conversions. */
export const LUNAR_MIN_YEAR = 1900;
/** @see LUNAR_MIN_YEAR */
export const LUNAR_MAX_YEAR = 2100;

/** A date of the lunar calendar. */
export interface LunarDate {
  /** Lunar year (the year whose Tết starts it; lunar 1/1/2026 is 2026-02-17). */
  year: number;
  /** Lunar month 1–12; a leap month carries the number of the month before it. */
  month: number;
  /** Day 1–30. */
  day: number;
  /** True in a leap month (tháng nhuận). */
  leap: boolean;
}

/** One month of a lunar year, as returned by {@link lunarYearMonths}. */
export interface LunarMonthInfo {
  /** Month number 1–12. */
  month: number;
  /** True for the leap month. */
  leap: boolean;
  /** Solar date of day 1 of the month. */
  firstDay: SolarDate;
  /** 29 or 30. */
  length: number;
}

/** The local day (JDN) that contains the k-th new moon. */
function newMoonDay(k: number, tz: number): number {
  return Math.floor(newMoonJulianDay(k) + 0.5 + tz / 24);
}

/** The 30° sector (0 = 0°–30° … 11) the sun is in at local midnight starting day `jdn`. */
function sunSector(jdn: number, tz: number): number {
  return Math.floor((sunLongitude(jdn - 0.5 - tz / 24) / Math.PI) * 6);
}

const month11Cache = new Map<string, number>();

/** JDN of day 1 of lunar month 11 that contains the winter solstice of solar year `year`. */
function lunarMonth11(year: number, tz: number): number {
  const key = `${year}|${tz}`;
  const cached = month11Cache.get(key);
  if (cached !== undefined) return cached;
  const off = julianDayNumber(year, 12, 31) - 2415021;
  const k = Math.floor(off / SYNODIC_MONTH);
  let nm = newMoonDay(k, tz);
  // The new moon found may start after the solstice (sector 9 = 270°): then month 11 is the one before.
  if (sunSector(nm, tz) >= 9) nm = newMoonDay(k - 1, tz);
  if (month11Cache.size > 4096) month11Cache.clear();
  month11Cache.set(key, nm);
  return nm;
}

/** Index (1-based, counted from month 11 at `a11`) of the first month without a major solar term. */
function leapMonthOffset(a11: number, tz: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let arc = sunSector(newMoonDay(k + i, tz), tz);
  let last: number;
  do {
    last = arc;
    i += 1;
    arc = sunSector(newMoonDay(k + i, tz), tz);
  } while (arc !== last && i < 14);
  return i - 1;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError('lunar calendar input', [{ path, message }]);
}

function checkSolar(year: number, month: number, day: number): void {
  if (!Number.isInteger(year) || year < LUNAR_MIN_YEAR || year > LUNAR_MAX_YEAR) {
    throw invalid('$.year', `year must be an integer in ${LUNAR_MIN_YEAR}..${LUNAR_MAX_YEAR}, got ${year}`);
  }
  if (!Number.isInteger(month) || month < 1 || month > 12) throw invalid('$.month', `month must be 1..12, got ${month}`);
  const back = fromJulianDayNumber(julianDayNumber(year, month, day));
  if (!Number.isInteger(day) || back.day !== day || back.month !== month) {
    throw invalid('$.day', `${year}-${month}-${day} is not a calendar date`);
  }
}

/** Converts a lunar date from a Julian Day Number (no range check). */
export function lunarFromJulianDay(jdn: number, tz: number = VIETNAM_TIME_ZONE_OFFSET): LunarDate {
  const year = fromJulianDayNumber(jdn).year;
  // The mean-moon estimate can be a month off either way when the true new moon is late or early;
  // walk to the last new moon day not after `jdn` (the published algorithm stops one step short and
  // yields day 0 for a few dates, e.g. 2009-03-26 at UTC+8).
  let k = Math.floor((jdn - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH) + 1;
  let monthStart = newMoonDay(k, tz);
  while (monthStart > jdn) {
    k -= 1;
    monthStart = newMoonDay(k, tz);
  }
  for (let next = newMoonDay(k + 1, tz); next <= jdn; next = newMoonDay(k + 1, tz)) {
    k += 1;
    monthStart = next;
  }
  let a11 = lunarMonth11(year, tz);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = year;
    a11 = lunarMonth11(year - 1, tz);
  } else {
    lunarYear = year + 1;
    b11 = lunarMonth11(year + 1, tz);
  }
  const day = jdn - monthStart + 1;
  const diff = Math.floor((monthStart - a11) / 29);
  let leap = false;
  let month = diff + 11;
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11, tz);
    if (diff >= leapDiff) {
      month = diff + 10;
      if (diff === leapDiff) leap = true;
    }
  }
  if (month > 12) month -= 12;
  if (month >= 11 && diff < 4) lunarYear -= 1;
  return { year: lunarYear, month, day, leap };
}

/**
 * Converts a solar (Gregorian) date to the Vietnamese lunar date.
 *
 * @param tz - zone offset in hours east of UTC. @default 7
 * @throws ValidationError when the date is not a calendar date or outside 1900–2100.
 * @example solarToLunar(2026, 2, 17) // { year: 2026, month: 1, day: 1, leap: false }
 */
export function solarToLunar(year: number, month: number, day: number, tz: number = VIETNAM_TIME_ZONE_OFFSET): LunarDate {
  checkSolar(year, month, day);
  return lunarFromJulianDay(julianDayNumber(year, month, day), tz);
}

/** JDN of day 1 of the given lunar month, or `null` when `leap` is set on a month that is not leap. */
function lunarMonthStart(lunarYear: number, lunarMonth: number, leapFlag: boolean, tz: number): number | null {
  let a11: number;
  let b11: number;
  if (lunarMonth < 11) {
    a11 = lunarMonth11(lunarYear - 1, tz);
    b11 = lunarMonth11(lunarYear, tz);
  } else {
    a11 = lunarMonth11(lunarYear, tz);
    b11 = lunarMonth11(lunarYear + 1, tz);
  }
  const k = Math.floor(0.5 + (a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH);
  let off = lunarMonth - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, tz);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leapFlag && lunarMonth !== leapMonth) return null;
    if (leapFlag || off >= leapOff) off += 1;
  } else if (leapFlag) {
    return null;
  }
  return newMoonDay(k + off, tz);
}

/**
 * Converts a Vietnamese lunar date to the solar (Gregorian) date.
 *
 * @param leap - whether the month is the leap month of that year. @default false
 * @param tz - zone offset in hours east of UTC. @default 7
 * @throws ValidationError when the month is not leap that year, the day exceeds the month's
 *   length (29 or 30), or the year is outside 1900–2100.
 * @example lunarToSolar(2024, 3, 10) // { year: 2024, month: 4, day: 18 } (Giỗ Tổ Hùng Vương)
 */
export function lunarToSolar(
  lunarYear: number,
  lunarMonth: number,
  lunarDay: number,
  leap = false,
  tz: number = VIETNAM_TIME_ZONE_OFFSET,
): SolarDate {
  return fromJulianDayNumber(lunarToJulianDay(lunarYear, lunarMonth, lunarDay, leap, tz));
}

/** Like {@link lunarToSolar}, returning the Julian Day Number. */
export function lunarToJulianDay(
  lunarYear: number,
  lunarMonth: number,
  lunarDay: number,
  leap = false,
  tz: number = VIETNAM_TIME_ZONE_OFFSET,
): number {
  if (!Number.isInteger(lunarYear) || lunarYear < LUNAR_MIN_YEAR || lunarYear > LUNAR_MAX_YEAR) {
    throw invalid('$.year', `lunar year must be an integer in ${LUNAR_MIN_YEAR}..${LUNAR_MAX_YEAR}, got ${lunarYear}`);
  }
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) {
    throw invalid('$.month', `lunar month must be 1..12, got ${lunarMonth}`);
  }
  if (!Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > 30) {
    throw invalid('$.day', `lunar day must be 1..30, got ${lunarDay}`);
  }
  const start = lunarMonthStart(lunarYear, lunarMonth, leap, tz);
  if (start === null) {
    throw invalid('$.leap', `lunar month ${lunarMonth} of ${lunarYear} is not a leap month`);
  }
  const jdn = start + lunarDay - 1;
  if (lunarDay === 30) {
    const check = lunarFromJulianDay(jdn, tz);
    if (check.day !== 30) throw invalid('$.day', `lunar month ${lunarMonth}${leap ? ' (leap)' : ''} of ${lunarYear} has 29 days`);
  }
  return jdn;
}

/** Solar date of Tết Nguyên Đán (lunar 1/1) of `lunarYear`. */
export function lunarNewYear(lunarYear: number, tz: number = VIETNAM_TIME_ZONE_OFFSET): SolarDate {
  return lunarToSolar(lunarYear, 1, 1, false, tz);
}

/**
 * The months of a lunar year in order (12 or 13 entries), with their first solar day and length.
 *
 * @example lunarYearMonths(2023).find(m => m.leap) // { month: 2, leap: true, … }
 */
export function lunarYearMonths(lunarYear: number, tz: number = VIETNAM_TIME_ZONE_OFFSET): LunarMonthInfo[] {
  const first = lunarToJulianDay(lunarYear, 1, 1, false, tz);
  // The next year's Tết may lie past 2100; compute it from the raw month start (no range check).
  const next = lunarMonthStart(lunarYear + 1, 1, false, tz) ?? first + 355;
  const out: LunarMonthInfo[] = [];
  let k = Math.floor((first - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH + 0.5);
  while (newMoonDay(k, tz) < first) k += 1;
  while (newMoonDay(k, tz) > first) k -= 1;
  for (let start = newMoonDay(k, tz); start < next; ) {
    const end = newMoonDay(k + 1, tz);
    const label = lunarFromJulianDay(start, tz);
    out.push({ month: label.month, leap: label.leap, firstDay: fromJulianDayNumber(start), length: end - start });
    k += 1;
    start = end;
  }
  return out;
}
