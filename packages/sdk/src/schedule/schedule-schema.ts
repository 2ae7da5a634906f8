/**
 * zod schemas of a job's `schedule` field and `misfire_policy` (docs/architecture.md#the-job-format, snake_case wire format).
 * Cron expressions and time zones are checked inside the schema, so a bad job definition fails
 * with the JSON path of the bad value (`$.schedule.expression`, `$.schedule.timezone`).
 */
import { z } from 'zod';
import { ScheduleError } from '../errors/errors.js';
import { isValidTimeZone } from '../time/zoned.js';
import { CRON_DIALECTS, parseCron } from './cron/parse-cron.js';
import { SHIFT_RULES } from '../calendar/calendar.js';

/** How a fire that falls on a non-business day of its calendar moves (`skip` drops it). */
export const calendarShiftSchema = z.enum(SHIFT_RULES);

/** Optional business calendar of a cron / fixed_rate schedule. */
const calendarFields = {
  /** Name of a business calendar (built-in `vn`, or one defined with `cron.calendars.define`). */
  calendar: z.string().min(1).max(100).optional(),
  /** What happens to a fire on a non-business day. @default 'skip' */
  calendar_shift: calendarShiftSchema.optional(),
};

/** An ISO-8601 date-time with `Z` or an explicit offset, e.g. `2026-12-01T02:00:00+07:00`. */
const instantSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T02:00:00+07:00',
});

/** `end_date`: fires after this instant are not created (a fire exactly at it still is). */
const endDateSchema = instantSchema.nullable().optional();

/**
 * Which cron syntax `expression` is written in: `quartz` (6–7 fields, 1 = SUN, exactly one day
 * field `?`), `spring` (Spring's `CronExpression`: 6 fields or a macro, 0/7 = SUN, `?` optional,
 * both day fields must match) or `unix` (5 fields, 0/7 = SUN, either day field matches).
 */
export const cronDialectSchema = z.enum(CRON_DIALECTS);

/** Cron schedule: Quartz (6–7 fields), Spring (6 fields) or Unix (5 fields) expression in an IANA time zone. */
export const cronScheduleSchema = z
  .strictObject({
    type: z.literal('cron'),
    /** Quartz `sec min hour day-of-month month day-of-week [year]`, Spring 6-field, or Unix 5-field cron. */
    expression: z.string().min(1, 'must not be empty'),
    /** Syntax of `expression`. @default 'quartz' for 6 or 7 fields, 'unix' for 5 */
    dialect: cronDialectSchema.optional(),
    /** IANA zone; default: the system's (`Asia/Ho_Chi_Minh` unless configured). */
    timezone: z.string().min(1).optional(),
    end_date: endDateSchema,
    ...calendarFields,
  })
  .superRefine((s, ctx) => {
    try {
      parseCron(s.expression, { dialect: s.dialect ?? 'auto' });
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      ctx.addIssue({ code: 'custom', path: ['expression'], message: e.message });
    }
    if (s.timezone !== undefined && !isValidTimeZone(s.timezone)) {
      ctx.addIssue({
        code: 'custom',
        path: ['timezone'],
        message: `unknown time zone '${s.timezone}' (expected an IANA zone such as Asia/Ho_Chi_Minh)`,
      });
    }
  });

function checkWindow(s: { start_at?: string | undefined; end_date?: string | null | undefined }, ctx: z.RefinementCtx): void {
  if (s.start_at && s.end_date && Date.parse(s.end_date) < Date.parse(s.start_at)) {
    ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'must not be before start_at' });
  }
}

/** Fixed rate: fires at `start_at` (or the job's creation) + k × `interval_seconds`. */
export const fixedRateScheduleSchema = z
  .strictObject({
    type: z.literal('fixed_rate'),
    interval_seconds: z.int().positive(),
    /** Anchor of the grid; default: when the job was created. */
    start_at: instantSchema.optional(),
    end_date: endDateSchema,
    ...calendarFields,
  })
  .superRefine(checkWindow);

/**
 * The n-th business day of each month at a local time: `day: 1` is the first business day,
 * `day: -1` the last, `-2` the second-to-last (month-end close, payroll, T+n settlement).
 */
export const businessDayScheduleSchema = z
  .strictObject({
    type: z.literal('business_day'),
    calendar: z.string().min(1).max(100),
    day: z.int().min(-23).max(23).refine((d) => d !== 0, 'must be 1…23 (from the start) or -1…-23 (from the end), not 0'),
    /** Local time `HH:mm` or `HH:mm:ss`. */
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'must be HH:mm or HH:mm:ss (24 h)'),
    /** IANA zone of `time`; default: the calendar's zone. */
    timezone: z.string().min(1).optional(),
    /** Only these months (1–12); default: every month. */
    months: z.array(z.int().min(1).max(12)).min(1).optional(),
    end_date: endDateSchema,
  })
  .superRefine((s, ctx) => {
    if (s.timezone !== undefined && !isValidTimeZone(s.timezone)) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone '${s.timezone}'` });
    }
  });

/** Fixed delay: the next fire is the previous run's finish + `delay_seconds`. */
export const fixedDelayScheduleSchema = z
  .strictObject({
    type: z.literal('fixed_delay'),
    delay_seconds: z.int().positive(),
    /** When the first run fires; default: when the job was created. */
    start_at: instantSchema.optional(),
    end_date: endDateSchema,
  })
  .superRefine(checkWindow);

/** One-time: fires once at `execute_at`. */
export const oneTimeScheduleSchema = z.strictObject({
  type: z.literal('one_time'),
  execute_at: instantSchema,
});

/** A job's schedule, discriminated on `type`. */
export const scheduleDefinitionSchema = z.discriminatedUnion('type', [
  cronScheduleSchema,
  fixedRateScheduleSchema,
  fixedDelayScheduleSchema,
  oneTimeScheduleSchema,
  businessDayScheduleSchema,
]);

/** The `schedule` field of a job: a schedule, or `null` for manual / webhook-only jobs. */
export const scheduleSchema = scheduleDefinitionSchema.nullable();

/**
 * What the scheduler does with fires it missed (it was down or late):
 * `fire_once` runs once for the latest missed fire, `skip` runs none, `fire_all` runs each (bounded).
 */
export const misfirePolicySchema = z.enum(['fire_once', 'skip', 'fire_all']);

/** Cron schedule (input and output shape). */
export type CronSchedule = z.infer<typeof cronScheduleSchema>;
/** Business-day-of-month schedule. */
export type BusinessDaySchedule = z.infer<typeof businessDayScheduleSchema>;
/** Fixed-rate schedule. */
export type FixedRateSchedule = z.infer<typeof fixedRateScheduleSchema>;
/** Fixed-delay schedule. */
export type FixedDelaySchedule = z.infer<typeof fixedDelayScheduleSchema>;
/** One-time schedule. */
export type OneTimeSchedule = z.infer<typeof oneTimeScheduleSchema>;
/** Any schedule (non-null). */
export type ScheduleDefinition = z.infer<typeof scheduleDefinitionSchema>;
/** The `schedule` field: a schedule or `null`. */
export type Schedule = z.infer<typeof scheduleSchema>;
/** `fire_once` | `skip` | `fire_all`. */
export type MisfirePolicy = z.infer<typeof misfirePolicySchema>;
