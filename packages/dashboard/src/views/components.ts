import { randomUUID } from 'node:crypto';
import type { ExecutionStatus, TriggerSource } from '@vecron/sdk';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { ViewContext } from './context.js';

/** A coloured status pill. */
export function statusBadge(v: ViewContext, status: ExecutionStatus): SafeHtml {
  return html`<span class="badge st-${status}" data-status="${status}">${v.t(`status.${status}`)}</span>`;
}

/** A step-attempt status pill. */
export function stepBadge(v: ViewContext, status: 'running' | 'succeeded' | 'failed' | 'abandoned' | 'skipped'): SafeHtml {
  const key = status === 'skipped' ? 'outcome.skipped' : (`stepStatus.${status}` as const);
  return html`<span class="badge ss-${status}" data-status="${status}">${v.t(key)}</span>`;
}

/** The trigger source in words. */
export function sourceLabel(v: ViewContext, source: TriggerSource): string {
  return v.t(`source.${source}`);
}

/**
 * A POST button: a real form (works without JavaScript: the server answers with a redirect)
 * that htmx submits in place, showing the answer in the flash area.
 */
export function actionButton(v: ViewContext, o: { path: string; label: string; kind?: 'primary' | 'danger' | 'plain'; fields?: Record<string, string>; confirm?: string; testId?: string; idempotent?: boolean }): SafeHtml {
  const action = v.url(o.path);
  // An action that starts something carries a key made when the page was drawn: a double click, a
  // resubmitted form or a retried request starts it once. The button is disabled while in flight.
  const fields = o.idempotent ? { ...o.fields, idempotency_key: randomUUID() } : (o.fields ?? {});
  return html`<form class="inline" method="post" action="${action}" hx-post="${action}" hx-target="#flash" hx-swap="innerHTML" hx-disabled-elt="find button"${o.confirm ? html` hx-confirm="${o.confirm}"` : ''}>
<input type="hidden" name="_csrf" value="${v.csrfToken}">${Object.entries(fields).map(([k, val]) => html`<input type="hidden" name="${k}" value="${val}">`)}
<button type="submit" class="btn btn-${o.kind ?? 'plain'}"${o.testId ? html` data-testid="${o.testId}"` : ''}>${o.label}</button></form>`;
}

/** A message in the flash area. */
export function flash(kind: 'ok' | 'error', message: string | SafeHtml): SafeHtml {
  return html`<div class="flash flash-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</div>`;
}

/** Newer / older links for offset pagination. */
export function pager(v: ViewContext, o: { path: string; query: Record<string, string | undefined>; page: number; hasMore: boolean; target?: string }): SafeHtml {
  const link = (page: number, label: string, rel: string): SafeHtml => {
    const href = v.url(o.path, { ...o.query, page: page > 1 ? page : undefined });
    return html`<a class="btn btn-plain" rel="${rel}" href="${href}">${label}</a>`;
  };
  if (o.page <= 1 && !o.hasMore) return html``;
  return html`<nav class="pager" aria-label="${v.t('pager.label')}">${o.page > 1 ? link(o.page - 1, v.t('executions.prev'), 'prev') : ''}
<span class="muted">${v.t('executions.page', { n: o.page })}</span>${o.hasMore ? link(o.page + 1, v.t('executions.next'), 'next') : ''}</nav>`;
}

/**
 * Keyset paging links: back to the newest rows, and on to older ones from the last row shown
 * (every page costs what the first does, however deep).
 */
export function cursorPager(v: ViewContext, o: { path: string; query: Record<string, string | undefined>; first: boolean; next: string | null }): SafeHtml {
  if (o.first && !o.next) return html``;
  return html`<nav class="pager" aria-label="${v.t('pager.label')}">${o.first ? '' : html`<a class="btn btn-plain" rel="first" href="${v.url(o.path, { ...o.query, after: undefined })}">${v.t('executions.newest')}</a>`}
${o.next ? html`<a class="btn btn-plain" rel="next" href="${v.url(o.path, { ...o.query, after: o.next })}">${v.t('executions.next')}</a>` : ''}</nav>`;
}

/** A short id for tables (first 8 characters), full id in the title. */
export function shortId(id: string): SafeHtml {
  return html`<code title="${id}">${id.slice(0, 8)}</code>`;
}

const REASONS = new Set(['disabled', 'paused', 'overlap', 'backfill', 'weekend', 'calendar']);
const SHIFTS = new Set(['following', 'preceding', 'modified_following', 'modified_preceding']);
/** The engine's calendar reasons: `calendar vn: 2026-12-12 weekend[, moved following to 2026-12-14][, where it already runs]`. */
const CALENDAR_REASON = /^calendar (\S+): (\d{4}-\d{2}-\d{2}) (.+?)(?:, moved (\w+) to (\d{4}-\d{2}-\d{2}))?(, where it already runs)?$/;

/**
 * A fire's reason in the UI language: the engine's words (`disabled`, `weekend`, calendar shifts)
 * translated; a holiday's own name (`Tết Nguyên Đán`) and other text kept as they are.
 */
export function reasonText(v: ViewContext, reason: string | null): string {
  if (!reason) return '';
  if (REASONS.has(reason)) return v.t(`reason.${reason}` as 'reason.disabled');
  const m = CALENDAR_REASON.exec(reason);
  if (!m) return reason;
  const [, calendar, date, why, rule, target, merged] = m;
  const day = why === 'non-business day' ? v.t('reason.calendar') : REASONS.has(why!) ? v.t(`reason.${why}` as 'reason.weekend') : why!;
  let text = v.t('reason.calendarDay', { calendar: calendar!, date: date!, why: day });
  if (rule && target && SHIFTS.has(rule)) text += `; ${v.t('reason.movedTo', { rule: v.t(`shift.${rule}` as 'shift.following'), date: target })}`;
  if (merged) text += `; ${v.t('reason.alreadyRuns')}`;
  return text;
}
