import { NonRetryableError } from '@vecron/sdk';
import type { DatabaseType } from './step-config.js';

/** One bind placeholder found in SQL text, outside literals, quoted identifiers and comments. */
export interface Placeholder {
  /** The placeholder as written: `$2`, `?`, `:1`, `:customer_id`. */
  readonly text: string;
  /** Offset in the SQL text. */
  readonly index: number;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uFFFF]/;

/**
 * Lists the bind placeholders of `sql` in the style of `dialect`: PostgreSQL `$1..$n`, MySQL `?`,
 * Oracle `:1..:n` or `:name`. Skips string literals (`'…'`, PostgreSQL `E'…'` and `$tag$…$tag$`,
 * MySQL `"…"` and backslash escapes, Oracle `q'[…]'`), quoted identifiers and comments, so a `?` or
 * `:x` inside a literal is never taken for a placeholder.
 */
export function scanPlaceholders(sql: string, dialect: DatabaseType): Placeholder[] {
  const out: Placeholder[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      i = skipLine(sql, i);
    } else if (c === '#' && dialect === 'mysql') {
      i = skipLine(sql, i);
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i, dialect === 'postgresql');
    } else if (c === "'") {
      const backslash = dialect === 'mysql' || (dialect === 'postgresql' && /[eE]/.test(sql[i - 1] ?? '') && !IDENT_CHAR.test(sql[i - 2] ?? ''));
      i = skipQuoted(sql, i, "'", backslash);
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', dialect === 'mysql');
    } else if (c === '`' && dialect === 'mysql') {
      i = skipQuoted(sql, i, '`', false);
    } else if (dialect === 'oracle' && (c === 'q' || c === 'Q') && next === "'" && !IDENT_CHAR.test(sql[i - 1] ?? '')) {
      i = skipOracleQQuote(sql, i);
    } else if (IDENT_CHAR.test(c) && c !== '$') {
      // Identifiers and keywords, including PostgreSQL's `a$b`: a `$` inside a word is not a placeholder.
      while (i < n && IDENT_CHAR.test(sql[i]!)) i++;
    } else if (dialect === 'postgresql' && c === '$') {
      const num = /^\$(\d+)/.exec(sql.slice(i));
      if (num) {
        out.push({ text: num[0], index: i });
        i += num[0].length;
      } else {
        const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
        if (tag) {
          const end = sql.indexOf(tag[0], i + tag[0].length);
          i = end < 0 ? n : end + tag[0].length;
        } else i++;
      }
    } else if (dialect === 'mysql' && c === '?') {
      out.push({ text: '?', index: i });
      i++;
    } else if (dialect === 'oracle' && c === ':' && next !== undefined && next !== '=' && next !== ':' && sql[i - 1] !== ':') {
      const m = /^:(\d+|[A-Za-z_][A-Za-z0-9_$#]*|"[^"]+")/.exec(sql.slice(i));
      if (m) {
        out.push({ text: m[0], index: i });
        i += m[0].length;
      } else i++;
    } else {
      i++;
    }
  }
  return out;
}

function skipLine(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

function skipBlockComment(sql: string, i: number, nested: boolean): number {
  let depth = 1;
  let j = i + 2;
  while (j < sql.length && depth > 0) {
    if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j += 2;
    } else if (nested && sql[j] === '/' && sql[j + 1] === '*') {
      depth++;
      j += 2;
    } else j++;
  }
  return j;
}

function skipQuoted(sql: string, i: number, quote: string, backslash: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const ch = sql[j]!;
    if (backslash && ch === '\\') {
      j += 2;
    } else if (ch === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return j;
}

const Q_CLOSE: Record<string, string> = { '[': ']', '{': '}', '(': ')', '<': '>' };

function skipOracleQQuote(sql: string, i: number): number {
  const open = sql[i + 2];
  if (open === undefined) return sql.length;
  const close = Q_CLOSE[open] ?? open;
  const end = sql.indexOf(`${close}'`, i + 3);
  return end < 0 ? sql.length : end + 2;
}

const STYLE: Record<DatabaseType, string> = {
  postgresql: 'PostgreSQL placeholders are $1, $2, … ($n is parameters[n-1])',
  mysql: 'MySQL/MariaDB placeholders are ? (one per parameter, in order)',
  oracle: 'Oracle placeholders are :1, :2, … or :name, bound by position in order of appearance',
};

/** True when `sql` is an anonymous PL/SQL block, where Oracle binds each distinct name once. */
function isPlsqlBlock(sql: string): boolean {
  const stripped = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '');
  return /^(BEGIN|DECLARE)\b/i.test(stripped);
}

/**
 * How many values the placeholders of `sql` expect, in the style of `dialect`.
 * PostgreSQL: the highest `$n`; MySQL: the number of `?`; Oracle: occurrences in SQL, distinct
 * names in a PL/SQL block (Oracle's bind-by-position rule).
 */
export function expectedParameterCount(sql: string, dialect: DatabaseType): number {
  const ph = scanPlaceholders(sql, dialect);
  if (dialect === 'postgresql') return ph.reduce((max, p) => Math.max(max, Number(p.text.slice(1))), 0);
  if (dialect === 'mysql') return ph.length;
  if (isPlsqlBlock(sql)) return new Set(ph.map((p) => p.text.toUpperCase())).size;
  return ph.length;
}

/**
 * Checks that `parameters` fits the placeholders of `sql` before anything reaches the server, so a
 * mismatch is a clear permanent error instead of a driver protocol error.
 *
 * @throws NonRetryableError `DB_PLACEHOLDER_MISMATCH`
 */
export function assertParametersFit(sql: string, parameters: readonly unknown[], dialect: DatabaseType, where: string): void {
  const expected = expectedParameterCount(sql, dialect);
  if (expected === parameters.length) return;
  throw new NonRetryableError(
    `${where}: the SQL has placeholders for ${expected} parameter(s) but ${parameters.length} were given. ${STYLE[dialect]}`,
    { code: 'DB_PLACEHOLDER_MISMATCH', details: { expected, given: parameters.length, database_type: dialect } },
  );
}
