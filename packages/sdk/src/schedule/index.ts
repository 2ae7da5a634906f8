/**
 * `@vecron/sdk/schedule` — schedule math of vecron: a Quartz-exact cron evaluator with IANA time zones and a DST rule,
 * the `schedule` job field schema, next-fire computation for every schedule type, and misfire
 * handling, and the wall-clock ↔ instant conversions of IANA zones. Everything here is pure (time
 * comes in as arguments).
 *
 * @example
 * ```ts
 * import { parseCron, nextCronFire, nextFireTimes } from '@vecron/sdk/schedule';
 *
 * const cron = parseCron('0 0 2 ? * MON-FRI');                 // 02:00, Monday–Friday
 * nextCronFire(cron, Date.now(), 'Asia/Ho_Chi_Minh');          // epoch ms or null
 * nextFireTimes({ type: 'cron', expression: '0 0/15 * * * ?' }, new Date(), 5);
 * ```
 *
 * @packageDocumentation
 */
export { parseCron, cronDialectOf, CRON_DIALECTS, CRON_MIN_YEAR, CRON_MAX_YEAR } from './cron/parse-cron.js';
export type {
  CompiledCron, CronDialect, ParseCronOptions, CronDayMode, CronDayOfMonthRule, CronDayOfWeekRule,
} from './cron/parse-cron.js';
export { cronMatches, nextCronFire } from './cron/next-cron-fire.js';
export {
  scheduleSchema, scheduleDefinitionSchema, cronScheduleSchema, cronDialectSchema, fixedRateScheduleSchema, fixedDelayScheduleSchema,
  oneTimeScheduleSchema, businessDayScheduleSchema, calendarShiftSchema, misfirePolicySchema,
} from './schedule-schema.js';
export type {
  Schedule, ScheduleDefinition, CronSchedule, FixedRateSchedule, FixedDelaySchedule, OneTimeSchedule, BusinessDaySchedule, MisfirePolicy,
} from './schedule-schema.js';
export { nextFireAfter, nextFireTimes, MAX_PREVIEW_FIRES } from './next-fire.js';
export { toLocalParts, offsetAt, instantsForLocal } from '../time/zoned.js';
export type { LocalParts } from '../time/zoned.js';
export type { NextFireContext, NextFireTimesOptions } from './next-fire.js';
export { computeDueFires } from './misfire.js';
export { planEvents, nextPlannedEvent, nextPlannedFire, usesCalendar } from './fire-plan.js';
export type { PlanContext, PlannedEvent } from './fire-plan.js';
export type { DueFiresInput, DueFires } from './misfire.js';
