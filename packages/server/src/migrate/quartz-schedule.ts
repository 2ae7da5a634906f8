/**
 * The schedule of one Quartz trigger (`cron`, `simple`, `calendar-interval`), its calendar and its
 * misfire instruction, as vecron schedule fields (the mapping is described in `quartz-xml.ts`).
 */
import { DEFAULT_TIME_ZONE } from '@vecron/sdk';
import type { QuartzReader, XmlNode } from './quartz-reader.js';

/** The trigger elements a `<trigger>` may hold (exactly one). */
export const TRIGGER_KINDS = ['cron', 'simple', 'calendar-interval'] as const;
/** One of {@link TRIGGER_KINDS}. */
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** A vecron schedule as JSON. */
export type ScheduleJson = Record<string, unknown>;

/** One trigger element, its XML path, and its start and end instants (already read, ISO). */
export interface TriggerTimes {
  t: XmlNode;
  at: string;
  startAt: string | undefined;
  endAt: string | undefined;
}

/** Quartz misfire instructions by trigger kind, and what each becomes. */
const MISFIRE: Record<TriggerKind, Record<string, { policy: Record<string, unknown>; why: string }>> = {
  cron: {
    MISFIRE_INSTRUCTION_SMART_POLICY: { policy: { misfire_policy: 'fire_once' }, why: 'Quartz\'s smart policy for a cron trigger is FIRE_ONCE_NOW: one run for the missed fires' },
    MISFIRE_INSTRUCTION_FIRE_ONCE_NOW: { policy: { misfire_policy: 'fire_once' }, why: 'one run for the missed fires' },
    MISFIRE_INSTRUCTION_DO_NOTHING: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped, the next regular fire runs' },
    MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY: { policy: { misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } }, why: 'every missed fire runs (at most 10,000 after a downtime)' },
  },
  simple: {
    MISFIRE_INSTRUCTION_SMART_POLICY: { policy: { misfire_policy: 'fire_once' }, why: 'Quartz\'s smart policy for a simple trigger runs the missed fire now; vecron keeps the original grid afterwards' },
    MISFIRE_INSTRUCTION_FIRE_NOW: { policy: { misfire_policy: 'fire_once' }, why: 'the missed fire runs now' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT: { policy: { misfire_policy: 'fire_once' }, why: 'one run now; vecron keeps the original grid (Quartz would restart the grid at now)' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_REMAINING_REPEAT_COUNT: { policy: { misfire_policy: 'fire_once' }, why: 'one run now; vecron keeps the original grid (Quartz would restart the grid at now)' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped, the next fire of the grid runs' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_EXISTING_COUNT: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped, the next fire of the grid runs' },
    MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY: { policy: { misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } }, why: 'every missed fire runs (at most 10,000 after a downtime)' },
  },
  'calendar-interval': {
    MISFIRE_INSTRUCTION_SMART_POLICY: { policy: { misfire_policy: 'fire_once' }, why: 'Quartz\'s smart policy for a calendar-interval trigger is FIRE_ONCE_NOW' },
    MISFIRE_INSTRUCTION_FIRE_ONCE_NOW: { policy: { misfire_policy: 'fire_once' }, why: 'one run for the missed fires' },
    MISFIRE_INSTRUCTION_DO_NOTHING: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped' },
    MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY: { policy: { misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } }, why: 'every missed fire runs (at most 10,000 after a downtime)' },
  },
};

const UNIT_SECONDS: Record<string, number> = { SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86_400, WEEK: 604_800 };

/** The trigger's schedule, or null when it cannot be mapped (the reason is reported). */
export function triggerSchedule(r: QuartzReader, kind: TriggerKind, x: TriggerTimes): ScheduleJson | null {
  if (kind === 'cron') return cronSchedule(r, x);
  if (kind === 'simple') return simpleSchedule(r, x);
  return calendarIntervalSchedule(r, x);
}

function cronSchedule(r: QuartzReader, { t, at, startAt, endAt }: TriggerTimes): ScheduleJson {
  const expression = r.text(t, 'cron-expression', at, true) ?? '';
  const tz = r.text(t, 'time-zone', at);
  const sched: ScheduleJson = { type: 'cron', expression, dialect: 'quartz', ...(tz ? { timezone: tz } : {}) };
  if (!tz) r.change(`${at}/time-zone`, `absent: Quartz used the JVM's default zone; vecron uses its default zone (${DEFAULT_TIME_ZONE} unless configured) — add "timezone" if the JVM ran elsewhere`);
  if (startAt) r.change(`${at}/start-time`, `${startAt}: a vecron cron schedule has no start; the job fires from import on. Import it disabled and enable it at that time if it must not fire before`);
  if (endAt) sched.end_date = endAt;
  return sched;
}

