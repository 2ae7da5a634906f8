import type { Request, Response, Router } from 'express';
import type { Execution } from '@vecron/sdk';
import type { DashboardData } from '../data.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { Kit } from '../kit.js';
import { str } from '../kit.js';
import { dailyFailures, durationChart, failureRateChart, runGrid } from '../views/charts.js';
import { barSpan, ganttChart, ganttTable, lastNight, parseLocalInput, toLocalInput } from '../views/timeline.js';
import type { GanttRow } from '../views/timeline.js';

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
  return html`<section class="card" id="history" aria-labelledby="history-title"><h2 id="history-title">${v.t('history.title')}</h2>
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

/** The timeline (Gantt of a window across jobs) and the upcoming fires pages. */
export function historyRoutes(router: Router, kit: Kit, data: DashboardData): void {
  const { cron, state, need } = kit;

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
