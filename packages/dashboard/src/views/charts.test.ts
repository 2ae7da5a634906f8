import type { Execution, ExecutionStatus } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../format.js';
import { translator } from '../i18n/index.js';
import type { Lang } from '../i18n/index.js';
import { barChart, dailyFailures, durationChart, failureRateChart, localDate, runGrid, toneOf } from './charts.js';
import { urlBuilder } from './context.js';
import type { ViewContext } from './context.js';

const HOSTILE = '<script>alert(1)</script>';
const TZ = 'Asia/Ho_Chi_Minh';

const view = (lang: Lang = 'en'): ViewContext => {
  const t = translator(lang);
  return {
    base: '/dash', lang, t, f: createFormatter(lang, TZ, t), csrfToken: 'tok', readOnly: false, can: () => true, userName: null,
    showNoAuthBanner: false, currentPath: '/', defaultTimeZone: TZ, url: urlBuilder('/dash'),
  };
};

let seq = 0;
const run = (status: ExecutionStatus, startIso: string | null, ms: number | null, createdIso = startIso ?? '2026-12-01T00:00:00Z'): Execution => {
  const id = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
  const startedAt = startIso ? new Date(startIso) : null;
  return {
    id, jobId: '11111111-1111-4111-8111-111111111111', status, createdAt: new Date(createdIso), startedAt,
    finishedAt: startedAt && ms !== null ? new Date(startedAt.getTime() + ms) : null,
  } as unknown as Execution;
};

