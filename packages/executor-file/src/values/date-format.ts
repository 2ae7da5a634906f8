import { compileDatePattern, datePatternTokens, formatDatePattern, parseDatePattern } from '@vecron/sdk/template';
import type { DatePattern } from '@vecron/sdk/template';
import { LocalDateTime } from './local-date-time.js';

/** Parses and formats dates with a pattern: yyyy, MM, M, dd, d, HH, H, mm, m, ss, s, SSS; text in 'quotes'. */
export interface DateFormat {
  /** The pattern as given. */
  readonly pattern: string;
  parse(text: string): LocalDateTime | undefined;
  format(value: LocalDateTime): string;
}

/**
 * Compiles a date pattern such as `dd/MM/yyyy` or `yyyy-MM-dd HH:mm:ss`, with the SDK's one
 * date-pattern implementation (the template `date` filter uses the same), in its strict form:
 * text in 'quotes', any other letter refused.
 *
 * @throws Error when the pattern is empty, has no year/month/day, or an unterminated quote.
 */
export function compileDateFormat(pattern: string): DateFormat {
  let compiled: DatePattern;
  try {
    compiled = compileDatePattern(pattern, { quotes: true, otherLetters: 'error' });
  } catch (err) {
    throw new Error((err as Error).message, { cause: err });
  }
  const tokens = datePatternTokens(compiled);
  const has = { year: tokens.has('yyyy'), month: tokens.has('MM') || tokens.has('M'), day: tokens.has('dd') || tokens.has('d') };
  for (const f of ['year', 'month', 'day'] as const) {
    if (!has[f]) throw new Error(`date format "${pattern}" has no ${f} (yyyy, MM, dd)`);
  }
  const hasTime = tokens.has('HH') || tokens.has('H');
  return {
    pattern,
    parse(text) {
      const v = parseDatePattern(compiled, text);
      return v && LocalDateTime.of(v.year, v.month, v.day, v.hour, v.minute, v.second, v.millisecond, hasTime);
    },
    format(value) {
      return formatDatePattern(compiled, value);
    },
  };
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses ISO-8601 text: `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm[:ss[.SSS]]` (a space works for `T`).
 * A trailing `Z` or offset is accepted and dropped: the wall-clock time is kept as written.
 */
export function parseIsoLocal(text: string): LocalDateTime | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const hasTime = m[4] !== undefined;
  return LocalDateTime.of(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Number((m[7] ?? '0').padEnd(3, '0')),
    hasTime,
  );
}
