/**
 * Next fire instant of any schedule type, and previews of the next n fires.
 */
import { ScheduleError } from '../errors/errors.js';
import { LruCache } from '../internal/lru-cache.js';
import { nextCronFire } from './cron/next-cron-fire.js';
import { parseCron } from './cron/parse-cron.js';
import type { CompiledCron, CronDialect } from './cron/parse-cron.js';
import type { ScheduleDefinition } from './schedule-schema.js';

import { DEFAULT_TIME_ZONE } from '../time/zoned.js';

/** What {@link nextFireAfter} needs besides the schedule. */
export interface NextFireContext {
  /** Zone of a cron schedule without `timezone`. */
  defaultTimeZone: string;
  /** Anchor of fixed_rate / fixed_delay without `start_at` (usually the job's creation time), epoch ms. */
  anchorMs?: number;
  /** When the previous run of a fixed_delay schedule finished, epoch ms; null/undefined: none finished yet. */
  lastFinishedAt?: number | null;
}

/** Parsed cron expressions kept (LRU): the scheduler asks for the same expressions over and over. */
const CRON_CACHE_SIZE = 256;
const cronCache = new LruCache<string, CompiledCron>(CRON_CACHE_SIZE);

/** The compiled form of `expression` in `dialect`; `parseCron` depends on nothing else. */
function compiled(expression: string, dialect: CronDialect | 'auto'): CompiledCron {
  const key = `${dialect}\u0000${expression}`;
  let c = cronCache.get(key);
  if (c === undefined) {
    c = parseCron(expression, { dialect });
    cronCache.set(key, c);
  }
  return c;
}

/**
 * Most memoised cron next fires kept (LRU, ~250 bytes each, so about 1 MB when full). A scheduler
 * tick asks for the same few (expression, zone, instant) triples once per schedule — thousands of
 * schedules share an expression and fire at the same second — so a few thousand entries cover
 * many distinct expressions per tick. A module-wide LRU rather than a per-tick cache: it needs no
 * plumbing through the pure schedule functions, also serves previews and the worker, and its
 * answers never go stale (they depend only on the key).
 */
export const CRON_FIRE_CACHE_SIZE = 4096;
const cronFireCache = new LruCache<string, number | null>(CRON_FIRE_CACHE_SIZE);

/**
 * `nextCronFire(parseCron(expression, { dialect }), afterMs, timeZone)`, memoised. That computation
 * is pure and depends on exactly these inputs: the dialect and the expression text (which decide the
 * fields, year field included), the zone name, and `afterMs` truncated to the second (`nextCronFire`
 * ignores milliseconds). Everything schedule-specific (`end_date`, `start_at`) is applied by the
 * caller on top. Errors (bad expression or zone) are not cached.
 */
function cachedNextCronFire(expression: string, dialect: CronDialect | 'auto', afterMs: number, timeZone: string): number | null {
  // The last answer first: a tick asks the same question once per due schedule in a row, and
  // comparing four values (the strings are usually the same objects) costs less than building the
  // key and moving the LRU entry.
  const second = Math.floor(afterMs / 1000);
  const l = lastCronFire;
  if (l !== null && l.second === second && l.expression === expression && l.timeZone === timeZone && l.dialect === dialect) return l.next;
  const next = lruNextCronFire(expression, dialect, afterMs, timeZone);
  lastCronFire = { expression, dialect, timeZone, second, next };
  return next;
}

/** The last answer of {@link cachedNextCronFire} and its inputs (`second`: `afterMs` truncated). */
let lastCronFire: { expression: string; dialect: CronDialect | 'auto'; timeZone: string; second: number; next: number | null } | null = null;

function lruNextCronFire(expression: string, dialect: CronDialect | 'auto', afterMs: number, timeZone: string): number | null {
  // U+0000 occurs in no second count, no dialect, no zone Intl accepts and no valid cron
  // expression, so two inputs that are ever cached never share a key (invalid ones throw first).
  const key = `${Math.floor(afterMs / 1000)}\u0000${timeZone}\u0000${dialect}\u0000${expression}`;
  const hit = cronFireCache.get(key);
  if (hit !== undefined) return hit;
  const next = nextCronFire(compiled(expression, dialect), afterMs, timeZone);
  cronFireCache.set(key, next);
  return next;
}

/** Entries in the cron next-fire memo (for tests of its bound). @internal */
export function cronFireCacheSize(): number {
  return cronFireCache.size;
}

function instant(iso: string, field: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new ScheduleError(`schedule ${field} is not a valid date-time: '${iso}'`);
  return ms;
}

function withinEnd(ms: number | null, endDate: string | null | undefined): number | null {
  if (ms === null || endDate === undefined || endDate === null) return ms;
  return ms <= instant(endDate, 'end_date') ? ms : null;
}

