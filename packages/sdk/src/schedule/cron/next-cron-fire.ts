/**
 * Evaluation of a compiled cron expression in an IANA time zone: matching an instant and finding
 * the next fire instant. The search runs on wall-clock fields, jumping field by field (year →
 * month → day → hour → minute → second), and only then maps the wall-clock time to an instant.
 *
 * DST rule (docs/architecture.md#schedules-and-time, docs/concepts.md "Daylight saving time"):
 * - a fixed-time schedule (minute and hour fields not starting with `*`): a wall-clock time that
 *   does not exist (spring-forward gap) fires once, at the first instant after the gap; a
 *   wall-clock time that occurs twice (fall-back overlap) fires once, at its first occurrence;
 * - a frequent schedule (minute or hour field starting with `*`, `CompiledCron.realTime`) follows
 *   real time, as cronie does: every instant whose wall-clock reading matches fires, in both
 *   passes of an overlap, and wall times inside a gap simply do not occur.
 */
import { ScheduleError } from '../../errors/errors.js';
import { instantsForLocal, offsetAt, toLocalParts } from '../../time/zoned.js';
import { dayMask } from './day-mask.js';
import { CRON_MAX_YEAR, CRON_MIN_YEAR } from './parse-cron.js';
import type { CompiledCron } from './parse-cron.js';

const SECOND = 1000;
const DAY = 86_400_000;

/** Wall-clock time encoded as if it were UTC ("naive" milliseconds). */
type Naive = number;

function yearAllowed(cron: CompiledCron, year: number): number {
  if (year > CRON_MAX_YEAR) return -1;
  return cron.years[Math.max(year, CRON_MIN_YEAR) - CRON_MIN_YEAR] ?? -1;
}

/** Smallest set bit index ≥ `from` in a 31-bit mask, as a day number (index + 1), or -1. */
function nextDay(mask: number, from: number): number {
  if (from > 30) return -1;
  const rest = (mask >>> from) << from;
  if (rest === 0) return -1;
  return 32 - Math.clz32(rest & -rest);
}

/** The first wall-clock time ≥ `start` that satisfies every field, or null before 2200. */
function nextLocalMatch(cron: CompiledCron, start: Naive): Naive | null {
  const t = new Date(start);
  let y = t.getUTCFullYear();
  let mo = t.getUTCMonth() + 1;
  let d = t.getUTCDate();
  let h = t.getUTCHours();
  let mi = t.getUTCMinutes();
  let s = t.getUTCSeconds();
  // Each pass moves forward by at least a second and resets the smaller fields; a bounded loop
  // keeps a pathological expression from spinning (an impossible one ends by running out of years).
  for (let guard = 0; guard < 100_000; guard++) {
    const ny = yearAllowed(cron, y);
    if (ny < 0) return null;
    if (ny !== y) { y = ny; mo = 1; d = 1; h = 0; mi = 0; s = 0; }
    const nmo = mo > 12 ? -1 : (cron.months[mo] ?? -1);
    if (nmo < 0) { y++; mo = 1; d = 1; h = 0; mi = 0; s = 0; continue; }
    if (nmo !== mo) { mo = nmo; d = 1; h = 0; mi = 0; s = 0; }
    const nd = nextDay(dayMask(cron, y, mo), d - 1);
    if (nd < 0) { mo++; d = 1; h = 0; mi = 0; s = 0; continue; }
    if (nd !== d) { d = nd; h = 0; mi = 0; s = 0; }
    const nh = cron.hours[h] ?? -1;
    if (nh < 0) { d++; h = 0; mi = 0; s = 0; continue; }
    if (nh !== h) { h = nh; mi = 0; s = 0; }
    const nmi = cron.minutes[mi] ?? -1;
    if (nmi < 0) { h++; mi = 0; s = 0; continue; }
    if (nmi !== mi) { mi = nmi; s = 0; }
    const ns = cron.seconds[s] ?? -1;
    if (ns < 0) { mi++; s = 0; continue; }
    return Date.UTC(y, mo - 1, d, h, mi, ns);
  }
  return null;
}

function naiveOf(epochMs: number, timeZone: string): Naive {
  const p = toLocalParts(epochMs, timeZone);
  if (p.year < CRON_MIN_YEAR) return Date.UTC(CRON_MIN_YEAR, 0, 1) - DAY;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

function partsOfNaive(naive: Naive): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const t = new Date(naive);
  return {
    year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(),
    hour: t.getUTCHours(), minute: t.getUTCMinutes(), second: t.getUTCSeconds(),
  };
}

/** Smallest whole-second instant in (lo, hi] for which `pred` holds, given pred(lo) false and pred(hi) true. */
function bisect(lo: number, hi: number, pred: (x: number) => boolean): number {
  let a = Math.floor(lo / SECOND);
  let b = Math.ceil(hi / SECOND);
  while (b - a > 1) {
    const m = Math.floor((a + b) / 2);
    if (pred(m * SECOND)) b = m;
    else a = m;
  }
  return b * SECOND;
}

/** First instant after the spring-forward gap that swallows wall time `t`. */
function gapEnd(t: Naive, timeZone: string): number {
  const before = offsetAt(t - DAY, timeZone);
  const after = offsetAt(t + DAY, timeZone);
  const lo = t - Math.max(before, after);
  const hi = t - Math.min(before, after);
  if (lo === hi) return hi; // no offset change found nearby: cannot happen for a real gap
  return bisect(lo, hi, (x) => x + offsetAt(x, timeZone) > t);
}

