/**
 * Runs every case of the Quartz / Quartz.NET / cron-utils vectors (Apache-2.0, attribution in the
 * JSON `about` block) against vecron through its public API: `next` cases through `nextFireTimes`
 * on a cron schedule as a job states it (dialect chosen by field count), `satisfied` cases through
 * `cronMatches`, `valid` / `invalid` cases through the job's schedule schema. The vectors are read
 * in place from the shared test data (../shared/testdata/quartz-cron), never copied here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedTestdata } from '../../../test/helpers/shared-testdata.js';
import { nextFireTimes } from '../next-fire.js';
import { cronScheduleSchema } from '../schedule-schema.js';
import { cronMatches } from './next-cron-fire.js';
import { parseCron } from './parse-cron.js';

interface Case {
  id: string;
  kind: 'next' | 'satisfied' | 'valid' | 'invalid';
  expression: string;
  timezone?: string;
  from?: string;
  time?: string;
  expected?: string | boolean | null;
  as_utc?: { timezone: string; from?: string; time?: string; expected: string | boolean | null };
  quartz_java_note?: string;
}

const load = (name: string): { about: unknown; cases: Case[] } =>
  JSON.parse(readFileSync(sharedTestdata('quartz-cron', name), 'utf8')) as { about: unknown; cases: Case[] };

/**
 * Cases vecron deliberately answers differently, with the reason. Keep this list short.
 */
const DIFFERS: Record<string, string> = {
  'qn-102':
    'A 5-field expression is Unix cron in a job (the dialect follows the field count unless the schedule names one): ' +
    "'* * ? */5 *' is every minute of every fifth day of the month, '?' reading as '*'. Quartz rejects it; written with " +
    '"dialect": "quartz" vecron rejects it too (parse-cron.test.ts).',
};

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** vecron's answer to a case: an ISO instant / null for `next`, a boolean for `satisfied`, 'accepted' | 'rejected'. */
function answer(c: Case): string | boolean | null {
  const concrete = c.as_utc ?? { timezone: c.timezone ?? 'UTC', from: c.from, time: c.time };
  const schedule = { type: 'cron' as const, expression: c.expression, timezone: concrete.timezone };
  if (!cronScheduleSchema.safeParse(schedule).success) return 'rejected';
  if (c.kind === 'valid' || c.kind === 'invalid') return 'accepted';
  if (c.kind === 'next') return iso(nextFireTimes(schedule, Date.parse(concrete.from ?? ''), 1)[0]?.getTime() ?? null);
  return cronMatches(parseCron(c.expression), Date.parse(concrete.time ?? ''), concrete.timezone);
}

function expectedOf(c: Case): string | boolean | null {
  if (c.kind === 'valid') return 'accepted';
  if (c.kind === 'invalid') return 'rejected';
  return c.as_utc ? c.as_utc.expected : (c.expected ?? null);
}

describe('Quartz cron vectors (quartz-cron-vectors.json)', () => {
  const data = load('quartz-cron-vectors.json');

  it('keeps the attribution block and all 441 cases', () => {
    expect(data.about).toMatchObject({ license_note: expect.stringContaining('Apache-2.0') });
    expect(data.cases).toHaveLength(441);
  });

  it('lists only real case ids in DIFFERS', () => {
    const ids = new Set(data.cases.map((c) => c.id));
    for (const id of Object.keys(DIFFERS)) expect(ids.has(id), id).toBe(true);
  });

  for (const c of data.cases) {
    const label = `${c.id} ${c.kind} '${c.expression}'`;
    if (DIFFERS[c.id]) {
      it(`${label} — differs on purpose`, () => {
        expect(answer(c)).not.toEqual(expectedOf(c));
      });
    } else {
      it(label, () => {
        expect(answer(c)).toEqual(expectedOf(c));
      });
    }
  }
});

/**
 * Peer cases where Quartz.NET or cron-utils disagree with Quartz main. For each, which side vecron
 * takes: 'peer' (the case's `expected`), 'quartz' (Quartz main's answer) or 'neither'.
 */
