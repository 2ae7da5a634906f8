/**
 * Converts job files of the seed format (the system vecron replaces; its example job files are the
 * format teams keep on disk) into vecron job definitions. Every change is reported with the JSON
 * path it touched, so nothing is altered silently:
 *
 * - `null` for an absent optional field (`triggers.webhook`, `schedule.end_date`, a step's
 *   `condition`, an http step's `body`/`auth`, …) becomes absent;
 * - `notes` (free text or a JSON object) is kept, appended to `description` as JSON after a
 *   `notes:` line (vecron has no separate notes field), so it can be read back losslessly;
 * - a 6-field cron with `*` in both day fields or a day in both fields, Spring style, gets
 *   `"dialect": "spring"` (Spring's `CronExpression` is what such an expression means);
 * - the older step shapes `"type": { "type": "http_request", …config }` and
 *   `"type": "http_request", …config fields at step level` become `"type": "http", "config": {…}`;
 * - SFTP `options.streaming` is dropped: vecron's SFTP executor always streams (constant memory).
 *
 * Anything the converter cannot map is an error naming the JSON path; validation of the result
 * against the executors is left to `validateJobDefinition`.
 */
import { ValidationError } from '../errors/errors.js';
import type { ValidationIssue } from '../errors/errors.js';

/** One change the converter made, with the JSON path (in the seed file) it concerns. */
export interface ConversionChange {
  /** JSON path in the input, e.g. `$.triggers.webhook` or `$[2].steps[0].type`. */
  path: string;
  /** What was changed and why, in one line. */
  message: string;
}

/** Result of {@link convertSeedJob}. */
export interface SeedConversion {
  /** The vecron job definition (JSON), to be validated with `validateJobDefinition`. */
  definition: Record<string, unknown>;
  /** Every change made, in input order. Empty when the file already was a vecron definition. */
  changes: ConversionChange[];
}

/** The step types of the seed format and the vecron executors that run them. */
export const SEED_STEP_TYPES: Readonly<Record<string, string>> = {
  http_request: 'http',
  http: 'http',
  database_query: 'database',
  database: 'database',
  file_processing: 'file_processing',
  sftp: 'sftp',
};

/** Fields of a step itself; in the older flat shape every other field belongs to the config. */
const STEP_FIELDS = new Set(['id', 'name', 'type', 'config', 'timeout_seconds', 'retry_count', 'on_failure', 'condition']);

/** Job fields of the seed format that vecron knows (with the same meaning). */
const JOB_FIELDS = new Set([
  'name', 'description', 'enabled', 'tags', 'schedule', 'triggers', 'steps', 'timeout_seconds', 'max_retries',
  'allow_concurrent', 'overlap_policy', 'misfire_policy', 'catchup', 'jitter_seconds', 'variables', 'notes',
]);

