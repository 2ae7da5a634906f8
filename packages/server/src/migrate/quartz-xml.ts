/**
 * Reads Quartz 2.x `job-scheduling-data` XML (the file `XMLSchedulingDataProcessorPlugin` loads,
 * schema job_scheduling_data_2_0.xsd) into vecron job definitions, one per trigger:
 *
 * - `cron` trigger → cron schedule (`"dialect": "quartz"`, `time-zone` → `timezone`); `simple`
 *   trigger → `fixed_rate` (repeat-count 0 → `one_time`; a finite repeat-count → `end_date`);
 *   `calendar-interval` → `fixed_rate` for SECOND…WEEK units;
 * - `start-time` → `start_at`, `end-time` → `end_date`; `misfire-instruction` → `misfire_policy`
 *   / `catchup`; `priority`, `calendar-name`, `durability`, `recover` are reported with what they
 *   become;
 * - the job's `job-data-map`, overlaid by the trigger's (Quartz merges them that way) → `variables`;
 * - `group` → a tag; several triggers of one job → one vecron job each (named after the trigger);
 * - `job-class` → the steps `map` gives for it. An unmapped class is reported and its job is produced
 *   **disabled**, tagged `quartz-unmapped`, with one placeholder step that names the class and fails
 *   if someone enables it — never dropped.
 *
 * Every change is reported with the XML path it concerns; what cannot be mapped is a
 * `ValidationError` naming the path.
 */
import { DEFAULT_TIME_ZONE, ValidationError } from '@vecron/sdk';
import type { ConversionChange, ValidationIssue } from '@vecron/sdk';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

/** `MAP.json`: each Quartz job class → the vecron steps that replace it. */
export const quartzClassMapSchema = z.record(z.string().min(1), z.array(z.record(z.string(), z.unknown())).min(1, 'a job class needs at least one step'));
/** A parsed `MAP.json`. */
export type QuartzClassMap = z.infer<typeof quartzClassMapSchema>;

/** Result of {@link convertQuartzXml}. */
export interface QuartzConversion {
  /** One vecron job definition (JSON) per trigger, plus one per job without a trigger. */
  definitions: Array<{ at: string; definition: Record<string, unknown> }>;
  /** Every change, with the XML path it concerns. */
  changes: ConversionChange[];
  /** Job classes `map` has no steps for; their jobs are produced disabled. */
  unmappedClasses: string[];
}

/** Tag on the job of an unmapped job class. */
export const UNMAPPED_TAG = 'quartz-unmapped';

type Node = Record<string, unknown>;
const MAX_TAG = 100;

