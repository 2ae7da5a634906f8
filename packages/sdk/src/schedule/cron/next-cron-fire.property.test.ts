/**
 * Properties of nextCronFire over random Quartz expressions, zones (with and without DST) and
 * instants, checked against an independent matcher and a brute-force second-by-second oracle that
 * applies the DST rule its own simple way: an instant fires when its wall-clock reading matches and
 * was never read before (fall-back), or when it is the first instant after a gap that swallowed a
 * matching wall time (spring-forward). The oracle reads offsets with its own Intl formatter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronMatches, nextCronFire } from './next-cron-fire.js';
import { parseCron } from './parse-cron.js';
import { ZONES, instantArb, render, specArb } from '../../../test/helpers/cron-arbitraries.js';
import type { Item, NumField, Spec } from '../../../test/helpers/cron-arbitraries.js';

const S = 1000;
const DAY = 86_400_000;

// ---------------------------------------------------------------- independent wall-clock reading
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
function offsetOf(ms: number, tz: string): number {
  let f = offsetFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    offsetFormats.set(tz, f);
  }
  const m = /GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(f.format(new Date(ms)));
  if (!m) throw new Error(`unexpected offset format for ${tz}`);
  if (!m[1]) return 0;
  const v = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * S;
  return m[1] === '-' ? -v : v;
}
const readingOf = (ms: number, tz: string): number => ms + offsetOf(ms, tz);

// ---------------------------------------------------------------- independent matcher
function inItem(it: Item, v: number, min: number, max: number): boolean {
  const size = max - min + 1;
  if (it.t === 'val') return v === it.a;
  const a = it.t === 'step' && it.a === null ? min : it.a as number;
  const b = it.t === 'range' ? it.b : it.b ?? max;
  const n = it.t === 'step' ? it.n : 1;
  if (a <= b) return v >= a && v <= b && (v - a) % n === 0;
  // wrap-around: walk forward from a, modulo the field size, for (b - a) mod size steps
  const dist = (v - a + size) % size;
  return dist <= (b - a + size) % size && dist % n === 0;
}
const inField = (f: NumField, v: number, min: number, max: number): boolean =>
  f.length === 0 || f.some((i) => inItem(i, v, min, max));

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const weekdayOf = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1; // 1 = SUN
const isWorkday = (y: number, m: number, d: number): boolean => { const w = weekdayOf(y, m, d); return w !== 1 && w !== 7; };
/** The Monday–Friday day of the month closest to `n` (earlier on a tie). */
function nearestWorkday(y: number, m: number, n: number): number {
  const dim = daysIn(y, m);
  for (let k = 0; k <= 3; k++) {
    for (const d of [n - k, n + k]) if (d >= 1 && d <= dim && isWorkday(y, m, d)) return d;
  }
  throw new Error('unreachable');
}

function dayMatches(spec: Spec, y: number, m: number, d: number): boolean {
  const dim = daysIn(y, m);
  if (spec.dom !== null) {
    if (spec.dom.length === 0) return true;
    return spec.dom.some((i) => {
      if (i.t === 'L') return d === dim - i.off;
      if (i.t === 'W') return i.day <= dim && d === nearestWorkday(y, m, i.day);
      if (i.t === 'LW') return dim - i.off >= 1 && d === nearestWorkday(y, m, dim - i.off);
      return inItem(i, d, 1, 31);
    });
  }
  const w = weekdayOf(y, m, d);
  const dow = spec.dow;
  if (!dow) throw new Error('spec without day rule');
  if (dow.t === 'plain') return inField(dow.items, w, 1, 7);
  if (dow.t === 'last') return w === dow.w && d + 7 > dim;
  return w === dow.w && Math.ceil(d / 7) === dow.k;
}

function makeMatcher(spec: Spec): (naive: number) => boolean {
  const table = (f: NumField, min: number, max: number): boolean[] =>
    Array.from({ length: max + 1 }, (_, v) => v >= min && inField(f, v, min, max));
  const secOk = table(spec.sec, 0, 59);
  const minOk = table(spec.min, 0, 59);
  const hourOk = table(spec.hour, 0, 23);
  const dayCache = new Map<number, boolean>();
  const mod = (a: number, n: number): number => ((a % n) + n) % n;
  return (r: number): boolean => {
    const dn = Math.floor(r / DAY);
    let ok = dayCache.get(dn);
    if (ok === undefined) {
      const t = new Date(dn * DAY);
      const y = t.getUTCFullYear();
      const m = t.getUTCMonth() + 1;
      ok = y >= 1970 && y <= 2199 && (!spec.year || (y >= spec.year.a && y <= spec.year.b)) &&
        inField(spec.month, m, 1, 12) && dayMatches(spec, y, m, t.getUTCDate());
      dayCache.set(dn, ok);
    }
    if (!ok) return false;
    const secs = Math.floor(r / S);
    return secOk[mod(secs, 60)] === true && minOk[mod(Math.floor(secs / 60), 60)] === true &&
      hourOk[mod(Math.floor(secs / 3600), 24)] === true;
  };
}

