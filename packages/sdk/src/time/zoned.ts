/**
 * Conversions between UTC instants and wall-clock readings in an IANA time zone, built on
 * `Intl.DateTimeFormat` (no dependency; UTC is read from `Date` itself). The one place that knows
 * about zone offsets.
 */
import { ScheduleError } from '../errors/errors.js';
import type { DateFields } from './date-pattern.js';

/**
 * vecron's default time zone: of cron schedules, calendars, date templates and displayed times
 * that name none (docs/architecture.md#schedules-and-time). The one definition of this default.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/**
 * A wall-clock reading in whole seconds (the date pattern's {@link DateFields} without the
 * millisecond) and its weekday: month 1–12, weekday 0 = Sunday … 6 = Saturday.
 */
export interface LocalParts extends Omit<DateFields, 'millisecond'> {
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
        era: 'short',
      });
    } catch (cause) {
      throw new ScheduleError(`unknown time zone "${timeZone}"`, { cause });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Names of UTC read without `Intl` (`Date`'s UTC fields are the reading): `formatToParts` costs
 * ~20 µs a call, and a cron schedule's next fire makes several. Other spellings and aliases of UTC
 * take the `Intl` path and give the same reading.
 */
const UTC_NAMES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

/** The wall-clock reading of instant `epochMs` in `timeZone`. */
export function toLocalParts(epochMs: number, timeZone: string): LocalParts {
  if (UTC_NAMES.has(timeZone)) {
    // Years before 1 are astronomical (0 = 1 BC), as the era handling below makes them.
    const d = new Date(epochMs);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() };
  }
  const parts = formatter(timeZone).formatToParts(new Date(epochMs));
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value); break;
      case 'minute': out.minute = Number(p.value); break;
      case 'second': out.second = Number(p.value); break;
      case 'weekday': out.weekday = WEEKDAYS[p.value] ?? 0; break;
      case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
    }
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

/** Offset of `timeZone` from UTC at instant `epochMs`, in milliseconds (east positive). */
export function offsetAt(epochMs: number, timeZone: string): number {
  const p = toLocalParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * Every instant whose wall-clock reading in `timeZone` is the given local time, earliest first:
 * one normally, two in a fall-back overlap, none in a spring-forward gap.
 */
export function instantsForLocal(
  local: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  timeZone: string,
): number[] {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // Real offsets lie within ±18 h; probe the offsets in force a day either side.
  const candidates = new Set<number>();
  for (const probe of [naive - 86_400_000, naive, naive + 86_400_000]) {
    candidates.add(naive - offsetAt(probe, timeZone));
  }
  const result: number[] = [];
  for (const c of candidates) {
    const p = toLocalParts(c, timeZone);
    if (
      p.year === local.year && p.month === local.month && p.day === local.day &&
      p.hour === local.hour && p.minute === local.minute && p.second === local.second
    ) {
      result.push(c);
    }
  }
  return result.sort((a, b) => a - b);
}
