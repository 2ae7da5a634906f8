import { EXECUTION_STATUSES } from '@vecron/sdk';
import type { Execution } from '@vecron/sdk';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { actionButton, cursorPager, shortId, sourceLabel, statusBadge } from './components.js';
import type { ViewContext } from './context.js';

/** Trigger sources offered in the filter. */
export const SOURCES = ['scheduled', 'manual', 'webhook', 'retry', 'replay', 'backfill'] as const;

/** The filter of the executions list as it appears in the query string. */
export interface ExecutionQuery {
  status?: string;
  /** A job id. */
  job?: string;
  /** The job name typed when it names no job (the list is then empty). */
  jobName?: string;
  source?: string;
  /** Dead letters: true lists the ones already replayed instead of the open ones. */
  replayed?: boolean;
  /** Created on or after this local date (`YYYY-MM-DD`, the dashboard's zone). */
  from?: string;
  /** Created on or before this local date. */
  to?: string;
  /** Keyset cursor: rows after this one (`<created_at ISO>_<id>`). */
  after?: string;
}

/** The query string of a filter (the cursor left out). */
export function filterParams(q: ExecutionQuery): Record<string, string | undefined> {
  return { status: q.status, job: q.job ?? q.jobName, source: q.source, replayed: q.replayed ? '1' : undefined, from: q.from, to: q.to };
}

/** What the executions table shows. */
export interface ExecutionsTableData {
  items: Execution[];
  /** Job id → name. */
  jobNames: Map<string, string>;
  query: ExecutionQuery;
  /** Cursor of the next (older) page, or null on the last one. */
  next: string | null;
  /** `list`: the executions page; `compact`: a panel (no pager); `dlq`: dead letters with replay. */
  mode: 'list' | 'compact' | 'dlq';
  /** Page the pager links to. */
  pagePath: string;
  /** Dead letters already replayed: id → the replay's id. */
  replayedBy?: Map<string, string>;
}

const durationOf = (e: Execution): number | null => (e.startedAt ? (e.finishedAt ?? new Date()).getTime() - e.startedAt.getTime() : null);

/** The executions table (refreshed live through `data-live`). */
export function executionsTable(v: ViewContext, d: ExecutionsTableData): SafeHtml {
  const dlq = d.mode === 'dlq';
  const canReplay = dlq && !v.readOnly && v.can('execution:replay');
  const liveQuery = { ...filterParams(d.query), after: d.query.after, mode: d.mode };
  const rows = d.items.map((e) => {
    const replayed = d.replayedBy?.get(e.id);
    return html`<tr data-execution-id="${e.id}" data-job-id="${e.jobId}" data-status="${e.status}">
<td><a href="${v.url(`/executions/${e.id}`)}">${shortId(e.id)}</a></td>
<td><a href="${v.url(`/jobs/${e.jobId}`)}">${d.jobNames.get(e.jobId) ?? e.jobId.slice(0, 8)}</a></td>
<td>${statusBadge(v, e.status)}${e.currentStep && !dlq && (e.status === 'running' || e.status === 'pending') ? html` <span class="muted small">${v.t('executions.step')}: ${e.currentStep}</span>` : ''}</td>
<td>${sourceLabel(v, e.triggerSource)}</td>
<td class="small">${v.f.time(e.createdAt)}</td>
<td class="small">${v.f.duration(durationOf(e))}</td>
${dlq
  ? html`<td class="small err">${e.error ? html`<code>${e.error.code}</code> ${e.error.message}` : ''}</td>
<td class="actions">${replayed
    ? html`<a href="${v.url(`/executions/${replayed}`)}">${v.t('source.replay')} ${shortId(replayed)}</a>`
    : canReplay && !d.query.replayed ? html`${actionButton(v, { path: `/executions/${e.id}/replay`, label: v.t('execution.replay'), kind: 'primary', testId: 'replay', idempotent: true, confirm: v.t('execution.confirmReplay') })}
${actionButton(v, { path: `/executions/${e.id}/discard`, label: v.t('deadLetters.discard'), kind: 'danger', testId: 'discard', confirm: v.t('deadLetters.confirmDiscard') })}` : ''}</td>`
  : ''}
</tr>`;
  });
  const cols = dlq ? 8 : 6;
  return html`<section id="executions" class="executions" data-live="${v.url('/fragments/executions', liveQuery)}" data-live-on="execution"${d.query.job ? html` data-live-job="${d.query.job}"` : ''}>
<table class="grid">
<thead><tr><th>${v.t('executions.id')}</th><th>${v.t('executions.job')}</th><th>${v.t('executions.status')}</th><th>${v.t('executions.source')}</th><th>${v.t('executions.created')}</th><th>${v.t('executions.duration')}</th>${dlq ? html`<th>${v.t('execution.error')}</th><th></th>` : ''}</tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="${cols}" class="empty">${dlq ? v.t('deadLetters.empty') : v.t('executions.empty')}</td></tr>`}</tbody>
</table>
${d.mode === 'compact' ? '' : cursorPager(v, { path: d.pagePath, query: filterParams(d.query), first: !d.query.after, next: d.next })}
</section>`;
}

/** The `<option>`s of the job typeahead (a `<datalist>`): job names. */
export function jobOptions(jobs: Array<{ id: string; name: string }>): SafeHtml {
  return html`${jobs.map((j) => html`<option value="${j.name}" data-job-id="${j.id}"></option>`)}`;
}

/**
 * The filter form of the executions page. The job is typed (a typeahead searches the store as
 * one types), so any of any number of jobs can be chosen, and the chosen one stays in the form
 * when another filter changes.
 */
export function executionFilters(v: ViewContext, q: ExecutionQuery, chosen: { id: string; name: string } | null): SafeHtml {
  const option = (value: string, label: string, selected: boolean): SafeHtml => html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  const jobText = chosen?.name ?? q.jobName ?? '';
  return html`<form class="filters" method="get" action="${v.url('/executions')}">
