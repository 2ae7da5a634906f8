import { describe, expect, it } from 'vitest';
import { cronMatches, nextCronFire } from './next-cron-fire.js';
import { parseCron } from './parse-cron.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The next `n` fires strictly after `from`. */
function fires(expression: string, from: string, timeZone: string, n: number): Array<string | null> {
  const cron = parseCron(expression);
  const out: Array<string | null> = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = nextCronFire(cron, t, timeZone);
    out.push(iso(next));
    if (next === null) break;
    t = next;
  }
  return out;
}

describe('nextCronFire — DST, America/New_York', () => {
  // 2026-03-08: 02:00 EST (-05:00) jumps to 03:00 EDT (-04:00) at 07:00Z.
  it('a daily 02:30 that does not exist fires once at 03:00 EDT, the instant the gap ends', () => {
    expect(fires('0 30 2 * * ?', '2026-03-08T05:00:00Z', 'America/New_York', 2)).toEqual([
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT the next day
    ]);
  });

  it('hourly: the missing 02:00 and the real 03:00 fire once, together, at 03:00 EDT', () => {
    expect(fires('0 0 * * * ?', '2026-03-08T05:30:00Z', 'America/New_York', 4)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 02:00 (gap) + 03:00 EDT, once
      '2026-03-08T08:00:00.000Z', // 04:00 EDT
      '2026-03-08T09:00:00.000Z',
    ]);
  });

  it('every 30 minutes across the gap: 01:30, 03:00 (02:00/02:30/03:00 once), 03:30', () => {
    expect(fires('0 */30 * * * ?', '2026-03-08T06:15:00Z', 'America/New_York', 3)).toEqual([
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
    ]);
  });

  // 2026-11-01: 02:00 EDT (-04:00) falls back to 01:00 EST (-05:00) at 06:00Z.
  it('every 30 minutes across the fall-back follows real time: both passes of the repeated hour fire', () => {
    expect(fires('0 */30 * * * ?', '2026-11-01T04:45:00Z', 'America/New_York', 6)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST (second pass)
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:30:00.000Z',
    ]);
  });

  it('every 20 minutes across the spring-forward gap: gap times do not occur, no extra fire at its end', () => {
    expect(fires('0 */20 * * * ?', '2026-03-08T06:30:00Z', 'America/New_York', 4)).toEqual([
      '2026-03-08T06:40:00.000Z', // 01:40 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT (02:00–02:59 do not exist)
      '2026-03-08T07:20:00.000Z',
      '2026-03-08T07:40:00.000Z',
    ]);
  });

  it('a fixed time inside the gap still fires once at the gap\'s end', () => {
    expect(fires('0 30 2 * * ?', '2026-03-08T05:00:00Z', 'America/New_York', 2)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  it('a daily 01:30 fires at its first occurrence only', () => {
    expect(fires('0 30 1 * * ?', '2026-11-01T04:00:00Z', 'America/New_York', 2)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-02T06:30:00.000Z', // 01:30 EST the next day
    ]);
  });

  it('asked from inside either pass, a frequent schedule goes on in real time; a fixed one skips the second pass', () => {
    expect(fires('0 */30 * * * ?', '2026-11-01T06:10:00Z', 'America/New_York', 1)).toEqual(['2026-11-01T06:30:00.000Z']);
    expect(fires('* * * * * ?', '2026-11-01T06:59:58Z', 'America/New_York', 2)).toEqual([
      '2026-11-01T06:59:59.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
    expect(fires('* * * * * ?', '2026-11-01T05:59:58Z', 'America/New_York', 2)).toEqual([
      '2026-11-01T05:59:59.000Z', // 01:59:59 EDT
      '2026-11-01T06:00:00.000Z', // 01:00:00 EST: the wall clock went back, the replayed hour fires
    ]);
    expect(fires('0 30 1 * * ?', '2026-11-01T06:10:00Z', 'America/New_York', 1)).toEqual(['2026-11-02T06:30:00.000Z']);
  });

  it('cronMatches reads wall clocks: both passes of 01:30 match, the missing 02:30 never does', () => {
    const c = parseCron('0 30 * * * ?');
    expect(cronMatches(c, at('2026-11-01T05:30:00Z'), 'America/New_York')).toBe(true);
    expect(cronMatches(c, at('2026-11-01T06:30:00Z'), 'America/New_York')).toBe(true);
    expect(cronMatches(parseCron('0 30 2 * * ?'), at('2026-03-08T07:30:00Z'), 'America/New_York')).toBe(false);
  });
});

describe('nextCronFire — DST, Europe/London', () => {
  // 2026-03-29: 01:00 GMT jumps to 02:00 BST at 01:00Z.
  it('spring-forward: 01:30 fires at 02:00 BST', () => {
    expect(fires('0 30 1 * * ?', '2026-03-29T00:00:00Z', 'Europe/London', 2)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  // 2026-10-25: 02:00 BST falls back to 01:00 GMT at 01:00Z.
  it('spring-forward: a frequent schedule has no extra fire at the gap\'s end (30 15,45 * L 1-6 ? on 2024-03-31)', () => {
    expect(fires('30 15,45 * L 1-6 ?', '2024-03-31T00:00:00Z', 'Europe/London', 4)).toEqual([
      '2024-03-31T00:15:30.000Z', // 00:15:30 GMT
      '2024-03-31T00:45:30.000Z', // 00:45:30 GMT
      '2024-03-31T01:15:30.000Z', // 02:15:30 BST — nothing at 02:00:00
      '2024-03-31T01:45:30.000Z',
    ]);
  });

  it('fall-back: 01:30 fires once (BST), hourly fires both 01:00 (real time)', () => {
    expect(fires('0 30 1 * * ?', '2026-10-24T23:00:00Z', 'Europe/London', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(fires('0 0 * * * ?', '2026-10-24T23:30:00Z', 'Europe/London', 2)).toEqual([
      '2026-10-25T00:00:00.000Z', // 01:00 BST
      '2026-10-25T01:00:00.000Z', // 01:00 GMT
    ]);
  });
});

describe('nextCronFire — Asia/Ho_Chi_Minh (UTC+7, no DST)', () => {
  it.each(['2000', '2026', '2100'])('09:00 local on %s-06-15 is 02:00Z', (year) => {
    expect(fires('0 0 9 15 6 ?', `${year}-01-01T00:00:00Z`, 'Asia/Ho_Chi_Minh', 1)).toEqual([`${year}-06-15T02:00:00.000Z`]);
  });

  it('uses the zone history: before 1975 the zone was UTC+8', () => {
    expect(fires('0 0 9 15 6 ?', '1970-01-01T00:00:00Z', 'Asia/Ho_Chi_Minh', 1)).toEqual(['1970-06-15T01:00:00.000Z']);
  });

  it('02:00 on weekdays', () => {
    // 2026-11-27 is a Friday; the next weekday 02:00 +07 after Friday 03:00 is Monday 30th.
    expect(fires('0 0 2 ? * MON-FRI', '2026-11-27T03:00:00+07:00', 'Asia/Ho_Chi_Minh', 1)).toEqual([
      '2026-11-29T19:00:00.000Z',
    ]);
  });
});

describe('nextCronFire — general', () => {
  it('is strictly after `from` and ignores milliseconds', () => {
    const c = parseCron('* * * * * ?');
    expect(iso(nextCronFire(c, at('2026-01-01T00:00:00.000Z'), 'UTC'))).toBe('2026-01-01T00:00:01.000Z');
    expect(iso(nextCronFire(c, at('2026-01-01T00:00:00.999Z'), 'UTC'))).toBe('2026-01-01T00:00:01.000Z');
  });

  it('returns null quickly for impossible expressions and exhausted years', () => {
    expect(nextCronFire(parseCron('0 0 0 30 2 ?'), at('2026-01-01T00:00:00Z'), 'UTC')).toBeNull();
    expect(nextCronFire(parseCron('0 0 0 31 4,6,9,11 ?'), at('2026-01-01T00:00:00Z'), 'Europe/London')).toBeNull();
    expect(nextCronFire(parseCron('0 0 0 1 1 ? 2027'), at('2027-06-01T00:00:00Z'), 'UTC')).toBeNull();
    expect(nextCronFire(parseCron('0 0 0 * * ?'), at('2199-12-31T00:00:00Z'), 'UTC')).toBeNull();
  });

  it('finds a far-future year', () => {
    expect(iso(nextCronFire(parseCron('0 0 0 29 2 ? 2196'), at('2026-01-01T00:00:00Z'), 'UTC'))).toBe('2196-02-29T00:00:00.000Z');
  });

  it('starts at 1970 when asked from before it', () => {
    expect(iso(nextCronFire(parseCron('0 0 12 * * ?'), at('1900-01-01T00:00:00Z'), 'UTC'))).toBe('1970-01-01T12:00:00.000Z');
  });

  it('rejects an unknown zone and a non-finite instant', () => {
    expect(() => nextCronFire(parseCron('* * * * * ?'), 0, 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(() => nextCronFire(parseCron('* * * * * ?'), Number.NaN, 'UTC')).toThrow(/finite/);
  });
});

describe('specials', () => {
  const next = (expr: string, from: string): string | null => iso(nextCronFire(parseCron(expr), at(from), 'UTC'));

  it('L, L-n, LW, L-nW, nW in day-of-month', () => {
    expect(next('0 0 0 L * ?', '2024-02-01T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(next('0 0 0 L-3 * ?', '2026-02-01T00:00:00Z')).toBe('2026-02-25T00:00:00.000Z');
    expect(next('0 0 0 LW * ?', '2026-05-01T00:00:00Z')).toBe('2026-05-29T00:00:00.000Z'); // May 31 is a Sunday
    expect(next('0 0 0 L-1W * ?', '2026-05-01T00:00:00Z')).toBe('2026-05-29T00:00:00.000Z'); // May 30 Saturday → Friday
    expect(next('0 0 0 15W * ?', '2026-08-01T00:00:00Z')).toBe('2026-08-14T00:00:00.000Z'); // Aug 15 Saturday → Friday
    expect(next('0 0 0 1W * ?', '2026-02-01T00:00:00Z')).toBe('2026-02-02T00:00:00.000Z'); // Feb 1 Sunday → Monday
    expect(next('0 0 0 1W * ?', '2026-07-31T00:00:00Z')).toBe('2026-08-03T00:00:00.000Z'); // Aug 1 Saturday → Monday 3rd
    expect(next('0 0 0 31W * ?', '2026-02-01T00:00:00Z')).toBe('2026-03-31T00:00:00.000Z'); // skips February
  });

  it('L (= SAT), nL, n#k and names in day-of-week', () => {
    expect(next('0 0 0 ? * L', '2026-11-30T00:00:00Z')).toBe('2026-12-05T00:00:00.000Z');
    expect(next('0 0 0 ? * 6L', '2026-11-01T00:00:00Z')).toBe('2026-11-27T00:00:00.000Z'); // last Friday
    expect(next('0 0 0 ? * friL', '2026-11-01T00:00:00Z')).toBe('2026-11-27T00:00:00.000Z');
    expect(next('0 0 0 ? * 6#3', '2026-11-01T00:00:00Z')).toBe('2026-11-20T00:00:00.000Z'); // third Friday
    expect(next('0 0 0 ? * MON#5', '2026-10-01T00:00:00Z')).toBe('2026-11-30T00:00:00.000Z'); // Oct has no 5th Monday
    expect(next('0 0 0 ? * Fri-Mon', '2026-11-24T00:00:00Z')).toBe('2026-11-27T00:00:00.000Z');
  });

  it('steps and wrap-around ranges', () => {
    expect(fires('0 0 22-2 * * ?', '2026-01-01T21:00:00Z', 'UTC', 6)).toEqual([
      '2026-01-01T22:00:00.000Z', '2026-01-01T23:00:00.000Z', '2026-01-02T00:00:00.000Z',
      '2026-01-02T01:00:00.000Z', '2026-01-02T02:00:00.000Z', '2026-01-02T22:00:00.000Z',
    ]);
    expect(fires('10-50/20 * * * * ?', '2026-01-01T00:00:00Z', 'UTC', 4)).toEqual([
      '2026-01-01T00:00:10.000Z', '2026-01-01T00:00:30.000Z', '2026-01-01T00:00:50.000Z', '2026-01-01T00:01:10.000Z',
    ]);
    expect(fires('0 0 0 1 NOV-FEB/2 ?', '2026-01-15T00:00:00Z', 'UTC', 3)).toEqual([
      '2026-11-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-11-01T00:00:00.000Z',
    ]);
    expect(fires('0 0 0 1 1 ? 2030/5', '2026-01-15T00:00:00Z', 'UTC', 2)).toEqual([
      '2030-01-01T00:00:00.000Z', '2035-01-01T00:00:00.000Z',
    ]);
  });
});

describe('5-field Unix cron', () => {
  it('fires at second 0 with Unix weekday numbering (0 and 7 = SUN)', () => {
    expect(fires('30 9 * * 1-5', '2026-11-27T10:00:00Z', 'UTC', 1)).toEqual(['2026-11-30T09:30:00.000Z']); // Monday
    expect(fires('0 0 * * 0', '2026-11-27T00:00:00Z', 'UTC', 1)).toEqual(['2026-11-29T00:00:00.000Z']);
    expect(fires('0 0 * * 7', '2026-11-27T00:00:00Z', 'UTC', 1)).toEqual(['2026-11-29T00:00:00.000Z']);
    expect(fires('0 0 * * sun', '2026-11-27T00:00:00Z', 'UTC', 1)).toEqual(['2026-11-29T00:00:00.000Z']);
  });

  it('ORs day-of-month and day-of-week when both are restricted (Vixie cron)', () => {
    // The 1st of the month or any Friday.
    expect(fires('0 12 1 * 5', '2026-11-25T00:00:00Z', 'UTC', 3)).toEqual([
      '2026-11-27T12:00:00.000Z', '2026-12-01T12:00:00.000Z', '2026-12-04T12:00:00.000Z',
    ]);
  });

  it('ANDs them when one starts with * (*/2 days on Mondays only)', () => {
    expect(fires('0 0 */2 * 1', '2026-11-01T00:00:00Z', 'UTC', 2)).toEqual([
      '2026-11-09T00:00:00.000Z', '2026-11-23T00:00:00.000Z',
    ]);
  });
});