function anchorOf(schedule: { type: string; start_at?: string | undefined }, anchorMs: number | undefined): number {
  if (schedule.start_at !== undefined) return instant(schedule.start_at, 'start_at');
  if (anchorMs === undefined || !Number.isFinite(anchorMs)) {
    throw new ScheduleError(`a ${schedule.type} schedule without start_at needs an anchor (the job's creation time)`);
  }
  return anchorMs;
}

/** First `anchor + k × interval` (k ≥ 0) strictly after `afterMs`. */
function gridAfter(anchor: number, intervalMs: number, afterMs: number): number {
  if (afterMs < anchor) return anchor;
  return anchor + (Math.floor((afterMs - anchor) / intervalMs) + 1) * intervalMs;
}

/**
 * The first fire of `schedule` strictly after `afterMs`, or null when there is none.
 *
 * - `cron`: next matching instant in `timezone` (default `ctx.defaultTimeZone`) with the DST rule
 *   of {@link nextCronFire}; null past `end_date`.
 * - `fixed_rate`: the first `anchor + k × interval_seconds` after `afterMs` (anchor = `start_at`
 *   or `ctx.anchorMs`).
 * - `fixed_delay`: `lastFinishedAt + delay_seconds`; before any run finished, the first run at the
 *   anchor. Null while a run is pending (that instant is not after `afterMs`): the next fire is
 *   known only when the run finishes.
 * - `one_time`: `execute_at` if after `afterMs`, else null.
 *
 * @throws ScheduleError for an invalid expression or zone, or a fixed schedule without an anchor.
 */
export function nextFireAfter(schedule: ScheduleDefinition | null, afterMs: number, ctx: NextFireContext): number | null {
  if (schedule === null) return null;
  if (!Number.isFinite(afterMs)) throw new ScheduleError(`afterMs must be a finite number, got ${afterMs}`);
  switch (schedule.type) {
    case 'cron':
      return withinEnd(
        cachedNextCronFire(schedule.expression, schedule.dialect ?? 'auto', afterMs, schedule.timezone ?? ctx.defaultTimeZone),
        schedule.end_date,
      );
    case 'fixed_rate':
      return withinEnd(gridAfter(anchorOf(schedule, ctx.anchorMs), schedule.interval_seconds * 1000, afterMs), schedule.end_date);
    case 'fixed_delay': {
      const next = ctx.lastFinishedAt === undefined || ctx.lastFinishedAt === null
        ? anchorOf(schedule, ctx.anchorMs)
        : ctx.lastFinishedAt + schedule.delay_seconds * 1000;
      return withinEnd(next > afterMs ? next : null, schedule.end_date);
    }
    case 'one_time': {
      const at = instant(schedule.execute_at, 'execute_at');
      return at > afterMs ? at : null;
    }
    case 'business_day':
      throw new ScheduleError('a business_day schedule needs its calendar: use nextPlannedFire / planEvents');
  }
}

/** Options of {@link nextFireTimes}. */
export interface NextFireTimesOptions {
  /** Zone of a cron schedule without `timezone`. @default 'Asia/Ho_Chi_Minh' */
  timeZone?: string;
  /** Anchor of fixed_rate / fixed_delay without `start_at`. @default `from` */
  anchorMs?: number;
}

/** Largest `n` {@link nextFireTimes} accepts. */
export const MAX_PREVIEW_FIRES = 10_000;

/**
 * The next `n` fires strictly after `from`, for previews (dashboard, docs, CLI). A fixed_delay
 * schedule is previewed as if every run took no time (fires every `delay_seconds` from its anchor).
 *
 * @example
 * ```ts
 * nextFireTimes({ type: 'cron', expression: '0 0 2 ? * MON-FRI' }, new Date(), 5);
 * ```
 * @throws ScheduleError when `n` is not an integer in 0…10 000 or the schedule is invalid.
 */
export function nextFireTimes(
  schedule: ScheduleDefinition | null,
  from: Date | number,
  n: number,
  options: NextFireTimesOptions = {},
): Date[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW_FIRES) {
    throw new ScheduleError(`n must be an integer between 0 and ${MAX_PREVIEW_FIRES}, got ${n}`);
  }
  const start = typeof from === 'number' ? from : from.getTime();
  const ctx: NextFireContext = { defaultTimeZone: options.timeZone ?? DEFAULT_TIME_ZONE, anchorMs: options.anchorMs ?? start };
  const preview: ScheduleDefinition | null = schedule?.type === 'fixed_delay'
    ? { type: 'fixed_rate', interval_seconds: schedule.delay_seconds, start_at: schedule.start_at, end_date: schedule.end_date }
    : schedule;
  const out: Date[] = [];
  let t = start;
  while (out.length < n) {
    const next = nextFireAfter(preview, t, ctx);
    if (next === null) break;
    out.push(new Date(next));
    t = next;
  }
  return out;
}
