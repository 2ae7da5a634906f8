/**
 * `@vecron/sdk/calendar` — business calendars for the scheduler: which local dates are business days, why a date is not,
 * and how to move a date that is not (shift rules), with a built-in Vietnamese calendar `vn`
 * (Labour Code holidays computed from the lunar calendar, compensatory days, government swaps).
 *
 * ```ts
 * import { createCalendarRegistry, solarToLunar } from '@vecron/sdk/calendar';
 *
 * const calendars = createCalendarRegistry({
 *   calendars: [{ name: 'bank-hn', extends: 'vn', excluded_dates: [{ date: '2026-06-30', label: 'Khóa sổ' }] }],
 * });
 * const cal = calendars.get('bank-hn');
 * cal.isBusinessDay('2026-02-17');                 // false
 * cal.holidayReason('2026-02-17');                 // 'Tết Nguyên Đán'
 * cal.shift('2026-02-17', 'modified_following');   // '2026-02-23'
 * cal.nthBusinessDayOfMonth(2026, 1, -1);          // '2026-01-30' (last business day)
 * cal.addBusinessDays('2026-02-13', 1);            // '2026-02-23' (T+1)
 * solarToLunar(2026, 2, 17);                       // { year: 2026, month: 1, day: 1, leap: false }
 * ```
 *
 * Exports:
 * - calendars: `createCalendarRegistry`, `createBusinessCalendar`, `resolveCalendar`,
 *   `parseCalendarDefinition`, `calendarDefinitionSchema`, `BUILT_IN_CALENDARS`, `VN_CALENDAR`,
 *   `SHIFT_RULES`, `BUILT_IN_RULES`, `CALENDAR_RULE_NAMES`,
 *   `DEFAULT_EXCLUDED_WEEKDAYS`; types `BusinessCalendar`, `CalendarRegistry`,
 *   `CalendarRegistryOptions`, `CreateBusinessCalendarOptions`, `CalendarDefinition`,
 *   `CalendarDefinitionInput`, `ResolvedCalendar`, `ShiftRule`, `DayInfo`, `DayKind`,
 *   `CalendarRule`, `CalendarRuleName`, `RuleDay`, `RuleContext`;
 * - dates: `parseLocalDate`, `formatLocalDate`, `isIsoDate`; types `LocalDate`, `DateInput`;
 * - lunar calendar: `solarToLunar`, `lunarToSolar`, `lunarToJulianDay`, `lunarFromJulianDay`,
 *   `lunarNewYear`, `lunarYearMonths`, `julianDayNumber`, `fromJulianDayNumber`,
 *   `weekdayOfJulianDay`, `VIETNAM_TIME_ZONE_OFFSET`, `LUNAR_MIN_YEAR`, `LUNAR_MAX_YEAR`;
 *   types `LunarDate`, `LunarMonthInfo`, `SolarDate`;
 * - Vietnamese data: `VN_HOLIDAY_LABELS`, `VN_RULES_COVERAGE`, `VN_TET_DECISIONS`,
 *   `VN_NATIONAL_DAY_DECISIONS`, `VN_SWAPS`, `VN_ADJUSTMENTS_CHECKED_YEARS`, `vnTetDays`,
 *   `vnNationalDayAdjacent`; types `VnTetDecision`, `VnNationalDayDecision`, `VnSwap`.
 *
 * @packageDocumentation
 */
export { createCalendarRegistry, BUILT_IN_CALENDARS, VN_CALENDAR } from './built-in-calendars.js';
export type { CalendarRegistry, CalendarRegistryOptions } from './built-in-calendars.js';
export { createBusinessCalendar, resolveCalendar, SHIFT_RULES } from './calendar.js';
export type { BusinessCalendar, CreateBusinessCalendarOptions, ResolvedCalendar, ShiftRule, DayInfo, DayKind } from './calendar.js';
export {
  calendarDefinitionSchema,
  parseCalendarDefinition,
  DEFAULT_EXCLUDED_WEEKDAYS,
} from './calendar-schema.js';
export type { CalendarDefinition, CalendarDefinitionInput } from './calendar-schema.js';
export { BUILT_IN_RULES, CALENDAR_RULE_NAMES } from './rules.js';
export type { CalendarRuleName } from './rules.js';
export type { CalendarRule, RuleDay, RuleContext } from './rule.js';
export { parseLocalDate, formatLocalDate, isIsoDate } from './local-date.js';
export type { LocalDate, DateInput } from './local-date.js';
export {
  solarToLunar,
  lunarToSolar,
  lunarToJulianDay,
  lunarFromJulianDay,
  lunarNewYear,
  lunarYearMonths,
  VIETNAM_TIME_ZONE_OFFSET,
  LUNAR_MIN_YEAR,
  LUNAR_MAX_YEAR,
} from './lunar/lunar-calendar.js';
export type { LunarDate, LunarMonthInfo } from './lunar/lunar-calendar.js';
export { julianDayNumber, fromJulianDayNumber, weekdayOfJulianDay } from './lunar/julian-day.js';
export type { SolarDate } from './lunar/julian-day.js';
export { VN_HOLIDAY_LABELS, VN_RULES_COVERAGE, vnTetDays, vnNationalDayAdjacent } from './vn/vn-holidays.js';
export {
  VN_TET_DECISIONS,
  VN_NATIONAL_DAY_DECISIONS,
  VN_SWAPS,
  VN_ADJUSTMENTS_CHECKED_YEARS,
} from './vn/vn-adjustments.js';
export type { VnTetDecision, VnNationalDayDecision, VnSwap } from './vn/vn-adjustments.js';
