/**
 * The cron next-fire memo of `nextFireAfter` never changes an answer: memoised results equal a
 * fresh, unmemoised `nextCronFire(parseCron(expression), after, zone)` (plus `end_date`) over random
 * Quartz and Unix expressions, zones and instants, asked repeatedly and interleaved so that every
 * answer after the first comes from the cache; and the memo stays bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZONES, instantArb, render, specArb, unixExpressionArb } from '../../test/helpers/cron-arbitraries.js';
import { nextCronFire } from './cron/next-cron-fire.js';
import { parseCron } from './cron/parse-cron.js';
import { CRON_FIRE_CACHE_SIZE, cronFireCacheSize, nextFireAfter } from './next-fire.js';
import type { NextFireContext } from './next-fire.js';
import type { CronSchedule } from './schedule-schema.js';

const at = (iso: string): number => Date.parse(iso);

/** The unmemoised answer, computed from scratch. */
function reference(s: CronSchedule, afterMs: number, ctx: NextFireContext): number | null {
  const next = nextCronFire(parseCron(s.expression, s.dialect ? { dialect: s.dialect } : {}), afterMs, s.timezone ?? ctx.defaultTimeZone);
  if (next === null || s.end_date === undefined || s.end_date === null) return next;
  return next <= Date.parse(s.end_date) ? next : null;
}

const expressionArb = fc.oneof(specArb.map(render), unixExpressionArb);

