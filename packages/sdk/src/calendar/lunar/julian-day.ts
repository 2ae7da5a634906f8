/**
 * Julian Day Numbers for proleptic-Gregorian civil dates (Gregorian from 1582-10-15, Julian before,
 * as in Meeus, "Astronomical Algorithms", ch. 7). A Julian Day Number (JDN) names a whole day;
 * consecutive days have consecutive numbers, which makes day arithmetic plain integer arithmetic.
 */

/** A plain civil date: month 1–12, day 1–31. No time of day, no zone. */
export interface SolarDate {
  /** Four-digit year, e.g. 2026. */
  year: number;
  /** Month 1–12. */
  month: number;
  /** Day of the month 1–31. */
  day: number;
}

/** JDN of the first Gregorian day, 1582-10-15. */
const GREGORIAN_START_JDN = 2299161;

/**
 * The Julian Day Number of a civil date (the day that starts at noon UT of that date's JD .0).
 *
 * @example julianDayNumber(2000, 1, 1) === 2451545
 */
export function julianDayNumber(year: number, month: number, day: number): number {
  const a = Math.floor((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  const jd = day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) - 32045;
  if (jd < GREGORIAN_START_JDN) {
    return day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - 32083;
  }
  return jd;
}

/** The civil date of a Julian Day Number (inverse of {@link julianDayNumber}). */
export function fromJulianDayNumber(jdn: number): SolarDate {
  let b: number;
  let c: number;
  if (jdn >= GREGORIAN_START_JDN) {
    const a = jdn + 32044;
    b = Math.floor((4 * a + 3) / 146097);
    c = a - Math.floor((146097 * b) / 4);
  } else {
    b = 0;
    c = jdn + 32082;
  }
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: 100 * b + d - 4800 + Math.floor(m / 10),
  };
}

/** Weekday of a Julian Day Number: 0 = Sunday … 6 = Saturday. */
export function weekdayOfJulianDay(jdn: number): number {
  return (((jdn + 1) % 7) + 7) % 7;
}