/**
 * The instant a matching wall time `t` fires at: its only or first occurrence, or the end of the
 * gap it falls into.
 */
function fireInstant(t: Naive, timeZone: string): number {
  const instants = instantsForLocal(partsOfNaive(t), timeZone);
  return instants[0] ?? gapEnd(t, timeZone);
}

/**
 * `after` lies in the second pass of a fall-back overlap whose first pass contains `first`:
 * returns the wall time at which the overlap ends (every wall time before it already fired).
 */
function overlapEnd(first: number, after: number, timeZone: string): Naive | null {
  const o1 = offsetAt(first, timeZone);
  if (offsetAt(after, timeZone) >= o1) return null;
  const transition = bisect(first, after, (x) => offsetAt(x, timeZone) !== o1);
  return transition + o1;
}

/**
 * True when the wall-clock reading of `epochMs` in `timeZone` satisfies every field of `cron`
 * (Quartz `isSatisfiedBy`; milliseconds ignored). Both readings of a repeated wall time match;
 * whether they fire is {@link nextCronFire}'s DST rule.
 */
export function cronMatches(cron: CompiledCron, epochMs: number, timeZone: string): boolean {
  const p = toLocalParts(Math.floor(epochMs / SECOND) * SECOND, timeZone);
  if (p.year < CRON_MIN_YEAR || p.year > CRON_MAX_YEAR || yearAllowed(cron, p.year) !== p.year) return false;
  if (cron.months[p.month] !== p.month || cron.hours[p.hour] !== p.hour) return false;
  if (cron.minutes[p.minute] !== p.minute || cron.seconds[p.second] !== p.second) return false;
  return (dayMask(cron, p.year, p.month) & (1 << (p.day - 1))) !== 0;
}

/**
 * The next fire instant of `cron` in `timeZone` strictly after `afterMs` (milliseconds are
 * truncated: fires are on whole seconds), or null when there is none up to year 2199.
 * Fixed-time schedules: a wall time in a spring-forward gap fires at the first instant after the
 * gap; a repeated wall time fires only at its first occurrence. Frequent schedules (minute or hour
 * field starting with `*`) follow real time: both passes of a repeated hour fire, gap times do not.
 *
 * @example
 * ```ts
 * nextCronFire(parseCron('0 30 2 * * ?'), Date.parse('2026-03-08T05:00:00Z'), 'America/New_York');
 * // → 2026-03-08T07:00:00Z (03:00 EDT: 02:30 does not exist that night)
 * ```
 * @throws ScheduleError for an unknown time zone or a non-finite `afterMs`.
 */
export function nextCronFire(cron: CompiledCron, afterMs: number, timeZone: string): number | null {
  if (!Number.isFinite(afterMs)) throw new ScheduleError(`nextCronFire: afterMs must be a finite number, got ${afterMs}`);
  const after = Math.floor(afterMs / SECOND) * SECOND;
  if (cron.realTime) return nextRealTimeFire(cron, after, timeZone);
  // Every wall time ≤ the reading of `after` already fired at or before `after` (see docs/architecture.md#schedules-and-time),
  // so the search starts one wall-clock second later.
  let start = naiveOf(after, timeZone) + SECOND;
  for (let i = 0; i < 1000; i++) {
    const t = nextLocalMatch(cron, start);
    if (t === null) return null;
    const fire = fireInstant(t, timeZone);
    if (fire > after) return fire;
    // `t` is a repeated wall time whose first occurrence is ≤ `after`: skip the rest of the overlap.
    const end = overlapEnd(fire, after, timeZone);
    start = end === null ? t + SECOND : Math.max(t + SECOND, end);
  }
  return null;
}

/** Longest fall-back overlap of any zone (1 h; Lord Howe's is 30 min), with margin. */
const OVERLAP_HORIZON = 2 * 3_600_000;

/** The first instant > `after` among the occurrences of the matching wall times from `start` on, or null. */
function firstInstantFrom(cron: CompiledCron, start: Naive, after: number, timeZone: string, until: Naive): number | null {
  let s = start;
  for (let i = 0; i < 100_000; i++) {
    const t = nextLocalMatch(cron, s);
    if (t === null || t > until) return null;
    // A wall time in a gap has no instant: it does not occur, so it does not fire.
    const later = instantsForLocal(partsOfNaive(t), timeZone).filter((x) => x > after);
    if (later.length) return Math.min(...later);
    s = t + SECOND;
  }
  return null;
}

/**
 * Real-time rule of a frequent schedule: the first instant after `after` whose wall-clock reading
 * matches. The wall clock goes back at a fall-back change, so the wall times it replays are
 * searched too when such a change comes within the next two hours.
 */
function nextRealTimeFire(cron: CompiledCron, after: number, timeZone: string): number | null {
  let best = firstInstantFrom(cron, naiveOf(after, timeZone) + SECOND, after, timeZone, Number.MAX_SAFE_INTEGER);
  const o = offsetAt(after, timeZone);
  const horizon = after + OVERLAP_HORIZON;
  if (offsetAt(horizon, timeZone) < o && (best === null || best > after)) {
    const change = bisect(after, horizon, (x) => offsetAt(x, timeZone) < o);
    if (best === null || change < best) {
      const replayed = firstInstantFrom(cron, naiveOf(change, timeZone), Math.max(after, change - SECOND), timeZone, naiveOf(change, timeZone) + o - offsetAt(change, timeZone));
      if (replayed !== null && (best === null || replayed < best)) best = replayed;
    }
  }
  return best;
}
