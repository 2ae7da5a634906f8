/**
 * The `spring` cron dialect: Spring Framework's `CronExpression` (5.3+), written from its
 * documentation and sources (`CronExpression`, `CronField`, `BitsCronField`, `QuartzCronField`,
 * Apache-2.0) and checked against Spring's own `CronExpressionTests` cases
 * (`test/fixtures/spring-cron/`). Compiled into the same tables as the other dialects, so the
 * evaluator and its DST rule (docs/concepts.md) are shared.
 *
 * What differs from Quartz: exactly 6 fields (no year); day-of-week 0 or 7 = SUN, 1 = MON … 6 = SAT;
 * `?` is optional and means `*`; a day must match BOTH day fields (`0 0 0 13 * FRI` is Friday the
 * 13th); ranges must go upwards (`FRI-MON` is refused) except that `SUN-x` starts at Sunday = 0;
 * increments may be larger than the field (`5/100` is `5`); `L` alone in day-of-week is refused;
 * `d#n` accepts any n ≥ 1 (a sixth Friday never comes); lists may mix plain values with `L`, `W`,
 * `dL` and `d#n`; `nW` moves a Sunday that is the month's last day to the next month's Monday, so
 * that month has no fire; macros `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
 * `@midnight`, `@hourly` (any case).
 */
import { ScheduleError } from '../../errors/errors.js';
import type { CompiledCron, CronDayOfMonthRule, CronDayOfWeekRule } from './parse-cron.js';
import { fail, nextTable, yearTable } from './tables.js';

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Spring numbers days from Monday: MON = 1 … SUN = 7 (0 is Sunday too). */
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

interface SpringField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** What `*` covers (day-of-week: 1–7, although 0 is accepted as a value). */
  readonly starMin: number;
  readonly starMax: number;
}

const SECONDS: SpringField = { name: 'Seconds', min: 0, max: 59, starMin: 0, starMax: 59 };
const MINUTES: SpringField = { name: 'Minutes', min: 0, max: 59, starMin: 0, starMax: 59 };
const HOURS: SpringField = { name: 'Hours', min: 0, max: 23, starMin: 0, starMax: 23 };
const DAY_OF_MONTH: SpringField = { name: 'Day-of-Month', min: 1, max: 31, starMin: 1, starMax: 31 };
const MONTH: SpringField = { name: 'Month', min: 1, max: 12, starMin: 1, starMax: 12 };
const DAY_OF_WEEK: SpringField = { name: 'Day-of-Week', min: 0, max: 7, starMin: 1, starMax: 7 };

/** Java's `Integer.parseInt` for what a cron field holds: digits, an optional leading '+'. */
function integer(token: string, field: SpringField, whole: string): number {
  if (!/^\+?\d+$/.test(token)) fail(`Invalid ${field.name} value: '${token}' in '${whole}' (expected a number${field === MONTH || field === DAY_OF_WEEK ? ' or a name' : ''})`);
  return Number(token);
}

function checked(v: number, field: SpringField, whole: string): number {
  if (v < field.min || v > field.max) fail(`Invalid ${field.name} value: '${v}' in '${whole}' (must be between ${field.min} and ${field.max})`);
  return v;
}

/** `BitsCronField.parseRange`: `*`, `n`, or `a-b` with a ≤ b (day-of-week: a range from 7 starts at 0). */
function range(text: string, field: SpringField, whole: string): [number, number] {
  if (text === '*') return [field.starMin, field.starMax];
  const dash = text.indexOf('-');
  if (dash < 0) {
    const v = checked(integer(text, field, whole), field, whole);
    return [v, v];
  }
  let a = checked(integer(text.slice(0, dash), field, whole), field, whole);
  const b = checked(integer(text.slice(dash + 1), field, whole), field, whole);
  if (field === DAY_OF_WEEK && a === 7) a = 0; // "SUN-FRI": Sunday as the start of a range is 0
  if (a > b) fail(`Invalid ${field.name} range: '${text}' in '${whole}' (the start must not be after the end)`);
  return [a, b];
}

/** `BitsCronField.parseField`: a list of ranges with optional `/n` increments, into `out`. */
function bits(value: string, field: SpringField, out: boolean[]): void {
  if (value === '') fail(`Invalid ${field.name} value: empty field`);
  for (const item of value.split(',')) {
    const slash = item.indexOf('/');
    if (slash < 0) {
      const [a, b] = range(item, field, value);
      for (let v = a; v <= b; v++) out[v] = true;
      continue;
    }
    const rangeText = item.slice(0, slash);
    const [a, upTo] = range(rangeText, field, value);
    // `n/k` runs from n to the field's end (`ChronoField.range()`: 7 for day-of-week).
    const b = rangeText.includes('-') ? upTo : field === DAY_OF_WEEK ? 7 : field.max;
    const step = /^\+?\d+$/.test(item.slice(slash + 1)) ? Number(item.slice(slash + 1)) : NaN;
    if (!(step >= 1)) fail(`Invalid ${field.name} increment in '${item}': '/' must be followed by a number of 1 or more`);
    for (let v = a; v <= b; v += step) out[v] = true;
  }
}

/** `CronField.replaceOrdinals`: names to numbers, in any case (a plain text replace, as Spring does). */
function replaceNames(value: string, names: readonly string[]): string {
  let out = value.toUpperCase();
  names.forEach((n, i) => {
    out = out.split(n).join(String(i + 1));
  });
  return out;
}

function plainField(value: string, field: SpringField, size: number): Int16Array {
  const out: boolean[] = [];
  bits(value, field, out);
  return nextTable(out, size);
}

