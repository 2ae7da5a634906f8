import { createHash } from 'node:crypto';
import { overlapPolicyOf } from '../model/job-definition.js';
import { computeDueFires, nextPlannedEvent, planEvents, usesCalendar } from '../schedule/index.js';
import type { PlanContext } from '../schedule/index.js';
import type { DueSchedule, FireDecision, FireSpec, PlannedFire } from '../storage/port.js';

/** Settings that shape fire decisions. */
export interface DecideSettings {
  defaultTimeZone: string;
  /** Most fires created per schedule per tick (fire_all). */
  maxFiresPerTick: number;
  /** A fire this late is still on time under every misfire policy. */
  misfireThresholdMs: number;
}

type Fire = { at: number; reason: string | null };
type Skip = FireDecision['skip'][number];
type CatchupPolicy = 'all' | 'last' | 'none';

/** The catch-up settings in force: the job's `catchup`, or its Quartz-style `misfire_policy`. */
function catchupOf(def: Readonly<FireSpec>, settings: DecideSettings): { policy: CatchupPolicy; max: number; windowMs: number | null; label: string } {
  if (def.catchup) {
    return { policy: def.catchup.policy, max: Math.min(def.catchup.max_catchup, settings.maxFiresPerTick), windowMs: def.catchup.window_seconds ? def.catchup.window_seconds * 1000 : null, label: `catchup ${def.catchup.policy}` };
  }
  const policy: CatchupPolicy = def.misfire_policy === 'fire_all' ? 'all' : def.misfire_policy === 'skip' ? 'none' : 'last';
  return { policy, max: settings.maxFiresPerTick, windowMs: null, label: `misfire_policy ${def.misfire_policy}` };
}

/** Deterministic jitter in [0, jitterMs): the same job and fire instant always get the same delay. */
export function jitterFor(jobId: string, at: number, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const h = createHash('sha256').update(`${jobId}|${at}`).digest();
  return h.readUInt32BE(0) % Math.floor(jitterMs);
}

/**
 * Pure decision for one due schedule, made inside the claim transaction: which instants fire,
 * which are recorded as skipped (calendar, disabled, paused, overlap) or missed (catch-up policy, downtime
 * beyond the window), and when the schedule is next due.
 */
export function decideFires(due: DueSchedule, now: Date, settings: DecideSettings, calendars?: PlanContext['calendar'], paused = false): FireDecision {
  const def = due.definition;
  const schedule = def.schedule;
  if (!schedule) return { fire: [], skip: [], nextFireAt: null };
  const nowMs = now.getTime();
  const ctx: PlanContext = {
    defaultTimeZone: settings.defaultTimeZone,
    anchorMs: due.anchorAt.getTime(),
    lastFinishedAt: due.lastFinishedAt?.getTime() ?? null,
    ...(calendars ? { calendar: calendars } : {}),
  };
  const catchup = catchupOf(def, settings);
  const planned = usesCalendar(schedule) ? calendarFires(schedule, due, nowMs, settings, ctx, catchup) : gridFires(schedule, due, nowMs, settings, ctx, catchup);
  const { skip, nextFireAt } = planned;
  const fires = withinWindow(planned.fires, skip, nowMs, catchup.windowMs);

  const skipAll = (reason: string): FireDecision => ({
    fire: [],
    skip: [...skip, ...fires.map((f) => ({ at: new Date(f.at), outcome: 'skipped' as const, reason }))],
    nextFireAt: toDate(keepFixedDelay(schedule.type, [], nextFireAt, due)),
  });
  if (!due.enabled) {
    // Nothing of a disabled job runs: what a policy would have dropped is not "missed" either.
    for (const x of skip) if (x.outcome === 'missed') Object.assign(x, { outcome: 'skipped', reason: 'disabled' });
    return skipAll('disabled');
  }
  if (paused) {
    // A cluster-wide pause: nothing runs, nothing counts as missed, the anchor stays.
    for (const x of skip) if (x.outcome === 'missed') Object.assign(x, { outcome: 'skipped', reason: 'paused' });
    return skipAll('paused');
  }
  if (!def.triggers.scheduled) return skipAll('scheduled trigger off');

  const { keep, cancelOpen } = overlapKeep(due, fires);
  const kept = new Set(keep.map((f) => f.at));
  for (const f of fires) if (!kept.has(f.at)) skip.push({ at: new Date(f.at), outcome: 'skipped', reason: 'overlap' });
  const jitterMs = (def.jitter_seconds ?? 0) * 1000;
  const fire: PlannedFire[] = keep.map((f) => ({
    at: new Date(f.at),
    availableAt: new Date(f.at + jitterFor(due.jobId, f.at, jitterMs)),
    reason: f.reason,
  }));
  return { fire, skip, nextFireAt: toDate(keepFixedDelay(schedule.type, keep, nextFireAt, due)), ...(cancelOpen ? { cancelOpen } : {}) };
}

