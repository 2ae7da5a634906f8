import type { Request, Response, Router } from 'express';
import type { Execution } from '@vecron/sdk';
import type { DashboardData } from '../data.js';
import { startOfLocalDay } from '../data.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { Kit } from '../kit.js';
import { str } from '../kit.js';
import { dailyFailures, durationChart, failureRateChart, runGrid } from '../views/charts.js';
import { barSpan, ganttChart, ganttTable, lastNight, parseLocalInput, toLocalInput } from '../views/timeline.js';
import type { GanttRow } from '../views/timeline.js';
import { calendarOf, groupByDay, localDays, upcomingDays } from '../views/upcoming.js';
import type { UpcomingDay, UpcomingFire } from '../views/upcoming.js';

/** Runs in the job page's grid and durations chart. */
export const GRID_RUNS = 50;
/** Periods the failure-rate chart offers, in days (the first is the default). */
export const FAILURE_PERIODS = [14, 30] as const;
/** At most this many runs are counted for the failure rate (the newest of the period). */
export const FAILURE_RUNS_CAP = 10_000;

/** The `?days=` of the job page: one of {@link FAILURE_PERIODS}, else the first. */
export function failurePeriodOf(req: Request): number {
  const n = Number(str(req.query.days));
  return (FAILURE_PERIODS as readonly number[]).includes(n) ? n : FAILURE_PERIODS[0];
}

/**
 * The job page's history card: grid of the last runs, their durations and the failure rate per
 * day. Two reads through the SDK (newest runs; the period's runs, capped), both on the
 * executions' (job_id, created_at) order.
 */
export async function jobHistorySection(kit: Kit, req: Request, res: Response, jobId: string): Promise<SafeHtml> {
  const v = kit.state(res).view;
  const scope = kit.scopeOf(res);
  const days = failurePeriodOf(req);
  const now = new Date();
  const [recent, period] = await Promise.all([
    kit.cron.executions.list({ jobId, ...scope, limit: GRID_RUNS }),
    kit.cron.executions.list({ jobId, ...scope, createdFrom: new Date(now.getTime() - (days + 1) * 24 * 3600_000), limit: FAILURE_RUNS_CAP }),
  ]);
  const counts = dailyFailures(period, days, kit.timeZone, now);
  const periodLink = (n: number): SafeHtml =>
    html`<a href="${v.url(`/jobs/${jobId}`, { days: n === FAILURE_PERIODS[0] ? undefined : n })}#history"${n === days ? html` aria-current="true"` : ''}>${v.t('history.days', { n })}</a>`;
  // Refreshed live: a run of this job that starts or ends redraws the card (see assets/dashboard.js).
  const live = v.url(`/fragments/jobs/${jobId}/history`, { days: days === FAILURE_PERIODS[0] ? undefined : days });
  return html`<section class="card" id="history" aria-labelledby="history-title" data-live="${live}" data-live-on="execution" data-live-job="${jobId}"><h2 id="history-title">${v.t('history.title')}</h2>
${runGrid(v, recent)}
<div class="cols">
<div><h3>${v.t('history.durations')}</h3>${durationChart(v, recent)}</div>
<div><h3>${v.t('history.failureRate')}</h3><nav class="tabs small" aria-label="${v.t('history.period')}">${FAILURE_PERIODS.map(periodLink)}</nav>${failureRateChart(v, counts, { cut: period.length >= FAILURE_RUNS_CAP ? FAILURE_RUNS_CAP : null })}</div>
</div>
</section>`;
}

/** At most this many job rows on the timeline. */
export const TIMELINE_MAX_JOBS = 200;
/** At most this many runs are read for the timeline (the newest of the window). */
export const TIMELINE_MAX_RUNS = 5_000;
/** The longest window the timeline draws, in days. */
export const TIMELINE_MAX_DAYS = 7;
/** A run created this long before the window may still be running in it. */
const TIMELINE_LOOKBACK_MS = 24 * 3600_000;

/** Enabled jobs the upcoming page reads (in name order), at most. */
export const UPCOMING_MAX_JOBS = 300;
/** Fires of one job the upcoming page lists, at most (explain's `n`). */
export const UPCOMING_FIRES_PER_JOB = 50;
/** Days the upcoming page offers. */
export const UPCOMING_DAYS = [1, 3, 7, 14, 31] as const;
/** Explain calls in flight at once. */
const EXPLAIN_PARALLEL = 8;

