import { FilterSyntaxError } from '../errors.js';

/** Kinds of filter tokens. */
export type TokenKind = 'identifier' | 'quoted-identifier' | 'string' | 'number' | 'keyword' | 'operator' | '(' | ')' | ',' | 'eof';

/** One token with its 1-based position in the condition. */
export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token. */
  readonly text: string;
  /** Decoded value: identifier name, string content, canonical keyword or operator. */
  readonly value: string;
  readonly pos: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE', 'BETWEEN', 'TRUE', 'FALSE']);
const OPERATORS = ['<=', '>=', '<>', '!=', '==', '=', '<', '>'];
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{M}\p{N}_]/u;

/**
 * Splits a filter condition into tokens. Never evaluates anything.
 *
 * @throws FilterSyntaxError on an unexpected character or an unterminated string / quoted name.
 */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const chars = Array.from(input); // by code point, so positions count characters a person sees
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i]!;
    const pos = i + 1;
    if (/\s/u.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, value: ch, pos });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= chars.length) {
          const what = ch === "'" ? 'string' : 'quoted column name';
          throw new FilterSyntaxError(`unterminated ${what} starting with ${ch}`, pos, ch);
        }
        const c = chars[j]!;
        if (c === ch) {
          if (chars[j + 1] === ch) {
            value += ch; // doubled quote = the quote itself
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j++;
      }
      const text = chars.slice(i, j + 1).join('');
      if (ch !== "'" && value.length === 0) throw new FilterSyntaxError('empty quoted column name', pos, text);
      tokens.push({ kind: ch === "'" ? 'string' : 'quoted-identifier', text, value, pos });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(ch) || ((ch === '-' || ch === '+' || ch === '.') && /[0-9.]/.test(chars[i + 1] ?? ''))) {
      const m = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(chars.slice(i, i + 400).join(''));
      if (!m) throw new FilterSyntaxError(`unexpected character "${ch}"`, pos, ch);
      const text = m[0];
      const next = chars[i + text.length];
      if (next !== undefined && IDENT_PART.test(next)) throw new FilterSyntaxError(`malformed number "${text}${next}"`, pos, text + next);
      tokens.push({ kind: 'number', text, value: text, pos });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => chars.slice(i, i + o.length).join('') === o);
    if (op) {
      tokens.push({ kind: 'operator', text: op, value: op === '==' ? '=' : op === '<>' ? '!=' : op, pos });
      i += op.length;
      continue;
    }
    if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < chars.length && IDENT_PART.test(chars[j]!)) j++;
      const text = chars.slice(i, j).join('');
      const upper = text.toUpperCase();
      tokens.push(KEYWORDS.has(upper) ? { kind: 'keyword', text, value: upper, pos } : { kind: 'identifier', text, value: text, pos });
      i = j;
      continue;
    }
    throw new FilterSyntaxError(`unexpected character "${ch}"`, pos, ch);
  }
  tokens.push({ kind: 'eof', text: '', value: '', pos: chars.length + 1 });
  return tokens;
}