type Schedule = NonNullable<FireSpec['schedule']>;
type Catchup = ReturnType<typeof catchupOf>;
type Planned = { fires: Fire[]; skip: Skip[]; nextFireAt: number | null };

/** The due fires of a schedule without a calendar (its fire grid), with what the catch-up policy misses. */
function gridFires(schedule: Schedule, due: DueSchedule, nowMs: number, settings: DecideSettings, ctx: PlanContext, catchup: Catchup): Planned {
  const policy = catchup.policy === 'all' ? 'fire_all' : catchup.policy === 'none' ? 'skip' : 'fire_once';
  const r = computeDueFires({
    schedule, nextFireAt: due.nextFireAt.getTime(), now: nowMs, policy, maxFires: catchup.max,
    misfireThresholdMs: settings.misfireThresholdMs, defaultTimeZone: ctx.defaultTimeZone, anchorMs: ctx.anchorMs, lastFinishedAt: ctx.lastFinishedAt,
  });
  const skip: Skip[] = r.missed.map((at) => ({ at: new Date(at), outcome: 'missed', reason: catchup.label }));
  return { fires: r.fires.map((at) => ({ at, reason: null })), skip, nextFireAt: r.nextFireAt };
}

/** The due fires of a calendar schedule: calendar skips, then on-time and late fires by the catch-up policy. */
function calendarFires(schedule: Schedule, due: DueSchedule, nowMs: number, settings: DecideSettings, ctx: PlanContext, catchup: Catchup): Planned {
  const skip: Skip[] = [];
  const events = planEvents(schedule, due.nextFireAt.getTime(), nowMs, ctx);
  for (const e of events) if (e.outcome === 'skip') skip.push({ at: new Date(e.at), outcome: 'skipped', reason: e.reason ?? 'calendar' });
  const due0 = events.filter((e) => e.outcome === 'fire').map((e) => ({ at: e.at, reason: e.reason }));
  const onTime = due0.filter((f) => nowMs - f.at <= settings.misfireThresholdMs);
  const late = due0.filter((f) => nowMs - f.at > settings.misfireThresholdMs);
  const chosenLate = catchup.policy === 'all' ? late : catchup.policy === 'last' && onTime.length === 0 ? late.slice(-1) : [];
  const fires = [...chosenLate, ...onTime].slice(-catchup.max);
  const kept = new Set(fires.map((f) => f.at));
  for (const f of due0) if (!kept.has(f.at)) skip.push({ at: new Date(f.at), outcome: 'missed', reason: catchup.label });
  return { fires, skip, nextFireAt: nextPlannedEvent(schedule, nowMs, ctx)?.at ?? null };
}

/** Downtime beyond the catch-up window: too old to run, whatever the policy (recorded as missed in `skip`). */
function withinWindow(fires: Fire[], skip: Skip[], nowMs: number, windowMs: number | null): Fire[] {
  if (windowMs === null) return fires;
  for (const f of fires.filter((x) => nowMs - x.at > windowMs)) skip.push({ at: new Date(f.at), outcome: 'missed', reason: `downtime beyond catchup window (${windowMs / 1000} s)` });
  return fires.filter((x) => nowMs - x.at <= windowMs);
}

/** The fires the job's overlap policy lets through given its open executions, and whether to cancel those. */
function overlapKeep(due: DueSchedule, fires: Fire[]): { keep: Fire[]; cancelOpen: boolean } {
  const open = due.pendingCount + due.runningCount;
  switch (overlapPolicyOf(due.definition)) {
    case 'forbid':
      return { keep: open > 0 ? [] : fires.slice(-1), cancelOpen: false };
    case 'queue_one':
      // At most one running and one waiting: a waiting one already there takes the slot.
      return { keep: due.pendingCount > 0 ? [] : due.runningCount > 0 ? fires.slice(-1) : fires.slice(-2), cancelOpen: false };
    case 'cancel_other': {
      const keep = fires.slice(-1);
      return { keep, cancelOpen: open > 0 && keep.length > 0 };
    }
    default: // 'allow', 'queue_all'
      return { keep: fires, cancelOpen: false };
  }
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** A fixed_delay schedule whose fire was not created must stay due, or it would never fire again. */
function keepFixedDelay(type: string, kept: unknown[], next: number | null, due: DueSchedule): number | null {
  if (type === 'fixed_delay' && kept.length === 0 && next === null) return due.nextFireAt.getTime();
  return next;
}
