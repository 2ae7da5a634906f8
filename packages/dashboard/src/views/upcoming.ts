import type { ExplainEntry, JobDefinition } from '@vecron/sdk';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { LOCALES } from '../i18n/index.js';
import { localDate } from './charts.js';
import { reasonText } from './components.js';
import type { ViewContext } from './context.js';

/**
 * The upcoming page: the next fires of every enabled job, day by day in the page's zone, from
 * the SDK's `explain` (calendar shifts and skips with their reasons), holidays of the calendars
 * the jobs use. See docs/architecture.md (dashboard).
 */

/** One fire (or skipped fire) of one job. */
export interface UpcomingFire {
  jobId: string;
  jobName: string;
  entry: ExplainEntry;
}

/** A day of the calendar with its fires (by time) and the holidays of the jobs' calendars. */
export interface UpcomingDay {
  /** `YYYY-MM-DD` in the page's zone. */
  date: string;
  fires: UpcomingFire[];
  holidays: Array<{ calendar: string; name: string }>;
}

/** When a fire shows on the calendar: when it runs (shifted or not), or its nominal time when skipped. */
export const fireTime = (e: ExplainEntry): Date => e.runsAt ?? e.nominal;

/** The `days` local dates starting today (by `now` in the zone), one step per calendar day. */
export function localDays(now: Date, days: number, timeZone: string): string[] {
  const [y, m, d] = localDate(now, timeZone).split('-').map(Number) as [number, number, number];
  return Array.from({ length: days }, (_, i) => new Date(Date.UTC(y, m - 1, d + i, 12)).toISOString().slice(0, 10));
}

/**
 * Puts fires on their local days (fires on other days are dropped), each day sorted by time then
 * job name; `holidays` maps a date to the holidays marked on it.
 */
export function groupByDay(fires: UpcomingFire[], dates: string[], timeZone: string, holidays: Map<string, UpcomingDay['holidays']> = new Map()): UpcomingDay[] {
  const days = dates.map((date): UpcomingDay => ({ date, fires: [], holidays: holidays.get(date) ?? [] }));
  const index = new Map(days.map((d) => [d.date, d]));
  for (const f of fires) index.get(localDate(fireTime(f.entry), timeZone))?.fires.push(f);
  for (const d of days) d.fires.sort((a, b) => fireTime(a.entry).getTime() - fireTime(b.entry).getTime() || a.jobName.localeCompare(b.jobName));
  return days;
}

/** The calendar a schedule names, if any. */
export function calendarOf(s: JobDefinition['schedule']): string | null {
  return s && 'calendar' in s && typeof s.calendar === 'string' ? s.calendar : null;
}

/** The days with their fires and holidays; shifted and skipped fires carry their reason. */
export function upcomingDays(v: ViewContext, days: UpcomingDay[]): SafeHtml {
  const heading = new Intl.DateTimeFormat(LOCALES[v.lang], { timeZone: 'UTC', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' });
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: v.f.timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return html`${days.map((d) => {
    const title = heading.format(new Date(`${d.date}T12:00:00Z`));
    const rows = d.fires.map(({ jobId, jobName, entry: e }) => {
      const at = fireTime(e);
      const moved = e.outcome === 'shifted' ? html`<div class="small muted">${v.t('upcoming.nominal', { time: v.f.dateTime(e.nominal) })}</div>` : '';
      return html`<tr class="o-${e.outcome}" data-job-id="${jobId}" data-outcome="${e.outcome}"><td><time datetime="${at.toISOString()}" title="${v.f.dateTime(at)} (${v.f.timeZone})">${hhmm.format(at)}</time>${moved}</td><td><a href="${v.url(`/jobs/${jobId}`)}">${jobName}</a></td><td><span class="pill o-${e.outcome}">${v.t(`outcome.${e.outcome}`)}</span></td><td class="small">${reasonText(v, e.reason)}</td></tr>`;
    });
    const holidays = d.holidays.map((h) => html`<span class="day-holiday" data-testid="holiday">${v.t('upcoming.holiday', { calendar: h.calendar, name: h.name })}</span> `);
    return html`<section class="card" data-date="${d.date}" aria-labelledby="day-${d.date}"><h2 id="day-${d.date}">${title}</h2>${holidays.length ? html`<p>${holidays}</p>` : ''}
${rows.length
  ? html`<table class="grid"><thead><tr><th>${v.t('upcoming.colTime')}</th><th>${v.t('history.colJob')}</th><th>${v.t('upcoming.colOutcome')}</th><th>${v.t('upcoming.colReason')}</th></tr></thead><tbody>${rows}</tbody></table>`
  : html`<p class="muted small">${v.t('upcoming.noFires')}</p>`}</section>`;
  })}`;
}
