/**
 * The 13 job files of the seed format (read in place from the shared test data, never copied here)
 * convert and validate, and the conversion keeps their meaning: the schedule fires at the same
 * instants as the seed expression read independently (next 50 fires), and every field of every step
 * config is equal where both formats have it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nextFireTimes } from '@vecron/sdk/schedule';
import { splitSeedNotes } from '@vecron/sdk';
import type { JobDefinition } from '@vecron/sdk';
import type { ScheduleDefinition } from '@vecron/sdk/schedule';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedTestdata } from '../../../sdk/test/helpers/shared-testdata.js';
import { loadConfig } from '../config/load-config.js';
import { defaultExecutors } from '../runtime/build-system.js';
import { convertCommand, validateCommand } from './commands.js';
import { convertAndValidate, convertSources } from './convert.js';

const dir = sharedTestdata('seed-jobs');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
const config = loadConfig({ env: {} });
const executors = defaultExecutors(config);
type Obj = Record<string, unknown>;
const read = (f: string): Obj => JSON.parse(readFileSync(f, 'utf8')) as Obj;

/**
 * The seed's own reading of a 6-field cron (`sec min hour day month weekday`, each field `*`, a
 * number, a name, a range or a list; a day must match both day fields), written here independently
 * of vecron's parser: every minute is tested in the job's zone with Intl.
 */
function seedFires(expression: string, zone: string, from: number, n: number): Date[] {
  const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  const [sec, min, hour, dom, mon, dow] = expression.split(/\s+/) as [string, string, string, string, string, string];
  expect(sec).toBe('0'); // the seed files fire on whole minutes
  const matcher = (field: string, names: string[] = []) => {
    const num = (v: string): number => (names.includes(v) ? names.indexOf(v) : Number(v));
    return (v: number): boolean =>
      field === '*' ||
      field.split(',').some((part) => {
        const [a, b] = part.split('-') as [string, string | undefined];
        return b === undefined ? num(a) === v : v >= num(a) && v <= num(b);
      });
  };
  const m = { min: matcher(min), hour: matcher(hour), dom: matcher(dom), mon: matcher(mon), dow: matcher(dow, DAYS) };
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
  const out: Date[] = [];
  for (let t = Math.floor(from / 60_000) * 60_000 + 60_000; out.length < n; t += 60_000) {
    const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
    if (m.min(Number(p.minute)) && m.hour(Number(p.hour)) && m.dom(Number(p.day)) && m.mon(Number(p.month)) && m.dow(DAYS.indexOf(p.weekday!.toUpperCase()))) {
      out.push(new Date(t));
    }
  }
  return out;
}

/** A seed step's config wherever the seed put it: `config`, the older `type` object, or step-level fields. */
function seedConfig(step: Obj): Obj {
  if (step.config && typeof step.config === 'object') return step.config as Obj;
  if (step.type && typeof step.type === 'object') {
    const { type: _type, ...rest } = step.type as Obj;
    return rest;
  }
  const own = new Set(['id', 'name', 'type', 'timeout_seconds', 'retry_count', 'on_failure', 'condition']);
  return Object.fromEntries(Object.entries(step).filter(([k]) => !own.has(k)));
}

