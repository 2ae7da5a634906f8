import { describe, expect, it } from 'vitest';
import { nextFireAfter, nextFireTimes } from './next-fire.js';

const at = (iso: string): number => Date.parse(iso);
const ctx = { defaultTimeZone: 'Asia/Ho_Chi_Minh' };

describe('nextFireAfter', () => {
  it('cron: uses the schedule zone, else the default zone', () => {
    const s = { type: 'cron' as const, expression: '0 0 2 * * ?' };
    expect(nextFireAfter(s, at('2026-12-01T00:00:00Z'), ctx)).toBe(at('2026-12-01T19:00:00Z')); // 02:00 +07
    expect(nextFireAfter({ ...s, timezone: 'UTC' }, at('2026-12-01T00:00:00Z'), ctx)).toBe(at('2026-12-01T02:00:00Z'));
  });

  it('cron: respects end_date (inclusive)', () => {
    const s = { type: 'cron' as const, expression: '0 0 2 * * ?', timezone: 'UTC', end_date: '2026-12-02T02:00:00Z' };
    expect(nextFireAfter(s, at('2026-12-01T03:00:00Z'), ctx)).toBe(at('2026-12-02T02:00:00Z'));
    expect(nextFireAfter(s, at('2026-12-02T02:00:00Z'), ctx)).toBeNull();
  });

  it('fixed_rate: anchor + k × interval strictly after', () => {
    const s = { type: 'fixed_rate' as const, interval_seconds: 300 };
    const anchor = at('2026-12-01T00:00:00Z');
    expect(nextFireAfter(s, anchor - 1, { ...ctx, anchorMs: anchor })).toBe(anchor);
    expect(nextFireAfter(s, anchor, { ...ctx, anchorMs: anchor })).toBe(anchor + 300_000);
    expect(nextFireAfter(s, anchor + 299_999, { ...ctx, anchorMs: anchor })).toBe(anchor + 300_000);
    expect(nextFireAfter(s, anchor + 7_200_000, { ...ctx, anchorMs: anchor })).toBe(anchor + 7_500_000);
    expect(nextFireAfter({ ...s, start_at: '2026-12-01T00:01:00Z' }, anchor, { ...ctx, anchorMs: 0 })).toBe(anchor + 60_000);
    expect(nextFireAfter({ ...s, end_date: '2026-12-01T00:05:00Z' }, anchor + 300_000, { ...ctx, anchorMs: anchor })).toBeNull();
    expect(() => nextFireAfter(s, anchor, ctx)).toThrow(/needs an anchor/);
  });

  it('fixed_delay: first run at the anchor, then previous finish + delay; null while a run is pending', () => {
    const s = { type: 'fixed_delay' as const, delay_seconds: 60 };
    const anchor = at('2026-12-01T00:00:00Z');
    expect(nextFireAfter(s, anchor - 1000, { ...ctx, anchorMs: anchor, lastFinishedAt: null })).toBe(anchor);
    expect(nextFireAfter(s, anchor, { ...ctx, anchorMs: anchor, lastFinishedAt: null })).toBeNull();
    const finished = anchor + 42_000;
    expect(nextFireAfter(s, finished, { ...ctx, anchorMs: anchor, lastFinishedAt: finished })).toBe(finished + 60_000);
    expect(nextFireAfter(s, finished + 60_000, { ...ctx, anchorMs: anchor, lastFinishedAt: finished })).toBeNull();
  });

  it('one_time: once, then null; null schedule: null', () => {
    const s = { type: 'one_time' as const, execute_at: '2026-12-01T02:00:00+07:00' };
    expect(nextFireAfter(s, at('2026-11-30T00:00:00Z'), ctx)).toBe(at('2026-11-30T19:00:00Z'));
    expect(nextFireAfter(s, at('2026-11-30T19:00:00Z'), ctx)).toBeNull();
    expect(nextFireAfter(null, 0, ctx)).toBeNull();
  });
});

describe('nextFireTimes', () => {
  const iso = (ds: Date[]): string[] => ds.map((d) => d.toISOString());

  it('previews cron fires in the default zone Asia/Ho_Chi_Minh', () => {
    expect(iso(nextFireTimes({ type: 'cron', expression: '0 0 9 ? * MON-FRI' }, at('2026-11-27T03:00:00Z'), 3))).toEqual([
      '2026-11-30T02:00:00.000Z', '2026-12-01T02:00:00.000Z', '2026-12-02T02:00:00.000Z',
    ]);
  });

  it('previews fixed_delay as zero-duration runs and stops at end_date / one_time', () => {
    const from = new Date('2026-12-01T00:00:00Z');
    expect(iso(nextFireTimes({ type: 'fixed_delay', delay_seconds: 60, end_date: '2026-12-01T00:02:00Z' }, from, 5))).toEqual([
      '2026-12-01T00:01:00.000Z', '2026-12-01T00:02:00.000Z',
    ]);
    expect(iso(nextFireTimes({ type: 'one_time', execute_at: '2026-12-05T00:00:00Z' }, from, 5))).toEqual(['2026-12-05T00:00:00.000Z']);
    expect(nextFireTimes(null, from, 5)).toEqual([]);
  });

  it('validates n', () => {
    expect(() => nextFireTimes({ type: 'fixed_rate', interval_seconds: 1 }, 0, 10_001)).toThrow(/between 0 and 10000/);
    expect(() => nextFireTimes({ type: 'fixed_rate', interval_seconds: 1 }, 0, 1.5)).toThrow(/integer/);
    expect(nextFireTimes({ type: 'fixed_rate', interval_seconds: 1 }, 0, 0)).toEqual([]);
  });
});
