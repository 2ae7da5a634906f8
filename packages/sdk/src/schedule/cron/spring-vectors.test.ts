/**
 * Spring Framework's own CronExpressionTests (test/fixtures/spring-cron, Apache-2.0, attribution in
 * the JSON `about` block) run against the `spring` dialect through the public `nextFireTimes`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScheduleError } from '../../errors/errors.js';
import { nextFireTimes } from '../next-fire.js';
import { cronScheduleSchema } from '../schedule-schema.js';
import { toLocalParts } from '../../time/zoned.js';

interface Case {
  id: string;
  test: string;
  kind: 'next' | 'next_matches' | 'equivalent' | 'valid' | 'invalid';
  expression: string;
  zone?: string;
  from?: string;
  expected?: string | null;
  equivalent?: string;
  repeat?: number;
  check?: { day_of_month: number; day_of_week: string };
}

const file = fileURLToPath(new URL('../../../test/fixtures/spring-cron/spring-cron-expression-tests.json', import.meta.url));
const data = JSON.parse(readFileSync(file, 'utf8')) as { about: { source: { license: string; commit: string } }; cases: Case[] };

/**
 * Cases vecron answers differently on purpose, with the reason. vecron applies one DST rule to
 * every dialect (docs/concepts.md, "Daylight saving time").
 */
const DIFFERS: Record<string, string> = {
  'daylightSaving-next-3':
    "DST gap: 02:10 does not exist in Amsterdam on 2013-03-31. Spring skips the day and answers 2013-04-01 02:10; vecron's " +
    'rule for fixed-hour schedules fires once at the end of the gap (03:00+02:00), so a nightly job never loses a day.',
};

/** A LocalDateTime (no offset) is read as UTC, as the cases' `zone` says; a zoned value keeps its offset. */
const instant = (text: string): number => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
const schedule = (expression: string, zone = 'UTC') => ({ type: 'cron' as const, expression, dialect: 'spring' as const, timezone: zone });
const next = (c: Case): string | null => {
  const [fire] = nextFireTimes(schedule(c.expression, c.zone), instant(c.from ?? ''), 1);
  return fire ? fire.toISOString() : null;
};
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function accepted(expression: string): boolean {
  const r = cronScheduleSchema.safeParse(schedule(expression));
  if (!r.success) expect(r.error.issues[0]?.path).toEqual(['expression']);
  return r.success;
}

describe('Spring CronExpressionTests (spring-cron-expression-tests.json)', () => {
  it('keeps the attribution block; every listed difference is a real case', () => {
    expect(data.about.source).toMatchObject({ license: expect.stringContaining('Apache-2.0'), commit: '0a7105d23e6187ac79cd00f5df1609d28a6698b6' });
    expect(data.cases.length).toBeGreaterThanOrEqual(170);
    const ids = new Set(data.cases.map((c) => c.id));
    for (const id of Object.keys(DIFFERS)) expect(ids.has(id), id).toBe(true);
  });

  for (const c of data.cases) {
    const label = `${c.id} '${c.expression}'`;
    it(DIFFERS[c.id] ? `${label} — differs on purpose` : label, () => {
      switch (c.kind) {
        case 'valid':
        case 'invalid':
          expect(accepted(c.expression)).toBe(c.kind === 'valid');
          return;
        case 'equivalent': {
          const starts = ['2021-03-15T10:20:30Z', '2024-02-28T23:59:59Z', '2030-12-31T00:00:00Z'].map(Date.parse);
          for (const from of starts) {
            expect(nextFireTimes(schedule(c.expression), from, 30)).toEqual(nextFireTimes(schedule(c.equivalent ?? ''), from, 30));
          }
          return;
        }
        case 'next_matches': {
          let from = instant(c.from ?? '');
          for (let i = 0; i < (c.repeat ?? 1); i++) {
            const [fire] = nextFireTimes(schedule(c.expression, c.zone), from, 1);
            expect(fire).toBeDefined();
            const p = toLocalParts(fire!.getTime(), c.zone ?? 'UTC');
            expect({ day_of_month: p.day, day_of_week: WEEKDAYS[p.weekday] }).toEqual(c.check);
            from = fire!.getTime();
          }
          return;
        }
        case 'next': {
          const expected = c.expected === null || c.expected === undefined ? null : new Date(instant(c.expected)).toISOString();
          if (DIFFERS[c.id]) expect(next(c)).not.toEqual(expected);
          else expect(next(c)).toEqual(expected);
        }
      }
    });
  }
});

describe('spring dialect beyond the upstream suite (rules read from its sources)', () => {
  const fires = (expression: string, from: string, n: number): string[] =>
    nextFireTimes(schedule(expression), Date.parse(from), n).map((d) => d.toISOString().slice(0, 19));
  it('0 and 7 are Sunday; both day fields must match; ? is optional', () => {
    expect(fires('0 0 0 * * 0', '2021-03-15T00:00:00Z', 1)).toEqual(['2021-03-21T00:00:00']);
    expect(fires('0 0 0 * * 7', '2021-03-15T00:00:00Z', 1)).toEqual(['2021-03-21T00:00:00']);
    expect(fires('0 0 0 13 * 5', '2021-01-01T00:00:00Z', 2)).toEqual(['2021-08-13T00:00:00', '2022-05-13T00:00:00']);
    expect(fires('0 0 2 * * MON-FRI', '2021-03-19T12:00:00Z', 2)).toEqual(['2021-03-22T02:00:00', '2021-03-23T02:00:00']);
  });
  it('nW: a Sunday that ends the month moves to the next month, so that month has none', () => {
    // 2020-05-31 is a Sunday: Quartz fires Friday 29 May, Spring fires nothing in May.
    expect(fires('0 0 0 31W * ?', '2020-04-01T00:00:00Z', 1)).toEqual(['2020-07-31T00:00:00']);
  });
  it('refuses what Spring refuses', () => {
    for (const e of ['0 0 0 ? * L', '0 0 0 ? * FRI-MON', '0 0 0 L-0 * *', '0 0 0 * * 8', '0 0 ? * * *', '0 0 0 1 * ? 2030', '0 0 0 lw * *', '0 */0 * * * *']) {
      expect(accepted(e), e).toBe(false);
    }
    expect(() => nextFireTimes(schedule('0 0 0 ? * L'), 0, 1)).toThrow(ScheduleError);
  });
  it('accepts what Spring accepts and Quartz does not', () => {
    for (const e of ['0 0 0 * * *', '0 0 0 ? * SUN-FRI', '5/100 * * * * *', '0 0 0 ? * 1-3,5L', '0 0 0 ? * FRI#6', '@Daily', '0 0 0 * * 0-7']) {
      expect(accepted(e), e).toBe(true);
    }
  });
});