function dayOfMonthRule(value: string): CronDayOfMonthRule {
  const plain: boolean[] = [];
  const lastOffsets: number[] = [];
  const nearestWeekday: number[] = [];
  const lastNearestOffsets: number[] = [];
  // The whole field '?' means '*'; in a list with L or W, so does a '?' item (`parseDate`).
  const items = value.includes('L') || value.includes('W') ? value.split(',') : [value];
  for (const item of items) {
    if (item.includes('L') || item.includes('W')) {
      const l = item.lastIndexOf('L');
      if (l > 0) fail(`Invalid Day-of-Month value: '${item}' (unrecognized characters before 'L')`);
      if (l === 0) {
        if (item === 'L') lastOffsets.push(0);
        else if (item === 'LW') lastNearestOffsets.push(0);
        else {
          const m = /^L-(\d+)$/.exec(item);
          if (!m || Number(m[1]) === 0) fail(`Invalid Day-of-Month value: '${item}' (expected L, LW or L-n with n of 1 or more)`);
          lastOffsets.push(Number(m[1]));
        }
        continue;
      }
      const w = item.lastIndexOf('W');
      if (w === 0) fail(`Invalid Day-of-Month value: '${item}' (no day-of-month before 'W')`);
      if (w !== item.length - 1) fail(`Invalid Day-of-Month value: '${item}' (unrecognized characters after 'W')`);
      nearestWeekday.push(checked(integer(item.slice(0, w), DAY_OF_MONTH, item), DAY_OF_MONTH, item));
      continue;
    }
    bits(item === '?' ? '*' : item, DAY_OF_MONTH, plain);
  }
  let days = 0;
  for (let d = 1; d <= 31; d++) if (plain[d]) days |= 1 << (d - 1);
  return { days, lastOffsets, nearestWeekday, lastNearestOffsets, nearestWeekdayRule: 'spring' };
}

/** Spring day number (0/7 = SUN, 1 = MON) to Quartz numbering (1 = SUN … 7 = SAT). */
const toQuartz = (v: number): number => (v % 7) + 1;

function weekday(text: string, whole: string): number {
  return toQuartz(checked(integer(text, DAY_OF_WEEK, whole), DAY_OF_WEEK, whole));
}

function dayOfWeekRule(raw: string): CronDayOfWeekRule {
  const value = replaceNames(raw, DAYS);
  const plain: boolean[] = [];
  const lastOf: number[] = [];
  const nth: Array<{ weekday: number; n: number }> = [];
  const items = value.includes('L') || value.includes('#') ? value.split(',') : [value];
  for (const item of items) {
    const l = item.lastIndexOf('L');
    if (l >= 0) {
      if (l !== item.length - 1) fail(`Invalid Day-of-Week value: '${item}' (unrecognized characters after 'L')`);
      if (l === 0) fail(`Invalid Day-of-Week value: '${item}' (no day-of-week before 'L'; write e.g. 5L or FRIL for the last Friday)`);
      lastOf.push(weekday(item.slice(0, l), item));
      continue;
    }
    const hash = item.lastIndexOf('#');
    if (hash >= 0) {
      if (hash === 0) fail(`Invalid Day-of-Week value: '${item}' (no day-of-week before '#')`);
      if (hash === item.length - 1) fail(`Invalid Day-of-Week value: '${item}' (no ordinal after '#')`);
      const n = /^\+?\d+$/.test(item.slice(hash + 1)) ? Number(item.slice(hash + 1)) : NaN;
      if (!(n >= 1)) fail(`Invalid Day-of-Week value: '${item}' (the ordinal after '#' must be a positive number)`);
      nth.push({ weekday: weekday(item.slice(0, hash), item), n });
      continue;
    }
    bits(item === '?' ? '*' : item, DAY_OF_WEEK, plain);
  }
  let weekdays = 0;
  for (let v = 0; v <= 7; v++) if (plain[v]) weekdays |= 1 << (toQuartz(v) - 1);
  return { weekdays, lastOf, nth };
}

/**
 * Compiles a Spring `CronExpression` (already trimmed). Throws `CronSyntaxError` for a bad field
 * (parseCron adds the expression) and `ScheduleError` for a wrong field count.
 */
export function compileSpring(expression: string): CompiledCron {
  const macro = MACROS[expression.toLowerCase()];
  const text = macro ?? expression;
  // Spring splits on spaces only (StringUtils.tokenizeToStringArray(expression, " ")).
  const fields = text.split(' ').filter((f) => f !== '');
  if (fields.length !== 6) {
    throw new ScheduleError(
      `Invalid spring cron expression '${expression}': expected 6 fields (sec min hour day-of-month month day-of-week) ` +
        `or a macro (${Object.keys(MACROS).join(', ')}), got ${fields.length}`,
      { details: { expression } },
    );
  }
  const [sec, min, hour, dom, mon, dow] = fields as [string, string, string, string, string, string];
  // In field order, so the first bad field is the one reported.
  const seconds = plainField(sec, SECONDS, 60);
  const minutes = plainField(min, MINUTES, 60);
  const hours = plainField(hour, HOURS, 24);
  const dayOfMonth = dayOfMonthRule(dom);
  const months = plainField(replaceNames(mon, MONTHS), MONTH, 13);
  const dayOfWeek = dayOfWeekRule(dow);
  // Spring checks every field of a candidate day: both day fields must match.
  return { expression, dialect: 'spring', seconds, minutes, hours, months, years: yearTable(null), dayMode: 'and', dayOfMonth, dayOfWeek, realTime: min.startsWith('*') || hour.startsWith('*') };
}
