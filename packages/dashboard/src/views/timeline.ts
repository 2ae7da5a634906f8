import type { Execution } from '@vecron/sdk';
import { instantsForLocal, offsetAt, toLocalParts } from '@vecron/sdk/schedule';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { toneOf } from './charts.js';
import type { ViewContext } from './context.js';

/**
 * The timeline page (a Gantt of a window across jobs), drawn on the server as SVG: one row per
 * job, a bar per run from start to finish, an hour axis in the page's zone. See docs/architecture.md (dashboard).
 */

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const pad = (n: number): string => String(n).padStart(2, '0');

/** The instant of a local wall time in a zone; a time in a DST gap is read with the offset before the gap. */
export function localInstant(p: { year: number; month: number; day: number; hour: number; minute: number }, timeZone: string): Date {
  const local = { ...p, second: 0 };
  const exact = instantsForLocal(local, timeZone)[0];
  if (exact !== undefined) return new Date(exact);
  const naive = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return new Date(naive - offsetAt(naive - 86_400_000, timeZone));
}

/** A `datetime-local` value (`2026-12-06T20:00`) read in a zone, or null when malformed. */
export function parseLocalInput(text: string | undefined, timeZone: string): Date | null {
  const m = text ? LOCAL_INPUT.exec(text) : null;
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return null;
  return localInstant({ year, month, day, hour, minute }, timeZone);
}

