/**
 * Parser of Quartz cron expressions (6–7 fields, with seconds and an optional year) and of
 * 5-field Unix cron expressions, compiled into lookup tables for the evaluator in
 * `next-cron-fire.ts`. Written from the Quartz documentation and checked against the Quartz,
 * Quartz.NET and cron-utils test vectors (read from the shared test data, see quartz-vectors.test.ts).
 * The `spring` dialect is compiled by `spring-cron.ts` into the same tables.
 */
import { ScheduleError } from '../../errors/errors.js';
import { compileSpring } from './spring-cron.js';
import { CRON_MAX_YEAR, CRON_MIN_YEAR, CronSyntaxError, fail, nextTable, yearTable } from './tables.js';

export { CRON_MAX_YEAR, CRON_MIN_YEAR } from './tables.js';

/** Which cron syntax an expression is written in. */
export type CronDialect = 'quartz' | 'spring' | 'unix';

/** The dialects, for schemas and messages. */
export const CRON_DIALECTS = ['quartz', 'spring', 'unix'] as const satisfies readonly CronDialect[];

/** Options of {@link parseCron}. */
export interface ParseCronOptions {
  /**
   * `quartz`: `sec min hour day-of-month month day-of-week [year]`, day-of-week 1 = SUN … 7 = SAT,
   * exactly one of day-of-month / day-of-week is `?`.
   * `spring`: Spring Framework's `CronExpression`: `sec min hour day-of-month month day-of-week`,
   * day-of-week 0 or 7 = SUN, 1 = MON; `?` is optional (it means `*`); a day must match both day
   * fields; `L`, `L-n`, `LW`, `nW`, `dL`, `d#n`; macros `@yearly`, `@annually`, `@monthly`,
   * `@weekly`, `@daily`, `@midnight`, `@hourly`.
   * `unix`: `min hour day-of-month month day-of-week`, day-of-week 0 or 7 = SUN, 1 = MON; seconds are 0;
   * when both day fields are restricted a day matches either (Vixie cron).
   * `auto`: 5 fields → `unix`, 6 or 7 fields → `quartz` (a Spring macro is never guessed).
   * @default 'auto'
   */
  dialect?: CronDialect | 'auto';
}

/** Day-of-month rule: plain days plus Quartz's `L`, `L-n`, `nW`, `LW`, `L-nW`. */
export interface CronDayOfMonthRule {
  /** Bit `d - 1` set when day `d` (1–31) is listed. */
  readonly days: number;
  /** `L-n` offsets (`L` = 0): the day `lastDay - n`. */
  readonly lastOffsets: readonly number[];
  /** `nW` targets: the weekday nearest to day `n` within the month. */
  readonly nearestWeekday: readonly number[];
  /** `LW` / `L-nW` offsets: the weekday nearest to day `lastDay - n`. */
  readonly lastNearestOffsets: readonly number[];
  /**
   * How `nW` treats a Sunday that is the month's last day: Quartz moves it to the Friday before,
   * Spring's `CronExpression` to the Monday after, which is in the next month, so that month has
   * no fire. @default 'quartz'
   */
  readonly nearestWeekdayRule?: 'quartz' | 'spring';
}

/** Day-of-week rule in Quartz numbering (1 = SUN … 7 = SAT). */
export interface CronDayOfWeekRule {
  /** Bit `w - 1` set when weekday `w` is listed. */
  readonly weekdays: number;
  /** `wL`: the last weekday `w` of the month. */
  readonly lastOf: readonly number[];
  /** `w#n`: the n-th (1–5) weekday `w` of the month. */
  readonly nth: ReadonlyArray<{ readonly weekday: number; readonly n: number }>;
}

/**
 * How the two day fields combine: Quartz uses exactly one of them; Unix cron ORs them when both
 * are restricted and otherwise uses the restricted one (`and` with an unrestricted field).
 */
export type CronDayMode = 'dom' | 'dow' | 'or' | 'and';

