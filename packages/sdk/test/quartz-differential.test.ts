/**
 * Differential test against the real Quartz 2.3.2 (Debian's libquartz2-java, driven by
 * quartz-diff/QuartzFires.java): random Quartz cron expressions × 9 zones, from random instants and
 * from instants just before DST transitions. vecron (public `nextFireTimes`, `"dialect": "quartz"`)
 * and Quartz must accept and refuse the same expressions and agree on every fire, except near a DST
 * transition, where the differences are the deliberate ones documented in docs/concepts.md
 * ("Daylight saving time"): a fixed time in a repeated hour fires at its first pass in vecron and
 * at its second in Quartz; a fixed time inside a spring-forward gap fires at the gap's end in
 * vecron and not that day in Quartz; a frequent schedule fires both passes of a repeated hour in
 * vecron (real time) and only the second in Quartz.
 *
 * `.ci/run` installs libquartz2-java and a JDK. `VECRON_QUARTZ_DIFF_EXPRESSIONS` raises the number
 * of expressions per zone (default 600; the issue's full run is 120000).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cronScheduleSchema, nextFireTimes } from '@vecron/sdk/schedule';

const JAR = '/usr/share/java/quartz2.jar';
const PROGRAM = fileURLToPath(new URL('./quartz-diff/QuartzFires.java', import.meta.url));
const ZONES = [
  'Asia/Ho_Chi_Minh', 'UTC', 'America/New_York', 'Europe/London', 'Europe/Berlin',
  'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Auckland',
];
const PER_ZONE = Number(process.env['VECRON_QUARTZ_DIFF_EXPRESSIONS'] ?? 600);
const FIRES = 8;
const HOUR = 3_600_000;

/** mulberry32: a small seeded PRNG, so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Random Quartz expressions over the syntax banks use: lists, ranges, steps, L, W, #, names. */
function expression(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sec = pick(['0', '0', '0', '30', '*/15', '0,30', '10-12']);
  const min = pick(['0', '0', '30', '15', '*', '*/5', '*/10', '0-10', '45', '0/20', '5,35']);
  const hour = pick(['2', '1', '3', '0', '*', '*/2', '9-17', '0-3', '1,13', '22', '2/6']);
  const month = pick(['*', '*', '*', '1-6', '3', '*/2', '10-12', 'MAR,OCT', '4']);
  const day = r() < 0.5
    ? [pick(['*', '1', '15', 'L', '1-10', '15W', 'L-2', 'LW', '*/7', '28-31', '1W']), '?']
    : ['?', pick(['*', 'MON-FRI', '2', '6L', '2#1', 'SAT,SUN', '1', '7', '5#3', 'MON', '2-4'])];
  return `${sec} ${min} ${hour} ${day[0]} ${month} ${day[1]}`;
}

const offsetFmt = new Map<string, Intl.DateTimeFormat>();
/** UTC offset (minutes) of `zone` at `t`, from Intl: independent of vecron's zone code. */
function offset(zone: string, t: number): number {
  let f = offsetFmt.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFmt.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return (Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000) / 60_000;
}

/** Offset changes of `zone` between 2024 and 2028, found hourly and refined to the minute. */
function transitions(zone: string): number[] {
  const out: number[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let t = start; t < Date.UTC(2028, 0, 1); t += HOUR) {
    if (offset(zone, t) !== offset(zone, t + HOUR)) {
      let lo = t;
      let hi = t + HOUR;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offset(zone, mid) === offset(zone, t)) lo = mid;
        else hi = mid;
      }
      out.push(hi);
    }
  }
  return out;
}

/** Whether instant `t` is within 3 hours of an offset change of `zone` (the DST neighbourhood). */
const nearTransition = (zone: string, t: number): boolean => offset(zone, t - 3 * HOUR) !== offset(zone, t + 3 * HOUR);

interface Case { expression: string; zone: string; from: number }

function cases(): Case[] {
  const r = rng(20261207);
  const out: Case[] = [];
  for (const zone of ZONES) {
    const ts = transitions(zone);
    for (let i = 0; i < PER_ZONE; i++) {
      const nearDst = ts.length > 0 && i % 2 === 1;
      const from = nearDst
        ? ts[Math.floor(r() * ts.length)]! - Math.floor(r() * 48 * 60) * 60_000
        : Date.UTC(2024, 0, 1) + Math.floor(r() * 4 * 365 * 24 * 60) * 60_000;
      out.push({ expression: expression(r), zone, from });
    }
  }
  return out;
}

