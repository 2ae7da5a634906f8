import { describe, expect, it } from 'vitest';
import { offsetAt, toLocalParts } from './zoned.js';

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
