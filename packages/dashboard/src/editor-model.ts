import { z } from 'zod';
import type { ZodType } from 'zod';
import { jobDefinitionJsonSchema, NotFoundError, toJsonPath } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import type { BusinessCalendar } from '@vecron/sdk/calendar';
import { nextPlannedEvent, scheduleSchema, usesCalendar } from '@vecron/sdk/schedule';
import type { JsonSchema, SchemaAt, Seg } from './schema-form.js';

/** A step type the editor offers: an executor plugin's `type` and zod config schema. */
export interface EditorExecutor {
  readonly type: string;
  readonly config: ZodType;
}

/** The job form's schema and its hooks: a step's `type` chooses its executor's config form. */
export interface EditorModel {
  jobSchema: JsonSchema;
  schemaAt: SchemaAt;
  structural(path: readonly Seg[]): boolean;
  /** Applies an add/remove button (`add:$.steps`, `remove:$.steps[1]`) to a value. */
  applyOp(value: unknown, op: string): unknown;
}

/** An executor's config schema as JSON Schema (what the form is drawn from); `{}` (a JSON box) when zod cannot say. */
export function configJsonSchema(schema: ZodType): JsonSchema {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return {};
  }
}

const isStepPath = (path: readonly Seg[], field: string): path is readonly ['steps', number, string] =>
  path.length === 3 && path[0] === 'steps' && typeof path[1] === 'number' && path[2] === field;

/** Builds the editor's model from the registered executors. */
export function createEditorModel(executors: readonly EditorExecutor[]): EditorModel {
  const configs = new Map(executors.map((e) => [e.type, configJsonSchema(e.config)]));
  const types = executors.map((e) => e.type);
  const jobSchema = jobDefinitionJsonSchema();
  const newItem = (path: string, length: number): unknown =>
    path === '$.steps' ? { id: `step${length + 1}`, type: types[0] ?? '', config: {} } : {};
  return {
    jobSchema,
    schemaAt(path, schema, lookup) {
      if (isStepPath(path, 'type') && types.length) {
        const current = lookup(path);
        return { type: 'string', enum: typeof current === 'string' && current && !types.includes(current) ? [...types, current] : types };
      }
      if (isStepPath(path, 'config')) {
        const type = lookup(['steps', path[1], 'type']);
        const s = typeof type === 'string' ? configs.get(type) : undefined;
        if (s) return s;
      }
      return schema;
    },
    structural: (path) => isStepPath(path, 'type'),
    applyOp(value, op) {
      const m = /^(add|remove):(.+)$/.exec(op);
      if (!m) return value;
      const target = m[2]!;
      const copy = structuredClone(value) as unknown;
      let hit = false;
      const walk = (v: unknown, path: Seg[]): unknown => {
        if (Array.isArray(v)) {
          if (m[1] === 'add' && toJsonPath(path) === target) {
            hit = true;
            return [...v, newItem(target, v.length)];
          }
          const kept = v.filter((_, i) => !(m[1] === 'remove' && toJsonPath([...path, i]) === target && (hit = true)));
          return kept.map((x, i) => walk(x, [...path, i]));
        }
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
        return v;
      };
      const out = walk(copy, []);
      // An add on a list that is not there yet (no steps at all) creates it.
      if (!hit && m[1] === 'add' && /^\$\.\w+$/.test(target) && out && typeof out === 'object' && !Array.isArray(out)) {
        const key = target.slice(2);
        if (!Array.isArray((out as Record<string, unknown>)[key])) return { ...out, [key]: [newItem(target, 0)] };
      }
      return out;
    },
  };
}

/** One entry of the fires preview: a fire, a fire moved by the calendar, or a skipped one. */
export interface PreviewEntry {
  nominal: Date;
  runsAt: Date | null;
  outcome: 'fire' | 'shifted' | 'skipped';
  reason: string | null;
}

/** The next fires of a schedule that is not saved yet; null without a valid schedule. */
export interface FiresPreview {
  timezone: string;
  entries: PreviewEntry[];
}

/**
 * The next `n` fires of an unsaved definition's schedule, with the calendar's shifted and skipped
 * ones between them (what `explain` shows once saved). Null when the schedule is missing or invalid.
 */
export async function previewFires(cron: CronSystem, definition: unknown, defaultTimeZone: string, now: Date, n = 8): Promise<FiresPreview | null> {
  const raw = definition && typeof definition === 'object' ? (definition as { schedule?: unknown }).schedule : undefined;
  if (!raw) return null;
  const parsed = scheduleSchema.safeParse(raw);
  if (!parsed.success || !parsed.data) return null;
  const schedule = parsed.data;
  let calendar: BusinessCalendar | null = null;
  if (usesCalendar(schedule)) {
    const name = (schedule as { calendar?: string }).calendar;
    if (!name || !(await cron.calendars.list()).includes(name)) return null;
    calendar = await cron.calendars.get(name);
  }
  const ctx = {
    defaultTimeZone, anchorMs: now.getTime(), lastFinishedAt: null,
    ...(calendar ? { calendar: (name: string): BusinessCalendar => (name === calendar!.name ? calendar! : cronCalendarMissing(name)) } : {}),
  };
  const entries: PreviewEntry[] = [];
  let t = now.getTime();
  let fires = 0;
  while (fires < n && entries.length < n + 200) {
    const e = nextPlannedEvent(schedule, t, ctx);
    if (!e) break;
    if (e.outcome === 'fire') {
      fires++;
      entries.push({ nominal: new Date(e.nominal), runsAt: new Date(e.at), outcome: e.at === e.nominal ? 'fire' : 'shifted', reason: e.reason });
    } else entries.push({ nominal: new Date(e.nominal), runsAt: null, outcome: 'skipped', reason: e.reason });
    t = e.at;
  }
  const timezone = (schedule.type === 'cron' || schedule.type === 'business_day') && schedule.timezone ? schedule.timezone : calendar?.timezone ?? defaultTimeZone;
  return { timezone, entries };
}

function cronCalendarMissing(name: string): never {
  throw new NotFoundError('calendar', name);
}
