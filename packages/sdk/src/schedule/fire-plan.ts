/**
 * The fire plan of a schedule with a business calendar: which nominal fires run, which move to
 * another day (shift rules) and which are skipped, each with a human-readable reason. Pure; the
 * scheduler, `explain` and backfill all read the same plan, so they never disagree.
 */
import type { BusinessCalendar } from '../calendar/calendar.js';
import { formatLocalDate } from '../calendar/local-date.js';
import { ScheduleError } from '../errors/errors.js';
import { instantsForLocal, toLocalParts } from '../time/zoned.js';
import { nextFireAfter } from './next-fire.js';
import type { NextFireContext } from './next-fire.js';
import type { BusinessDaySchedule, ScheduleDefinition } from './schedule-schema.js';

/** Context of the plan functions: the next-fire context plus a calendar lookup. */
export interface PlanContext extends NextFireContext {
  /** Resolves a calendar name (throws `NotFoundError` for an unknown one). */
  calendar?: (name: string) => BusinessCalendar;
}

/** One entry of the plan. */
export interface PlannedEvent {
  /** The instant the schedule nominally produced, epoch ms. */
  nominal: number;
  /** When the event happens: the (possibly shifted) fire instant, or `nominal` for a skip. */
  at: number;
  outcome: 'fire' | 'skip';
  /** Why it moved or was skipped (`null` for an ordinary fire). */
  reason: string | null;
}

const DAY = 86_400_000;
/** The farthest a shift rule moves a fire (Tết plus weekends stays well inside). */
const SHIFT_WINDOW = 20 * DAY;
/** Most nominal fires examined in one plan call. */
const MAX_RAW = 20_000;

/** True when the schedule's fires depend on a business calendar. */
export function usesCalendar(schedule: ScheduleDefinition | null): boolean {
  if (!schedule) return false;
  return schedule.type === 'business_day' || ((schedule.type === 'cron' || schedule.type === 'fixed_rate') && schedule.calendar !== undefined);
}

function zoneOf(schedule: ScheduleDefinition, ctx: PlanContext, cal: BusinessCalendar | null): string {
  if (schedule.type === 'cron' && schedule.timezone) return schedule.timezone;
  if (schedule.type === 'business_day') return schedule.timezone ?? cal?.timezone ?? ctx.defaultTimeZone;
  return cal?.timezone ?? ctx.defaultTimeZone;
}

function calendarOf(name: string, ctx: PlanContext): BusinessCalendar {
  if (!ctx.calendar) throw new ScheduleError(`schedule uses calendar "${name}" but no calendars are available`);
  return ctx.calendar(name);
}

/** The instant of local `date` at the wall time of `like` (first instant after a DST gap). */
function atSameWallTime(date: string, like: { hour: number; minute: number; second: number }, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const local = { year: y, month: m, day: d, hour: like.hour, minute: like.minute, second: like.second };
  const found = instantsForLocal(local, tz);
  if (found[0] !== undefined) return found[0];
  // Inside a spring-forward gap: the first instant after it (docs/architecture.md#schedules-and-time).
  for (let s = 1; s <= 3 * 3600; s++) {
    const probe = Date.UTC(y, m - 1, d, like.hour, like.minute, like.second) + s * 1000;
    const p = new Date(probe);
    const again = instantsForLocal({ year: p.getUTCFullYear(), month: p.getUTCMonth() + 1, day: p.getUTCDate(), hour: p.getUTCHours(), minute: p.getUTCMinutes(), second: p.getUTCSeconds() }, tz);
    if (again[0] !== undefined) return again[0];
  }
  throw new ScheduleError(`no instant for ${date} in ${tz}`);
}

function withinEnd(ms: number, endDate: string | null | undefined): boolean {
  return endDate === undefined || endDate === null || ms <= Date.parse(endDate);
}

/** Business-day schedule: every planned fire in [from, to]. */
function businessDayFires(s: BusinessDaySchedule, from: number, to: number, ctx: PlanContext): PlannedEvent[] {
  const cal = calendarOf(s.calendar, ctx);
  const tz = zoneOf(s, ctx, cal);
  const [hh, mm, ss] = s.time.split(':').map(Number) as [number, number, number | undefined];
  const start = toLocalParts(from - DAY, tz);
  const out: PlannedEvent[] = [];
  let year = start.year;
  let month = start.month;
  for (let i = 0; i < 12 * 200; i++) {
    if (!s.months || s.months.includes(month)) {
      const date = cal.nthBusinessDayOfMonth(year, month, s.day);
      if (date) {
        const at = atSameWallTime(date, { hour: hh, minute: mm, second: ss ?? 0 }, tz);
        if (at > to) break;
        if (at >= from && withinEnd(at, s.end_date)) out.push({ nominal: at, at, outcome: 'fire', reason: null });
      } else if (Date.UTC(year, month - 1, 1) > to + DAY) break;
    }
    if (Date.UTC(year, month - 1, 1) > to + 2 * DAY) break;
    month += 1;
    if (month === 13) {
      month = 1;
      year += 1;
    }
  }
  return out;
}