/** Quartz misfire instructions by trigger kind, and what each becomes. */
const MISFIRE: Record<string, Record<string, { policy: Record<string, unknown>; why: string }>> = {
  cron: {
    MISFIRE_INSTRUCTION_SMART_POLICY: { policy: { misfire_policy: 'fire_once' }, why: 'Quartz\'s smart policy for a cron trigger is FIRE_ONCE_NOW: one run for the missed fires' },
    MISFIRE_INSTRUCTION_FIRE_ONCE_NOW: { policy: { misfire_policy: 'fire_once' }, why: 'one run for the missed fires' },
    MISFIRE_INSTRUCTION_DO_NOTHING: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped, the next regular fire runs' },
    MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY: { policy: { misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } }, why: 'every missed fire runs (at most 10,000 after a downtime)' },
  },
  simple: {
    MISFIRE_INSTRUCTION_SMART_POLICY: { policy: { misfire_policy: 'fire_once' }, why: 'Quartz\'s smart policy for a simple trigger runs the missed fire now; vecron keeps the original grid afterwards' },
    MISFIRE_INSTRUCTION_FIRE_NOW: { policy: { misfire_policy: 'fire_once' }, why: 'the missed fire runs now' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT: { policy: { misfire_policy: 'fire_once' }, why: 'one run now; vecron keeps the original grid (Quartz would restart the grid at now)' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_REMAINING_REPEAT_COUNT: { policy: { misfire_policy: 'fire_once' }, why: 'one run now; vecron keeps the original grid (Quartz would restart the grid at now)' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped, the next fire of the grid runs' },
    MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_EXISTING_COUNT: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped, the next fire of the grid runs' },
    MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY: { policy: { misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } }, why: 'every missed fire runs (at most 10,000 after a downtime)' },
  },
  'calendar-interval': {
    MISFIRE_INSTRUCTION_SMART_POLICY: { policy: { misfire_policy: 'fire_once' }, why: 'Quartz\'s smart policy for a calendar-interval trigger is FIRE_ONCE_NOW' },
    MISFIRE_INSTRUCTION_FIRE_ONCE_NOW: { policy: { misfire_policy: 'fire_once' }, why: 'one run for the missed fires' },
    MISFIRE_INSTRUCTION_DO_NOTHING: { policy: { misfire_policy: 'skip' }, why: 'missed fires are skipped' },
    MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY: { policy: { misfire_policy: 'fire_all', catchup: { policy: 'all', max_catchup: 10_000 } }, why: 'every missed fire runs (at most 10,000 after a downtime)' },
  },
};

const UNIT_SECONDS: Record<string, number> = { SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86_400, WEEK: 604_800 };

class Reader {
  readonly changes: ConversionChange[] = [];
  readonly issues: ValidationIssue[] = [];

  change(path: string, message: string): void {
    // A job's JobDataMap is read once per trigger: report each change once.
    if (!this.changes.some((c) => c.path === path && c.message === message)) this.changes.push({ path, message });
  }
  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** The elements named `name` under `node` (every element parses as an array). */
  all(node: Node, name: string): Node[] {
    const v = node[name];
    return Array.isArray(v) ? (v as unknown[]).map((x) => (typeof x === 'object' && x !== null ? (x as Node) : { '#text': String(x) })) : [];
  }

  /** The text of the single child `name`, or undefined; more than one is an error. */
  text(node: Node, name: string, at: string, required = false): string | undefined {
    const els = this.all(node, name);
    if (els.length > 1) this.fail(`${at}/${name}`, `appears ${els.length} times; the schema allows one`);
    if (els.length === 0) {
      if (required) this.fail(`${at}/${name}`, 'is required');
      return undefined;
    }
    const t = els[0]!['#text'];
    return t === undefined ? '' : String(t).trim();
  }

  int(node: Node, name: string, at: string, required = false): number | undefined {
    const t = this.text(node, name, at, required);
    if (t === undefined) return undefined;
    if (!/^-?\d+$/.test(t)) {
      this.fail(`${at}/${name}`, `expected a whole number, got "${t}"`);
      return undefined;
    }
    return Number(t);
  }

  instant(node: Node, name: string, at: string): string | undefined {
    const t = this.text(node, name, at);
    if (t === undefined) return undefined;
    // xs:dateTime; Quartz reads one without an offset in the JVM's zone — vecron needs the offset.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(t) || Number.isNaN(Date.parse(t))) {
      this.fail(`${at}/${name}`, `expected an xs:dateTime with an offset (2026-12-01T02:00:00+07:00), got "${t}"; Quartz read one without an offset in the JVM's default zone, so write that zone's offset`);
      return undefined;
    }
    return new Date(Date.parse(t)).toISOString();
  }

  dataMap(node: Node, at: string): Array<{ key: string; value: string; at: string }> {
    const maps = this.all(node, 'job-data-map');
    if (maps.length > 1) this.fail(`${at}/job-data-map`, `appears ${maps.length} times; the schema allows one`);
    if (!maps.length) return [];
    return this.all(maps[0]!, 'entry').map((e, i) => {
      const p = `${at}/job-data-map/entry[${i + 1}]`;
      return { key: this.text(e, 'key', p, true) ?? '', value: this.text(e, 'value', p, true) ?? '', at: p };
    });
  }
}

/** A `${NAME}`-usable variable name for a JobDataMap key (`batch.size` → `batch_size`). */
function variableName(key: string): string {
  const v = key.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(v) ? v : `_${v}`;
}

function tag(t: string): string {
  return t.length > MAX_TAG ? t.slice(0, MAX_TAG) : t;
}

/**
 * Converts Quartz `job-scheduling-data` XML into vecron job definitions.
 * @param xml - The XML text.
 * @param options.map - Job class → steps (`MAP.json`); classes without an entry are produced disabled.
 * @throws {@link ValidationError} naming each XML path that cannot be mapped (malformed XML, a
 *   trigger of an unknown job, an unknown misfire instruction, a MONTH interval…).
 */