/** A parsed, validated cron expression. Plain immutable data; build it with {@link parseCron}. */
export interface CompiledCron {
  /** The expression as given, trimmed. */
  readonly expression: string;
  /** The syntax it was read as. */
  readonly dialect: CronDialect;
  /** `next[v]` = smallest allowed second ≥ v, or -1 (length 61). */
  readonly seconds: Int16Array;
  /** Same for minutes (length 61). */
  readonly minutes: Int16Array;
  /** Same for hours (length 25). */
  readonly hours: Int16Array;
  /** Same for months 1–12 (length 14, index 0 unused). */
  readonly months: Int16Array;
  /** `years[y - CRON_MIN_YEAR]` = smallest allowed year ≥ y, or -1. */
  readonly years: Int16Array;
  readonly dayMode: CronDayMode;
  readonly dayOfMonth: CronDayOfMonthRule;
  readonly dayOfWeek: CronDayOfWeekRule;
  /**
   * The minute or the hour field starts with `*` (`*`, `*\/5`): a frequent schedule, which follows
   * real time across DST changes (cronie's rule): both passes of a repeated hour fire, wall times
   * inside a spring-forward gap do not exist. Other schedules fire a repeated wall time once, at
   * its first pass, and a wall time inside a gap once, at the gap's end.
   */
  readonly realTime: boolean;
}

interface FieldDef {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Upper end of `*` (Unix day-of-week: 6, since 7 repeats Sunday). */
  readonly starMax: number;
  /** Largest increment Quartz accepts after `/`. */
  readonly stepMax: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Record<string, number> = {
  JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12,
};
const QUARTZ_DAY_NAMES: Record<string, number> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };
const UNIX_DAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

const SECONDS: FieldDef = { name: 'Seconds', min: 0, max: 59, starMax: 59, stepMax: 59 };
const MINUTES: FieldDef = { name: 'Minutes', min: 0, max: 59, starMax: 59, stepMax: 59 };
const HOURS: FieldDef = { name: 'Hours', min: 0, max: 23, starMax: 23, stepMax: 23 };
const DAY_OF_MONTH: FieldDef = { name: 'Day-of-Month', min: 1, max: 31, starMax: 31, stepMax: 31 };
const MONTH: FieldDef = { name: 'Month', min: 1, max: 12, starMax: 12, stepMax: 12, names: MONTH_NAMES };
const QUARTZ_DAY_OF_WEEK: FieldDef = { name: 'Day-of-Week', min: 1, max: 7, starMax: 7, stepMax: 7, names: QUARTZ_DAY_NAMES };
const UNIX_DAY_OF_WEEK: FieldDef = { name: 'Day-of-Week', min: 0, max: 7, starMax: 6, stepMax: 7, names: UNIX_DAY_NAMES };
const YEAR: FieldDef = {
  name: 'Year', min: CRON_MIN_YEAR, max: CRON_MAX_YEAR, starMax: CRON_MAX_YEAR, stepMax: CRON_MAX_YEAR - CRON_MIN_YEAR,
};

function parseValue(token: string, def: FieldDef): number {
  let v: number | undefined;
  if (/^\d+$/.test(token)) v = Number(token);
  else if (def.names && /^[A-Z]{3}$/.test(token)) v = def.names[token];
  if (v === undefined) {
    const expected = def.names ? ` (expected ${def.min}–${def.max} or a name such as ${Object.keys(def.names)[0]})` : ` (expected ${def.min}–${def.max})`;
    fail(`Invalid ${def.name} value: '${token}'${expected}`);
  }
  if (v < def.min || v > def.max) fail(`Invalid ${def.name} value: '${token}' (must be between ${def.min} and ${def.max})`);
  return v;
}

function parseStep(token: string, step: string, def: FieldDef): number {
  if (!/^\d+$/.test(step)) fail(`Invalid ${def.name} increment in '${token}': '/' must be followed by a positive integer`);
  const n = Number(step);
  if (n < 1 || n > def.stepMax) fail(`Invalid ${def.name} increment in '${token}': must be between 1 and ${def.stepMax}`);
  return n;
}

/**
 * Expands one list item (`*`, `v`, `a-b`, `*\/n`, `a/n`, `a-b/n`, Quartz `/n`) into `out`.
 * `a-b` with a > b wraps around (22-2 = 22,23,0,1,2), as in Quartz.
 */