/** Runs `fn` over `items`, at most `parallel` at a time, keeping the order. */
async function mapPool<T, R>(items: T[], parallel: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return out;
}

/** The timeline (Gantt of a window across jobs) and the upcoming fires pages. */
export function historyRoutes(router: Router, kit: Kit, data: DashboardData): void {
  const { cron, state, need } = kit;

  router.get('/fragments/jobs/:id/history', async (req, res) => {
    need(res, 'execution:read');
    const job = await data.mustGetJob(req);
    await kit.send(req, res, await jobHistorySection(kit, req, res, job.id));
  });

  router.get('/timeline', async (req, res) => {
    need(res, 'execution:read');
    const v = state(res).view;
    const now = new Date();
    const night = lastNight(now, kit.timeZone);
    const askedFrom = parseLocalInput(str(req.query.from), kit.timeZone);
    const askedTo = parseLocalInput(str(req.query.to), kit.timeZone);
    const asked = askedFrom || askedTo;
    const good = askedFrom && askedTo && askedTo > askedFrom && askedTo.getTime() - askedFrom.getTime() <= TIMELINE_MAX_DAYS * 24 * 3600_000;
    const from = good ? askedFrom : night.from;
    const to = good ? askedTo : night.to;
    const listed = await cron.executions.list({ createdFrom: new Date(from.getTime() - TIMELINE_LOOKBACK_MS), createdTo: to, ...kit.scopeOf(res), limit: TIMELINE_MAX_RUNS + 1 });
    const runsCut = listed.length > TIMELINE_MAX_RUNS;
    const inWindow = listed.slice(0, TIMELINE_MAX_RUNS).filter((e) => barSpan(e, from, to, now) !== null);
    const byJob = new Map<string, Execution[]>();
    for (const e of [...inWindow].reverse()) byJob.set(e.jobId, [...(byJob.get(e.jobId) ?? []), e]);
    const names = await data.jobNames([...byJob.keys()].slice(0, TIMELINE_MAX_JOBS * 2));
    const allRows: GanttRow[] = [...byJob].map(([jobId, runs]) => ({ jobId, jobName: names.get(jobId) ?? jobId.slice(0, 8), runs }))
      .sort((a, b) => a.jobName.localeCompare(b.jobName));
    const rows = allRows.slice(0, TIMELINE_MAX_JOBS);
    const drawn = rows.reduce((a, r) => a + r.runs.length, 0);
    const summary = v.t('timeline.summary', { runs: drawn, jobs: rows.length, from: v.f.dateTime(from), to: v.f.dateTime(to) });
    const notes = [
      asked && !good ? html`<p class="flash flash-error" role="alert">${v.t('timeline.badRange', { days: TIMELINE_MAX_DAYS })}</p>` : '',
      allRows.length > TIMELINE_MAX_JOBS ? html`<p class="small muted" data-testid="jobs-cut">${v.t('timeline.jobsCut', { max: TIMELINE_MAX_JOBS })}</p>` : '',
      runsCut ? html`<p class="small muted" data-testid="runs-cut">${v.t('timeline.runsCut', { max: TIMELINE_MAX_RUNS })}</p>` : '',
    ];
    await kit.page(req, res, {
      title: v.t('timeline.title'), section: 'timeline', counters: await data.countersIfAllowed(res),
      body: html`<div class="page-head"><h1>${v.t('timeline.title')}</h1><span class="muted">${v.t('timeline.intro')}</span></div>
<form class="filters" method="get" action="${v.url('/timeline')}">
<label>${v.t('timeline.from')} <input type="datetime-local" name="from" value="${toLocalInput(from, kit.timeZone)}" data-testid="timeline-from"></label>
<label>${v.t('timeline.to')} <input type="datetime-local" name="to" value="${toLocalInput(to, kit.timeZone)}" data-testid="timeline-to"></label>
<button class="btn btn-plain" type="submit">${v.t('timeline.show')}</button>
<a class="btn btn-plain" href="${v.url('/timeline')}">${v.t('timeline.lastNight')}</a>
</form>
${notes}
<section class="card">${rows.length ? html`${ganttChart(v, { rows, from, to, now, summary })}${ganttTable(v, rows)}` : html`<p class="muted">${v.t('timeline.empty')}</p><p class="small muted">${summary}</p>`}</section>`,
    });
  });
}