/** An instant as a `datetime-local` value in a zone. */
export function toLocalInput(d: Date, timeZone: string): string {
  const p = toLocalParts(d.getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Last night in a zone: yesterday 20:00 to today 06:00 (today by the local date of `now`). */
export function lastNight(now: Date, timeZone: string): { from: Date; to: Date } {
  const p = toLocalParts(now.getTime(), timeZone);
  const y = new Date(Date.UTC(p.year, p.month - 1, p.day - 1));
  return {
    from: localInstant({ year: y.getUTCFullYear(), month: y.getUTCMonth() + 1, day: y.getUTCDate(), hour: 20, minute: 0 }, timeZone),
    to: localInstant({ year: p.year, month: p.month, day: p.day, hour: 6, minute: 0 }, timeZone),
  };
}

/** Axis ticks: local whole hours every `step` hours (1, 2, 3, 6, 12 or 24) so that at most `max` fit. */
export function hourTicks(from: Date, to: Date, timeZone: string, max = 24): Date[] {
  const hours = (to.getTime() - from.getTime()) / 3_600_000;
  const step = [1, 2, 3, 6, 12, 24].find((s) => hours / s <= max) ?? 24;
  const out: Date[] = [];
  // Whole-hour instants after `from` whose local hour is a multiple of the step.
  let t = Math.ceil(from.getTime() / 900_000) * 900_000;
  for (; t <= to.getTime(); t += 900_000) {
    const p = toLocalParts(t, timeZone);
    if (p.minute === 0 && p.hour % step === 0 && (out.length === 0 || t - out[out.length - 1]!.getTime() >= 3_600_000)) out.push(new Date(t));
  }
  return out;
}

/** One row of the Gantt: a job and its runs in the window. */
export interface GanttRow {
  jobId: string;
  jobName: string;
  runs: Execution[];
}

const WIDTH = 1000;
const LABEL = 210;
const ROW = 24;
const HEAD = 26;

/** A bar's left edge and width for a run, clipped to the window; null when it lies outside or never started. */
export function barSpan(e: Pick<Execution, 'startedAt' | 'finishedAt'>, from: Date, to: Date, now: Date): { x: number; width: number } | null {
  if (!e.startedAt) return null;
  const span = to.getTime() - from.getTime();
  const start = Math.max(e.startedAt.getTime(), from.getTime());
  const end = Math.min((e.finishedAt ?? now).getTime(), to.getTime());
  if (span <= 0 || end < from.getTime() || start > to.getTime()) return null;
  const area = WIDTH - LABEL - 10;
  const x = LABEL + ((start - from.getTime()) / span) * area;
  const width = Math.max(2, ((Math.max(end, start) - start) / span) * area);
  return { x: Math.round(x * 10) / 10, width: Math.round(Math.min(width, WIDTH - 10 - x) * 10) / 10 };
}

const short = (name: string, max = 30): string => (name.length > max ? `${name.slice(0, max - 1)}…` : name);

/** The Gantt: job names on the left (links), hour axis on top, one bar per run (links to the run). */
export function ganttChart(v: ViewContext, o: { rows: GanttRow[]; from: Date; to: Date; now: Date; summary: string }): SafeHtml {
  const height = HEAD + o.rows.length * ROW + 4;
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: v.f.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const ddmm = new Intl.DateTimeFormat('en-GB', { timeZone: v.f.timeZone, day: '2-digit', month: '2-digit' });
  const span = o.to.getTime() - o.from.getTime();
  const area = WIDTH - LABEL - 10;
  const ticks = hourTicks(o.from, o.to, v.f.timeZone).map((t) => {
    const x = Math.round((LABEL + ((t.getTime() - o.from.getTime()) / span) * area) * 10) / 10;
    const text = hhmm.format(t);
    const label = text === '00:00' ? ddmm.format(t) : text;
    return html`<line class="grid-line" x1="${x}" y1="${HEAD - 4}" x2="${x}" y2="${height}"></line><text class="hour" x="${x}" y="${HEAD - 8}" text-anchor="middle">${label}</text>`;
  });
  const rows = o.rows.map((row, i) => {
    const y = HEAD + i * ROW;
    const bars = row.runs.map((e) => {
      const b = barSpan(e, o.from, o.to, o.now);
      if (!b) return '';
      const label = v.t('timeline.bar', { job: row.jobName, status: v.t(`status.${e.status}`), start: v.f.dateTime(e.startedAt), end: e.finishedAt ? v.f.dateTime(e.finishedAt) : v.t('timeline.stillRunning') });
      return html`<a href="${v.url(`/executions/${e.id}`)}" aria-label="${label}" data-execution-id="${e.id}"><rect class="tone-${toneOf(e.status)}" x="${b.x}" y="${y + 4}" width="${b.width}" height="${ROW - 8}" rx="2"><title>${label}</title></rect></a>`;
    });
    return html`<g data-job-id="${row.jobId}"><line class="grid-line" x1="0" y1="${y + ROW}" x2="${WIDTH}" y2="${y + ROW}"></line><a href="${v.url(`/jobs/${row.jobId}`)}"><text x="4" y="${y + 16}">${short(row.jobName)}<title>${row.jobName}</title></text></a>${bars}</g>`;
  });
  return html`<figure class="gantt-wrap"><svg class="gantt" viewBox="0 0 ${WIDTH} ${height}" role="group" aria-label="${o.summary}" data-testid="gantt"><line class="axis" x1="${LABEL}" y1="${HEAD - 4}" x2="${WIDTH - 10}" y2="${HEAD - 4}"></line>${ticks}${rows}</svg><figcaption class="small muted">${o.summary}</figcaption></figure>`;
}

/** The runs of the Gantt as a table (the chart's text alternative), at most `max` rows. */
export function ganttTable(v: ViewContext, rows: GanttRow[], max = 500): SafeHtml {
  const all = rows.flatMap((r) => r.runs.map((e) => ({ r, e })));
  return html`<details><summary>${v.t('history.showTable')}</summary><table class="grid"><thead><tr><th>${v.t('history.colJob')}</th><th>${v.t('history.colStatus')}</th><th>${v.t('history.colStarted')}</th><th>${v.t('history.colFinished')}</th></tr></thead><tbody>
${all.slice(0, max).map(({ r, e }) => html`<tr><td><a href="${v.url(`/jobs/${r.jobId}`)}">${r.jobName}</a></td><td><a href="${v.url(`/executions/${e.id}`)}">${v.t(`status.${e.status}`)}</a></td><td>${v.f.dateTime(e.startedAt)}</td><td>${e.finishedAt ? v.f.dateTime(e.finishedAt) : v.t('timeline.stillRunning')}</td></tr>`)}
</tbody></table>${all.length > max ? html`<p class="small muted">${v.t('timeline.runsCut', { max })}</p>` : ''}</details>`;
}
