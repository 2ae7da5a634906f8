/**
 * The stored definition of a business calendar (JSON, snake_case like the job format), validated
 * with zod. The TypeScript types are inferred from the schema.
 */
import { z } from 'zod';
import { ValidationError } from '../errors/errors.js';
import { zodIssues } from '../errors/zod-issues.js';
import { isValidTimeZone } from '../time/zoned.js';
import { isIsoDate } from './local-date.js';
import { CALENDAR_RULE_NAMES } from './rules.js';

/** Default weekly rest days: Sunday (0) and Saturday (6). */
export const DEFAULT_EXCLUDED_WEEKDAYS: readonly number[] = [0, 6];

const CalendarName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit, at most 100');

const IsoDate = z.string().refine(isIsoDate, 'expected a calendar date as YYYY-MM-DD');

/** A date, alone or with a label (`{ date, label }`). */
export const labelledDateSchema = z.union([
  IsoDate,
  z.object({ date: IsoDate, label: z.string().min(1).max(200).optional() }).strict(),
]);

/** Schema of a business calendar definition. */
export const calendarDefinitionSchema = z
  .object({
    /** Unique name, referenced by jobs and by `extends`. */
    name: CalendarName,
    /** Free text. */
    description: z.string().max(2000).optional(),
    /**
     * IANA zone whose local date a fire time is judged in. The calendar itself works on plain
     * dates; the scheduler converts an instant to a local date in this zone.
     * @default 'Asia/Ho_Chi_Minh' (or the parent's with `extends`)
     */
    timezone: z.string().refine(isValidTimeZone, 'unknown IANA time zone').optional(),
    /**
     * Weekly rest days, 0 = Sunday … 6 = Saturday. Compensatory days skip them.
     * @default [0, 6] (or the parent's with `extends`)
     */
    excluded_weekdays: z
      .array(z.int().min(0).max(6))
      .max(6, 'at least one weekday must be a working day')
      .refine((a) => new Set(a).size === a.length, 'weekdays must not repeat')
      .optional(),
    /** Extra days off (bank-specific closures, holidays of years the rules do not cover). @default [] */
    excluded_dates: z.array(labelledDateSchema).default([]),
    /** Days that are business days even on an excluded weekday or a rule holiday (make-up Saturdays). @default [] */
    extra_working_days: z.array(labelledDateSchema).default([]),
    /** Built-in rules to apply, e.g. `vn-public-holidays`. @default [] */
    rules: z.array(z.enum(CALENDAR_RULE_NAMES)).default([]),
    /** Name of a calendar whose definition this one extends (its dates and rules are inherited). */
    extends: CalendarName.optional(),
  })
  .strict()
  .superRefine((def, ctx) => {
    const dateOf = (e: z.infer<typeof labelledDateSchema>): string => (typeof e === 'string' ? e : e.date);
    const off = new Set(def.excluded_dates.map(dateOf));
    def.extra_working_days.forEach((e, i) => {
      if (off.has(dateOf(e))) {
        ctx.addIssue({ code: 'custom', path: ['extra_working_days', i], message: `${dateOf(e)} is also in excluded_dates` });
      }
    });
    if (def.extends === def.name) ctx.addIssue({ code: 'custom', path: ['extends'], message: 'a calendar cannot extend itself' });
  });

/** A calendar definition as written (defaults not applied). */
export type CalendarDefinitionInput = z.input<typeof calendarDefinitionSchema>;
/** A validated calendar definition. */
export type CalendarDefinition = z.output<typeof calendarDefinitionSchema>;

/**
 * Validates a calendar definition.
 *
 * @throws ValidationError listing every problem with its JSON path.
 */
export function parseCalendarDefinition(input: unknown): CalendarDefinition {
  const r = calendarDefinitionSchema.safeParse(input);
  if (!r.success) throw new ValidationError('calendar definition', zodIssues(r.error));
  return r.data;
}
