import type { Execution, ExecutionStatus } from '@vecron/sdk';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { LOCALES } from '../i18n/index.js';
import type { ViewContext } from './context.js';

/**
 * History charts of the job page, drawn on the server as SVG (no chart library, no script):
 * the grid of the last runs, the durations bar chart and the daily failure rate. Each chart has a
 * text summary (`role="img"` with `<title>`) and a table fallback; see docs/architecture.md (dashboard).
 */

/** Statuses counted as failures: a dead letter is a run that failed for good. */
export const FAILURE_STATUSES: ExecutionStatus[] = ['failed', 'timeout', 'dead_letter'];

/** The four colours a status is drawn in (CSS classes `tone-*`, AA contrast on white). */
export type Tone = 'ok' | 'bad' | 'run' | 'idle';

/** The tone of an execution status: failures (dead letters and timeouts too) are `bad`. */
export function toneOf(status: ExecutionStatus): Tone {
  if (status === 'success') return 'ok';
  if ((FAILURE_STATUSES as readonly string[]).includes(status)) return 'bad';
  if (status === 'running' || status === 'cancelling') return 'run';
  return 'idle';
}

/** A glyph per tone, so a cell does not speak by colour alone. */
const GLYPHS: Record<Tone, string> = { ok: '✓', bad: '✕', run: '▸', idle: '·' };

/** Milliseconds a run took, or null while it has not both started and finished. */
export const durationOf = (e: Pick<Execution, 'startedAt' | 'finishedAt'>): number | null =>
  e.startedAt && e.finishedAt ? Math.max(0, e.finishedAt.getTime() - e.startedAt.getTime()) : null;

/** A number rounded to one decimal, for SVG coordinates. */
const r1 = (n: number): number => Math.round(n * 10) / 10;

/** One bar of {@link barChart}. */
export interface Bar {
  /** Height in data units (negative and non-finite values draw as 0). */
  value: number;
  tone: Tone;
  /** Text of the bar's tooltip (`<title>`). */
  label: string;
  /** A link for the bar. */
  href?: string;
}

/**
 * A bar chart as an SVG `role="img"`: bars scaled to the largest value (or `max`), left to right,
 * with the summary as `<title>` and `aria-label`. Empty data draws the frame only.
 */
export function barChart(o: { bars: Bar[]; summary: string; width?: number; height?: number; max?: number; minSlots?: number; testId?: string }): SafeHtml {
  const width = o.width ?? 600;
  const height = o.height ?? 120;
  const clean = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);
  const max = Math.max(clean(o.max ?? 0), ...o.bars.map((b) => clean(b.value)));
  // A few bars keep a bar's width (left-aligned) instead of filling the chart.
  const slots = Math.max(o.bars.length, o.minSlots ?? 0);
  const slot = slots ? width / slots : width;
  const gap = slot > 4 ? Math.min(2, slot / 4) : 0;
  const bars = o.bars.map((b, i) => {
    const h = max > 0 ? Math.max(clean(b.value) > 0 ? 1 : 0, (clean(b.value) / max) * (height - 2)) : 0;
    const rect = html`<rect class="tone-${b.tone}" x="${r1(i * slot + gap / 2)}" y="${r1(height - h)}" width="${r1(slot - gap)}" height="${r1(h)}"><title>${b.label}</title></rect>`;
    return rect;
  });
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${o.summary}"${o.testId ? html` data-testid="${o.testId}"` : ''}><title>${o.summary}</title><line class="axis" x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}"></line>${bars}</svg>`;
}

/** Median of a non-empty list. */
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** What the tooltip and the screen reader say about one run. */
function runLabel(v: ViewContext, e: Execution): string {
  const status = v.t(`status.${e.status}`);
  if (!e.startedAt) return v.t('history.cellNotStarted', { status, created: v.f.dateTime(e.createdAt) });
  const d = durationOf(e);
  return d === null
    ? v.t('history.cellRunning', { status, start: v.f.dateTime(e.startedAt) })
    : v.t('history.cell', { status, start: v.f.dateTime(e.startedAt), duration: v.f.duration(d) });
}

/**
 * The grid of the last runs (Airflow's grid idea): one cell per execution, oldest on the left,
 * coloured and marked by status, each a link to its execution with start and duration as tooltip.
 * `runs` come newest first, as the store lists them.
 */
export function runGrid(v: ViewContext, runs: Execution[], o: { compact?: boolean } = {}): SafeHtml {
  if (!runs.length) return html`<p class="muted small">${v.t('history.gridEmpty')}</p>`;
  const cells = [...runs].reverse().map((e) => {
    const tone = toneOf(e.status);
    const label = runLabel(v, e);
    // The compact strip of the jobs list stays out of the tab order (a page of 50 jobs would add
    // 1,000 stops); its runs are reachable from the job page's full grid and the executions list.
    return html`<li><a class="cell tone-${tone}" href="${v.url(`/executions/${e.id}`)}" title="${label}" aria-label="${label}" data-status="${e.status}"${o.compact ? html` tabindex="-1"` : ''}><span aria-hidden="true">${GLYPHS[tone]}</span></a></li>`;
  });
  return html`<ol class="run-grid${o.compact ? ' compact' : ''}" aria-label="${v.t('history.grid', { n: runs.length })}" data-testid="run-grid">${cells}</ol>`;
}

/** The durations of the last finished runs as bars (colour per status), with a table fallback. */
export function durationChart(v: ViewContext, runs: Execution[]): SafeHtml {
  const done = [...runs].reverse().filter((e) => durationOf(e) !== null);
  if (!done.length) return html`<p class="muted small">${v.t('history.durationsEmpty')}</p>`;
  const ms = done.map((e) => durationOf(e)!);
  const summary = v.t('history.durationsSummary', { n: done.length, median: v.f.duration(median(ms)), max: v.f.duration(Math.max(...ms)) });
  const chart = barChart({ bars: done.map((e, i) => ({ value: ms[i]!, tone: toneOf(e.status), label: runLabel(v, e) })), summary, minSlots: 20, testId: 'duration-chart' });
  return html`${chart}<p class="small muted">${summary}</p>
