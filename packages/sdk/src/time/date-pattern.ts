/**
 * Date patterns such as `yyyyMMdd` or `dd/MM/yyyy HH:mm:ss`: the one implementation behind the
 * template `date` filter (`{{ execution_date | date:'yyyyMMdd' }}`) and the date columns of
 * `@vecron/executor-file`. It compiles a pattern, prints wall-clock fields with it and reads them
 * back; zones and calendar arithmetic belong to the callers.
 *
 * Tokens: `yyyy` `yy` `MM` `M` `dd` `d` `HH` `H` `mm` `m` `ss` `s` `SSS` (the doubled forms are
 * zero-padded). A run of one of the letters y M d H m s S must be one of them.
 */

/** One field token of a pattern. */
export type DateToken = 'yyyy' | 'yy' | 'MM' | 'M' | 'dd' | 'd' | 'HH' | 'H' | 'mm' | 'm' | 'ss' | 's' | 'SSS';

/** A compiled pattern: literal text and field tokens, in order. */
export type DatePattern = ReadonlyArray<{ readonly literal: string } | { readonly token: DateToken }>;

/** A wall-clock reading, month 1–12. */
export interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Options of {@link compileDatePattern}. */
export interface DatePatternOptions {
  /**
   * `'text'` is literal text (`''` is one quote), as in Java's `DateTimeFormatter`.
   * @default false (a quote is printed as is)
   */
  quotes?: boolean;
  /**
   * What a letter outside the token letters and outside quotes is: `'literal'` (printed as is,
   * `yyyy-MM-ddTHH`) or `'error'` (refused, so `YYYY` or `DD` is caught instead of printed).
   * @default 'literal'
   */
  otherLetters?: 'literal' | 'error';
}

/** Thrown when a pattern is not valid; the message names the offending part and the pattern. */
export class DatePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatePatternError';
  }
}

const TOKENS: ReadonlySet<string> = new Set<DateToken>(['yyyy', 'yy', 'MM', 'M', 'dd', 'd', 'HH', 'H', 'mm', 'm', 'ss', 's', 'SSS']);
const TOKEN_LETTERS = /[yMdHmsS]/;
const SUPPORTED = 'yyyy yy MM M dd d HH H mm m ss s SSS';

/**
 * Compiles a pattern.
 *
 * @example
 * ```ts
 * const p = compileDatePattern("dd/MM/yyyy 'at' HH:mm", { quotes: true });
 * formatDatePattern(p, { year: 2026, month: 12, day: 1, hour: 2, minute: 0, second: 0, millisecond: 0 }); // '01/12/2026 at 02:00'
 * ```
 * @throws DatePatternError on an unsupported token (`MMM`), an unterminated quote, or (with
 * `otherLetters: 'error'`) a letter that is no token.
 */
export function compileDatePattern(pattern: string, options: DatePatternOptions = {}): DatePattern {
  const out: Array<{ literal: string } | { token: DateToken }> = [];
  const literal = (text: string): void => {
    const last = out[out.length - 1];
    if (last && 'literal' in last) last.literal += text;
    else out.push({ literal: text });
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'" && options.quotes) {
      // '' is a quote, inside quoted text as outside it.
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new DatePatternError(`unterminated quote in date format "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] !== "'") break;
          text += "'";
          j += 2;
        } else {
          text += pattern[j++];
        }
      }
      literal(text);
      i = j + 1;
    } else if (TOKEN_LETTERS.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const run = pattern.slice(i, j);
      if (!TOKENS.has(run)) throw new DatePatternError(`unsupported date token "${run}" in format '${pattern}'; supported: ${SUPPORTED}`);
      out.push({ token: run as DateToken });
      i = j;
    } else if (options.otherLetters === 'error' && /[a-zA-Z]/.test(c)) {
      throw new DatePatternError(`unknown letter "${c}" in date format "${pattern}" (use ${SUPPORTED}; quote text with '…')`);
    } else {
      literal(c);
      i++;
    }
  }
  return out;
}

/** The tokens a pattern uses. */
export function datePatternTokens(pattern: DatePattern): Set<DateToken> {
  return new Set(pattern.flatMap((p) => ('token' in p ? [p.token] : [])));
}

const pad = (n: number, width: number): string => String(Math.abs(n)).padStart(width, '0');

function tokenText(token: DateToken, f: DateFields): string {
  switch (token) {
    case 'yyyy': return (f.year < 0 ? '-' : '') + pad(f.year, 4);
    case 'yy': return pad(((f.year % 100) + 100) % 100, 2);
    case 'MM': return pad(f.month, 2);
    case 'M': return String(f.month);
    case 'dd': return pad(f.day, 2);
    case 'd': return String(f.day);
    case 'HH': return pad(f.hour, 2);
    case 'H': return String(f.hour);
    case 'mm': return pad(f.minute, 2);
    case 'm': return String(f.minute);
    case 'ss': return pad(f.second, 2);
    case 's': return String(f.second);
    case 'SSS': return pad(f.millisecond, 3);
  }
}

/** Prints wall-clock fields with a compiled pattern. */
export function formatDatePattern(pattern: DatePattern, fields: DateFields): string {
  let out = '';
  for (const piece of pattern) out += 'literal' in piece ? piece.literal : tokenText(piece.token, fields);
  return out;
}

const FIELD_OF: Record<DateToken, keyof DateFields> = {
  yyyy: 'year', yy: 'year', MM: 'month', M: 'month', dd: 'day', d: 'day', HH: 'hour', H: 'hour',
  mm: 'minute', m: 'minute', ss: 'second', s: 'second', SSS: 'millisecond',
};
/** Digits a token reads: an exact count for the padded forms, 1–2 for the others. */
const DIGITS: Record<DateToken, string> = {
  yyyy: '\\d{4}', yy: '\\d{2}', MM: '\\d{2}', M: '\\d{1,2}', dd: '\\d{2}', d: '\\d{1,2}', HH: '\\d{2}', H: '\\d{1,2}',
  mm: '\\d{2}', m: '\\d{1,2}', ss: '\\d{2}', s: '\\d{1,2}', SSS: '\\d{3}',
};
const readers = new WeakMap<DatePattern, RegExp>();

/**
 * Reads text written with a compiled pattern (surrounding blanks ignored). Fields the pattern
 * does not have are 0; `yy` reads as 2000 + yy. Returns undefined when the text does not match.
 * It does not check that the date exists (31/02): that is the caller's calendar.
 */
export function parseDatePattern(pattern: DatePattern, text: string): DateFields | undefined {
  let re = readers.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.map((p) => ('literal' in p ? p.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : `(${DIGITS[p.token]})`)).join('')}$`);
    readers.set(pattern, re);
  }
  const m = re.exec(text.trim());
  if (!m) return undefined;
  const fields: DateFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
  let k = 1;
  for (const p of pattern) {
    if ('literal' in p) continue;
    const n = Number(m[k++]);
    fields[FIELD_OF[p.token]] = p.token === 'yy' ? 2000 + n : n;
  }
  return fields;
}
