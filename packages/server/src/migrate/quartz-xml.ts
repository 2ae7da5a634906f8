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
import { ValidationError } from '@vecron/sdk';
import type { ConversionChange } from '@vecron/sdk';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { QuartzReader } from './quartz-reader.js';
import type { DataEntry, XmlNode } from './quartz-reader.js';
import { applyCalendar, misfirePolicy, TRIGGER_KINDS, triggerSchedule } from './quartz-schedule.js';
import type { TriggerTimes } from './quartz-schedule.js';

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

const MAX_TAG = 100;
const ROOT = '/job-scheduling-data';

/** A `<job>` as read, and how many triggers point at it. */
interface QuartzJob {
  at: string;
  name: string;
  group: string;
  description?: string;
  cls: string;
  data: DataEntry[];
  triggers: number;
}

/** What converting one trigger or job needs. */
interface Conversion {
  r: QuartzReader;
  map: QuartzClassMap;
  /** Job classes without steps in `map`, in the order met. */
  unmapped: Set<string>;
  /** Jobs by `group.name`. */
  jobs: Map<string, QuartzJob>;
}

type Definition = QuartzConversion['definitions'][number];

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
  const { r, root } = parseDocument(xml);
  reportDirectives(r, root);
  const schedules = r.all(root, 'schedule');
  const c: Conversion = { r, map: options.map ?? {}, unmapped: new Set(), jobs: readJobs(r, schedules) };
  const fromTriggers: Array<Definition & { trigger: string }> = [];
  schedules.forEach((schedule, si) => {
    r.all(schedule, 'trigger').forEach((trig, ti) => {
      const d = convertTrigger(c, trig, `${ROOT}/schedule[${si + 1}]/trigger[${ti + 1}]`);
      if (d) fromTriggers.push(d);
    });
  });
  const definitions = [...nameByTrigger(r, fromTriggers), ...triggerlessJobs(c)];
  for (const cls of c.unmapped) r.change(`job-class ${cls}`, `unmapped: no steps for it in the class map; its jobs are produced disabled with tag ${UNMAPPED_TAG}`);
  if (r.issues.length) throw new ValidationError('Quartz XML', r.issues);
  return { definitions, changes: r.changes, unmappedClasses: [...c.unmapped] };
}

/** The `<job-scheduling-data>` element of well-formed XML, and a reader for it. */
function parseDocument(xml: string): { r: QuartzReader; root: XmlNode } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new ValidationError('Quartz XML', [{ path: `line ${valid.err.line}, column ${valid.err.col}`, message: valid.err.msg }]);
  }
  const parsed = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, isArray: () => true }).parse(xml) as XmlNode;
  const r = new QuartzReader();
  const rootEls = r.all(parsed, 'job-scheduling-data');
  if (rootEls.length !== 1) throw new ValidationError('Quartz XML', [{ path: '/', message: 'the root element must be <job-scheduling-data> (Quartz 2.x XMLSchedulingDataProcessor format)' }]);
  return { r, root: rootEls[0]! };
}

/** `pre-processing-commands` and `processing-directives`: reported, not applied. */
function reportDirectives(r: QuartzReader, root: XmlNode): void {
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
}