function expandItem(token: string, def: FieldDef, out: boolean[]): void {
  const slash = token.indexOf('/');
  const base = slash < 0 ? token : token.slice(0, slash);
  const step = slash < 0 ? 1 : parseStep(token, token.slice(slash + 1), def);
  let start: number;
  let end: number;
  if (base === '*' || (base === '' && slash === 0)) {
    start = def.min;
    end = def.starMax;
  } else {
    const dash = base.indexOf('-');
    if (dash < 0) {
      start = parseValue(base, def);
      end = slash < 0 ? start : def.starMax;
    } else {
      start = parseValue(base.slice(0, dash), def);
      end = parseValue(base.slice(dash + 1), def);
    }
  }
  if (end < start) {
    if (def === YEAR) fail(`Invalid Year range: '${token}' (start must not be after end)`);
    const size = def.starMax - def.min + 1;
    for (let i = start; i <= end + size; i += step) out[((i - def.min) % size) + def.min] = true;
    return;
  }
  for (let i = start; i <= end; i += step) out[i] = true;
}

function expandField(field: string, def: FieldDef): boolean[] {
  const out: boolean[] = [];
  for (const item of field.split(',')) {
    if (item === '') fail(`Invalid ${def.name} value: '${field}' (empty list item)`);
    if (item === '?') fail(`'?' can only be specified for Day-of-Month or Day-of-Week (${def.name}: '${field}')`);
    expandItem(item, def, out);
  }
  return out;
}

