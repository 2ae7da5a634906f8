import { readFileSync } from 'node:fs';
import { nextFireTimes } from '@vecron/sdk/schedule';
import { validateJobDefinition, ValidationError } from '@vecron/sdk';
import type { ScheduleDefinition } from '@vecron/sdk/schedule';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { defaultExecutors } from '../runtime/build-system.js';
import { convertQuartzXml, quartzClassMapSchema, UNMAPPED_TAG } from './quartz-xml.js';

const fixture = (f: string): string => readFileSync(new URL(`../../test/fixtures/quartz/${f}`, import.meta.url), 'utf8');
const map = quartzClassMapSchema.parse(JSON.parse(fixture('class-map.json')));
const executors = defaultExecutors(loadConfig({ env: {} }));

/** A minimal document around `schedule` content. */
const doc = (inner: string): string =>
  `<?xml version="1.0"?><job-scheduling-data xmlns="http://www.quartz-scheduler.org/xml/JobSchedulingData" version="2.0"><schedule>${inner}</schedule></job-scheduling-data>`;
const job = (name = 'j', cls = 'C'): string => `<job><name>${name}</name><job-class>${cls}</job-class></job>`;
const issuesOf = (xml: string): string[] => {
  try {
    convertQuartzXml(xml, { map: { C: [{ id: 's', type: 'http', config: { method: 'GET', url: 'https://a.vn' } }] } });
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ValidationError');
};

describe('convertQuartzXml: a full job-scheduling-data file', () => {
  const r = convertQuartzXml(fixture('settlement-jobs.xml'), { map });
  const byName = new Map(r.definitions.map((d) => [d.definition.name as string, d.definition]));

  it('makes one job per trigger, one per job without a trigger, and every one validates', () => {
    expect([...byName.keys()]).toEqual([
      'settlement.dailySettlement / settlementWeekdays',
      'settlement.dailySettlement / settlementMonthEnd',
      'pollInbox',
      'ops.warmUp / tenTimes',
      'ops.warmUp / once',
      'ops.weeklyArchive',
      'ops.rebuildIndexes',
    ]);
    for (const { definition } of r.definitions) {
      const v = validateJobDefinition(definition, { executors });
      expect(v.issues, String(definition.name)).toEqual([]);
    }
  });

  it('cron trigger: expression in the quartz dialect, zone, end, calendar, misfire, priority and group as tags, merged JobDataMap as variables', () => {
    const d = byName.get('settlement.dailySettlement / settlementWeekdays')!;
    expect(d).toMatchObject({
      enabled: true,
      description: 'Đối soát cuối ngày\n\n02:00 on working days',
      tags: ['settlement', 'quartz-class:vn.bank.batch.SettlementJob', 'settlement-triggers', 'quartz-priority:7'],
      schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', dialect: 'quartz', timezone: 'Asia/Ho_Chi_Minh', end_date: '2027-12-31T16:59:59.000Z', calendar: 'vn' },
      misfire_policy: 'fire_once',
      variables: { currency: 'VND', batch_size: '1000' },
      steps: map['vn.bank.batch.SettlementJob'],
    });
    expect(byName.get('settlement.dailySettlement / settlementMonthEnd')).toMatchObject({
      misfire_policy: 'skip', variables: { currency: 'VND', batch_size: '500' },
    });
    const fires = nextFireTimes(byName.get('settlement.dailySettlement / settlementMonthEnd')!.schedule as ScheduleDefinition, Date.parse('2026-12-07T00:00:00Z'), 3);
    expect(fires.map((f) => f.toISOString())).toEqual(['2026-12-31T16:30:00.000Z', '2027-01-31T16:30:00.000Z', '2027-02-28T16:30:00.000Z']);
  });

  it('simple triggers: forever → fixed_rate; repeat-count N → N+1 fires (end_date); repeat-count 0 → one_time; misfire instructions mapped', () => {
    expect(byName.get('pollInbox')).toMatchObject({
      schedule: { type: 'fixed_rate', interval_seconds: 300, start_at: '2026-12-01T00:00:00.000Z' }, misfire_policy: 'skip',
    });
    const ten = byName.get('ops.warmUp / tenTimes')!;
    expect(ten).toMatchObject({ misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } });
    const fires = nextFireTimes(ten.schedule as ScheduleDefinition, Date.parse('2026-12-01T00:00:00Z'), 100);
    expect(fires).toHaveLength(10);
    expect(fires[0]!.toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(fires[9]!.toISOString()).toBe('2026-12-01T01:09:00.000Z');
    expect(byName.get('ops.warmUp / once')!.schedule).toEqual({ type: 'one_time', execute_at: '2026-12-24T13:00:00.000Z' });
  });

  it('calendar-interval WEEK → fixed_rate of a week; a job without trigger → on demand', () => {
    expect(byName.get('ops.weeklyArchive')!.schedule).toEqual({ type: 'fixed_rate', interval_seconds: 604_800, start_at: '2026-12-05T20:00:00.000Z' });
    expect(byName.get('ops.rebuildIndexes')!.schedule).toBeNull();
  });

  it('an unmapped job class is never dropped: its job is produced disabled, tagged and explained, and reported', () => {
    expect(r.unmappedClasses.sort()).toEqual(['vn.bank.ops.ArchiveJob', 'vn.bank.ops.RebuildIndexesJob']);
    for (const name of ['ops.weeklyArchive', 'ops.rebuildIndexes']) {
      const d = byName.get(name)!;
      expect(d.enabled).toBe(false);
      expect(d.tags).toContain(UNMAPPED_TAG);
      expect(d.description).toMatch(/^UNMAPPED: Quartz job class vn\.bank\.ops\.\w+Job has no steps/);
      expect((d.steps as Array<{ config: { url: string } }>)[0]!.config.url).toMatch(/^https:\/\/unmapped-quartz-job-class\.invalid\/vn\.bank\.ops\./);
    }
    expect(byName.get('ops.rebuildIndexes')!.description).toContain('Run by hand after a restore');
    expect(r.changes.filter((c) => c.message.startsWith('unmapped')).map((c) => c.path).sort()).toEqual(['job-class vn.bank.ops.ArchiveJob', 'job-class vn.bank.ops.RebuildIndexesJob']);
  });

  it('reports every element it does not carry over as such, with its XML path', () => {
    const paths = r.changes.map((c) => c.path);
    const S = '/job-scheduling-data/schedule[1]';
    for (const p of [
      '/job-scheduling-data/pre-processing-commands[1]/delete-jobs-in-group',
      '/job-scheduling-data/pre-processing-commands[1]/delete-trigger',
      '/job-scheduling-data/processing-directives[1]/overwrite-existing-data',
      '/job-scheduling-data/processing-directives[1]/ignore-duplicates',
      `${S}/job[1]/durability`,
      `${S}/job[1]/recover`,
      `${S}/job[1]/job-data-map/entry[2]/key`,
      `${S}/trigger[1]/cron/priority`,
      `${S}/trigger[1]/cron/calendar-name`,
      `${S}/trigger[1]/cron/start-time`,
      `${S}/trigger[1]/cron/misfire-instruction`,
      `${S}/trigger[1]/cron`,
      `${S}/trigger[4]/simple/repeat-count`,
      `${S}/trigger[6]/calendar-interval/repeat-interval-unit`,
      `${S}/job[5]`,
    ]) expect(paths, p).toContain(p);
    expect(r.changes.find((c) => c.path === `${S}/job[1]/job-data-map/entry[2]/key`)!.message).toContain('"batch.size" → variable batch_size');
  });
});

describe('convertQuartzXml: what it refuses, naming the path', () => {
  it('malformed XML, with line and column', () => {
    expect(issuesOf('<job-scheduling-data><schedule></job-scheduling-data>')[0]).toMatch(/^line 1, column \d+: /);
  });
  it('another root element', () => {
    expect(issuesOf('<quartz/>')).toEqual(['/: the root element must be <job-scheduling-data> (Quartz 2.x XMLSchedulingDataProcessor format)']);
  });
  it('a trigger of a job the file does not define; a missing cron-expression', () => {
    expect(issuesOf(doc(`${job()}<trigger><cron><name>t</name><job-name>nope</job-name></cron></trigger>`))).toEqual([
      '/job-scheduling-data/schedule[1]/trigger[1]/cron/job-name: no <job> DEFAULT.nope in this file',
    ]);
    expect(issuesOf(doc(`${job()}<trigger><cron><name>t</name><job-name>j</job-name></cron></trigger>`))).toEqual([
      '/job-scheduling-data/schedule[1]/trigger[1]/cron/cron-expression: is required',
    ]);
  });
  it('an unknown misfire instruction for the trigger kind', () => {
    const xml = doc(`${job()}<trigger><cron><name>t</name><job-name>j</job-name><misfire-instruction>MISFIRE_INSTRUCTION_FIRE_NOW</misfire-instruction><cron-expression>0 0 2 * * ?</cron-expression></cron></trigger>`);
    expect(issuesOf(xml)[0]).toMatch(/^\/job-scheduling-data\/schedule\[1\]\/trigger\[1\]\/cron\/misfire-instruction: unknown for a cron trigger: "MISFIRE_INSTRUCTION_FIRE_NOW"/);
  });
  it('names of Object.prototype members are read as names: unknown instruction and unit, unmapped class, an ordinary variable', () => {
    const cron = (inner: string) => doc(`${job()}<trigger><cron><name>t</name><job-name>j</job-name>${inner}<cron-expression>0 0 2 * * ?</cron-expression></cron></trigger>`);
    expect(issuesOf(cron('<misfire-instruction>constructor</misfire-instruction>'))).toEqual([
      expect.stringMatching(/^\/job-scheduling-data\/schedule\[1\]\/trigger\[1\]\/cron\/misfire-instruction: unknown for a cron trigger: "constructor"/),
    ]);
    const toString = doc(`${job()}<trigger><calendar-interval><name>t</name><job-name>j</job-name><repeat-interval>1</repeat-interval><repeat-interval-unit>toString</repeat-interval-unit></calendar-interval></trigger>`);
    expect(issuesOf(toString)).toEqual([expect.stringContaining('calendar-interval/repeat-interval-unit: toString: a calendar interval of months or years has no fixed length')]);
    const r = convertQuartzXml(doc('<job><name>j</name><job-class>constructor</job-class><job-data-map><entry><key>constructor</key><value>v</value></entry></job-data-map></job>'), { map: {} });
    expect(r.unmappedClasses).toEqual(['constructor']);
    expect(r.definitions[0]!.definition).toMatchObject({ enabled: false, variables: { constructor: 'v' } });
  });
  it('intervals vecron cannot express, and a date-time without an offset', () => {
    const simple = (inner: string) => doc(`${job()}<trigger><simple><name>t</name><job-name>j</job-name>${inner}</simple></trigger>`);
    expect(issuesOf(simple('<repeat-count>-1</repeat-count><repeat-interval>1500</repeat-interval>'))[0]).toContain('simple/repeat-interval: 1500 ms: vecron intervals are whole seconds');
    expect(issuesOf(simple('<repeat-count>3</repeat-count><repeat-interval>1000</repeat-interval>'))[0]).toContain('simple/repeat-count: 3 repeats need start-time');
    expect(issuesOf(simple('<start-time>2026-12-01T02:00:00</start-time><repeat-count>-1</repeat-count><repeat-interval>1000</repeat-interval>'))[0]).toContain('simple/start-time: expected an xs:dateTime with an offset');
    const monthly = doc(`${job()}<trigger><calendar-interval><name>t</name><job-name>j</job-name><repeat-interval>1</repeat-interval><repeat-interval-unit>MONTH</repeat-interval-unit></calendar-interval></trigger>`);
    expect(issuesOf(monthly)[0]).toContain('calendar-interval/repeat-interval-unit: MONTH: a calendar interval of months or years has no fixed length');
  });
  it('two JobDataMap keys that become the same variable; a job defined twice', () => {
    const xml = doc('<job><name>j</name><job-class>C</job-class><job-data-map><entry><key>a.b</key><value>1</value></entry><entry><key>a-b</key><value>2</value></entry></job-data-map></job><trigger><cron><name>t</name><job-name>j</job-name><cron-expression>0 0 2 * * ?</cron-expression></cron></trigger>');
    expect(issuesOf(xml)).toEqual(['/job-scheduling-data/schedule[1]/job[1]/job-data-map/entry[2]/key: "a-b" and "a.b" both become variable a_b; rename one']);
    expect(issuesOf(doc(job() + job()))).toEqual(['/job-scheduling-data/schedule[1]/job[2]/name: job DEFAULT.j is defined twice (also /job-scheduling-data/schedule[1]/job[1])']);
  });
});

describe('quartzClassMapSchema', () => {
  it('refuses a class with no steps', () => {
    expect(quartzClassMapSchema.safeParse({ C: [] }).success).toBe(false);
  });
});
