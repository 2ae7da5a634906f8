/**
 * Which days of one month a compiled cron expression allows, as a bit mask (bit d-1 = day d).
 * Day rules depend on the month's length and on the weekday of its first day, so they are
 * evaluated per (year, month) and cached per expression.
 */
import type { CompiledCron, CronDayOfMonthRule, CronDayOfWeekRule } from './parse-cron.js';

/** Days in `month` (1–12) of `year` (proleptic Gregorian). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Weekday of a date, 0 = Sunday … 6 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/**
 * `W`: the weekday (Mon–Fri) nearest to `day`. Quartz never leaves the month; Spring moves a Sunday
 * that ends the month to the next month's Monday, so it returns 0 (no day this month).
 */
function nearestWeekday(day: number, dim: number, firstWeekday: number, rule: 'quartz' | 'spring'): number {
  const wd = (firstWeekday + day - 1) % 7;
  if (wd === 6) return day === 1 ? 3 : day - 1; // Saturday: Friday before, or Monday the 3rd
  if (wd === 0) return day < dim ? day + 1 : rule === 'spring' ? 0 : day - 2; // Sunday: Monday after, or Friday before
  return day;
}

function dayOfMonthMask(rule: CronDayOfMonthRule, dim: number, firstWeekday: number): number {
  let mask = rule.days & ((1 << dim) - 1);
  for (const off of rule.lastOffsets) if (dim - off >= 1) mask |= 1 << (dim - off - 1);
  const wRule = rule.nearestWeekdayRule ?? 'quartz';
  const addDay = (d: number): void => {
    if (d >= 1) mask |= 1 << (d - 1);
  };
  for (const target of rule.nearestWeekday) {
    // Quartz (and Spring) skip a month that has no day `target` (31W in April never fires).
    if (target <= dim) addDay(nearestWeekday(target, dim, firstWeekday, wRule));
  }
  // LW is the last weekday in both dialects (a Sunday last day moves back two days).
  for (const off of rule.lastNearestOffsets) {
    if (dim - off >= 1) addDay(nearestWeekday(dim - off, dim, firstWeekday, 'quartz'));
  }
  return mask;
}

function dayOfWeekMask(rule: CronDayOfWeekRule, dim: number, firstWeekday: number): number {
  let mask = 0;
  if (rule.weekdays !== 0) {
    for (let d = 1; d <= dim; d++) if (rule.weekdays & (1 << ((firstWeekday + d - 1) % 7))) mask |= 1 << (d - 1);
  }
  const lastWeekday = (firstWeekday + dim - 1) % 7;
  for (const w of rule.lastOf) mask |= 1 << (dim - ((lastWeekday - (w - 1) + 7) % 7) - 1);
  for (const { weekday, n } of rule.nth) {
    const day = 1 + ((weekday - 1 - firstWeekday + 7) % 7) + 7 * (n - 1);
    if (day <= dim) mask |= 1 << (day - 1);
  }
  return mask;
}

const cache = new WeakMap<CompiledCron, Map<number, number>>();

/** Bit mask of the days of `month` in `year` on which `cron` may fire (bit d-1 = day d). */
export function dayMask(cron: CompiledCron, year: number, month: number): number {
  let perCron = cache.get(cron);
  if (!perCron) {
    perCron = new Map();
    cache.set(cron, perCron);
  }
  const key = year * 16 + month;
  const hit = perCron.get(key);
  if (hit !== undefined) return hit;
  const dim = daysInMonth(year, month);
  const first = weekdayOf(year, month, 1);
  let mask: number;
  switch (cron.dayMode) {
    case 'dom': mask = dayOfMonthMask(cron.dayOfMonth, dim, first); break;
    case 'dow': mask = dayOfWeekMask(cron.dayOfWeek, dim, first); break;
    case 'or': mask = dayOfMonthMask(cron.dayOfMonth, dim, first) | dayOfWeekMask(cron.dayOfWeek, dim, first); break;
    case 'and': mask = dayOfMonthMask(cron.dayOfMonth, dim, first) & dayOfWeekMask(cron.dayOfWeek, dim, first); break;
  }
  perCron.set(key, mask);
  return mask;
}
