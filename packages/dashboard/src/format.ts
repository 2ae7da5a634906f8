import { cronDialectOf } from '@vecron/sdk/schedule';
import { maskCredentials } from '@vecron/sdk/crypto';
import type { CronDialect } from '@vecron/sdk/schedule';
import type { JobDefinition } from '@vecron/sdk';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { Lang, Translate } from './i18n/index.js';
import { LOCALES } from './i18n/index.js';

/** Formats instants and spans for one request (language and time zone). */
export interface Formatter {
  lang: Lang;
  timeZone: string;
  t: Translate;
  /** `2026-05-01 14:03:07` style, in the dashboard's time zone. */
  dateTime(d: Date | null | undefined): string;
  /** A `<time>` element with the absolute instant in `datetime` and `title`. */
  time(d: Date | null | undefined, opts?: { relative?: boolean }): SafeHtml;
  duration(ms: number | null | undefined): string;
  relative(d: Date, now?: Date): string;
}

/** Creates a formatter. */
export function createFormatter(lang: Lang, timeZone: string, t: Translate, now: () => Date = () => new Date()): Formatter {
  const fmt = new Intl.DateTimeFormat(LOCALES[lang], {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const units = unitsOf(t);
  const f: Formatter = {
    lang, timeZone, t,
    dateTime: (d) => (d ? fmt.format(d) : '—'),
    time(d, opts = {}) {
      if (!d) return html`<span class="muted">—</span>`;
      const text = opts.relative ? f.relative(d) : f.dateTime(d);
      return html`<time datetime="${d.toISOString()}" title="${f.dateTime(d)} (${timeZone})">${text}</time>`;
    },
    duration: (ms) => (ms === null || ms === undefined ? '—' : formatDuration(ms, false, units)),
    relative(d, at = now()) {
      const diff = d.getTime() - at.getTime();
      if (Math.abs(diff) < 1_000) return t('time.now');
      const span = formatDuration(Math.abs(diff), true, units);
      return diff > 0 ? t('time.in', { d: span }) : t('time.ago', { d: span });
    },
  };
  return f;
}

/** Unit words of durations in one language. */
export interface DurationUnits {
  ms: string;
  s: string;
  min: string;
  h: string;
  d: string;
}

const EN_UNITS: DurationUnits = { ms: 'ms', s: 's', min: 'min', h: 'h', d: 'd' };

/** The duration units of a translator (`unit.*` keys). */
export const unitsOf = (t: Translate): DurationUnits => ({ ms: t('unit.ms'), s: t('unit.s'), min: t('unit.min'), h: t('unit.h'), d: t('unit.d') });

/**
 * `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`, `3 d 4 h` (in English units; Vietnamese: `2 giờ 3 phút`).
 * Coarse drops sub-second precision.
 */
export function formatDuration(ms: number, coarse = false, u: DurationUnits = EN_UNITS): string {
  if (ms < 1_000) return coarse ? `1 ${u.s}` : `${Math.round(ms)} ${u.ms}`;
  const s = ms / 1_000;
  if (s < 60) return coarse ? `${Math.round(s)} ${u.s}` : `${s.toFixed(s < 10 ? 2 : 1)} ${u.s}`;
  const totalS = Math.round(s);
  const m = Math.floor(totalS / 60);
  if (m < 60) return totalS % 60 ? `${m} ${u.min} ${totalS % 60} ${u.s}` : `${m} ${u.min}`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} ${u.h} ${m % 60} ${u.min}` : `${h} ${u.h}`;
  const days = Math.floor(h / 24);
  return h % 24 ? `${days} ${u.d} ${h % 24} ${u.h}` : `${days} ${u.d}`;
}

const interval = (seconds: number, t: Translate): string => {
  if (seconds % 3600 === 0) return t('schedule.everyHours', { n: seconds / 3600 });
  if (seconds % 60 === 0) return t('schedule.everyMinutes', { n: seconds / 60 });
  return t('schedule.everySeconds', { n: seconds });
};

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const isInt = (s: string | undefined): boolean => s !== undefined && /^\d{1,2}$/.test(s);
const step = (s: string | undefined): number | null => {
  const m = s === undefined ? null : /^(?:\*|0)\/(\d+)$/.exec(s);
  return m ? Number(m[1]) : null;
};
const pad = (n: string): string => n.padStart(2, '0');

/**
 * Day-of-week field to weekday indexes (0 = Sunday), or null when it is not a plain list/range.
 * Quartz numbers 1 = SUN … 7 = SAT; 5-field Unix cron numbers 0/7 = SUN.
 */
function weekdays(field: string, quartz: boolean): number[] | null {
  const toIndex = (tok: string): number | null => {
    const name = DAY_NAMES.indexOf(tok.toUpperCase());
    if (name >= 0) return name;
    if (!/^\d$/.test(tok)) return null;
    const n = Number(tok);
    return quartz ? (n >= 1 && n <= 7 ? n - 1 : null) : n <= 7 ? n % 7 : null;
  };
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [a, b, ...rest] = part.split('-');
    if (rest.length || a === undefined) return null;
    const from = toIndex(a);
    const to = b === undefined ? from : toIndex(b);
    if (from === null || to === null || to < from) return null;
    for (let d = from; d <= to; d++) out.add(d);
  }
  return [...out].sort();
}

/** Spring's macros, as the 6-field expressions they stand for. */
const SPRING_MACROS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *', '@annually': '0 0 0 1 1 *', '@monthly': '0 0 0 1 * *', '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *', '@midnight': '0 0 0 * * *', '@hourly': '0 0 * * * *',
};

/**
 * A cron expression in words when it is a common shape, else null. `dialect` decides the
 * day-of-week numbering (Quartz 1 = SUN; Spring and Unix 0/7 = SUN); without it, 5 fields are Unix
 * and 6 or 7 are Quartz.
 */
export function cronInWords(expression: string, t: Translate, dialect?: CronDialect): string | null {
  const text = dialect === 'spring' ? (SPRING_MACROS[expression.trim().toLowerCase()] ?? expression) : expression;
  const parts = text.trim().split(/\s+/);
  const quartz = (dialect ?? cronDialectOf(text)) === 'quartz';
  const [sec, min, hour, dom, month, dow, year] = parts.length >= 6 ? parts : ['0', ...parts];
  if ((year !== undefined && year !== '*') || month !== '*') return null;
  const anyDay = (dom === '*' || dom === '?') && (dow === '*' || dow === '?');
  if (step(sec) && min === '*' && hour === '*' && anyDay) return t('schedule.cronEverySecond', { n: step(sec)! });
  if (isInt(sec) && Number(sec) === 0 && step(min) && hour === '*' && anyDay) return t('schedule.cronEveryMinute', { n: step(min)! });
  if (!(isInt(sec) && isInt(min) && isInt(hour))) return null;
  const time = `${pad(hour!)}:${pad(min!)}${Number(sec) ? `:${pad(sec!)}` : ''}`;
  let days: string;
  if (anyDay) days = t('schedule.cronDaily');
  else if ((dom === '?' || dom === '*') && dow !== undefined) {
    const list = weekdays(dow, quartz);
    if (!list) return null;
    days = list.join(',') === '1,2,3,4,5' ? t('schedule.cronWeekdays') : t('schedule.cronDays', { days: list.map((d) => t(`weekday.${d}` as 'weekday.0')).join(', ') });
  } else if (isInt(dom) && (dow === '?' || dow === '*')) days = t('schedule.cronMonthDay', { day: Number(dom) });
  else return null;
  return `${days}, ${t('schedule.cronAt', { time })}`;
}

/**
 * One line that says when a job runs, in the UI language; the raw cron stays visible as code,
 * with the dialect it is read in (`quartz`, `spring` or `unix`).
 */
export function scheduleInWords(
  s: JobDefinition['schedule'], defaultTimeZone: string, f: Pick<Formatter, 't' | 'dateTime'>,
): { words: string; code: string | null; dialect?: CronDialect } {
  const { t } = f;
  if (!s) return { words: t('schedule.none'), code: null };
  const cal = 'calendar' in s && s.calendar && s.type !== 'business_day' ? ` · ${t('schedule.calendar', { calendar: s.calendar })}` : '';
  switch (s.type) {
    case 'cron': {
      const tz = s.timezone ?? defaultTimeZone;
      const dialect = cronDialectOf(s.expression, s.dialect);
      const words = cronInWords(s.expression, t, dialect) ?? t('schedule.cronRaw', { expr: s.expression });
      return { words: `${words} ${t('schedule.inZone', { tz })}${cal}`, code: s.expression, dialect };
    }
    case 'fixed_rate':
      return { words: `${interval(s.interval_seconds, t)}${cal}`, code: null };
    case 'fixed_delay':
      return { words: t('schedule.afterFinish', { interval: formatDuration(s.delay_seconds * 1000, false, unitsOf(t)) }), code: null };
    case 'one_time':
      return { words: t('schedule.once', { at: f.dateTime(new Date(s.execute_at)) }), code: null };
    case 'business_day': {
      const params = { n: s.day, time: s.time, calendar: s.calendar };
      return { words: s.day === -1 ? t('schedule.lastBusinessDay', params) : t('schedule.businessDay', params), code: null };
    }
  }
}

/** A deep copy of a definition with every literal credential masked (the server's rules: `maskCredentials`). */
export function maskDefinitionSecrets<T>(value: T): T {
  return maskCredentials(value);
}

/** Pretty JSON for a `<pre>`; long documents are cut with a note. */
export function prettyJson(value: unknown, maxChars = 20_000): string {
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text;
}
