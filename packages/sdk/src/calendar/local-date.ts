/**
 * Plain local dates ('YYYY-MM-DD' or `{ year, month, day }`) and their conversion to Julian Day
 * Numbers, the integer day index the calendar code computes with.
 */
import { ValidationError } from '../errors/errors.js';
import { fromJulianDayNumber, julianDayNumber } from './lunar/julian-day.js';
import type { SolarDate } from './lunar/julian-day.js';

/** A plain calendar date with no time and no zone: month 1–12, day 1–31. */
export type LocalDate = SolarDate;

/** What the calendar functions accept as a date: `'2026-02-17'` or `{ year: 2026, month: 2, day: 17 }`. */
export type DateInput = string | LocalDate;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar date written as `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  return isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (![year, month, day].every(Number.isInteger) || year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const back = fromJulianDayNumber(julianDayNumber(year, month, day));
  return back.month === month && back.day === day;
}

/**
 * The Julian Day Number of a date input.
 *
 * @throws ValidationError when the input is not a real date (e.g. `'2025-02-29'`, `'2026-2-1'`).
 */
export function toDayNumber(input: DateInput, path = '$.date'): number {
  let year: number;
  let month: number;
  let day: number;
  if (typeof input === 'string') {
    const m = ISO_DATE.exec(input);
    if (!m) throw new ValidationError('date', [{ path, message: `expected YYYY-MM-DD, got ${JSON.stringify(input)}` }]);
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  } else if (typeof input === 'object' && input !== null) {
    ({ year, month, day } = input);
  } else {
    throw new ValidationError('date', [{ path, message: 'expected a YYYY-MM-DD string or { year, month, day }' }]);
  }
  if (!isRealDate(year, month, day)) {
    throw new ValidationError('date', [{ path, message: `${JSON.stringify(input)} is not a calendar date` }]);
  }
  return julianDayNumber(year, month, day);
}

/** Formats a Julian Day Number as `YYYY-MM-DD`. */
export function formatDayNumber(jdn: number): string {
  return formatLocalDate(fromJulianDayNumber(jdn));
}

/** Formats a local date as `YYYY-MM-DD`. */
export function formatLocalDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** Parses a date input into `{ year, month, day }` (validated). */
export function parseLocalDate(input: DateInput): LocalDate {
  return fromJulianDayNumber(toDayNumber(input));
}