/** Longest description vecron stores (the job schema's limit). */
const DESCRIPTION_MAX = 5000;
const NOTES_MARKER = '\n\nnotes:\n';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Converter {
  readonly changes: ConversionChange[] = [];
  readonly issues: ValidationIssue[] = [];
  constructor(private readonly base: string) {}

  change(path: string, message: string): void {
    this.changes.push({ path: this.base + path, message });
  }
  fail(path: string, message: string): void {
    this.issues.push({ path: this.base + path, message });
  }

  /** A copy of `o` without its `null` properties, each reported as "absent". */
  dropNulls(o: Obj, path: string): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === null) this.change(`${path}.${k}`, 'null → field left out (null means absent in the seed format)');
      else out[k] = v;
    }
    return out;
  }

  job(input: unknown): Obj {
    if (!isObj(input)) {
      this.fail('', `expected a job object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
      return {};
    }
    const job: Obj = {};
    for (const [k, v] of Object.entries(input)) {
      if (!JOB_FIELDS.has(k)) {
        this.fail(`.${k}`, `unknown field "${k}" (neither a seed-format nor a vecron job field); remove it or move it into "notes"`);
        continue;
      }
      if (v === null && k !== 'schedule') {
        this.change(`.${k}`, 'null → field left out (null means absent in the seed format)');
        continue;
      }
      job[k] = v;
    }
    if (isObj(job.schedule)) job.schedule = this.schedule(job.schedule);
    if (isObj(job.triggers)) job.triggers = this.triggers(job.triggers);
    if (Array.isArray(job.steps)) job.steps = job.steps.map((s, i) => this.step(s, i));
    if ('notes' in job) this.notes(job);
    return job;
  }

  schedule(s: Obj): Obj {
    const out = this.dropNulls(s, '.schedule');
    if (out.type !== 'cron' || typeof out.expression !== 'string' || out.dialect !== undefined) return out;
    const fields = out.expression.trim().split(/\s+/);
    if (fields.length !== 6) return out;
    const [, , , dom, , dow] = fields as [string, string, string, string, string, string];
    if (dom === '?' || dow === '?') return out; // already Quartz syntax
    out.dialect = 'spring';
    const numeric = /\d/.test(dow) && dow !== '*';
    this.change(
      '.schedule.dialect',
      `cron '${out.expression}' has no '?' day field (Spring style): set "dialect": "spring" (a day must match both day fields` +
        `${numeric ? `; day-of-week numbers read as Spring's: 0 or 7 = SUN, 1 = MON … 6 = SAT — check '${dow}'` : ''})`,
    );
    return out;
  }

  triggers(t: Obj): Obj {
    const out = this.dropNulls(t, '.triggers');
    if (isObj(out.webhook)) out.webhook = this.dropNulls(out.webhook, '.triggers.webhook');
    return out;
  }

  step(input: unknown, i: number): unknown {
    const at = `.steps[${i}]`;
    if (!isObj(input)) return input; // the job schema names the path
    const step: Obj = {};
    let config: Obj | undefined = isObj(input.config) ? { ...input.config } : undefined;
    let type = input.type;

    if (isObj(type)) {
      // Older shape: "type": { "type": "http_request", …config fields }.
      const { type: inner, ...fields } = type;
      if (typeof inner !== 'string') {
        this.fail(`${at}.type.type`, 'the older step shape needs "type": { "type": "<step type>", …config }');
        return input;
      }
      if (config) {
        this.fail(`${at}.type`, 'has both a "type" object (older shape) and a "config"; keep one');
        return input;
      }
      config = fields;
      type = inner;
      this.change(`${at}.type`, `older step shape "type": { "type": "${inner}", … } → "type" + "config" (${Object.keys(fields).length} config fields moved)`);
    }
    const flat = Object.keys(input).filter((k) => !STEP_FIELDS.has(k));
    if (flat.length) {
      if (config) {
        for (const k of flat) this.fail(`${at}.${k}`, `unknown step field "${k}" (the step has a config already)`);
        return input;
      }
      config = Object.fromEntries(flat.map((k) => [k, input[k]]));
      this.change(at, `older step shape: config fields at step level (${flat.join(', ')}) → "config"`);
    }
    for (const k of STEP_FIELDS) {
      if (k === 'config' || k === 'type' || !(k in input)) continue;
      if (input[k] === null) this.change(`${at}.${k}`, 'null → field left out (null means absent in the seed format)');
      else step[k] = input[k];
    }
    if (typeof type === 'string') {
      const mapped = SEED_STEP_TYPES[type];
      if (mapped && mapped !== type) this.change(`${at}.type`, `step type "${type}" → "${mapped}"`);
      step.type = mapped ?? type;
    } else step.type = type;
    if (config) step.config = this.config(config, `${at}.config`, step.type);
    return step;
  }

  config(c: Obj, at: string, type: unknown): Obj {
    const out = this.dropNulls(c, at);
    for (const k of ['auth', 'options'] as const) {
      if (isObj(out[k])) out[k] = this.dropNulls(out[k], `${at}.${k}`);
    }
    if (type === 'sftp' && isObj(out.options) && 'streaming' in out.options) {
      const { streaming, ...rest } = out.options;
      if (typeof streaming !== 'boolean') {
        this.fail(`${at}.options.streaming`, `expected true or false, got ${JSON.stringify(streaming)}`);
        return out;
      }
      out.options = rest;
      this.change(
        `${at}.options.streaming`,
        streaming
          ? 'dropped: vecron\'s SFTP executor always streams files (constant memory), which is what "streaming": true asked for'
          : 'dropped: vecron\'s SFTP executor always streams files (constant memory); the transferred files are the same as with "streaming": false',
      );
    }
    return out;
  }

  notes(job: Obj): void {
    const notes = job.notes;
    delete job.notes;
    const text = typeof notes === 'string' ? notes : JSON.stringify(notes, null, 2);
    const before = typeof job.description === 'string' ? job.description : '';
    const description = before ? `${before}${NOTES_MARKER}${text}` : `notes:\n${text}`;
    if (description.length > DESCRIPTION_MAX) {
      this.fail('.notes', `notes do not fit in the description (${description.length} of at most ${DESCRIPTION_MAX} characters with it); shorten them`);
      return;
    }
    job.description = description;
    this.change('.notes', `kept in "description" after a "notes:" line (${typeof notes === 'string' ? 'text' : 'as JSON'}; vecron has no separate notes field)`);
  }
}

/**
 * Converts one job of the seed format into a vecron job definition, reporting every change.
 * A definition already in vecron's format comes back unchanged with no changes.
 *
 * @param input - The parsed JSON of one job.
 * @param options.path - JSON path prefix for the reported paths (e.g. `$[3]` for an item of an array). @default '$'
 * @throws {@link ValidationError} naming each path the converter cannot map (an unknown field, a
 *   step with both a config and config fields at step level, a `notes` too long for the description).
 */
export function convertSeedJob(input: unknown, options: { path?: string } = {}): SeedConversion {
  const c = new Converter(options.path ?? '$');
  const definition = c.job(input);
  if (c.issues.length) throw new ValidationError('seed-format job', c.issues);
  return { definition, changes: c.changes };
}

/**
 * Reads the text {@link convertSeedJob} put in a description back into the description and the
 * notes (JSON-parsed when they were an object), e.g. to show the notes on their own.
 */
export function splitSeedNotes(description: string): { description: string; notes?: unknown } {
  const at = description.startsWith('notes:\n') ? 0 : description.lastIndexOf(NOTES_MARKER);
  if (at < 0) return { description };
  const text = description.slice(at === 0 ? 'notes:\n'.length : at + NOTES_MARKER.length);
  let notes: unknown = text;
  try {
    notes = JSON.parse(text);
  } catch {
    // plain-text notes
  }
  return { description: description.slice(0, at), notes };
}

/**
 * Converts a seed-format file's content: one job or an array of jobs. Paths name the item
 * (`$[2].steps[0]`) for an array.
 * @throws {@link ValidationError} listing every path that cannot be mapped, across all items.
 */
export function convertSeedJobs(input: unknown): { definitions: Record<string, unknown>[]; changes: ConversionChange[] } {
  const items = Array.isArray(input) ? input : [input];
  const definitions: Record<string, unknown>[] = [];
  const changes: ConversionChange[] = [];
  const issues: ValidationIssue[] = [];
  items.forEach((item, i) => {
    try {
      const r = convertSeedJob(item, { path: Array.isArray(input) ? `$[${i}]` : '$' });
      definitions.push(r.definition);
      changes.push(...r.changes);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues);
    }
  });
  if (issues.length) throw new ValidationError('seed-format jobs', issues);
  return { definitions, changes };
}