describe('seed-format job files (../shared/testdata/seed-jobs)', () => {
  it('are the 13 files of the seed, and all of them are refused as they are', () => {
    expect(files).toHaveLength(13);
    const r = validateCommand(config, files);
    expect(r.code).toBe(1);
    expect(r.lines.filter((l) => l.startsWith('ok'))).toEqual([]);
  });

  const converted = convertAndValidate(files, 'seed', executors);

  it('all 13 convert and validate, with every change reported naming its file', () => {
    expect(converted.errors).toEqual([]);
    expect(converted.definitions).toHaveLength(13);
    for (const line of converted.changes) expect(line).toMatch(/^\/.*\/job-[a-z-]+\.json: \$[.[][^:]*: \S/);
    expect(validateCommand(config, files, 'seed').code).toBe(0);
  });

  describe.each(files.map((f, i) => [path.basename(f), f, i] as const))('%s', (_name, file, i) => {
    const seed = read(file);
    const def = converted.definitions[i] as JobDefinition;

    it('keeps the job fields, the triggers and the notes', () => {
      expect(def.name).toBe(seed.name);
      for (const k of ['enabled', 'timeout_seconds', 'max_retries', 'allow_concurrent'] as const) {
        if (seed[k] !== undefined && seed[k] !== null) expect(def[k]).toEqual(seed[k]);
      }
      const t = seed.triggers as Obj;
      expect(def.triggers.scheduled).toBe(t.scheduled);
      expect(def.triggers.manual).toBe(t.manual);
      if (t.webhook) expect(def.triggers.webhook).toEqual(t.webhook);
      else expect(def.triggers.webhook).toBeUndefined();
      const split = splitSeedNotes(def.description ?? '');
      expect(split.description).toBe(seed.description ?? '');
      if (seed.notes !== undefined) expect(split.notes).toEqual(seed.notes);
      else expect(split).not.toHaveProperty('notes');
    });

    it('fires at the same instants as the seed expression (next 50 fires)', () => {
      const s = seed.schedule as Obj | null;
      if (s === null) {
        expect(def.schedule).toBeNull();
        return;
      }
      const from = Date.parse('2026-12-05T16:59:30Z');
      if (s.type === 'fixed_rate') {
        // Every interval_seconds from the job's creation (the anchor), in both systems.
        expect(def.schedule).toEqual(s);
        const fires = nextFireTimes(def.schedule as ScheduleDefinition, from, 50, { anchorMs: from });
        expect(fires.map((d) => d.getTime())).toEqual(Array.from({ length: 50 }, (_, k) => from + (k + 1) * (s.interval_seconds as number) * 1000));
        return;
      }
      expect(s.type).toBe('cron');
      const after = nextFireTimes(def.schedule as ScheduleDefinition, from, 50);
      expect(after.map((d) => d.toISOString())).toEqual(seedFires(s.expression as string, s.timezone as string, from, 50).map((d) => d.toISOString()));
    });

    it('keeps every step: id, name, type and each config field the seed gave a value', () => {
      const steps = seed.steps as Obj[];
      expect(def.steps).toHaveLength(steps.length);
      steps.forEach((step, j) => {
        const got = def.steps[j]!;
        expect(got.id).toBe(step.id);
        expect(got.name).toBe(step.name);
        const type = typeof step.type === 'object' ? (step.type as Obj).type : step.type;
        expect(got.type).toBe(type === 'http_request' ? 'http' : type);
        const want = seedConfig(step);
        for (const [k, v] of Object.entries(want)) {
          if (v === null) expect(got.config, `${k} (null in the seed)`).not.toHaveProperty(k);
          else if (k === 'options' && got.type === 'sftp') {
            const { streaming: _s, ...rest } = v as Obj;
            expect(got.config.options).toEqual(rest);
          } else expect(got.config[k], `steps[${j}].config.${k}`).toEqual(v);
        }
        expect(Object.keys(got.config).sort()).toEqual(Object.keys(want).filter((k) => want[k] !== null).sort());
      });
    });
  });
});

describe('vecron jobs convert --from seed', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-convert-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes one JSON array to stdout and each change to stderr; exit 0', () => {
    const r = convertCommand(config, files, 'seed');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.lines.join('\n'))).toHaveLength(13);
    expect(r.errorLines!.filter((l) => l.startsWith('changed '))).toHaveLength(converted().changes.length);
    expect(r.errorLines!.at(-1)).toMatch(/^converted 13 job\(s\) from 13 file\(s\)/);
  });

  it('exits 1 naming the file and the path of what cannot be converted or does not validate, and writes no JSON', () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ ...read(files[0]!), owner: 'ops' }, read(files[1]!)]));
    const invalid = path.join(tmp, 'invalid.json');
    writeFileSync(invalid, JSON.stringify([read(files[0]!), { ...read(files[1]!), max_retries: -1 }]));
    const notJson = path.join(tmp, 'broken.json');
    writeFileSync(notJson, '{ "name": ');
    const r = convertCommand(config, [files[2]!, bad, invalid, notJson, path.join(tmp, 'missing.json')], 'seed');
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([]);
    const errors = r.errorLines!.filter((l) => l.startsWith('error'));
    expect(errors).toEqual([
      `error   ${bad}: $[0].owner: unknown field "owner" (neither a seed-format nor a vecron job field); remove it or move it into "notes"`,
      expect.stringMatching(new RegExp(`^error   ${notJson}: \\$: not JSON`)),
      expect.stringMatching(new RegExp(`^error   ${path.join(tmp, 'missing.json')}: \\$: cannot read the file`)),
      expect.stringMatching(new RegExp(`^error   ${invalid}: \\$\\[1\\]\\.max_retries: .* \\(after conversion\\)$`)),
    ]);
  });
});

function converted(): ReturnType<typeof convertSources> {
  return convertSources(files, 'seed');
}
