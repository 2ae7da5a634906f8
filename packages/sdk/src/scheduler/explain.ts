import { overlapPolicyOf } from '../model/job-definition.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import { cronDialectOf, nextPlannedEvent } from '../schedule/index.js';
import type { PlanContext, PlannedEvent } from '../schedule/index.js';
import { offsetAt, toLocalParts } from '../time/zoned.js';
import { jitterFor } from './decide-fires.js';
import type { ExplainEntry, Explanation } from './scheduling-api.js';

/**
 * `explain` of the scheduling API: the next `n` fires of `job` from `from` (at most 1,000 skips
 * between them), in zone `tz`, with its policies and a text for people. Pure: the caller reads
 * the job, its zone and its plan context. See docs/architecture.md, "Schedules and time".
 */
export function explainJob(job: Job, tz: string, plan: PlanContext, from: Date, n: number): Explanation {
  const def = job.definition;
  const { entries, fires } = plannedEntries(job, plan, from.getTime(), n);
  const catchup = def.catchup ? `${def.catchup.policy} (max ${def.catchup.max_catchup}${def.catchup.window_seconds ? `, window ${def.catchup.window_seconds} s` : ''})` : `misfire_policy ${def.misfire_policy}`;
  const policies = { overlap: overlapPolicyOf(def), catchup, jitterSeconds: def.jitter_seconds ?? 0 };
  const header = [
    `job ${job.name} (${job.enabled ? 'enabled' : 'DISABLED: fires are recorded as skipped'})`,
    `schedule: ${describeSchedule(def.schedule, tz)}`,
    `overlap ${policies.overlap}; catch-up ${policies.catchup}${policies.jitterSeconds ? `; jitter < ${policies.jitterSeconds} s` : ''}`,
  ];
  const lines = entries.map((e) => {
    const when = describeInstant(e.nominal.getTime(), tz);
    if (e.outcome === 'fire') return `${when}  runs`;
    if (e.outcome === 'shifted') return `${when}  moved → runs ${describeInstant(e.runsAt!.getTime(), tz)}  (${e.reason})`;
    return `${when}  skipped  (${e.reason})`;
  });
  if (!def.schedule) lines.push('no schedule: manual and webhook triggers only');
  else if (fires < n) lines.push(`schedule ends after ${fires} more fire(s)`);
  return { job: { id: job.id, name: job.name, enabled: job.enabled }, timezone: tz, policies, entries, text: [...header, ...lines].join('\n') };
}

/** The schedule's events after `fromMs` until `n` fires (or `n` + 1,000 entries, or its end). */
function plannedEntries(job: Job, plan: PlanContext, fromMs: number, n: number): { entries: ExplainEntry[]; fires: number } {
  const def = job.definition;
  const entries: ExplainEntry[] = [];
  const jitterMs = (def.jitter_seconds ?? 0) * 1000;
  let t = fromMs;
  let fires = 0;
  while (fires < n && entries.length < n + 1_000) {
    const e: PlannedEvent | null = def.schedule ? nextPlannedEvent(def.schedule, t, plan) : null;
    if (!e) break;
    if (e.outcome === 'fire') {
      fires++;
      entries.push({
        nominal: new Date(e.nominal), runsAt: new Date(e.at), startsAt: new Date(e.at + jitterFor(job.id, e.at, jitterMs)),
        outcome: e.at === e.nominal ? 'fire' : 'shifted', reason: e.reason,
      });
    } else {
      entries.push({ nominal: new Date(e.nominal), runsAt: null, startsAt: null, outcome: 'skipped', reason: e.reason });
    }
    t = e.at;
  }
  return { entries, fires };
}

/** One line that says when a schedule fires, for people. */
export function describeSchedule(s: JobDefinition['schedule'], tz: string): string {
  if (!s) return 'none (manual and webhook only)';
  const until = 'end_date' in s && s.end_date ? `, until ${s.end_date}` : '';
  const cal = (s.type === 'cron' || s.type === 'fixed_rate') && s.calendar ? `, business days of calendar ${s.calendar} (${s.calendar_shift ?? 'skip'})` : '';
  switch (s.type) {
    case 'cron':
      return `cron "${s.expression}" (${cronDialectOf(s.expression, s.dialect)}) in ${tz}${cal}${until}`;
    case 'fixed_rate':
      return `every ${s.interval_seconds} s${s.start_at ? ` from ${s.start_at}` : ''}${cal}${until}`;
    case 'fixed_delay':
      return `${s.delay_seconds} s after each run finishes${until}`;
    case 'one_time':
      return `once at ${s.execute_at}`;
    case 'business_day': {
      const nth = s.day > 0 ? `business day ${s.day}` : s.day === -1 ? 'last business day' : `business day ${s.day} (from the end)`;
      return `${nth} of ${s.months ? `months ${s.months.join(', ')}` : 'every month'} at ${s.time} in ${tz}, calendar ${s.calendar}${until}`;
    }
  }
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function describeInstant(ms: number, tz: string): string {
  const p = toLocalParts(ms, tz);
  const off = offsetAt(ms, tz) / 60_000;
  const sign = off >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(off) / 60)).padStart(2, '0');
  const mm = String(Math.abs(off) % 60).padStart(2, '0');
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${WEEKDAY[p.weekday]} ${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} ${sign}${hh}:${mm}`;
}