/**
 * Every plan event whose `at` lies in [from, to], ascending by `at`. Fires that a shift rule moves
 * onto an instant that already fires are merged: the moved one is recorded as a skip.
 *
 * @throws ScheduleError when a calendar-shifted schedule is too dense to plan (> 20 000 fires in the window).
 */
export function planEvents(schedule: ScheduleDefinition | null, from: number, to: number, ctx: PlanContext): PlannedEvent[] {
  if (!schedule || to < from) return [];
  if (schedule.type === 'business_day') return businessDayFires(schedule, from, to, ctx);
  if (!usesCalendar(schedule)) {
    const out: PlannedEvent[] = [];
    let t = nextFireAfter(schedule, from - 1, ctx);
    while (t !== null && t <= to) {
      if (out.length >= MAX_RAW) throw new ScheduleError(`more than ${MAX_RAW} fires in the requested range; narrow it`);
      out.push({ nominal: t, at: t, outcome: 'fire', reason: null });
      t = nextFireAfter(schedule, t, ctx);
    }
    return out;
  }
  const calName = (schedule as { calendar: string }).calendar;
  const rule = (schedule as { calendar_shift?: string }).calendar_shift ?? 'skip';
  const cal = calendarOf(calName, ctx);
  const tz = zoneOf(schedule, ctx, cal);
  const lo = rule === 'skip' ? from : from - SHIFT_WINDOW;
  const hi = rule === 'skip' ? to : to + SHIFT_WINDOW;
  const events: PlannedEvent[] = [];
  let raw = nextFireAfter(schedule, lo - 1, ctx);
  let count = 0;
  while (raw !== null && raw <= hi) {
    if (++count > MAX_RAW) throw new ScheduleError(`schedule is too dense for calendar shifting (over ${MAX_RAW} fires in ${Math.round((hi - lo) / DAY)} days)`);
    const local = toLocalParts(raw, tz);
    const date = formatLocalDate({ year: local.year, month: local.month, day: local.day });
    if (cal.isBusinessDay(date)) {
      events.push({ nominal: raw, at: raw, outcome: 'fire', reason: null });
    } else {
      const why = `calendar ${cal.name}: ${date} ${cal.holidayReason(date) ?? 'non-business day'}`;
      const target = rule === 'skip' ? null : cal.shift(date, rule as 'following');
      if (target === null) events.push({ nominal: raw, at: raw, outcome: 'skip', reason: why });
      else {
        const at = atSameWallTime(target, local, tz);
        events.push({ nominal: raw, at, outcome: 'fire', reason: `${why}, moved ${rule} to ${target}` });
      }
    }
    raw = nextFireAfter(schedule, raw, ctx);
  }
  // Merge fires that land on the same instant: the unmoved (or earliest nominal) one fires.
  events.sort((a, b) => a.at - b.at || (a.reason === null ? -1 : 0) - (b.reason === null ? -1 : 0) || a.nominal - b.nominal);
  const firing = new Map<number, PlannedEvent>();
  const out: PlannedEvent[] = [];
  for (const e of events) {
    if (e.outcome === 'fire') {
      const first = firing.get(e.at);
      if (first) {
        out.push({ nominal: e.nominal, at: e.nominal, outcome: 'skip', reason: `${e.reason ?? 'calendar'}, where it already runs` });
        continue;
      }
      firing.set(e.at, e);
    }
    out.push(e);
  }
  return out.filter((e) => e.at >= from && e.at <= to).sort((a, b) => a.at - b.at);
}

/** The first plan event strictly after `after` (a fire or a skip), or null when the schedule has ended. */
export function nextPlannedEvent(schedule: ScheduleDefinition | null, after: number, ctx: PlanContext): PlannedEvent | null {
  if (!schedule) return null;
  if (!usesCalendar(schedule)) {
    const t = nextFireAfter(schedule, after, ctx);
    return t === null ? null : { nominal: t, at: t, outcome: 'fire', reason: null };
  }
  let horizon = 2 * DAY;
  for (let i = 0; i < 12; i++) {
    const events = planEvents(schedule, after + 1, after + horizon, ctx);
    if (events[0]) return events[0];
    horizon *= 3; // up to ~1 000 years: a yearly schedule or a calendar that excludes a lot
    // No nominal fire left past what was scanned (less the shift window): the schedule has ended.
    if (schedule.type !== 'business_day' && i > 1 && nextFireAfter(schedule, after + horizon / 3 - SHIFT_WINDOW, ctx) === null) return null;
  }
  return null;
}

/** The next fire (skips passed over) strictly after `after`. */
export function nextPlannedFire(schedule: ScheduleDefinition | null, after: number, ctx: PlanContext): number | null {
  let t = after;
  for (let i = 0; i < 10_000; i++) {
    const e = nextPlannedEvent(schedule, t, ctx);
    if (!e) return null;
    if (e.outcome === 'fire') return e.at;
    t = e.at;
  }
  return null;
}
