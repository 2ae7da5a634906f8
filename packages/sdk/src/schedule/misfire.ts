/**
 * Misfire handling: which fires to create when the stored next fire of a schedule is already in
 * the past (the scheduler was down or late). Pure: time comes in as `now`.
 */
import { nextFireAfter } from './next-fire.js';
import type { NextFireContext } from './next-fire.js';
import type { MisfirePolicy, ScheduleDefinition } from './schedule-schema.js';

/** Input of {@link computeDueFires}. */
export interface DueFiresInput extends NextFireContext {
  schedule: ScheduleDefinition | null;
  /** The stored next fire (epoch ms); nothing is due when it is null or after `now`. */
  nextFireAt: number | null;
  /** Current time, epoch ms. */
  now: number;
  policy: MisfirePolicy;
  /** Most fires created in one call (fire_all; on-time fires count too). @default 100 */
  maxFires?: number;
  /**
   * A fire at most this late is not a misfire and runs under every policy, like Quartz's
   * `misfireThreshold`. @default 60_000
   */
  misfireThresholdMs?: number;
  /** Most missed instants listed in `missed`. @default 1000 */
  maxMissedRecorded?: number;
}

/** Result of {@link computeDueFires}. */
export interface DueFires {
  /** Instants to create executions for, ascending. */
  fires: number[];
  /** Due instants that will not run, ascending (for the record; bounded by `maxMissedRecorded`). */
  missed: number[];
  /** True when more instants were due than could be listed (a long outage of a dense schedule). */
  truncated: boolean;
  /**
   * First fire strictly after `now`, to store as the schedule's next fire. For fixed_delay it is
   * null when a fire was created: the next one follows from that run's finish.
   */
  nextFireAt: number | null;
}

/** Due instants in [first, now], at most `cap` of them; `complete` false when more exist. */
function dueFrom(
  schedule: ScheduleDefinition, first: number, now: number, cap: number, ctx: NextFireContext,
): { list: number[]; complete: boolean } {
  const list: number[] = [];
  let t: number | null = first;
  while (t !== null && t <= now) {
    if (list.length >= cap) return { list, complete: false };
    list.push(t);
    t = nextFireAfter(schedule, t, ctx);
  }
  return { list, complete: true };
}

/** The latest (up to `count`) due instants in (notBefore, now], found by widening a window back from `now`. */
function latestDue(schedule: ScheduleDefinition, notBefore: number, now: number, count: number, ctx: NextFireContext): number[] {
  const cap = 4 * count;
  const scan = (width: number): { list: number[]; complete: boolean; reachedStart: boolean } => {
    const lo = Math.max(notBefore, now - width);
    const first = nextFireAfter(schedule, lo, ctx);
    const found = first === null ? { list: [], complete: true } : dueFrom(schedule, first, now, cap, ctx);
    return { ...found, reachedStart: lo === notBefore };
  };
  let good: number[] = [];
  let goodWidth = 0;
  for (let width = 1000; ; width *= 2) {
    const r = scan(width);
    if (r.complete) {
      good = r.list;
      goodWidth = width;
      if (good.length >= count || r.reachedStart) return good.slice(-count);
      continue;
    }
    // Too many in this window: narrow down between the last window that fitted and this one.
    let lo = goodWidth;
    let hi = width;
    for (let i = 0; i < 40 && hi - lo > 1; i++) {
      const mid = Math.floor((lo + hi) / 2);
      const m = scan(mid);
      if (!m.complete) hi = mid;
      else {
        lo = mid;
        good = m.list;
        if (good.length >= count) break;
      }
    }
    return good.slice(-count);
  }
}

/**
 * Decides which fires to create for a schedule whose stored `nextFireAt` is ≤ `now`.
 *
 * A due instant at most `misfireThresholdMs` late is on time, not a misfire (Quartz
 * `misfireThreshold`): it fires under every policy. For the instants later than that:
 * - `fire_once`: when no instant is on time, one execution for the **latest** late instant (Quartz
 *   `MISFIRE_INSTRUCTION_FIRE_ONCE_NOW`: the run stands for everything missed); the rest are missed.
 * - `skip`: none of them fire; they are recorded as missed.
 * - `fire_all`: every due instant fires, but at most `maxFires` — the latest ones, so the most
 *   recent fire is never dropped; the earlier overflow is missed.
 *
 * A scheduler that comes back after an outage never floods the queue under `fire_once` / `skip`. fixed_delay has one pending fire at a time; after a skip its
 * next fire continues the `delay_seconds` grid from the missed instant.
 */
export function computeDueFires(input: DueFiresInput): DueFires {
  const { schedule, nextFireAt, now, policy } = input;
  const maxFires = Math.max(1, Math.floor(input.maxFires ?? 100));
  const threshold = input.misfireThresholdMs ?? 60_000;
  const maxMissed = Math.max(0, Math.floor(input.maxMissedRecorded ?? 1000));
  const ctx: NextFireContext = { defaultTimeZone: input.defaultTimeZone, anchorMs: input.anchorMs, lastFinishedAt: input.lastFinishedAt };
  if (schedule === null || nextFireAt === null) return { fires: [], missed: [], truncated: false, nextFireAt: null };
  if (nextFireAt > now) return { fires: [], missed: [], truncated: false, nextFireAt };

  let due: number[];
  let truncated = false;
  if (schedule.type === 'fixed_delay' || schedule.type === 'one_time') {
    due = [nextFireAt];
  } else {
    const head = dueFrom(schedule, nextFireAt, now, maxFires + maxMissed, ctx);
    due = head.list;
    if (!head.complete) {
      truncated = true;
      const last = head.list[head.list.length - 1] ?? nextFireAt;
      const tail = latestDue(schedule, last, now, maxFires, ctx);
      // Keep the head's earliest instants for the record and the latest ones to fire.
      due = [...head.list.slice(0, maxMissed), ...tail.filter((t) => t > last)];
      if (due.length === 0) due = head.list;
    }
  }

  // Instants at most `threshold` late are on time, not misfires: they run under every policy
  // (a scheduler that polls every second sees two due instants of a per-second schedule).
  const onTime = due.filter((t) => now - t <= threshold);
  const late = due.filter((t) => now - t > threshold);
  let chosen: number[];
  switch (policy) {
    case 'fire_all': chosen = due; break;
    case 'skip': chosen = onTime; break;
    case 'fire_once': chosen = onTime.length > 0 ? onTime : late.slice(-1); break;
  }
  const fires = chosen.slice(-maxFires);
  const fired = new Set(fires);
  const allMissed = due.filter((t) => !fired.has(t));
  if (allMissed.length > maxMissed) truncated = true;
  const missed = allMissed.slice(0, maxMissed);

  let next: number | null;
  if (schedule.type === 'fixed_delay') {
    next = fires.length > 0
      ? null
      : nextFireAfter({ type: 'fixed_rate', interval_seconds: schedule.delay_seconds, start_at: undefined, end_date: schedule.end_date }, now, {
        ...ctx, anchorMs: nextFireAt,
      });
  } else {
    next = nextFireAfter(schedule, now, ctx);
  }
  return { fires, missed, truncated, nextFireAt: next };
}
