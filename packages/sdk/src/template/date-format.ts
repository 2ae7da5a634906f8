/**
 * The `date` filter: formats an instant as a wall-clock reading in an IANA zone, optionally
 * shifted by a calendar offset (`'-1d'` → yesterday's business date in a file name).
 * Zone conversion is `toLocalParts` from `time/zoned.ts` and printing is the shared date pattern
 * (`time/date-pattern.ts`); this file only does the offset arithmetic on the local reading.
 */
import { compileDatePattern, DatePatternError, formatDatePattern } from '../time/date-pattern.js';
import type { DatePattern } from '../time/date-pattern.js';
import { toLocalParts } from '../time/zoned.js';

/** Thrown when a date format or offset is not valid; the template compiler adds the position. */
export class InvalidDateSpec extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDateSpec';
  }
}

/** A compiled format: literal text and tokens (see `time/date-pattern.ts`). */
export type DateFormat = DatePattern;

/** One term of an offset such as `-1M+2d`. */
export interface DateOffset {
  readonly amount: number;
  readonly unit: 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';
}

/**
 * Compiles a format such as `yyyy-MM-dd HH:mm:ss`. A run of one of the letters y M d H m s S
 * must be a supported token (`yyyy yy MM M dd d HH H mm m ss s SSS`); every other character is
 * printed as is.
 */
export function compileDateFormat(format: string): DateFormat {
  try {
    return compileDatePattern(format, { quotes: false, otherLetters: 'literal' });
  } catch (err) {
    if (err instanceof DatePatternError) throw new InvalidDateSpec(err.message);
    throw err;
  }
}

const OFFSET_TERM = /([+-])(\d{1,6})([yMwdhms])/g;
const OFFSET_WHOLE = /^(?:[+-]\d{1,6}[yMwdhms])+$/;

/**
 * Compiles an offset: one or more signed terms, applied left to right to the local wall clock:
 * `y` years, `M` months (day clamped to the month's length), `w` weeks, `d` days, `h` hours,
 * `m` minutes, `s` seconds. Examples: `-1d`, `+7d`, `-1M`, `-1M-1d`.
 */
export function compileDateOffset(offset: string): DateOffset[] {
  if (!OFFSET_WHOLE.test(offset)) {
    throw new InvalidDateSpec(
      `invalid date offset '${offset}'; expected signed terms such as '-1d', '+2h', '-1M' (units y M w d h m s)`,
    );
  }
  const terms: DateOffset[] = [];
  for (const m of offset.matchAll(OFFSET_TERM)) {
    const amount = Number(m[2]) * (m[1] === '-' ? -1 : 1);
    terms.push({ amount, unit: m[3] as DateOffset['unit'] });
  }
  return terms;
}

/**
 * Formats instant `epochMs` as read on a wall clock in `timeZone`, after applying `offsets`
 * to that wall-clock reading.
 */
export function formatInstant(epochMs: number, timeZone: string, format: DateFormat, offsets: readonly DateOffset[] = []): string {
  const p = toLocalParts(epochMs, timeZone);
  const millis = ((epochMs % 1000) + 1000) % 1000;
  // A UTC Date carries the naive local reading, so calendar arithmetic never touches zone rules.
  const local = new Date(0);
  local.setUTCFullYear(p.year, p.month - 1, p.day);
  local.setUTCHours(p.hour, p.minute, p.second, millis);
  for (const o of offsets) shift(local, o);

  return formatDatePattern(format, {
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(),
    hour: local.getUTCHours(), minute: local.getUTCMinutes(), second: local.getUTCSeconds(), millisecond: local.getUTCMilliseconds(),
  });
}

function shift(local: Date, { amount, unit }: DateOffset): void {
  switch (unit) {
    case 'y':
    case 'M': {
      const months = local.getUTCFullYear() * 12 + local.getUTCMonth() + (unit === 'y' ? amount * 12 : amount);
      const year = Math.floor(months / 12);
      const month = months - year * 12;
      const lastDay = new Date(Date.UTC(2000, month + 1, 0)).getUTCDate() - (month === 1 && !isLeap(year) ? 1 : 0);
      local.setUTCFullYear(year, month, Math.min(local.getUTCDate(), lastDay));
      return;
    }
    case 'w': local.setUTCDate(local.getUTCDate() + amount * 7); return;
    case 'd': local.setUTCDate(local.getUTCDate() + amount); return;
    case 'h': local.setTime(local.getTime() + amount * 3_600_000); return;
    case 'm': local.setTime(local.getTime() + amount * 60_000); return;
    case 's': local.setTime(local.getTime() + amount * 1_000); return;
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
