import type { Request, Response } from 'express';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { Kit } from '../kit.js';
import { str } from '../kit.js';
import { dailyFailures, durationChart, failureRateChart, runGrid } from '../views/charts.js';

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