function parseDayOfMonth(field: string): CronDayOfMonthRule {
  const plain: boolean[] = [];
  const lastOffsets: number[] = [];
  const nearestWeekday: number[] = [];
  const lastNearestOffsets: number[] = [];
  for (const item of field.split(',')) {
    let m: RegExpExecArray | null;
    if (item === '') fail(`Invalid Day-of-Month value: '${field}' (empty list item)`);
    if (item === '?') fail(`'?' cannot be combined with other Day-of-Month values: '${field}'`);
    if ((m = /^L(?:-(\d+))?(W?)$/.exec(item))) {
      const offset = m[1] === undefined ? 0 : Number(m[1]);
      if (offset > 30) fail(`Invalid Day-of-Month value: '${item}' (offset from last day must be <= 30)`);
      (m[2] ? lastNearestOffsets : lastOffsets).push(offset);
    } else if ((m = /^(\d+)W$/.exec(item))) {
      const day = Number(m[1]);
      if (day < 1 || day > 31) fail(`Invalid Day-of-Month value: '${item}' (the 'W' option needs a day between 1 and 31)`);
      nearestWeekday.push(day);
    } else if (/[LW#]/.test(item)) {
      fail(`Invalid Day-of-Month value: '${item}' (L, L-n, LW, L-nW and nW are the allowed specials)`);
    } else {
      expandItem(item, DAY_OF_MONTH, plain);
    }
  }
  let days = 0;
  for (let d = 1; d <= 31; d++) if (plain[d]) days |= 1 << (d - 1);
  return { days, lastOffsets, nearestWeekday, lastNearestOffsets };
}

function parseDayOfWeek(field: string, dialect: 'quartz' | 'unix'): CronDayOfWeekRule {
  const def = dialect === 'quartz' ? QUARTZ_DAY_OF_WEEK : UNIX_DAY_OF_WEEK;
  // Unix numbering (0/7 = SUN) → Quartz numbering (1 = SUN … 7 = SAT).
  const toQuartz = (v: number): number => (dialect === 'quartz' ? v : (v % 7) + 1);
  const items = field.split(',');
  if (dialect === 'quartz' && items.length > 1) {
    if (items.some((i) => i.includes('L'))) {
      fail(`Support for specifying 'L' with other days of the week is not implemented (Day-of-Week: '${field}')`);
    }
    if (items.some((i) => i.includes('#'))) {
      fail(`Support for specifying '#' with other days of the week is not implemented (Day-of-Week: '${field}')`);
    }
  }
  const plain: boolean[] = [];
  const lastOf: number[] = [];
  const nth: Array<{ weekday: number; n: number }> = [];
  for (const item of items) {
    let m: RegExpExecArray | null;
    if (item === '') fail(`Invalid Day-of-Week value: '${field}' (empty list item)`);
    if (item === '?') fail(`'?' cannot be combined with other Day-of-Week values: '${field}'`);
    if (item === 'L') {
      if (dialect !== 'quartz') fail(`Invalid Day-of-Week value: 'L' (use 'nL' for the last weekday n of the month)`);
      plain[7] = true; // Quartz: 'L' alone in day-of-week is 7 = SAT
    } else if ((m = /^(\d+|[A-Z]{3})L$/.exec(item))) {
      lastOf.push(toQuartz(parseValue(m[1] ?? '', def)));
    } else if ((m = /^(\d+|[A-Z]{3})#(.*)$/.exec(item))) {
      const weekday = toQuartz(parseValue(m[1] ?? '', def));
      const n = /^\d+$/.test(m[2] ?? '') ? Number(m[2]) : NaN;
      if (!(n >= 1 && n <= 5)) fail(`Invalid Day-of-Week value: '${item}' (a number between 1 and 5 must follow the '#' option)`);
      nth.push({ weekday, n });
    } else {
      expandItem(item, def, plain);
    }
  }
  let weekdays = 0;
  for (let v = def.min; v <= def.max; v++) if (plain[v]) weekdays |= 1 << (toQuartz(v) - 1);
  return { weekdays, lastOf, nth };
}

const ALL_DAYS: CronDayOfMonthRule = { days: 0x7fffffff, lastOffsets: [], nearestWeekday: [], lastNearestOffsets: [] };
const ALL_WEEKDAYS: CronDayOfWeekRule = { weekdays: 0x7f, lastOf: [], nth: [] };

function compile(expression: string, fields: string[], dialect: 'quartz' | 'unix'): CompiledCron {
  const up = fields.map((f) => f.toUpperCase());
  const [sec, min, hour, dom, mon, dow, year] =
    dialect === 'quartz' ? up : ['0', up[0], up[1], up[2], up[3], up[4], undefined];
  const domField = dom ?? '';
  const dowField = dow ?? '';
  // Fields in order, so the first bad field is the one reported.
  const seconds = nextTable(expandField(sec ?? '', SECONDS), 60);
  const minutes = nextTable(expandField(min ?? '', MINUTES), 60);
  const hours = nextTable(expandField(hour ?? '', HOURS), 24);
  const months = nextTable(expandField(mon ?? '', MONTH), 13);
  let dayMode: CronDayMode;
  let dayOfMonth = ALL_DAYS;
  let dayOfWeek = ALL_WEEKDAYS;
  if (dialect === 'quartz') {
    const domNoSpec = domField === '?';
    const dowNoSpec = dowField === '?';
    if (domNoSpec === dowNoSpec) {
      let hint = '';
      if (!domNoSpec && domField === '*') hint = ` — for every ${fields[5]} write '? * ${fields[5]}' (day-of-month '?')`;
      else if (!domNoSpec && dowField === '*') hint = ` — for day ${fields[3]} write '${fields[3]} * ?' (day-of-week '?')`;
      // Spring's CronExpression (and the files of systems built on it) accepts both day fields set.
      const spring = domNoSpec ? '' : `, or set "dialect": "spring" to read it as Spring's CronExpression (0 or 7 = SUN, a day must match both day fields)`;
      fail(
        `Day-of-Month and Day-of-Week: exactly one of them must be '?' in Quartz syntax (got '${fields[3]}' and '${fields[5]}')${hint}${spring}`,
      );
    }
    dayMode = domNoSpec ? 'dow' : 'dom';
    if (domNoSpec) dayOfWeek = parseDayOfWeek(dowField, dialect);
    else dayOfMonth = parseDayOfMonth(domField);
  } else {
    // Vixie cron: a field starting with '*' is unrestricted; both restricted → either matches.
    const domStar = domField.startsWith('*') || domField === '?';
    const dowStar = dowField.startsWith('*') || dowField === '?';
    if (domField !== '?') dayOfMonth = parseDayOfMonth(domField);
    if (dowField !== '?') dayOfWeek = parseDayOfWeek(dowField, dialect);
    dayMode = domStar || dowStar ? 'and' : 'or';
  }
  return {
    expression,
    dialect,
    seconds,
    minutes,
    hours,
    months,
    years: yearTable(year === undefined ? null : expandField(year, YEAR)),
    dayMode,
    dayOfMonth,
    dayOfWeek,
    realTime: (min ?? '').startsWith('*') || (hour ?? '').startsWith('*'),
  };
}

/**
 * The dialect an expression is read in: `dialect` when given, else by field count (5 → `unix`,
 * otherwise `quartz`), as {@link parseCron} does with `auto`.
 */
export function cronDialectOf(expression: string, dialect?: CronDialect | 'auto'): CronDialect {
  if (dialect !== undefined && dialect !== 'auto') return dialect;
  return expression.trim().split(/\s+/).length === 5 ? 'unix' : 'quartz';
}

/** What each dialect expects, for field-count errors. */
const EXPECTED_FIELDS: Record<CronDialect, string> = {
  quartz: '6 or 7 fields (sec min hour day-of-month month day-of-week [year])',
  spring: '6 fields (sec min hour day-of-month month day-of-week) or a macro such as @daily',
  unix: '5 fields (min hour day-of-month month day-of-week)',
};

/**
 * Parses and validates a cron expression.
 *
 * Quartz syntax (6 or 7 fields): `sec min hour day-of-month month day-of-week [year]` with `*`, `?`,
 * lists, ranges (wrap-around allowed: `22-2`, `FRI-MON`), increments (`*\/n`, `a/n`, `a-b/n`),
 * `L`, `L-n`, `nW`, `LW`, `L-nW` in day-of-month, `L` (= SAT), `nL`, `n#k` in day-of-week,
 * month names JAN–DEC and day names SUN–SAT in any case. Day-of-week is 1 = SUN … 7 = SAT and
 * exactly one of the two day fields must be `?`. Years 1970–2199.
 *
 * Spring syntax (`dialect: 'spring'`, 6 fields or a macro): Spring Framework's `CronExpression`,
 * day-of-week 0 or 7 = SUN, `?` optional, a day must match both day fields (see {@link ParseCronOptions}).
 *
 * Unix syntax (5 fields): `min hour day-of-month month day-of-week`, day-of-week 0 or 7 = SUN;
 * seconds are 0; both day fields restricted → a day matching either fires.
 *
 * @example
 * ```ts
 * const c = parseCron('0 0 2 ? * MON-FRI');                      // 02:00 on weekdays (Quartz)
 * const s = parseCron('0 0 2 * * MON-FRI', { dialect: 'spring' }); // the same, written for Spring
 * nextCronFire(c, Date.now(), 'Asia/Ho_Chi_Minh');
 * ```
 * @throws ScheduleError naming the field and the bad token, e.g. `Invalid Month value: 'FOO'`.
 */
export function parseCron(expression: string, options: ParseCronOptions = {}): CompiledCron {
  if (typeof expression !== 'string') throw new ScheduleError('cron expression must be a string');
  const trimmed = expression.trim();
  const wanted = options.dialect ?? 'auto';
  const invalid = (message: string): never => {
    throw new ScheduleError(message, { details: { expression: trimmed } });
  };
  try {
    if (wanted === 'spring') return compileSpring(trimmed);
    const fields = trimmed === '' ? [] : trimmed.split(/\s+/);
    let dialect: 'quartz' | 'unix';
    if (wanted === 'auto') {
      if (fields.length === 5) dialect = 'unix';
      else if (fields.length === 6 || fields.length === 7) dialect = 'quartz';
      else {
        return invalid(
          `Invalid cron expression '${trimmed}': expected 6 or 7 fields (Quartz: sec min hour day-of-month month day-of-week [year]) ` +
            `or 5 fields (Unix: min hour day-of-month month day-of-week), got ${fields.length}` +
            (trimmed.startsWith('@') ? ` (a macro such as ${trimmed} needs "dialect": "spring")` : ''),
        );
      }
    } else {
      dialect = wanted;
      const ok = dialect === 'quartz' ? fields.length === 6 || fields.length === 7 : fields.length === 5;
      if (!ok) invalid(`Invalid ${dialect} cron expression '${trimmed}': expected ${EXPECTED_FIELDS[dialect]}, got ${fields.length}`);
    }
    return compile(trimmed, fields, dialect);
  } catch (cause) {
    if (cause instanceof CronSyntaxError) {
      throw new ScheduleError(`${cause.message} in cron expression '${trimmed}'`, { details: { expression: trimmed } });
    }
    throw cause;
  }
}