<label>${v.t('executions.status')} <select name="status">${option('', v.t('executions.any'), !q.status)}${EXECUTION_STATUSES.map((s) => option(s, v.t(`status.${s}`), q.status === s))}</select></label>
<label>${v.t('executions.job')} <input type="search" name="job" value="${jobText}" list="job-options" autocomplete="off" placeholder="${v.t('executions.jobPlaceholder')}" data-testid="job-filter"
 hx-get="${v.url('/fragments/job-options')}" hx-trigger="input changed delay:250ms, focus once" hx-target="#job-options" hx-swap="innerHTML" hx-sync="this:replace"></label>
<datalist id="job-options">${chosen ? jobOptions([chosen]) : ''}</datalist>
<label>${v.t('executions.source')} <select name="source">${option('', v.t('executions.any'), !q.source)}${SOURCES.map((s) => option(s, v.t(`source.${s}`), q.source === s))}</select></label>
<label>${v.t('executions.from')} <input type="date" name="from" value="${q.from ?? ''}" data-testid="from"></label>
<label>${v.t('executions.to')} <input type="date" name="to" value="${q.to ?? ''}" data-testid="to"></label>
<input type="hidden" name="lang" value="${v.lang}">
<button class="btn btn-plain" type="submit">${v.t('executions.filter')}</button>
</form>`;
}

/**
 * The dead-letter filter (job) and the bulk actions on what it shows: replay or discard every open
 * dead letter of the filter (at most `max` per click), each after a confirmation.
 */
export function deadLetterTools(v: ViewContext, q: ExecutionQuery, chosen: { id: string; name: string } | null, max: number): SafeHtml {
  const job = chosen?.name ?? q.jobName ?? '';
  const bulk = !q.replayed && !v.readOnly && v.can('execution:replay');
  const fields = { job: q.job ?? '' };
  return html`<form class="filters" method="get" action="${v.url('/dead-letters')}">
<label>${v.t('executions.job')} <input type="search" name="job" value="${job}" list="job-options" autocomplete="off" placeholder="${v.t('executions.jobPlaceholder')}" data-testid="job-filter"
 hx-get="${v.url('/fragments/job-options')}" hx-trigger="input changed delay:250ms, focus once" hx-target="#job-options" hx-swap="innerHTML" hx-sync="this:replace"></label>
<datalist id="job-options">${chosen ? jobOptions([chosen]) : ''}</datalist>
${q.replayed ? html`<input type="hidden" name="replayed" value="1">` : ''}
<button class="btn btn-plain" type="submit">${v.t('executions.filter')}</button>
</form>
${bulk ? html`<div class="row bulk">${actionButton(v, { path: '/dead-letters/replay', label: v.t('deadLetters.replayAll', { max }), kind: 'primary', fields, testId: 'replay-all', idempotent: true, confirm: v.t('deadLetters.confirmReplayAll') })}
${actionButton(v, { path: '/dead-letters/discard', label: v.t('deadLetters.discardAll', { max }), kind: 'danger', fields, testId: 'discard-all', confirm: v.t('deadLetters.confirmDiscardAll') })}</div>` : ''}`;
}
