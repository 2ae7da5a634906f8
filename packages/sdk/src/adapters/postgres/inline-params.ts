import { LruCache } from '../../internal/lru-cache.js';

/**
 * A statement with its parameters written in as literals, for the simple query protocol, which
 * carries no parameters: `$n` becomes the `n`th value as a quoted literal (`NULL` for null), each
 * array the literal `pg` itself would send for it (`{"a","b",NULL}`), quoted. A literal takes its
 * type from its context as an untyped parameter does (the casts of `$n::uuid[]` apply to it alike).
 *
 * Returns null — the caller then sends the statement with its parameters — for what it cannot
 * write with certainty: a value other than a string, finite number, boolean, null or an array of
 * those (a Date is written in local time by `pg`, a Buffer in hex, an object as JSON), a `$` not
 * followed by a parameter number outside quotes and comments (dollar quoting), a `$n` within a
 * name (`a$1`), or a `$n` with no value.
 */
export function inlineParams(text: string, params: readonly unknown[]): string | null {
  let split = splits.get(text);
  if (split === undefined) {
    split = splitAtParams(text);
    splits.set(text, split);
  }
  if (split === null) return null;
  const values: string[] = [];
  for (const p of params) {
    const v = literal(p);
    if (v === null) return null;
    values.push(v);
  }
  const { parts, refs } = split;
  let out = parts[0]!;
  for (let k = 0; k < refs.length; k += 1) {
    const value = values[refs[k]!];
    if (value === undefined) return null;
    out += value + parts[k + 1]!;
  }
  return out;
}

/** A statement text cut at its `$n`: `parts[k]` precedes the `k`th reference, to parameter index `refs[k]`. */
interface Split {
  parts: string[];
  refs: number[];
}

/** The cut of each statement text seen (texts are the storage's constants: a few dozen). */
const splits = new LruCache<string, Split | null>(256);

/** Cuts `text` at its `$n` outside strings, quoted names and comments; null for what inlineParams gives up on. */
function splitAtParams(text: string): Split | null {
  const parts: string[] = [];
  const refs: number[] = [];
  let from = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "'") {
      // A string; E'…' has backslash escapes, '' is a quote in either.
      const escapes = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && !isNameChar(text[i - 2]);
      i += 1;
      while (i < n) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i += 1;
      }
      if (i >= n) return null;
      i += 1;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return null;
      i = end + 1;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      // Nested comments are not followed: give up on any.
      if (end < 0 || text.slice(i + 2, end).includes('/*')) return null;
      i = end + 2;
    } else if (c === '$') {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j += 1;
      if (j === i + 1 || isNameChar(text[i - 1]) || isNameChar(text[j])) return null;
      parts.push(text.slice(from, i));
      refs.push(Number(text.slice(i + 1, j)) - 1);
      from = j;
      i = j;
    } else {
      i += 1;
    }
  }
  parts.push(text.slice(from));
  return { parts, refs };
}

const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** One parameter as a literal, or null when {@link inlineParams} does not write it. */
function literal(v: unknown): string | null {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) {
    const a = arrayLiteral(v);
    return a === null ? null : quote(a);
  }
  const s = scalar(v);
  return s === null ? null : quote(s);
}

/** A string literal as `pg`'s `escapeLiteral` writes it (`'` and `\\` doubled, ` E'…'` when there is a `\\`), with native scans. */
function quote(s: string): string {
  if (!QUOTE_OR_BACKSLASH.test(s)) return `'${s}'`;
  return `${s.includes('\\') ? ' E' : ''}'${s.replace(QUOTES_AND_BACKSLASHES, '$&$&')}'`;
}

const QUOTE_OR_BACKSLASH = /['\\]/;
const QUOTES_AND_BACKSLASHES = /['\\]/g;
const ELEMENT_ESCAPES = /["\\]/;
const ELEMENT_ESCAPES_ALL = /["\\]/g;

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  return null;
}

/** An array as `pg` writes it (elements double-quoted, `\` and `"` escaped, null as NULL). */
function arrayLiteral(a: readonly unknown[]): string | null {
  const parts: string[] = [];
  for (const x of a) {
    if (x === null || x === undefined) {
      parts.push('NULL');
      continue;
    }
    if (Array.isArray(x)) {
      const inner = arrayLiteral(x);
      if (inner === null) return null;
      parts.push(inner);
      continue;
    }
    const s = scalar(x);
    if (s === null) return null;
    parts.push(ELEMENT_ESCAPES.test(s) ? `"${s.replace(ELEMENT_ESCAPES_ALL, '\\$&')}"` : `"${s}"`);
  }
  return `{${parts.join(',')}}`;
}