// ---------------------------------------------------------------- brute-force oracle
/** First fire in (from, from + windowMs], scanning every second; null when none in the window. */
function oracleFirstFire(match: (naive: number) => boolean, fromMs: number, tz: string, windowMs: number, realTime = false): number | null {
  const start = Math.floor(fromMs / S) * S + S;
  const end = start + windowMs;
  const CHUNK = 900 * S; // offsets are read per 15-minute chunk, per second where a chunk holds a change
  let maxSeen = -Infinity;
  let prev: number | null = null;
  for (let c = Math.floor((start - 6 * 3600 * S) / CHUNK) * CHUNK; c < end; c += CHUNK) {
    const o1 = offsetOf(c, tz);
    const constant = o1 === offsetOf(c + CHUNK - S, tz);
    for (let x = c; x < c + CHUNK && x < end; x += S) {
      const r = x + (constant ? o1 : offsetOf(x, tz));
      if (x >= start && realTime) {
        // A frequent schedule follows real time: the first instant whose reading matches.
        if (match(r)) return x;
      } else if (x >= start) {
        if (r > maxSeen && match(r)) return x;
        if (prev !== null && r - prev > S) {
          for (let t = prev + S; t < r; t += S) if (match(t)) return x;
        }
      }
      if (r > maxSeen) maxSeen = r;
      prev = r;
    }
  }
  return null;
}

/** True when `fire` is the first instant after a gap that swallowed a matching wall time. */
function isGapFire(match: (naive: number) => boolean, fire: number, tz: string): boolean {
  const before = readingOf(fire - S, tz);
  const r = readingOf(fire, tz);
  for (let t = before + S; t < r; t += S) if (match(t)) return true;
  return false;
}

// ---------------------------------------------------------------- DST transitions for biased `from`
const transitionCache = new Map<string, number[]>();
function transitions(tz: string, year: number): number[] {
  const key = `${tz}:${year}`;
  let list = transitionCache.get(key);
  if (!list) {
    list = [];
    const step = 6 * 3600 * S;
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += step) {
      if (offsetOf(t, tz) !== offsetOf(t + step, tz)) {
        let lo = t;
        let hi = t + step;
        while (hi - lo > S) {
          const mid = lo + Math.floor((hi - lo) / 2 / S) * S;
          if (offsetOf(mid, tz) === offsetOf(t, tz)) lo = mid;
          else hi = mid;
        }
        list.push(hi);
      }
    }
    transitionCache.set(key, list);
  }
  return list;
}

const RUNS = 1000;

describe('nextCronFire properties', () => {
  it('every generated expression parses', () => {
    fc.assert(fc.property(specArb, (spec) => {
      parseCron(render(spec), { dialect: 'quartz' });
    }), { numRuns: RUNS });
  });

  it('(a) next is strictly after from, (b) it matches in local time or ends a gap that swallowed a match', () => {
    fc.assert(fc.property(specArb, fc.constantFrom(...ZONES), instantArb, (spec, tz, from) => {
      const cron = parseCron(render(spec));
      const match = makeMatcher(spec);
      let t = from;
      for (let i = 0; i < 3; i++) {
        const next = nextCronFire(cron, t, tz);
        if (next === null) return;
        expect(next).toBeGreaterThan(t);
        expect(next % S).toBe(0);
        const ok = match(readingOf(next, tz)) || isGapFire(match, next, tz);
        expect(ok, `${render(spec)} in ${tz}: ${new Date(next).toISOString()} after ${new Date(t).toISOString()}`).toBe(true);
        expect(cronMatches(cron, next, tz)).toBe(match(readingOf(next, tz)));
        t = next;
      }
    }), { numRuns: RUNS });
  });

  it('(c) equals a brute-force second-by-second oracle over a 2-day window (half the runs near DST transitions)', () => {
    const years = [1975, 1990, 2005, 2026, 2040, 2075, 2100];
    fc.assert(fc.property(
      specArb, fc.constantFrom(...ZONES), instantArb, fc.boolean(), fc.constantFrom(...years), fc.nat(10),
      fc.integer({ min: -3 * 3600, max: 3600 }),
      (spec, tz, randomFrom, nearDst, year, idx, delta) => {
        const near = transitions(tz, year);
        const from = nearDst && near.length > 0 ? (near[idx % near.length] ?? 0) + delta * S : randomFrom;
        const window = 2 * DAY;
        const [, minute, hour] = render(spec).split(' ') as [string, string, string];
        const expected = oracleFirstFire(makeMatcher(spec), from, tz, window, minute.startsWith('*') || hour.startsWith('*'));
        const actual = nextCronFire(parseCron(render(spec)), from, tz);
        const label = `${render(spec)} in ${tz} after ${new Date(from).toISOString()}`;
        if (expected !== null) expect(actual === null ? null : new Date(actual).toISOString(), label).toBe(new Date(expected).toISOString());
        else if (actual !== null) expect(actual, label).toBeGreaterThan(Math.floor(from / S) * S + S + window - S);
      },
    ), { numRuns: RUNS });
    // CPU-bound (up to 172,800 oracle steps per run): ~15 s on an idle two-core machine, ~60 s when
    // other processes share it. The budget is a ceiling against hangs, not a speed claim.
  }, 180_000);

  it('cronMatches agrees with the independent matcher at random instants', () => {
    fc.assert(fc.property(specArb, fc.constantFrom(...ZONES), instantArb, (spec, tz, at) => {
      const match = makeMatcher(spec);
      expect(cronMatches(parseCron(render(spec)), at, tz)).toBe(match(readingOf(Math.floor(at / S) * S, tz)));
    }), { numRuns: RUNS });
  });

  it('finds DST transitions for the biased runs (the oracle is exercised where it matters)', () => {
    expect(transitions('America/New_York', 2026).map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-08T07:00:00.000Z', '2026-11-01T06:00:00.000Z',
    ]);
    expect(transitions('Australia/Lord_Howe', 2026)).toHaveLength(2);
    expect(transitions('Asia/Ho_Chi_Minh', 2026)).toHaveLength(0);
  });
});