export function convertQuartzXml(xml: string, options: { map?: QuartzClassMap } = {}): QuartzConversion {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new ValidationError('Quartz XML', [{ path: `line ${valid.err.line}, column ${valid.err.col}`, message: valid.err.msg }]);
  }
  const parsed = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, isArray: () => true }).parse(xml) as Node;
  const r = new Reader();
  const rootEls = r.all(parsed, 'job-scheduling-data');
  if (rootEls.length !== 1) throw new ValidationError('Quartz XML', [{ path: '/', message: 'the root element must be <job-scheduling-data> (Quartz 2.x XMLSchedulingDataProcessor format)' }]);
  const root = rootEls[0]!;
  const ROOT = '/job-scheduling-data';
  const map = options.map ?? {};
  const unmapped = new Set<string>();

  r.all(root, 'pre-processing-commands').forEach((pre, i) => {
    for (const k of Object.keys(pre)) {
      if (k === '#text') continue;
      r.change(`${ROOT}/pre-processing-commands[${i + 1}]/${k}`, 'not applied: it deletes jobs from a Quartz store; vecron import creates or updates jobs by name and deletes none (delete them with the API or the dashboard)');
    }
  });
  r.all(root, 'processing-directives').forEach((d, i) => {
    const at = `${ROOT}/processing-directives[${i + 1}]`;
    const overwrite = r.text(d, 'overwrite-existing-data', at);
    const ignore = r.text(d, 'ignore-duplicates', at);
    if (overwrite !== undefined) r.change(`${at}/overwrite-existing-data`, `${overwrite}: vecron import always updates a job of the same name (upsert); use the API's create mode to refuse existing ones`);
    if (ignore !== undefined) r.change(`${at}/ignore-duplicates`, `${ignore}: see overwrite-existing-data; vecron import reports each job as created, updated or error`);
  });

  interface Job { at: string; name: string; group: string; description?: string; cls: string; data: Array<{ key: string; value: string; at: string }>; triggers: number }
  const jobs = new Map<string, Job>();
  const schedules = r.all(root, 'schedule');
  schedules.forEach((schedule, si) => {
    const S = `${ROOT}/schedule[${si + 1}]`;
    r.all(schedule, 'job').forEach((job, ji) => {
      const at = `${S}/job[${ji + 1}]`;
      const name = r.text(job, 'name', at, true) ?? '';
      const group = r.text(job, 'group', at) || 'DEFAULT';
      const cls = r.text(job, 'job-class', at, true) ?? '';
      const key = `${group}.${name}`;
      if (jobs.has(key)) r.fail(`${at}/name`, `job ${key} is defined twice (also ${jobs.get(key)!.at})`);
      const description = r.text(job, 'description', at);
      const durability = r.text(job, 'durability', at);
      if (durability !== undefined) r.change(`${at}/durability`, `${durability}: a vecron job exists until it is deleted, with or without a schedule`);
      const recover = r.text(job, 'recover', at);
      if (recover !== undefined) r.change(`${at}/recover`, `${recover}: vecron always resumes an execution interrupted by a crash at its first unfinished step (recovery is not optional)`);
      jobs.set(key, { at, name, group, cls, data: r.dataMap(job, at), triggers: 0, ...(description ? { description } : {}) });
    });
  });

  const definitions: QuartzConversion['definitions'] = [];
  const base = (job: Job): Record<string, unknown> => {
    const steps = map[job.cls];
    const def: Record<string, unknown> = {
      name: job.group === 'DEFAULT' ? job.name : `${job.group}.${job.name}`,
      enabled: true,
      tags: [tag(job.group), tag(`quartz-class:${job.cls}`)],
    };
    if (job.description) def.description = job.description;
    if (steps) def.steps = steps;
    else {
      unmapped.add(job.cls);
      def.enabled = false;
      (def.tags as string[]).push(UNMAPPED_TAG);
      def.description = `UNMAPPED: Quartz job class ${job.cls} has no steps in the class map; give it steps in MAP.json and convert again.${job.description ? `\n\n${job.description}` : ''}`;
      def.steps = [{
        id: 'unmapped_job_class',
        name: `Placeholder for Quartz job class ${job.cls}`,
        type: 'http',
        config: { method: 'POST', url: `https://unmapped-quartz-job-class.invalid/${encodeURIComponent(job.cls)}` },
      }];
    }
    return def;
  };
  const variables = (entries: Array<{ key: string; value: string; at: string }>): Record<string, string> => {
    const out: Record<string, string> = {};
    const from: Record<string, string> = {};
    for (const e of entries) {
      const name = variableName(e.key);
      if (name !== e.key) r.change(`${e.at}/key`, `JobDataMap key "${e.key}" → variable ${name} (\${${name}} in step configs)`);
      if (from[name] !== undefined && from[name] !== e.key) r.fail(`${e.at}/key`, `"${e.key}" and "${from[name]}" both become variable ${name}; rename one`);
      from[name] = e.key;
      out[name] = e.value;
    }
    return out;
  };

  schedules.forEach((schedule, si) => {
    const S = `${ROOT}/schedule[${si + 1}]`;
    r.all(schedule, 'trigger').forEach((trig, ti) => {
      const kinds = ['cron', 'simple', 'calendar-interval'].filter((k) => r.all(trig, k).length);
      const T = `${S}/trigger[${ti + 1}]`;
      if (kinds.length !== 1 || r.all(trig, kinds[0]!).length !== 1) {
        r.fail(T, 'a <trigger> holds exactly one <cron>, <simple> or <calendar-interval>');
        return;
      }
      const kind = kinds[0]!;
      const t = r.all(trig, kind)[0]!;
      const at = `${T}/${kind}`;
      const tname = r.text(t, 'name', at, true) ?? '';
      const jobName = r.text(t, 'job-name', at, true) ?? '';
      const jobGroup = r.text(t, 'job-group', at) || 'DEFAULT';
      const job = jobs.get(`${jobGroup}.${jobName}`);
      if (!job) {
        r.fail(`${at}/job-name`, `no <job> ${jobGroup}.${jobName} in this file`);
        return;
      }
      job.triggers += 1;
      const def = base(job);
      const tgroup = r.text(t, 'group', at);
      if (tgroup && tgroup !== job.group) (def.tags as string[]).push(tag(tgroup));
      const tdesc = r.text(t, 'description', at);
      if (tdesc) def.description = def.description ? `${String(def.description)}\n\n${tdesc}` : tdesc;

      const startAt = r.instant(t, 'start-time', at);
      const inFuture = r.int(t, 'start-time-seconds-in-future', at);
      if (startAt && inFuture !== undefined) r.fail(`${at}/start-time-seconds-in-future`, 'give start-time or start-time-seconds-in-future, not both');
      if (inFuture !== undefined) r.change(`${at}/start-time-seconds-in-future`, `${inFuture} s after loading: vecron starts counting when the job is imported`);
      const endAt = r.instant(t, 'end-time', at);
      const priority = r.int(t, 'priority', at);
      if (priority !== undefined) {
        (def.tags as string[]).push(`quartz-priority:${priority}`);
        r.change(`${at}/priority`, `${priority}: vecron orders fires by time (and per-job overlap policy), not by trigger priority; kept as tag quartz-priority:${priority}`);
      }
      const calendar = r.text(t, 'calendar-name', at);

      let sched: Record<string, unknown> | null = null;
      if (kind === 'cron') {
        const expression = r.text(t, 'cron-expression', at, true) ?? '';
        const tz = r.text(t, 'time-zone', at);
        sched = { type: 'cron', expression, dialect: 'quartz', ...(tz ? { timezone: tz } : {}) };
        if (!tz) r.change(`${at}/time-zone`, `absent: Quartz used the JVM's default zone; vecron uses its default zone (${DEFAULT_TIME_ZONE} unless configured) — add "timezone" if the JVM ran elsewhere`);
        if (startAt) r.change(`${at}/start-time`, `${startAt}: a vecron cron schedule has no start; the job fires from import on. Import it disabled and enable it at that time if it must not fire before`);
        if (endAt) sched.end_date = endAt;
      } else if (kind === 'simple') {
        const count = r.int(t, 'repeat-count', at, true);
        const intervalMs = r.int(t, 'repeat-interval', at, true);
        if (count !== undefined && intervalMs !== undefined) {
          if (count === 0) {
            if (!startAt) r.fail(`${at}/start-time`, 'a simple trigger that fires once needs start-time (vecron one_time schedules fire at a fixed instant)');
            else {
              sched = { type: 'one_time', execute_at: startAt };
              r.change(`${at}/repeat-count`, '0: fires once at start-time → one_time schedule');
            }
          } else if (intervalMs <= 0 || intervalMs % 1000 !== 0) {
            r.fail(`${at}/repeat-interval`, `${intervalMs} ms: vecron intervals are whole seconds (a positive multiple of 1000 ms)`);
          } else if (count < -1) {
            r.fail(`${at}/repeat-count`, `${count}: expected -1 (forever) or a count ≥ 0`);
          } else {
            sched = { type: 'fixed_rate', interval_seconds: intervalMs / 1000, ...(startAt ? { start_at: startAt } : {}) };
            if (count > 0) {
              if (!startAt) r.fail(`${at}/repeat-count`, `${count} repeats need start-time: vecron ends a schedule at an instant (end_date = start-time + repeat-count × repeat-interval)`);
              else {
                const last = new Date(Date.parse(startAt) + count * intervalMs).toISOString();
                sched.end_date = endAt && Date.parse(endAt) < Date.parse(last) ? endAt : last;
                r.change(`${at}/repeat-count`, `${count}: ${count + 1} fires in all → end_date ${String(sched.end_date)}`);
              }
            } else if (endAt) sched.end_date = endAt;
          }
        }
      } else {
        const n = r.int(t, 'repeat-interval', at, true);
        const unit = r.text(t, 'repeat-interval-unit', at) ?? 'DAY';
        if (n !== undefined) {
          const secs = UNIT_SECONDS[unit];
          if (!secs) r.fail(`${at}/repeat-interval-unit`, `${unit}: a calendar interval of months or years has no fixed length; write it as a cron trigger (e.g. 0 0 2 1 * ? for monthly)`);
          else if (n <= 0) r.fail(`${at}/repeat-interval`, `${n}: must be positive`);
          else {
            sched = { type: 'fixed_rate', interval_seconds: n * secs, ...(startAt ? { start_at: startAt } : {}), ...(endAt ? { end_date: endAt } : {}) };
            if (unit === 'DAY' || unit === 'WEEK') r.change(`${at}/repeat-interval-unit`, `${unit}: fixed_rate of ${n * secs} s; the same as Quartz in a zone without DST — across a DST change Quartz keeps the wall-clock time and fixed_rate the interval`);
          }
        }
      }
      if (sched && calendar) {
        if (sched.type === 'one_time') r.fail(`${at}/calendar-name`, 'a one-time schedule has no calendar');
        else {
          sched.calendar = calendar;
          r.change(`${at}/calendar-name`, `${calendar}: schedule.calendar "${calendar}" — define a vecron business calendar of that name (Quartz calendars are Java objects, not in this file)`);
        }
      }
      const misfire = r.text(t, 'misfire-instruction', at);
      if (misfire !== undefined) {
        const m = MISFIRE[kind]![misfire];
        if (!m) r.fail(`${at}/misfire-instruction`, `unknown for a ${kind} trigger: "${misfire}"; expected one of ${Object.keys(MISFIRE[kind]!).join(', ')}`);
        else {
          Object.assign(def, m.policy);
          r.change(`${at}/misfire-instruction`, `${misfire} → ${JSON.stringify(m.policy)}: ${m.why}`);
        }
      }
      def.schedule = sched;
      def.variables = variables([...job.data, ...r.dataMap(t, at)]);
      // Named after the trigger when its job has several: settled below once all triggers are counted.
      def.__trigger = tname;
      if (!Object.keys(def.variables as object).length) delete def.variables;
      definitions.push({ at, definition: def });
    });
  });

  // A job with several triggers becomes one vecron job per trigger, named "<job> / <trigger>".
  const byJob = new Map<string, number>();
  for (const d of definitions) byJob.set(String(d.definition.name), (byJob.get(String(d.definition.name)) ?? 0) + 1);
  for (const d of definitions) {
    const trigger = d.definition.__trigger;
    delete d.definition.__trigger;
    if ((byJob.get(String(d.definition.name)) ?? 0) > 1) {
      r.change(d.at, `job ${String(d.definition.name)} has several triggers: this one becomes job "${String(d.definition.name)} / ${String(trigger)}"`);
      d.definition.name = `${String(d.definition.name)} / ${String(trigger)}`;
    }
  }
  for (const job of jobs.values()) {
    if (job.triggers) continue;
    const def = base(job);
    def.schedule = null;
    if (job.data.length) def.variables = variables(job.data);
    r.change(job.at, 'no trigger: the job runs on demand only (schedule null, manual trigger)');
    definitions.push({ at: job.at, definition: def });
  }
  for (const cls of unmapped) r.change(`job-class ${cls}`, `unmapped: no steps for it in the class map; its jobs are produced disabled with tag ${UNMAPPED_TAG}`);
  if (r.issues.length) throw new ValidationError('Quartz XML', r.issues);
  return { definitions, changes: r.changes, unmappedClasses: [...unmapped] };
}