describe('nextFireAfter memo (cron)', () => {
  it('equals the unmemoised computation for every (expression, zone, instant, end_date) combination, asked in any order', () => {
    fc.assert(fc.property(
      fc.array(expressionArb, { minLength: 1, maxLength: 3 }),
      fc.array(fc.option(fc.constantFrom(...ZONES), { nil: undefined }), { minLength: 1, maxLength: 3 }),
      fc.array(instantArb, { minLength: 1, maxLength: 3 }),
      fc.constantFrom(...ZONES),
      fc.option(instantArb.map((ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString()), { nil: undefined }),
      fc.integer({ min: 0, max: 999 }),
      (expressions, zones, instants, defaultTimeZone, endDate, otherMs) => {
        const ctx: NextFireContext = { defaultTimeZone };
        for (let round = 0; round < 2; round++) {
          for (const expression of expressions) {
            for (const timezone of zones) {
              for (const from of instants) {
                const plain: CronSchedule = { type: 'cron', expression, ...(timezone ? { timezone } : {}) };
                const ended: CronSchedule = { ...plain, end_date: endDate };
                // The same second with other milliseconds shares the memo entry, and the same
                // entry serves schedules with and without end_date.
                const sameSecond = Math.floor(from / 1000) * 1000 + (round === 0 ? otherMs : 999 - otherMs);
                const label = `${expression} in ${timezone ?? `default ${defaultTimeZone}`} after ${new Date(from).toISOString()}`;
                expect(nextFireAfter(plain, from, ctx), label).toBe(reference(plain, from, ctx));
                expect(nextFireAfter(ended, sameSecond, ctx), `${label}, end ${endDate}`).toBe(reference(ended, sameSecond, ctx));
              }
            }
          }
        }
      },
    ), { numRuns: 150 });
  });

  it('walking a chain of fires (as the misfire loop does) gives the unmemoised chain', () => {
    fc.assert(fc.property(expressionArb, fc.constantFrom(...ZONES), instantArb, (expression, timezone, from) => {
      const s: CronSchedule = { type: 'cron', expression, timezone };
      const ctx = { defaultTimeZone: 'UTC' };
      for (let pass = 0; pass < 2; pass++) {
        let t: number | null = from;
        for (let i = 0; i < 4 && t !== null; i++) {
          const next = nextFireAfter(s, t, ctx);
          expect(next).toBe(reference(s, t, ctx));
          t = next;
        }
      }
    }), { numRuns: 200 });
  });

  it('does not share answers between schedules that differ in zone, default zone, field form, year field or end_date', () => {
    const from = at('2026-12-01T00:00:00Z');
    const hcm = { defaultTimeZone: 'Asia/Ho_Chi_Minh' };
    const utc = { defaultTimeZone: 'UTC' };
    const daily = { type: 'cron' as const, expression: '0 0 2 * * ?' };
    // Warm the memo with one answer, then ask the neighbours.
    expect(nextFireAfter(daily, from, hcm)).toBe(at('2026-12-01T19:00:00Z'));
    expect(nextFireAfter(daily, from, utc)).toBe(at('2026-12-01T02:00:00Z'));
    expect(nextFireAfter({ ...daily, timezone: 'America/New_York' }, from, hcm)).toBe(at('2026-12-01T07:00:00Z'));
    expect(nextFireAfter({ ...daily, expression: '0 0 2 * * ? 2030' }, from, hcm)).toBe(at('2029-12-31T19:00:00Z'));
    expect(nextFireAfter({ ...daily, expression: '30 2 * * *' }, from, hcm)).toBe(at('2026-12-01T19:30:00Z'));
    expect(nextFireAfter({ ...daily, expression: '0 0 2 * * ?', end_date: '2026-12-01T18:59:59Z' }, from, hcm)).toBeNull();
    expect(nextFireAfter(daily, from + 999, hcm)).toBe(at('2026-12-01T19:00:00Z'));
    // Milliseconds are truncated, never rounded: .600 and the next second's .200 differ.
    const everySecond = { type: 'cron' as const, expression: '* * * * * ?' };
    expect(nextFireAfter(everySecond, from + 600, hcm)).toBe(from + 1000);
    expect(nextFireAfter(everySecond, from + 1200, hcm)).toBe(from + 2000);
    expect(nextFireAfter(daily, from + 1000, hcm)).toBe(at('2026-12-01T19:00:00Z'));
    // A 5-field expression is read as Unix: no seconds field, Sunday is 0.
    expect(nextFireAfter({ type: 'cron', expression: '0 2 * * 0', timezone: 'UTC' }, from, hcm)).toBe(at('2026-12-06T02:00:00Z'));
    expect(nextFireAfter({ type: 'cron', expression: '0 0 2 ? * 1', timezone: 'UTC' }, from, hcm)).toBe(at('2026-12-06T02:00:00Z'));
  });

  it('reuses one entry per (expression, zone, second) and stays bounded', () => {
    const s = { type: 'cron' as const, expression: '*/7 * * * * ?', timezone: 'Asia/Ho_Chi_Minh' };
    const ctx = { defaultTimeZone: 'UTC' };
    const base = at('2031-05-05T05:05:05Z');
    const before = cronFireCacheSize();
    const first = nextFireAfter(s, base, ctx);
    const grown = cronFireCacheSize();
    expect(grown).toBe(Math.min(before + 1, CRON_FIRE_CACHE_SIZE));
    expect(nextFireAfter({ ...s }, base + 123, ctx)).toBe(first);
    expect(cronFireCacheSize()).toBe(grown);

    for (let i = 0; i <= CRON_FIRE_CACHE_SIZE + 100; i++) nextFireAfter(s, base + i * 1000, ctx);
    expect(cronFireCacheSize()).toBe(CRON_FIRE_CACHE_SIZE);
    // The first entry was evicted long ago and is computed again, correctly.
    expect(nextFireAfter(s, base, ctx)).toBe(reference(s, base, ctx));
    expect(cronFireCacheSize()).toBe(CRON_FIRE_CACHE_SIZE);
  });

  it('answers a repeated question from the last answer only when expression, dialect, zone and second all match', () => {
    // Day of week 2 is Monday in Quartz and Tuesday in Spring: the dialect changes the answer.
    const s = { type: 'cron' as const, expression: '0 0 12 ? * 2', timezone: 'Asia/Ho_Chi_Minh' };
    const ctx = { defaultTimeZone: 'UTC' };
    const base = at('2031-05-05T04:59:59Z');
    const variants = [
      s,
      { ...s, timezone: 'America/New_York' },
      { ...s, expression: '0 0 13 ? * 2' },
      { ...s, dialect: 'spring' as const },
      { ...s, dialect: 'quartz' as const },
      { type: 'cron' as const, expression: s.expression },
    ];
    for (const afterMs of [base, base + 999, base + 1_000, base + 1_001, base - 1]) {
      for (const v of variants) {
        // Twice in a row: the second answer comes from the last one.
        expect(nextFireAfter(v, afterMs, ctx)).toBe(reference(v, afterMs, ctx));
        expect(nextFireAfter(v, afterMs, ctx)).toBe(reference(v, afterMs, ctx));
      }
    }
  });

  it('does not cache errors: a bad zone or expression throws every time', () => {
    const ctx = { defaultTimeZone: 'UTC' };
    const size = cronFireCacheSize();
    for (let i = 0; i < 2; i++) {
      expect(() => nextFireAfter({ type: 'cron', expression: '0 0 2 * * ?', timezone: 'Mars/Olympus' }, 0, ctx)).toThrow(/time zone/);
      expect(() => nextFireAfter({ type: 'cron', expression: '0 0 2 * * * *' }, 0, ctx)).toThrow(/Day-of-Month/);
    }
    expect(cronFireCacheSize()).toBe(size);
  });
});