const DIVERGENT_SIDE: Record<string, { side: 'peer' | 'quartz' | 'neither'; why: string }> = {};
const side = (ids: string[], s: 'peer' | 'quartz' | 'neither', why: string): void => {
  for (const id of ids) DIVERGENT_SIDE[id] = { side: s, why };
};
side(['qn-x-001', 'qn-x-002', 'qn-x-009', 'qn-x-010', 'qn-x-011', 'qn-x-012', 'qn-x-013', 'qn-x-014'], 'quartz',
  "'LW-n' is a Quartz.NET extension; rejected like Quartz main");
side(['qn-x-003', 'qn-x-015', 'qn-x-016', 'qn-x-017', 'qn-x-018', 'qn-x-019', 'qn-x-020', 'qn-x-021', 'qn-x-022',
  'qn-x-027', 'qn-x-028', 'qn-x-029', 'qn-x-030'], 'peer', 'strict parser: trailing garbage and out-of-range values are rejected');
side(['qn-x-004', 'qn-x-005', 'qn-x-006', 'qn-x-007', 'qn-x-008'], 'quartz', "Quartz syntax needs exactly one '?' day field");
side(['cu-x-001'], 'quartz', "'nL' is not valid in day-of-month (Quartz main)");
side(['qn-x-023', 'qn-x-024', 'qn-x-025', 'qn-x-026'], 'quartz', 'FRI/2 is the set {FRI} (6, 8 > 7), as in Quartz main');
side(['qn-x-031'], 'quartz', '31W skips months without a 31st, as in Quartz main');
side(['qn-x-032'], 'peer', '1W on a Sunday 1st is Monday the 2nd (Quartz main bug)');
side(['qn-x-033', 'qn-x-034'], 'neither',
  'DST gap: vecron fires at the first instant after the gap (Quartz.NET shifts by the DST delta, Quartz main skips the day)');
side(['qn-x-035'], 'peer', 'DST gap: midnight in a 00:00→01:00 gap fires at the first instant after the gap');
side(['qn-x-036', 'qn-x-037', 'qn-x-038', 'qn-x-039', 'qn-x-042', 'qn-x-043', 'qn-x-044', 'qn-x-046', 'qn-x-047',
  'qn-x-048', 'qn-x-049', 'qn-x-050'], 'peer', 'DST fall-back: a repeated wall time fires at its first occurrence');
side(['qn-x-040', 'qn-x-041', 'qn-x-045'], 'peer',
  'DST fall-back: a frequent schedule (minute or hour field starting with *) follows real time and fires both passes, as Quartz.NET and cronie do');

/** Quartz main's outcome as recorded in `quartz_java_note`. */
function quartzMain(c: Case): string | boolean | null {
  const note = c.quartz_java_note ?? '';
  if (note.startsWith('Quartz main accepts')) return 'accepted';
  if (note.startsWith('Quartz main rejects') || note.startsWith('Quartz main returns ERR')) return 'rejected';
  const m = /^Quartz main returns (\S+Z)/.exec(note);
  if (!m) throw new Error(`cannot read Quartz main's answer for ${c.id}: ${note}`);
  return m[1] ?? null;
}

describe('divergent peer cases (quartz-cron-vectors-divergent.json)', () => {
  const data = load('quartz-cron-vectors-divergent.json');

  it('classifies every case', () => {
    expect(Object.keys(DIVERGENT_SIDE).sort()).toEqual(data.cases.map((c) => c.id).sort());
  });

  for (const c of data.cases) {
    const rule = DIVERGENT_SIDE[c.id];
    it(`${c.id} '${c.expression}' → ${rule?.side}: ${rule?.why}`, () => {
      const ours = answer(c);
      const peer = expectedOf(c);
      const quartz = quartzMain(c);
      if (rule?.side === 'peer') expect(ours).toEqual(peer);
      else if (rule?.side === 'quartz') expect(ours).toEqual(quartz);
      else {
        expect(ours).not.toEqual(peer);
        expect(ours).not.toEqual(quartz);
      }
    });
  }
});
