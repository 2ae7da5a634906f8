import { computeDueFires } from '../schedule/index.js';
import type { DueSchedule, FireDecision } from '../storage/port.js';

/** Settings that shape fire decisions. */
export interface DecideSettings {
  defaultTimeZone: string;
  /** Most fires created per schedule per tick (fire_all). */
  maxFiresPerTick: number;
  /** A fire this late is still on time under every misfire policy. */
  misfireThresholdMs: number;
}

/**
 * Pure decision for one due schedule, made inside the claim transaction: which instants fire,
 * which are recorded as skipped (disabled, overlap) or missed (misfire policy), and the next due instant.
 */
export function decideFires(due: DueSchedule, now: Date, settings: DecideSettings): FireDecision {
  const def = due.definition;
  if (!def.schedule) return { fire: [], skip: [], nextFireAt: null };
  const due0 = computeDueFires({
    schedule: def.schedule,
    nextFireAt: due.nextFireAt.getTime(),
    now: now.getTime(),
    policy: def.misfire_policy,
    maxFires: settings.maxFiresPerTick,
    misfireThresholdMs: settings.misfireThresholdMs,
    defaultTimeZone: settings.defaultTimeZone,
    anchorMs: due.anchorAt.getTime(),
    lastFinishedAt: due.lastFinishedAt?.getTime() ?? null,
  });
  const nextFireAt = due0.nextFireAt === null ? null : new Date(due0.nextFireAt);
  const skip: FireDecision['skip'] = due0.missed.map((at) => ({ at: new Date(at), outcome: 'missed' as const, reason: `misfire_policy ${def.misfire_policy}` }));
  const fires = due0.fires.map((at) => new Date(at));

  if (!due.enabled || !def.triggers.scheduled) {
    const reason = !due.enabled ? 'disabled' : 'scheduled trigger off';
    return { fire: [], skip: [...skip, ...fires.map((at) => ({ at, outcome: 'skipped' as const, reason }))], nextFireAt };
  }
  if (!def.allow_concurrent) {
    // Never two open runs of a non-concurrent job: with one open, every fire is skipped;
    // otherwise only the latest due fire runs.
    const keep = due.hasOpenExecution ? [] : fires.slice(-1);
    const dropped = due.hasOpenExecution ? fires : fires.slice(0, -1);
    return { fire: keep, skip: [...skip, ...dropped.map((at) => ({ at, outcome: 'skipped' as const, reason: 'overlap' }))], nextFireAt: keepFixedDelay(def.schedule.type, keep, nextFireAt, due) };
  }
  return { fire: fires, skip, nextFireAt };
}

/** A fixed_delay schedule whose fire was skipped must stay due, or it would never fire again. */
function keepFixedDelay(type: string, kept: Date[], next: Date | null, due: DueSchedule): Date | null {
  if (type === 'fixed_delay' && kept.length === 0 && next === null) return due.nextFireAt;
  return next;
}
