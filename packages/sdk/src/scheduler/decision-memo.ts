import { overlapReadsOpenExecutions } from '../model/job-definition.js';
import type { DueSchedule, FireDecision, FireSpec } from '../storage/port.js';

/**
 * Fire decisions of one claim batch, shared by due schedules that get the same answer. At
 * midnight thousands of jobs on one cron expression are due at one instant, and `decideFires` is
 * a pure function of the same inputs for each of them (the batch's `now`, settings, calendars and
 * pause are fixed). The key is the spec object — the storage hands one object per distinct spec
 * (`DueSchedule.definition`) — and the row's inputs that the decision reads: the due instant,
 * enabled, the open counts, and for schedules other than cron the anchor and the last finish
 * (interval grids and `fixed_delay`). A schedule with jitter gets its own decision (the delay
 * depends on the job). The shared decision is read only.
 */
export interface DecisionMemo {
  /** The decision for `due`: a shared one when an equal row was decided in this batch, else `compute()`, kept. */
  decide(due: DueSchedule, compute: () => FireDecision): FireDecision;
}

/**
 * Definitions whose decision depends only on the definition, the due instant and `enabled` — the
 * memo's cron key with open counts that are always 0 — so the storage may decide them once for
 * every due schedule that shares those (`Storage.fireDueSchedules` `sharedDecision`): cron
 * schedules (interval grids and `fixed_delay` read the anchor and the last finish) without
 * jitter (the delay depends on the job) whose overlap policy never reads open executions.
 */
export function isSharedDecision(spec: Readonly<FireSpec>): boolean {
  return spec.schedule?.type === 'cron' && !spec.jitter_seconds && !overlapReadsOpenExecutions(spec);
}

/** A memo for one batch (never across batches: `now` changes). */
export function createDecisionMemo(): DecisionMemo {
  const bySpec = new WeakMap<object, Map<string, FireDecision>>();
  return {
    decide(due, compute) {
      const spec = due.definition;
      if (spec.jitter_seconds || !spec.schedule) return compute();
      const key = spec.schedule.type === 'cron'
        ? `${due.nextFireAt.getTime()}|${due.enabled}|${due.pendingCount}|${due.runningCount}`
        : `${due.nextFireAt.getTime()}|${due.enabled}|${due.pendingCount}|${due.runningCount}|${due.anchorAt.getTime()}|${due.lastFinishedAt?.getTime() ?? ''}`;
      let decisions = bySpec.get(spec);
      if (!decisions) {
        decisions = new Map();
        bySpec.set(spec, decisions);
      }
      let d = decisions.get(key);
      if (!d) {
        d = compute();
        decisions.set(key, d);
      }
      return d;
    },
  };
}