/** Heights of the `<rect>` bars, left to right. */
const heights = (svg: string): number[] => [...svg.matchAll(/<rect class="tone-\w+" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('barChart', () => {
  it('scales bars to the largest value, keeps the order and escapes summary and labels', () => {
    const svg = barChart({ bars: [{ value: 50, tone: 'ok', label: HOSTILE }, { value: 100, tone: 'bad', label: 'b' }, { value: 0, tone: 'idle', label: 'c' }], summary: `sum ${HOSTILE}`, width: 300, height: 102 }).value;
    expect(heights(svg)).toEqual([50, 100, 0]);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toMatch(/^<svg class="chart" viewBox="0 0 300 102"[^>]* role="img" aria-label="sum &lt;script&gt;/);
    expect(svg).toContain('<title>sum &lt;script&gt;');
    // three slots of 100 px each
    expect([...svg.matchAll(/x="([\d.]+)"/g)].map((m) => Number(m[1]))).toEqual([1, 101, 201]);
  });

  it('draws nothing above the axis for empty data, zero, negative or non-finite values; a tiny value stays visible', () => {
    expect(heights(barChart({ bars: [], summary: 'none' }).value)).toEqual([]);
    expect(barChart({ bars: [], summary: 'none' }).value).toContain('role="img"');
    expect(heights(barChart({ bars: [{ value: 0, tone: 'ok', label: '' }, { value: -5, tone: 'ok', label: '' }, { value: Number.NaN, tone: 'ok', label: '' }], summary: 's' }).value)).toEqual([0, 0, 0]);
    expect(heights(barChart({ bars: [{ value: 1, tone: 'ok', label: '' }, { value: 100_000, tone: 'ok', label: '' }], summary: 's', height: 102 }).value)).toEqual([1, 100]);
  });

  it('keeps a bar narrow when there are fewer bars than minSlots', () => {
    const svg = barChart({ bars: [{ value: 1, tone: 'ok', label: '' }], summary: 's', width: 200, minSlots: 20 }).value;
    expect(svg).toContain('x="1" y="2" width="8" height="118"');
  });

  it('scales to a fixed max when given (percentages)', () => {
    expect(heights(barChart({ bars: [{ value: 25, tone: 'bad', label: '' }], summary: 's', max: 100, height: 102 }).value)).toEqual([25]);
  });
});

describe('runGrid', () => {
  it('draws one linked cell per run, oldest first, with the status in colour, glyph and words', () => {
    const runs = [run('dead_letter', '2026-12-01T02:00:00Z', 2_500), run('running', '2026-12-01T01:00:00Z', null), run('success', '2026-12-01T00:00:00Z', 1_000), run('pending', null, null)];
    const out = runGrid(view(), runs).value;
    const cells = [...out.matchAll(/<a class="cell tone-(\w+)" href="([^"]+)" title="([^"]+)" aria-label="[^"]+" data-status="(\w+)">/g)];
    expect(cells.map((c) => c[4])).toEqual(['pending', 'success', 'running', 'dead_letter']);
    expect(cells.map((c) => c[1])).toEqual(['idle', 'ok', 'run', 'bad']);
    expect(cells[3]![2]).toBe(`/dash/executions/${runs[0]!.id}`);
    // Times in the page's zone (UTC+7) and durations in words.
    expect(cells[3]![3]).toBe('dead letter, started 01/12/2026, 09:00:00, took 2.50 s');
    expect(cells[2]![3]).toBe('running, started 01/12/2026, 08:00:00, not finished');
    expect(cells[0]![3]).toMatch(/^pending, created .*, not started$/);
    expect(out).toContain('aria-label="Last 4 runs, oldest first"');
  });

  it('says so when there is no run; speaks Vietnamese', () => {
    expect(runGrid(view(), []).value).toContain('No runs yet.');
    expect(runGrid(view('vi'), [run('failed', '2026-12-01T00:00:00Z', 61_000)]).value).toContain('thất bại, bắt đầu 07:00:00 01/12/2026, mất 1 phút 1 giây');
  });
});

describe('durationChart', () => {
  it('charts finished runs only, oldest first, with median and longest in the summary and a table fallback', () => {
    const runs = [run('failed', '2026-12-01T03:00:00Z', 4_000), run('running', '2026-12-01T02:00:00Z', null), run('success', '2026-12-01T01:00:00Z', 2_000), run('success', '2026-12-01T00:00:00Z', 1_000)];
    const out = durationChart(view(), runs).value;
    expect(heights(out).map((h) => Math.round(h))).toEqual([30, 59, 118]);
    expect(out).toContain('Durations of the last 3 finished runs: median 2.00 s, longest 4.00 s.');
    expect(out.match(/<tr><td><a href="\/dash\/executions\//g)?.length).toBe(3);
    expect(durationChart(view(), [run('pending', null, null)]).value).toContain('No finished runs yet.');
  });
});

describe('dailyFailures and failureRateChart', () => {
  const now = new Date('2026-12-07T10:00:00Z'); // 17:00 on 7 Dec in Ho Chi Minh City

  it('counts runs and failures (timeouts and dead letters too) per local day, oldest first, empty days included', () => {
    const runs = [
      run('success', null, null, '2026-12-07T01:00:00Z'),
      run('dead_letter', null, null, '2026-12-07T02:00:00Z'),
      run('timeout', null, null, '2026-12-06T18:00:00Z'), // 01:00 on 7 Dec locally
      run('failed', null, null, '2026-12-06T16:00:00Z'), // 23:00 on 6 Dec locally
      run('cancelled', null, null, '2026-12-05T05:00:00Z'),
      run('failed', null, null, '2026-11-01T05:00:00Z'), // outside the period
    ];
    const days = dailyFailures(runs, 3, TZ, now);
    expect(days).toEqual([
      { date: '2026-12-05', runs: 1, failed: 0 },
      { date: '2026-12-06', runs: 1, failed: 1 },
      { date: '2026-12-07', runs: 3, failed: 2 },
    ]);
    expect(dailyFailures([], 14, TZ, now)).toHaveLength(14);
    expect(localDate(new Date('2026-12-06T17:00:00Z'), TZ)).toBe('2026-12-07');
  });

  it('crosses a DST change without skipping or repeating a day', () => {
    const days = dailyFailures([], 3, 'Europe/Berlin', new Date('2026-03-30T12:00:00Z')).map((d) => d.date);
    expect(days).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
  });

  it('draws the rate per day as a percentage with a summary, the cut note and a table', () => {
    const out = failureRateChart(view(), [{ date: '2026-12-06', runs: 4, failed: 1 }, { date: '2026-12-07', runs: 0, failed: 0 }], { cut: 10_000 }).value;
    expect(heights(out)).toEqual([29.5, 0]);
    expect(out).toContain('Over the last 2 days 1 of 4 runs failed (25%)');
    expect(out).toContain('Counted from the newest 10000 runs of the period only.');
    expect(out).toContain('<tr><td>2026-12-06</td><td>4</td><td>1</td><td>25%</td></tr>');
    expect(out).toContain('<tr><td>2026-12-07</td><td>0</td><td>0</td><td>—</td></tr>');
    expect(failureRateChart(view('vi'), [{ date: '2026-12-06', runs: 3, failed: 1 }]).value).toContain('1 trên 3 lượt chạy thất bại (33,3');
  });

  it('tones: failures are bad, success ok, running run, the rest idle', () => {
    expect(['success', 'failed', 'timeout', 'dead_letter', 'running', 'cancelling', 'pending', 'cancelled'].map((s) => toneOf(s as ExecutionStatus))).toEqual(['ok', 'bad', 'bad', 'bad', 'run', 'run', 'idle', 'idle']);
  });
});
