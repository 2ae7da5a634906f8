import type { Execution, Job } from '@vecron/sdk';
import { scheduleInWords } from '../format.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { runGrid } from './charts.js';
import { actionButton, pager, statusBadge } from './components.js';
import type { ViewContext } from './context.js';

/** One row of the jobs table. */
export interface JobRow {
  job: Job;
  nextFires: Date[];
  last: Execution | null;
  /** The newest runs (newest first) for the history strip; none drawn when absent. */
  recent?: Execution[];
}

/** The jobs list filter as it appears in the query string. */
export interface JobFilter {
  /** Part of the name, description or a tag. */
  q?: string;
  enabled?: 'true' | 'false';
}

/** The search and filter form of the jobs page. */
export function jobFilters(v: ViewContext, f: JobFilter): SafeHtml {
  const option = (value: string, label: string): SafeHtml => html`<option value="${value}"${(f.enabled ?? '') === value ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="${v.url('/')}" role="search">
<label>${v.t('jobs.search')} <input type="search" name="q" value="${f.q ?? ''}" placeholder="${v.t('jobs.searchPlaceholder')}" data-testid="job-search"></label>
<label>${v.t('jobs.filterEnabled')} <select name="enabled">${option('', v.t('jobs.anyState'))}${option('true', v.t('jobs.onlyEnabled'))}${option('false', v.t('jobs.onlyDisabled'))}</select></label>
<button class="btn btn-plain" type="submit">${v.t('jobs.apply')}</button>
</form>`;
}

/** Live counts shown under the header. `capped` marks a count that reached the query limit. */
export interface Counters {
  running: number;
  pending: number;
  success24h: number;
  failed24h: number;
  deadLetters: number;
  cap: number;
}

/** The counter strip (refreshed live). */
export function countersView(v: ViewContext, c: Counters): SafeHtml {
  const n = (x: number): string => (x >= c.cap ? `${c.cap}+` : String(x));
  const item = (key: 'counters.running' | 'counters.pending' | 'counters.success24h' | 'counters.failed24h' | 'counters.deadLetters', value: number, cls: string, href: string): SafeHtml =>
    html`<a class="counter ${cls}" href="${href}" data-testid="${key}"><span class="count">${n(value)}</span><span class="label">${v.t(key)}</span></a>`;
  return html`<section id="counters" class="counters" data-live="${v.url('/fragments/counters')}" data-live-on="execution">
${item('counters.running', c.running, 'c-running', v.url('/executions', { status: 'running' }))}
${item('counters.pending', c.pending, 'c-pending', v.url('/executions', { status: 'pending' }))}
${item('counters.success24h', c.success24h, 'c-success', v.url('/executions', { status: 'success' }))}
${item('counters.failed24h', c.failed24h, 'c-failed', v.url('/executions', { status: 'failed' }))}
${item('counters.deadLetters', c.deadLetters, c.deadLetters ? 'c-dead' : 'c-zero', v.url('/dead-letters'))}
</section>`;
}

/** The jobs table with schedule in words, next fires, last status and actions. */
export function jobsTable(v: ViewContext, rows: JobRow[], page: number, hasMore: boolean, filter: JobFilter = {}): SafeHtml {
  const actions = !v.readOnly && (v.can('job:execute') || v.can('job:write'));
  const body = rows.map(({ job, nextFires, last, recent }) => {
    const sched = scheduleInWords(job.definition.schedule, v.defaultTimeZone, v.f);
    return html`<tr data-job-id="${job.id}" data-job-name="${job.name}">
<td><a href="${v.url(`/jobs/${job.id}`)}" class="job-name">${job.name}</a>${job.definition.description ? html`<div class="muted small">${job.definition.description}</div>` : ''}</td>
<td>${sched.words}${sched.code ? html`<div><code class="small">${sched.code}</code>${sched.dialect ? html` <span class="muted small">${v.t('schedule.dialect', { dialect: sched.dialect })}</span>` : ''}</div>` : ''}</td>
<td class="small">${nextFires.length && job.enabled ? nextFires.map((d) => html`<div>${v.f.time(d)} <span class="muted">(${v.f.relative(d)})</span></div>`) : html`<span class="muted">${v.t('jobs.noNextFire')}</span>`}</td>
<td><span class="pill ${job.enabled ? 'pill-on' : 'pill-off'}" data-testid="enabled">${job.enabled ? v.t('jobs.on') : v.t('jobs.off')}</span></td>
<td>${last ? html`<a href="${v.url(`/executions/${last.id}`)}">${statusBadge(v, last.status)}</a> <span class="muted small">${v.f.time(last.createdAt, { relative: true })}</span>` : html`<span class="muted">${v.t('jobs.never')}</span>`}${recent && recent.length > 1 ? runGrid(v, recent, { compact: true }) : ''}</td>
${actions
  ? html`<td class="actions">${v.can('job:execute') && job.definition.triggers.manual ? actionButton(v, { path: `/jobs/${job.id}/run`, label: v.t('jobs.runNow'), kind: 'primary', testId: 'run-now', idempotent: true, confirm: v.t('jobs.confirmRun') }) : ''}
${v.can('job:write') ? (job.enabled ? actionButton(v, { path: `/jobs/${job.id}/disable`, label: v.t('jobs.disable'), testId: 'disable' }) : actionButton(v, { path: `/jobs/${job.id}/enable`, label: v.t('jobs.enable'), testId: 'enable' })) : ''}</td>`
  : ''}
</tr>`;
  });
  return html`<section id="jobs" data-live="${v.url('/fragments/jobs', { ...filter, page: page > 1 ? page : undefined })}" data-live-on="job,execution,schedule">
<table class="grid">
<thead><tr><th>${v.t('jobs.name')}</th><th>${v.t('jobs.schedule')}</th><th>${v.t('jobs.nextFires')}</th><th>${v.t('jobs.enabled')}</th><th>${v.t('jobs.lastStatus')}</th>${actions ? html`<th>${v.t('jobs.actions')}</th>` : ''}</tr></thead>
<tbody>${rows.length ? body : html`<tr><td colspan="6" class="empty">${filter.q || filter.enabled ? v.t('jobs.noMatch') : v.t('jobs.empty')}</td></tr>`}</tbody>
</table>
${pager(v, { path: '/', query: { ...filter }, page, hasMore })}
</section>`;
}