/** Every `<job>` of every `<schedule>`, by `group.name`. */
function readJobs(r: QuartzReader, schedules: XmlNode[]): Map<string, QuartzJob> {
  const jobs = new Map<string, QuartzJob>();
  schedules.forEach((schedule, si) => {
    r.all(schedule, 'job').forEach((job, ji) => {
      const at = `${ROOT}/schedule[${si + 1}]/job[${ji + 1}]`;
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
  return jobs;
}

/** The definition of a job without its schedule: name, tags, description, its class's steps (or a disabled placeholder). */
function baseDefinition(c: Conversion, job: QuartzJob): Record<string, unknown> {
  const steps = Object.hasOwn(c.map, job.cls) ? c.map[job.cls] : undefined;
  const def: Record<string, unknown> = {
    name: job.group === 'DEFAULT' ? job.name : `${job.group}.${job.name}`,
    enabled: true,
    tags: [tag(job.group), tag(`quartz-class:${job.cls}`)],
  };
  if (job.description) def.description = job.description;
  if (steps) def.steps = steps;
  else {
    c.unmapped.add(job.cls);
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
}

/** JobDataMap entries (later ones win) → vecron variables; two keys that become one name are an error. */
function toVariables(r: QuartzReader, entries: DataEntry[]): Record<string, string> {
  const out = new Map<string, string>();
  const from = new Map<string, string>();
  for (const e of entries) {
    const name = variableName(e.key);
    const earlier = from.get(name);
    if (name !== e.key) r.change(`${e.at}/key`, `JobDataMap key "${e.key}" → variable ${name} (\${${name}} in step configs)`);
    if (earlier !== undefined && earlier !== e.key) r.fail(`${e.at}/key`, `"${e.key}" and "${earlier}" both become variable ${name}; rename one`);
    from.set(name, e.key);
    out.set(name, e.value);
  }
  // fromEntries defines own properties: a key named __proto__ is a variable like any other.
  return Object.fromEntries(out);
}

/** One `<trigger>` → the definition of its job with that schedule (and the trigger's name), or undefined when it names no job. */
function convertTrigger(c: Conversion, trig: XmlNode, T: string): (Definition & { trigger: string }) | undefined {
  const { r } = c;
  const kinds = TRIGGER_KINDS.filter((k) => r.all(trig, k).length);
  if (kinds.length !== 1 || r.all(trig, kinds[0]!).length !== 1) {
    r.fail(T, 'a <trigger> holds exactly one <cron>, <simple> or <calendar-interval>');
    return undefined;
  }
  const kind = kinds[0]!;
  const t = r.all(trig, kind)[0]!;
  const at = `${T}/${kind}`;
  const trigger = r.text(t, 'name', at, true) ?? '';
  const jobName = r.text(t, 'job-name', at, true) ?? '';
  const jobGroup = r.text(t, 'job-group', at) || 'DEFAULT';
  const job = c.jobs.get(`${jobGroup}.${jobName}`);
  if (!job) {
    r.fail(`${at}/job-name`, `no <job> ${jobGroup}.${jobName} in this file`);
    return undefined;
  }
  job.triggers += 1;
  const def = baseDefinition(c, job);
  const tgroup = r.text(t, 'group', at);
  if (tgroup && tgroup !== job.group) (def.tags as string[]).push(tag(tgroup));
  const tdesc = r.text(t, 'description', at);
  if (tdesc) def.description = def.description ? `${String(def.description)}\n\n${tdesc}` : tdesc;
  const times = triggerTimes(r, t, at);
  tagPriority(r, def, t, at);
  const calendar = r.text(t, 'calendar-name', at);
  const sched = triggerSchedule(r, kind, times);
  applyCalendar(r, sched, calendar, at);
  Object.assign(def, misfirePolicy(r, kind, t, at));
  def.schedule = sched;
  def.variables = toVariables(r, [...job.data, ...r.dataMap(t, at)]);
  if (!Object.keys(def.variables as object).length) delete def.variables;
  return { at, definition: def, trigger };
}

/** The trigger's `start-time` (or `start-time-seconds-in-future`, reported) and `end-time`. */
function triggerTimes(r: QuartzReader, t: XmlNode, at: string): TriggerTimes {
  const startAt = r.instant(t, 'start-time', at);
  const inFuture = r.int(t, 'start-time-seconds-in-future', at);
  if (startAt && inFuture !== undefined) r.fail(`${at}/start-time-seconds-in-future`, 'give start-time or start-time-seconds-in-future, not both');
  if (inFuture !== undefined) r.change(`${at}/start-time-seconds-in-future`, `${inFuture} s after loading: vecron starts counting when the job is imported`);
  return { t, at, startAt, endAt: r.instant(t, 'end-time', at) };
}

/** A trigger `priority` is kept as a tag only (vecron orders fires by time). */
function tagPriority(r: QuartzReader, def: Record<string, unknown>, t: XmlNode, at: string): void {
  const priority = r.int(t, 'priority', at);
  if (priority === undefined) return;
  (def.tags as string[]).push(`quartz-priority:${priority}`);
  r.change(`${at}/priority`, `${priority}: vecron orders fires by time (and per-job overlap policy), not by trigger priority; kept as tag quartz-priority:${priority}`);
}

/** A job with several triggers becomes one vecron job per trigger, named "<job> / <trigger>". */
function nameByTrigger(r: QuartzReader, fromTriggers: Array<Definition & { trigger: string }>): Definition[] {
  const byJob = new Map<string, number>();
  for (const d of fromTriggers) byJob.set(String(d.definition.name), (byJob.get(String(d.definition.name)) ?? 0) + 1);
  return fromTriggers.map(({ at, definition, trigger }) => {
    if ((byJob.get(String(definition.name)) ?? 0) > 1) {
      r.change(at, `job ${String(definition.name)} has several triggers: this one becomes job "${String(definition.name)} / ${trigger}"`);
      definition.name = `${String(definition.name)} / ${trigger}`;
    }
    return { at, definition };
  });
}

/** Jobs no trigger points at: on demand only. */
function triggerlessJobs(c: Conversion): Definition[] {
  const out: Definition[] = [];
  for (const job of c.jobs.values()) {
    if (job.triggers) continue;
    const def = baseDefinition(c, job);
    def.schedule = null;
    if (job.data.length) def.variables = toVariables(c.r, job.data);
    c.r.change(job.at, 'no trigger: the job runs on demand only (schedule null, manual trigger)');
    out.push({ at: job.at, definition: def });
  }
  return out;
}
