import type { Execution, ExecutionStatus } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../format.js';
import { translator } from '../i18n/index.js';
import { urlBuilder } from './context.js';
import type { ViewContext } from './context.js';
import { barSpan, ganttChart, ganttTable, hourTicks, lastNight, parseLocalInput, toLocalInput } from './timeline.js';

const TZ = 'Asia/Ho_Chi_Minh';
const HOSTILE = '<script>alert(1)</script>';
const t = translator('en');
const v: ViewContext = {
  base: '/dash', lang: 'en', t, f: createFormatter('en', TZ, t), csrfToken: 'tok', readOnly: false, can: () => true, userName: null,
  showNoAuthBanner: false, currentPath: '/timeline', defaultTimeZone: TZ, url: urlBuilder('/dash'),
};

let seq = 0;
const run = (status: ExecutionStatus, start: string | null, end: string | null): Execution => ({
  id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`, jobId: 'j', status, createdAt: new Date(start ?? '2026-12-06T12:00:00Z'),
  startedAt: start ? new Date(start) : null, finishedAt: end ? new Date(end) : null,
}) as unknown as Execution;

describe('window in the page zone', () => {
  it('reads and writes datetime-local values in the zone; rejects malformed ones', () => {
    expect(parseLocalInput('2026-12-06T20:00', TZ)!.toISOString()).toBe('2026-12-06T13:00:00.000Z');
    expect(toLocalInput(new Date('2026-12-06T13:00:00Z'), TZ)).toBe('2026-12-06T20:00');
    for (const bad of [undefined, '', '2026-12-06 20:00', '2026-02-30T10:00', '2026-12-06T24:00', '2026-13-01T00:00', '<script>']) expect(parseLocalInput(bad, TZ)).toBeNull();
    // A wall time in a DST gap still gives an instant.
    expect(parseLocalInput('2026-03-29T02:30', 'Europe/Berlin')!.toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('last night is yesterday 20:00 to today 06:00 local, whatever the hour', () => {
    for (const now of ['2026-12-06T17:30:00Z', '2026-12-07T02:00:00Z', '2026-12-07T16:59:00Z']) {
      const n = lastNight(new Date(now), TZ);
      expect([n.from.toISOString(), n.to.toISOString()]).toEqual(['2026-12-06T13:00:00.000Z', '2026-12-06T23:00:00.000Z']);
    }
  });

  it('hour ticks fall on local whole hours, spaced to fit', () => {
    const night = lastNight(new Date('2026-12-07T02:00:00Z'), TZ);
    const ticks = hourTicks(night.from, night.to, TZ).map((d) => toLocalInput(d, TZ).slice(11));
    expect(ticks).toEqual(['20:00', '21:00', '22:00', '23:00', '00:00', '01:00', '02:00', '03:00', '04:00', '05:00', '06:00']);
    const week = hourTicks(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-08T00:00:00Z'), TZ);
    expect(week.length).toBeLessThanOrEqual(24);
    expect(week.every((d) => toLocalInput(d, TZ).endsWith('00:00') || toLocalInput(d, TZ).endsWith('12:00'))).toBe(true);
    // Half-hour zone: ticks still on local whole hours.
    expect(hourTicks(new Date('2026-12-06T00:00:00Z'), new Date('2026-12-06T03:00:00Z'), 'Asia/Kolkata').map((d) => toLocalInput(d, 'Asia/Kolkata').slice(11))).toEqual(['06:00', '07:00', '08:00']);
  });
});

describe('barSpan', () => {
  const from = new Date('2026-12-06T13:00:00Z');
  const to = new Date('2026-12-06T23:00:00Z');
  const now = new Date('2026-12-07T01:00:00Z');
  it('places a run by its start and finish between the label column and the right edge; clips to the window', () => {
    expect(barSpan(run('success', '2026-12-06T13:00:00Z', '2026-12-06T18:00:00Z'), from, to, now)).toEqual({ x: 210, width: 390 });
    expect(barSpan(run('success', '2026-12-06T10:00:00Z', '2026-12-06T14:00:00Z'), from, to, now)).toEqual({ x: 210, width: 78 });
    expect(barSpan(run('running', '2026-12-06T22:00:00Z', null), from, to, now)).toEqual({ x: 912, width: 78 });
    // A one-second run stays visible.
    expect(barSpan(run('failed', '2026-12-06T18:00:00Z', '2026-12-06T18:00:01Z'), from, to, now)).toEqual({ x: 600, width: 2 });
  });
  it('leaves out runs outside the window and runs that never started', () => {
    expect(barSpan(run('success', '2026-12-06T10:00:00Z', '2026-12-06T12:00:00Z'), from, to, now)).toBeNull();
    expect(barSpan(run('success', '2026-12-06T23:30:00Z', '2026-12-06T23:40:00Z'), from, to, now)).toBeNull();
    expect(barSpan(run('pending', null, null), from, to, now)).toBeNull();
  });
});

describe('ganttChart', () => {
  it('draws one row per job with linked bars, escapes names and labels, and a table fallback', () => {
    const from = new Date('2026-12-06T13:00:00Z');
    const to = new Date('2026-12-06T23:00:00Z');
    const a = run('dead_letter', '2026-12-06T15:00:00Z', '2026-12-06T15:30:00Z');
    const b = run('success', '2026-12-06T20:00:00Z', '2026-12-06T21:00:00Z');
    const rows = [{ jobId: 'j1', jobName: HOSTILE, runs: [a] }, { jobId: 'j2', jobName: 'nightly-settlement', runs: [b] }];
    const svg = ganttChart(v, { rows, from, to, now: to, summary: 'two runs' }).value;
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toMatch(/<svg class="gantt" viewBox="0 0 1000 78" role="group" aria-label="two runs"/);
    expect(svg).toContain(`<a href="/dash/executions/${a.id}" aria-label="&lt;script&gt;alert(1)&lt;/script&gt;: dead letter, 06/12/2026, 22:00:00 → 06/12/2026, 22:30:00"`);
    // Row 1 starts at y = 26, row 2 at 50: bars 4 px below.
    expect(svg).toMatch(new RegExp(`data-execution-id="${a.id}"><rect class="tone-bad" x="366" y="30"`));
    expect(svg).toMatch(new RegExp(`data-execution-id="${b.id}"><rect class="tone-ok" x="756" y="54"`));
    expect(svg).toContain('>20:00</text>');
    expect(svg).toContain('>07/12</text>'); // midnight shows the date
    const table = ganttTable(v, rows, 1).value;
    expect(table.match(/<tr><td>/g)?.length).toBe(1);
    expect(table).toContain('Only the newest 1 runs of the window are drawn.');
  });
});
