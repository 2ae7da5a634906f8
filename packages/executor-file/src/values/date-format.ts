import { LocalDateTime } from './local-date-time.js';

/** Parses and formats dates with a small pattern language: yyyy, MM, M, dd, d, HH, H, mm, ss, SSS; text in 'quotes'. */
export interface DateFormat {
  /** The pattern as given. */
  readonly pattern: string;
  parse(text: string): LocalDateTime | undefined;
  format(value: LocalDateTime): string;
}

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'ms';
type Part = { kind: 'literal'; text: string } | { kind: 'field'; field: Field; width: number; exact: boolean };

const TOKENS: Array<[string, Field, number, boolean]> = [
  ['yyyy', 'year', 4, true],
  ['SSS', 'ms', 3, true],
  ['MM', 'month', 2, true],
  ['dd', 'day', 2, true],
  ['HH', 'hour', 2, true],
  ['mm', 'minute', 2, true],
  ['ss', 'second', 2, true],
  ['M', 'month', 2, false],
  ['d', 'day', 2, false],
  ['H', 'hour', 2, false],
];

/**
 * Compiles a date pattern such as `dd/MM/yyyy` or `yyyy-MM-dd HH:mm:ss`.
 *
 * @throws Error when the pattern is empty, has no year/month/day, or an unterminated quote.
 */
export function compileDateFormat(pattern: string): DateFormat {
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in date format "${pattern}"`);
      parts.push({ kind: 'literal', text: end === i + 1 ? "'" : pattern.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const tok = TOKENS.find(([t]) => pattern.startsWith(t, i));
    if (tok) {
      parts.push({ kind: 'field', field: tok[1], width: tok[2], exact: tok[3] });
      i += tok[0].length;
      continue;
    }
    if (/[a-zA-Z]/.test(ch)) throw new Error(`unknown letter "${ch}" in date format "${pattern}" (use yyyy, MM, M, dd, d, HH, H, mm, ss, SSS; quote text with '…')`);
    parts.push({ kind: 'literal', text: ch });
    i++;
  }
  const fields = new Set(parts.flatMap((p) => (p.kind === 'field' ? [p.field] : [])));
  for (const f of ['year', 'month', 'day'] as const) {
    if (!fields.has(f)) throw new Error(`date format "${pattern}" has no ${f} (yyyy, MM, dd)`);
  }
  const hasTime = fields.has('hour');
  const order: Field[] = [];
  const source = parts
    .map((p) => {
      if (p.kind === 'literal') return p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      order.push(p.field);
      return p.exact ? `(\\d{${p.width}})` : `(\\d{1,${p.width}})`;
    })
    .join('');
  const re = new RegExp(`^${source}$`);
  return {
    pattern,
    parse(text) {
      const m = re.exec(text.trim());
      if (!m) return undefined;
      const v: Record<Field, number> = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, ms: 0 };
      order.forEach((f, k) => {
        v[f] = Number(m[k + 1]);
      });
      return LocalDateTime.of(v.year, v.month, v.day, v.hour, v.minute, v.second, v.ms, hasTime);
    },
    format(value) {
      return parts
        .map((p) => {
          if (p.kind === 'literal') return p.text;
          const n = { year: value.year, month: value.month, day: value.day, hour: value.hour, minute: value.minute, second: value.second, ms: value.millisecond }[p.field];
          return p.exact ? String(n).padStart(p.width, '0') : String(n);
        })
        .join('');
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
