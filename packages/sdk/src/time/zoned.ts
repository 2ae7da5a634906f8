/**
 * Conversions between UTC instants and wall-clock readings in an IANA time zone, built on
 * `Intl.DateTimeFormat` (no dependency; UTC is read from `Date` itself, other zones as UTC plus an
 * offset `Intl` gave for the surrounding quarter hour, see `toLocalParts`). The one place that knows
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
 * take the cached-offset path below and give the same reading.
 */
const UTC_NAMES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

/**
 * Other zones are read as UTC shifted by the zone's offset, and the offset is learned from `Intl`
 * once per interval of this length: an interval whose first and last millisecond have the same
 * offset keeps it throughout (no zone changes its offset and back within 15 minutes), so its
 * readings are `Date`'s UTC fields of the instant plus that offset, exactly what `Intl` reads (the
 * offsets are whole seconds). An interval with a transition in it (two offsets) is read through
 * `Intl` at every instant. Two `formatToParts` per interval instead of one per call.
 */
const OFFSET_INTERVAL_MS = 15 * 60_000;
/**
 * Intervals remembered, all zones together, before the memo starts again: ~1 MB at most, however
 * many zones the schedules name (a scheduler's next fires revisit a few intervals per schedule).
 */
export const OFFSET_MEMO_MAX = 16_384;
/** Per zone: interval number → the offset in force through all of it, or NaN when it changes within. */
const offsetMemo = new Map<string, Map<number, number>>();
/** Intervals in {@link offsetMemo}, all zones together. */
let offsetMemoSize = 0;

/** How many intervals the offset memo holds now (for tests). @internal */
export function offsetMemoEntries(): number {
  return offsetMemoSize;
}
/** The largest |time value| of a `Date`. */
const MAX_DATE_MS = 8.64e15;

/** The wall-clock reading of instant `epochMs` in `timeZone`. */
export function toLocalParts(epochMs: number, timeZone: string): LocalParts {
  if (UTC_NAMES.has(timeZone)) return utcParts(epochMs);
  const offset = steadyOffset(epochMs, timeZone);
  return offset === null ? intlLocalParts(epochMs, timeZone) : utcParts(epochMs + offset);
}

/** `Date`'s UTC fields of `epochMs`. Years before 1 are astronomical (0 = 1 BC), as {@link intlLocalParts} makes them. */
function utcParts(epochMs: number): LocalParts {
  const d = new Date(epochMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() };
}

/** The offset of `timeZone` through the interval that holds `epochMs`, or null if it changes within it. */
function steadyOffset(epochMs: number, timeZone: string): number | null {
  let memo = offsetMemo.get(timeZone);
  if (!memo) {
    formatter(timeZone); // an unknown zone fails here, as on the Intl path
    memo = new Map();
    offsetMemo.set(timeZone, memo);
  }
  const interval = Math.floor(epochMs / OFFSET_INTERVAL_MS);
  let offset = memo.get(interval);
  if (offset === undefined) {
    const first = interval * OFFSET_INTERVAL_MS;
    // The first and last quarter hour of Date's range: read through Intl (their ends are no Date).
    if (first < -MAX_DATE_MS || first + OFFSET_INTERVAL_MS - 1 > MAX_DATE_MS) return null;
    const atFirst = intlOffset(first, timeZone);
    offset = atFirst === intlOffset(first + OFFSET_INTERVAL_MS - 1, timeZone) ? atFirst : Number.NaN;
    if (offsetMemoSize >= OFFSET_MEMO_MAX) {
      for (const m of offsetMemo.values()) m.clear();
      offsetMemoSize = 0;
    }
    memo.set(interval, offset);
    offsetMemoSize += 1;
  }
  return Number.isNaN(offset) ? null : offset;
}

/** The offset `Intl` reads at `epochMs`: its wall clock taken as UTC, minus the instant's whole second. */
function intlOffset(epochMs: number, timeZone: string): number {
  return asUtcMs(intlLocalParts(epochMs, timeZone)) - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant a wall-clock reading names when read as UTC. `Date.UTC` would take years 0–99 for 1900–1999. */
function asUtcMs(p: Omit<LocalParts, 'weekday'>): number {
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, 0);
  return d.getTime();
}

/** The wall-clock reading of `epochMs` in `timeZone` as `Intl` formats it (exported for tests). @internal */
export function intlLocalParts(epochMs: number, timeZone: string): LocalParts {
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
  return asUtcMs(toLocalParts(epochMs, timeZone)) - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * Every instant whose wall-clock reading in `timeZone` is the given local time, earliest first:
 * one normally, two in a fall-back overlap, none in a spring-forward gap.
 */
export function instantsForLocal(
  local: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  timeZone: string,
): number[] {
  const naive = asUtcMs(local);
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