/** The upcoming fires page: `/upcoming?days=7`. */
export function upcomingRoutes(router: Router, kit: Kit, data: DashboardData): void {
  const { cron, state, need } = kit;
  router.get('/upcoming', async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const asked = Number(str(req.query.days));
    const days = (UPCOMING_DAYS as readonly number[]).includes(asked) ? asked : 7;
    const now = new Date();
    const dates = localDays(now, days, kit.timeZone);
    const end = startOfLocalDay(dates[dates.length - 1]!, 1, kit.timeZone);
    // Disabled jobs have no upcoming fires; jobs without a schedule (or with scheduled triggers off) run only when triggered.
    const listed = await cron.jobs.list({ enabled: true, limit: UPCOMING_MAX_JOBS + 1 });
    const jobs = listed.slice(0, UPCOMING_MAX_JOBS).filter((j) => j.definition.schedule && j.definition.triggers.scheduled);
    const cutJobs: Array<{ id: string; name: string }> = [];
    const fires: UpcomingFire[] = (await mapPool(jobs, EXPLAIN_PARALLEL, async (job) => {
      const ex = await cron.explain(job.id, { from: now, n: UPCOMING_FIRES_PER_JOB }).catch((err: unknown) => {
        kit.onError(err, req);
        return null;
      });
      if (!ex) return [];
      const inRange = ex.entries.filter((e) => (e.runsAt ?? e.nominal) < end);
      const fired = ex.entries.filter((e) => e.outcome !== 'skipped').length;
      if (fired >= UPCOMING_FIRES_PER_JOB && inRange.length === ex.entries.length) cutJobs.push({ id: job.id, name: job.name });
      return inRange.map((entry) => ({ jobId: job.id, jobName: job.name, entry }));
    })).flat();
    // Holidays of the calendars the jobs use (weekends are not marked: they are every week).
    const holidays = new Map<string, UpcomingDay['holidays']>();
    const calendars = [...new Set(jobs.map((j) => calendarOf(j.definition.schedule)).filter((c): c is string => c !== null))].sort();
    await Promise.all(calendars.map(async (name) => {
      const cal = await cron.calendars.get(name).catch((err: unknown) => {
        kit.onError(err, req);
        return null;
      });
      if (!cal) return;
      for (const date of dates) {
        const day = cal.describeDay(date);
        if (!day.businessDay && day.kind !== 'weekend' && day.reason) holidays.set(date, [...(holidays.get(date) ?? []), { calendar: name, name: day.reason }]);
      }
    }));
    for (const list of holidays.values()) list.sort((a, b) => a.calendar.localeCompare(b.calendar));
    const grouped = groupByDay(fires, dates, kit.timeZone, holidays);
    const shown = grouped.reduce((a, d) => a + d.fires.filter((f) => f.entry.outcome !== 'skipped').length, 0);
    const dayLink = (n: number): SafeHtml => html`<a href="${v.url('/upcoming', { days: n })}"${n === days ? html` aria-current="page"` : ''}>${v.t('history.days', { n })}</a>`;
    await kit.page(req, res, {
      title: v.t('upcoming.title'), section: 'upcoming', counters: await data.countersIfAllowed(res),
      body: html`<div class="page-head"><h1>${v.t('upcoming.title')}</h1><span class="muted">${v.t('upcoming.intro')}</span></div>
<nav class="tabs" aria-label="${v.t('upcoming.days')}">${UPCOMING_DAYS.map(dayLink)}</nav>
<p class="muted" data-testid="upcoming-summary">${v.t('upcoming.summary', { fires: shown, jobs: jobs.length, days })}</p>
${listed.length > UPCOMING_MAX_JOBS ? html`<p class="small muted" data-testid="jobs-cut">${v.t('upcoming.jobsCut', { max: UPCOMING_MAX_JOBS })}</p>` : ''}
${cutJobs.length ? html`<ul class="small muted" data-testid="per-job-cut">${cutJobs.map((j) => html`<li><a href="${v.url(`/jobs/${j.id}`)}">${j.name}</a>: ${v.t('upcoming.perJobCut', { max: UPCOMING_FIRES_PER_JOB })}</li>`)}</ul>` : ''}
${upcomingDays(v, grouped)}`,
    });
  });
}