function quartz(all: Case[]): string[] {
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: install Debian's libquartz2-java (.ci/run does)`);
  const input = all.map((c) => `${c.expression}\t${c.zone}\t${c.from}\t${FIRES}`).join('\n');
  const run = spawnSync('java', ['-cp', JAR, PROGRAM], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  if (run.error) throw new Error(`cannot run java (install a JDK: .ci/run does): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`QuartzFires.java failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(all.length);
  return lines;
}

describe(`vecron against the real Quartz 2.3.2 (${PER_ZONE} random expressions × ${ZONES.length} zones, ${FIRES} fires each)`, () => {
  it('accepts and refuses the same expressions, and agrees on every fire except the documented DST differences', () => {
    const all = cases();
    const answers = quartz(all);
    const problems: string[] = [];
    const dst = { overlap: 0, gap: 0, cases: 0 };
    let compared = 0;
    all.forEach((c, i) => {
      const q = answers[i]!;
      const ok = cronScheduleSchema.safeParse({ type: 'cron', expression: c.expression, dialect: 'quartz', timezone: c.zone }).success;
      if (q.startsWith('ERR') || !ok) {
        if (q.startsWith('ERR') !== !ok) problems.push(`${c.expression}: Quartz ${q.startsWith('ERR') ? `refuses (${q})` : 'accepts'}, vecron ${ok ? 'accepts' : 'refuses'}`);
        return;
      }
      const qf = q === '' ? [] : q.split(' ').map(Number);
      const vf = nextFireTimes({ type: 'cron', expression: c.expression, dialect: 'quartz', timezone: c.zone }, c.from, FIRES).map((d) => d.getTime());
      compared += 1;
      // Compare as sets up to the earlier of the two last fires (a skipped fire shifts the lists).
      const until = Math.min(qf.at(-1) ?? Infinity, vf.at(-1) ?? Infinity);
      const qs = new Set(qf.filter((t) => t <= until));
      const vs = new Set(vf.filter((t) => t <= until));
      const diff = [...[...qs].filter((t) => !vs.has(t)), ...[...vs].filter((t) => !qs.has(t))];
      if (!diff.length) return;
      const unexplained = diff.filter((t) => !nearTransition(c.zone, t));
      if (unexplained.length) {
        problems.push(`${c.expression} in ${c.zone} from ${new Date(c.from).toISOString()}: Quartz ${qf.map((t) => new Date(t).toISOString()).join(',')} vecron ${vf.map((t) => new Date(t).toISOString()).join(',')}`);
        return;
      }
      dst.cases += 1;
      for (const t of diff) {
        if (offset(c.zone, t - 3 * HOUR) > offset(c.zone, t + 3 * HOUR)) dst.overlap += 1;
        else dst.gap += 1;
      }
    });
    expect(problems.slice(0, 20)).toEqual([]);
    expect(compared).toBeGreaterThan(all.length * 0.9);
    // The DST differences exist (the test reaches the transitions) and are all of the documented kinds.
    expect(dst.cases).toBeGreaterThan(0);
    expect(dst.overlap + dst.gap).toBeGreaterThan(0);
  }, 600_000);

  it('the three documented DST differences and the agreement in a gap, on New York 2026 (docs/concepts.md, "Daylight saving time")', () => {
    const at = (iso: string): number => Date.parse(iso);
    const c = (expression: string, from: string, n: number): Case & { n: number } => ({ expression, zone: 'America/New_York', from: at(from), n });
    const list = [
      c('0 30 1 * * ?', '2026-10-31T12:00:00Z', 2), // fixed time in the repeated hour
      c('0 30 2 * * ?', '2026-03-07T12:00:00Z', 2), // fixed time inside the spring-forward gap
      c('0 0/20 * * * ?', '2026-11-01T04:30:00Z', 5), // every 20 minutes across the repeated hour
      c('0 0/20 * * * ?', '2026-03-08T06:30:00Z', 4), // every 20 minutes across the gap
    ];
    const q = quartz(list).map((l, i) => l.split(' ').slice(0, list[i]!.n).map((t) => new Date(Number(t)).toISOString()));
    const v = list.map((x) => nextFireTimes({ type: 'cron', expression: x.expression, dialect: 'quartz', timezone: x.zone }, x.from, FIRES).map((d) => d.toISOString()));
    // 1. Repeated hour: Quartz fires at the second 01:30 (EST), vecron at the first (EDT).
    expect(q[0]!.slice(0, 2)).toEqual(['2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(v[0]!.slice(0, 2)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    // 2. Gap: 02:30 does not exist on 8 March; Quartz skips that day, vecron fires once at 03:00 EDT.
    expect(q[1]!.slice(0, 2)).toEqual(['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
    expect(v[1]!.slice(0, 2)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    // 3. Every 20 minutes over the repeated hour: Quartz fires only the second pass (after 00:40 EDT
    //    comes 01:00 EST); vecron follows real time and fires both passes.
    expect(q[2]!.slice(0, 5)).toEqual(['2026-11-01T04:40:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T06:20:00.000Z', '2026-11-01T06:40:00.000Z', '2026-11-01T07:00:00.000Z']);
    expect(v[2]!.slice(0, 8)).toEqual([
      '2026-11-01T04:40:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T05:20:00.000Z', '2026-11-01T05:40:00.000Z',
      '2026-11-01T06:00:00.000Z', '2026-11-01T06:20:00.000Z', '2026-11-01T06:40:00.000Z', '2026-11-01T07:00:00.000Z',
    ]);
    // 4. Every 20 minutes over the gap: both skip 02:00–02:59 and go on at 03:00 EDT.
    expect(q[3]).toEqual(v[3]!.slice(0, q[3]!.length));
  }, 120_000);
});