<details><summary>${v.t('history.showTable')}</summary><table class="grid"><thead><tr><th>${v.t('history.colStarted')}</th><th>${v.t('history.colStatus')}</th><th>${v.t('history.colDuration')}</th></tr></thead><tbody>
${done.map((e, i) => html`<tr><td><a href="${v.url(`/executions/${e.id}`)}">${v.f.dateTime(e.startedAt)}</a></td><td>${v.t(`status.${e.status}`)}</td><td>${v.f.duration(ms[i])}</td></tr>`)}
</tbody></table></details>`;
}

/** Runs and failures of one local day. */
export interface DayCount {
  /** `YYYY-MM-DD` in the page's zone. */
  date: string;
  runs: number;
  failed: number;
}

/** The local date (`YYYY-MM-DD`) of an instant in a zone. */
export function localDate(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/**
 * Counts runs and failures (failed, timeout, dead letter) per local day of their creation, for the
 * `days` days that end today, oldest first; days without runs are listed with 0.
 */
export function dailyFailures(runs: Array<Pick<Execution, 'status' | 'createdAt'>>, days: number, timeZone: string, now: Date): DayCount[] {
  const out: DayCount[] = [];
  const index = new Map<string, DayCount>();
  // Noon steps through the days: a local date is never skipped or repeated by a DST change.
  const today = localDate(now, timeZone);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  for (let i = days - 1; i >= 0; i--) {
    const date = new Date(Date.UTC(y, m - 1, d - i, 12)).toISOString().slice(0, 10);
    const c = { date, runs: 0, failed: 0 };
    out.push(c);
    index.set(date, c);
  }
  for (const e of runs) {
    const c = index.get(localDate(e.createdAt, timeZone));
    if (!c) continue;
    c.runs++;
    if ((FAILURE_STATUSES as readonly string[]).includes(e.status)) c.failed++;
  }
  return out;
}

/** The failure rate per day as bars (0–100 %), with a summary and a table fallback. */
export function failureRateChart(v: ViewContext, counts: DayCount[], o: { cut: number | null } = { cut: null }): SafeHtml {
  const pct = new Intl.NumberFormat(LOCALES[v.lang], { style: 'percent', maximumFractionDigits: 1 });
  const rate = (c: DayCount): number => (c.runs ? c.failed / c.runs : 0);
  const runs = counts.reduce((a, c) => a + c.runs, 0);
  const failed = counts.reduce((a, c) => a + c.failed, 0);
  const summary = v.t('history.failureSummary', { days: counts.length, failed, runs, rate: pct.format(runs ? failed / runs : 0) });
  const bars = counts.map((c) => ({
    value: rate(c) * 100, tone: (c.failed ? 'bad' : c.runs ? 'ok' : 'idle') as Tone,
    label: v.t('history.dayLabel', { date: c.date, failed: c.failed, runs: c.runs, rate: pct.format(rate(c)) }),
  }));
  return html`${barChart({ bars, summary, max: 100, testId: 'failure-chart' })}<p class="small muted">${summary}${o.cut !== null ? html` ${v.t('history.cut', { n: o.cut })}` : ''}</p>
<details><summary>${v.t('history.showTable')}</summary><table class="grid"><thead><tr><th>${v.t('history.colDay')}</th><th>${v.t('history.colRuns')}</th><th>${v.t('history.colFailed')}</th><th>${v.t('history.colRate')}</th></tr></thead><tbody>
${counts.map((c) => html`<tr><td>${c.date}</td><td>${c.runs}</td><td>${c.failed}</td><td>${c.runs ? pct.format(rate(c)) : '—'}</td></tr>`)}
</tbody></table></details>`;
}
