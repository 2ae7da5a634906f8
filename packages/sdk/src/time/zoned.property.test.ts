import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intlLocalParts, offsetAt, toLocalParts } from './zoned.js';

/**
 * toLocalParts reads a zone as UTC plus an offset Intl gave for the surrounding quarter hour; it
 * must read exactly what Intl reads, at any instant, in zones with DST, half- and quarter-hour
 * offsets, offsets with seconds (Amsterdam before 1937), negative DST (Dublin), skipped days (Apia)
 * and two changes a year (Casablanca), and most of all at and around each offset change.
 */
const ZONES = [
  'Asia/Ho_Chi_Minh', 'America/New_York', 'Europe/London', 'Europe/Dublin', 'Europe/Amsterdam', 'Australia/Lord_Howe',
  'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns', 'Africa/Casablanca', 'Pacific/Apia', 'Antarctica/Troll',
  'America/Sao_Paulo', 'Asia/Tehran', 'Pacific/Kiritimati', 'Etc/GMT+5', 'Etc/Universal', 'Asia/Saigon',
] as const;

const HOUR = 3_600_000;
const intlOffset = (ms: number, zone: string): number => {
  const p = intlLocalParts(ms, zone);
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, 0);
  return d.getTime() - Math.floor(ms / 1000) * 1000;
};

/** The instants at which `zone`'s offset changes between `from` and `to` (to the millisecond), found by bisection. */
function transitions(zone: string, from: number, to: number, step = 6 * HOUR): number[] {
  const found: number[] = [];
  for (let t = from; t < to; t += step) {
    if (intlOffset(t, zone) === intlOffset(t + step, zone)) continue;
    let lo = t;
    let hi = t + step;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (intlOffset(mid, zone) === intlOffset(lo, zone)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

describe('toLocalParts (property: the cached offset reads what Intl reads)', () => {
  it('at and around every offset change of 2010–2012 and 1915–1917, to the millisecond', () => {
    let checked = 0;
    for (const zone of ZONES) {
      const changes = [
        ...transitions(zone, Date.UTC(2010, 0, 1), Date.UTC(2013, 0, 1)),
        ...transitions(zone, Date.UTC(1915, 0, 1), Date.UTC(1918, 0, 1)),
      ];
      for (const at of changes) {
        for (const d of [-HOUR, -1_000, -1, 0, 1, 999, 1_000, 59_999, 15 * 60_000, HOUR]) {
          const ms = at + d;
          expect({ zone, ms, p: toLocalParts(ms, zone) }).toEqual({ zone, ms, p: intlLocalParts(ms, zone) });
          checked += 1;
        }
      }
    }
    // The zones above change offset often in those years: the check is not vacuous.
    expect(checked).toBeGreaterThan(500);
  });

  it('at any instant from year -2000 to 3000 in any of the zones, and offsetAt agrees with Intl', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(-2000, 0, 1), max: Date.UTC(3000, 0, 1) }), (zone, ms) => {
        expect(toLocalParts(ms, zone)).toEqual(intlLocalParts(ms, zone));
        expect(offsetAt(ms, zone)).toBe(intlOffset(ms, zone));
      }),
      { numRuns: 3_000 },
    );
  });

  it('at the ends of the Date range', () => {
    for (const zone of ZONES) {
      for (const ms of [-8.64e15, -8.64e15 + 1, 8.64e15 - 1, 8.64e15]) {
        expect({ zone, ms, p: toLocalParts(ms, zone) }).toEqual({ zone, ms, p: intlLocalParts(ms, zone) });
      }
    }
  });

  it('an unknown zone still fails with the schedule error', () => {
    expect(() => toLocalParts(0, 'Mars/Olympus_Mons')).toThrow(/unknown time zone "Mars\/Olympus_Mons"/);
  });
});
