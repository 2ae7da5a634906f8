import { describe, expect, it } from 'vitest';
import { OFFSET_MEMO_MAX, instantsForLocal, offsetAt, offsetMemoEntries, toLocalParts } from './zoned.js';

describe('toLocalParts in UTC', () => {
  it('reads the same wall clock without Intl as Intl gives for an alias of UTC', () => {
    // 'Etc/Universal' is not one of the names read without Intl: it goes through the formatter.
    const instants = [0, -1, 999, -1_000, 1_700_000_000_123, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(-1, 0, 1), Date.UTC(0, 11, 31, 12), -62_198_755_200_001, 253_402_300_799_999];
    let seed = 7;
    for (let i = 0; i < 500; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      instants.push(Math.round((seed / 2_147_483_648 - 0.5) * 2 * 8.64e15 * 0.9));
    }
    for (const ms of instants) {
      const intl = toLocalParts(ms, 'Etc/Universal');
      for (const zone of ['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']) expect({ ms, zone, p: toLocalParts(ms, zone) }).toEqual({ ms, zone, p: intl });
    }
  });

  it('has offset 0', () => {
    expect(offsetAt(1_700_000_000_123, 'UTC')).toBe(0);
    expect(offsetAt(-1, 'UTC')).toBe(0);
  });
});

describe('years 0–99', () => {
  it('offsetAt and instantsForLocal read them as themselves, not as 1900–1999 (Date.UTC would)', () => {
    // 15 June of the year 50, 05:00 UTC: local mean time in Saigon, +07:06:30 as Intl reads it.
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 5, 15);
    year50.setUTCHours(5, 0, 0, 0);
    expect(offsetAt(year50.getTime(), 'Asia/Ho_Chi_Minh')).toBe((7 * 3_600 + 6 * 60 + 30) * 1_000);
    expect(instantsForLocal({ year: 50, month: 6, day: 15, hour: 12, minute: 6, second: 30 }, 'Asia/Ho_Chi_Minh')).toEqual([year50.getTime()]);
  });
});

describe('the zone offset memo', () => {
  it('stays within OFFSET_MEMO_MAX intervals over all zones, and reads stay right after it starts again', () => {
    const zones = ['Asia/Ho_Chi_Minh', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney'];
    const t0 = Date.UTC(2020, 0, 1);
    for (let i = 0; i < OFFSET_MEMO_MAX * 1.5; i += 1) {
      toLocalParts(t0 + i * 15 * 60_000, zones[i % zones.length]!);
      expect(offsetMemoEntries()).toBeLessThanOrEqual(OFFSET_MEMO_MAX);
    }
    expect(offsetMemoEntries()).toBeGreaterThan(0);
    expect(toLocalParts(Date.UTC(2026, 2, 8, 7, 0, 0), 'America/New_York')).toEqual({ year: 2026, month: 3, day: 8, hour: 3, minute: 0, second: 0, weekday: 0 });
  });
});