function simpleSchedule(r: QuartzReader, { t, at, startAt, endAt }: TriggerTimes): ScheduleJson | null {
  const count = r.int(t, 'repeat-count', at, true);
  const intervalMs = r.int(t, 'repeat-interval', at, true);
  if (count === undefined || intervalMs === undefined) return null;
  if (count === 0) {
    if (!startAt) {
      r.fail(`${at}/start-time`, 'a simple trigger that fires once needs start-time (vecron one_time schedules fire at a fixed instant)');
      return null;
    }
    r.change(`${at}/repeat-count`, '0: fires once at start-time → one_time schedule');
    return { type: 'one_time', execute_at: startAt };
  }
  if (intervalMs <= 0 || intervalMs % 1000 !== 0) {
    r.fail(`${at}/repeat-interval`, `${intervalMs} ms: vecron intervals are whole seconds (a positive multiple of 1000 ms)`);
    return null;
  }
  if (count < -1) {
    r.fail(`${at}/repeat-count`, `${count}: expected -1 (forever) or a count ≥ 0`);
    return null;
  }
  const sched: ScheduleJson = { type: 'fixed_rate', interval_seconds: intervalMs / 1000, ...(startAt ? { start_at: startAt } : {}) };
  if (count === -1) {
    if (endAt) sched.end_date = endAt;
  } else if (!startAt) {
    r.fail(`${at}/repeat-count`, `${count} repeats need start-time: vecron ends a schedule at an instant (end_date = start-time + repeat-count × repeat-interval)`);
  } else {
    const last = new Date(Date.parse(startAt) + count * intervalMs).toISOString();
    sched.end_date = endAt && Date.parse(endAt) < Date.parse(last) ? endAt : last;
    r.change(`${at}/repeat-count`, `${count}: ${count + 1} fires in all → end_date ${String(sched.end_date)}`);
  }
  return sched;
}

function calendarIntervalSchedule(r: QuartzReader, { t, at, startAt, endAt }: TriggerTimes): ScheduleJson | null {
  const n = r.int(t, 'repeat-interval', at, true);
  const unit = r.text(t, 'repeat-interval-unit', at) ?? 'DAY';
  if (n === undefined) return null;
  const secs = Object.hasOwn(UNIT_SECONDS, unit) ? UNIT_SECONDS[unit] : undefined;
  if (!secs) {
    r.fail(`${at}/repeat-interval-unit`, `${unit}: a calendar interval of months or years has no fixed length; write it as a cron trigger (e.g. 0 0 2 1 * ? for monthly)`);
    return null;
  }
  if (n <= 0) {
    r.fail(`${at}/repeat-interval`, `${n}: must be positive`);
    return null;
  }
  if (unit === 'DAY' || unit === 'WEEK') r.change(`${at}/repeat-interval-unit`, `${unit}: fixed_rate of ${n * secs} s; the same as Quartz in a zone without DST — across a DST change Quartz keeps the wall-clock time and fixed_rate the interval`);
  return { type: 'fixed_rate', interval_seconds: n * secs, ...(startAt ? { start_at: startAt } : {}), ...(endAt ? { end_date: endAt } : {}) };
}

/** Puts the trigger's `calendar-name` on its schedule (a one-time schedule takes none). */
export function applyCalendar(r: QuartzReader, sched: ScheduleJson | null, calendar: string | undefined, at: string): void {
  if (!sched || !calendar) return;
  if (sched.type === 'one_time') {
    r.fail(`${at}/calendar-name`, 'a one-time schedule has no calendar');
    return;
  }
  sched.calendar = calendar;
  r.change(`${at}/calendar-name`, `${calendar}: schedule.calendar "${calendar}" — define a vecron business calendar of that name (Quartz calendars are Java objects, not in this file)`);
}

/** The job fields (`misfire_policy`, `catchup`) of the trigger's `misfire-instruction`, if it has one. */
export function misfirePolicy(r: QuartzReader, kind: TriggerKind, t: XmlNode, at: string): Record<string, unknown> | undefined {
  const misfire = r.text(t, 'misfire-instruction', at);
  if (misfire === undefined) return undefined;
  const m = Object.hasOwn(MISFIRE[kind], misfire) ? MISFIRE[kind][misfire] : undefined;
  if (!m) {
    r.fail(`${at}/misfire-instruction`, `unknown for a ${kind} trigger: "${misfire}"; expected one of ${Object.keys(MISFIRE[kind]).join(', ')}`);
    return undefined;
  }
  r.change(`${at}/misfire-instruction`, `${misfire} → ${JSON.stringify(m.policy)}: ${m.why}`);
  return m.policy;
}
