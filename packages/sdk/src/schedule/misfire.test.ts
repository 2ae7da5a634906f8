import { describe, expect, it } from 'vitest';
import { computeDueFires } from './misfire.js';
import type { DueFiresInput } from './misfire.js';

const at = (iso: string): number => Date.parse(iso);
const MIN = 60_000;
const hourly = { type: 'cron' as const, expression: '0 0 * * * ?', timezone: 'UTC' };
const base = { defaultTimeZone: 'UTC' };

/** Scheduler was down from before 01:00 until 05:30: 01:00 … 05:00 are due (five fires). */
const outage = (policy: DueFiresInput['policy'], extra: Partial<DueFiresInput> = {}): ReturnType<typeof computeDueFires> =>
  computeDueFires({ ...base, schedule: hourly, nextFireAt: at('2026-12-01T01:00:00Z'), now: at('2026-12-01T05:30:00Z'), policy, ...extra });

const h = (n: number): number => at(`2026-12-01T0${n}:00:00Z`);

describe('computeDueFires', () => {
  it('fire_once: one execution, for the latest missed instant; the others are recorded', () => {
    expect(outage('fire_once')).toEqual({ fires: [h(5)], missed: [h(1), h(2), h(3), h(4)], truncated: false, nextFireAt: h(6) });
  });

  it('skip: nothing fires, everything is recorded as missed', () => {
    expect(outage('skip')).toEqual({ fires: [], missed: [h(1), h(2), h(3), h(4), h(5)], truncated: false, nextFireAt: h(6) });
  });

  it('fire_all: every missed instant fires, bounded by maxFires (latest kept)', () => {
    expect(outage('fire_all')).toEqual({ fires: [h(1), h(2), h(3), h(4), h(5)], missed: [], truncated: false, nextFireAt: h(6) });
    expect(outage('fire_all', { maxFires: 2 })).toEqual({ fires: [h(4), h(5)], missed: [h(1), h(2), h(3)], truncated: false, nextFireAt: h(6) });
  });

  it('a fire late by no more than misfireThresholdMs is not a misfire: it fires under skip too', () => {
    const r = computeDueFires({ ...base, schedule: hourly, nextFireAt: h(5), now: h(5) + 59_000, policy: 'skip' });
    expect(r).toEqual({ fires: [h(5)], missed: [], truncated: false, nextFireAt: h(6) });
    const late = computeDueFires({ ...base, schedule: hourly, nextFireAt: h(5), now: h(5) + 61_000, policy: 'skip' });
    expect(late.fires).toEqual([]);
    const custom = computeDueFires({ ...base, schedule: hourly, nextFireAt: h(5), now: h(5) + 61_000, policy: 'skip', misfireThresholdMs: 5 * MIN });
    expect(custom.fires).toEqual([h(5)]);
  });

  it('skip with a burst of slightly late fires: every on-time one fires, the later ones are missed', () => {
    const schedule = { type: 'cron' as const, expression: '*/10 * * * * ?', timezone: 'UTC' };
    const r = computeDueFires({ ...base, schedule, nextFireAt: h(5), now: h(5) + 35_000, policy: 'skip' });
    expect(r).toEqual({ fires: [h(5), h(5) + 10_000, h(5) + 20_000, h(5) + 30_000], missed: [], truncated: false, nextFireAt: h(5) + 40_000 });
    const strict = computeDueFires({ ...base, schedule, nextFireAt: h(5), now: h(5) + 35_000, policy: 'skip', misfireThresholdMs: 15_000 });
    expect(strict).toEqual({ fires: [h(5) + 20_000, h(5) + 30_000], missed: [h(5), h(5) + 10_000], truncated: false, nextFireAt: h(5) + 40_000 });
  });

  it('a scheduler one tick late never drops an on-time fire under fire_once (per-second schedule)', () => {
    const r = computeDueFires({
      ...base, schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' }, nextFireAt: h(5), now: h(5) + 1_000, policy: 'fire_once',
    });
    expect(r).toEqual({ fires: [h(5), h(5) + 1_000], missed: [], truncated: false, nextFireAt: h(5) + 2_000 });
  });

  it('fire_once with an on-time fire: that fire covers the misfired ones', () => {
    const r = computeDueFires({ ...base, schedule: hourly, nextFireAt: h(3), now: h(5) + 10_000, policy: 'fire_once' });
    expect(r.fires).toEqual([h(5)]);
    expect(r.missed).toEqual([h(3), h(4)]);
  });

  it('nothing due: returns the stored next fire unchanged', () => {
    expect(computeDueFires({ ...base, schedule: hourly, nextFireAt: h(6), now: h(5), policy: 'fire_all' }))
      .toEqual({ fires: [], missed: [], truncated: false, nextFireAt: h(6) });
    expect(computeDueFires({ ...base, schedule: null, nextFireAt: h(6), now: h(7), policy: 'fire_all' }).nextFireAt).toBeNull();
  });

  it('stays bounded for a dense schedule after a long outage (per-second cron, 30 days down)', () => {
    const r = computeDueFires({
      ...base, schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' },
      nextFireAt: at('2026-11-01T00:00:00Z'), now: at('2026-12-01T00:00:00Z'), policy: 'fire_all', maxFires: 10, maxMissedRecorded: 5,
    });
    expect(r.truncated).toBe(true);
    expect(r.fires).toEqual(Array.from({ length: 10 }, (_, i) => at('2026-12-01T00:00:00Z') - (9 - i) * 1000));
    expect(r.missed).toEqual(Array.from({ length: 5 }, (_, i) => at('2026-11-01T00:00:00Z') + i * 1000));
    expect(r.nextFireAt).toBe(at('2026-12-01T00:00:01Z'));

    const once = computeDueFires({
      ...base, schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' },
      nextFireAt: at('2026-11-01T00:00:00Z'), now: at('2026-12-01T00:00:00.500Z'), policy: 'fire_once', misfireThresholdMs: 400,
    });
    expect(once.fires).toEqual([at('2026-12-01T00:00:00Z')]);
    // With the default 60 s threshold, the last minute is on time and fires; the month before is missed.
    const minute = computeDueFires({
      ...base, schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' },
      nextFireAt: at('2026-11-01T00:00:00Z'), now: at('2026-12-01T00:00:00.500Z'), policy: 'fire_once',
    });
    expect(minute.fires).toEqual(Array.from({ length: 60 }, (_, i) => at('2026-11-30T23:59:01Z') + i * 1000));
  });

  it('fixed_rate: the grid of due instants', () => {
    const anchor = at('2026-12-01T00:00:00Z');
    const r = computeDueFires({
      ...base, anchorMs: anchor, schedule: { type: 'fixed_rate', interval_seconds: 600 },
      nextFireAt: anchor, now: anchor + 25 * MIN, policy: 'fire_all',
    });
    expect(r).toEqual({ fires: [anchor, anchor + 10 * MIN, anchor + 20 * MIN], missed: [], truncated: false, nextFireAt: anchor + 30 * MIN });
  });

  it('fixed_delay: one pending fire; fired → next comes from the finish, skipped → the delay grid continues', () => {
    const s = { type: 'fixed_delay' as const, delay_seconds: 600 };
    const due = at('2026-12-01T00:00:00Z');
    expect(computeDueFires({ ...base, schedule: s, nextFireAt: due, now: due + 25 * MIN, policy: 'fire_once' }))
      .toEqual({ fires: [due], missed: [], truncated: false, nextFireAt: null });
    expect(computeDueFires({ ...base, schedule: s, nextFireAt: due, now: due + 25 * MIN, policy: 'skip' }))
      .toEqual({ fires: [], missed: [due], truncated: false, nextFireAt: due + 30 * MIN });
  });

  it('one_time: fires once or is missed; never again', () => {
    const s = { type: 'one_time' as const, execute_at: '2026-12-01T00:00:00Z' };
    const due = at(s.execute_at);
    expect(computeDueFires({ ...base, schedule: s, nextFireAt: due, now: due + 3_600_000, policy: 'fire_once' }))
      .toEqual({ fires: [due], missed: [], truncated: false, nextFireAt: null });
    expect(computeDueFires({ ...base, schedule: s, nextFireAt: due, now: due + 3_600_000, policy: 'skip' }))
      .toEqual({ fires: [], missed: [due], truncated: false, nextFireAt: null });
  });
});
