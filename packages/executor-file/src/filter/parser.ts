import { FilterSyntaxError } from '../errors.js';
import type { ComparisonOp, Expr, Operand } from './ast.js';
import { tokenize } from './tokenizer.js';
import type { Token } from './tokenizer.js';

/** Deepest nesting of parentheses / NOT accepted (keeps the recursive descent off the stack limit). */
export const MAX_FILTER_DEPTH = 64;

/**
 * Parses a filter condition into an {@link Expr}. Grammar (keywords case-insensitive):
 *
 * ```text
 * condition  := or EOF
 * or         := and ( OR and )*
 * and        := unary ( AND unary )*
 * unary      := NOT unary | '(' or ')' | predicate
 * predicate  := operand [ compare-op operand
 *                       | IS [NOT] NULL
 *                       | [NOT] IN '(' operand ( ',' operand )* ')'
 *                       | [NOT] LIKE 'pattern' | [NOT] ILIKE 'pattern'
 *                       | [NOT] BETWEEN operand AND operand ]
 * operand    := identifier | `quoted name` | "quoted name" | 'string' | number | TRUE | FALSE | NULL
 * compare-op := = | == | != | <> | < | <= | > | >=
 * ```
 *
 * @throws FilterSyntaxError naming the position and the offending token.
 */
export function parseFilter(input: string): Expr {
  const tokens = tokenize(input);
  let i = 0;
  let depth = 0;
  const peek = (): Token => tokens[i]!;
  const next = (): Token => tokens[i++]!;
  const isKeyword = (t: Token, kw: string): boolean => t.kind === 'keyword' && t.value === kw;
  const fail = (t: Token, expected: string): never => {
    const token = t.kind === 'eof' ? 'end of condition' : t.text;
    throw new FilterSyntaxError(`expected ${expected} but found ${t.kind === 'eof' ? token : `"${token}"`}`, t.pos, token);
  };
  const expectKeyword = (kw: string): void => {
    if (!isKeyword(peek(), kw)) fail(peek(), kw);
    i++;
  };
  const enter = (t: Token): void => {
    if (++depth > MAX_FILTER_DEPTH) throw new FilterSyntaxError(`nesting deeper than ${MAX_FILTER_DEPTH}`, t.pos, t.text);
  };

  const operand = (): Operand => {
    const t = next();
    switch (t.kind) {
      case 'identifier':
      case 'quoted-identifier':
        return { kind: 'column', name: t.value, pos: t.pos };
      case 'string':
        return { kind: 'literal', literal: { type: 'string', value: t.value }, pos: t.pos };
      case 'number':
        return { kind: 'literal', literal: { type: 'number', text: t.value }, pos: t.pos };
      case 'keyword':
        if (t.value === 'TRUE' || t.value === 'FALSE') return { kind: 'literal', literal: { type: 'boolean', value: t.value === 'TRUE' }, pos: t.pos };
        if (t.value === 'NULL') return { kind: 'literal', literal: { type: 'null' }, pos: t.pos };
        break;
      default:
        break;
    }
    i--;
    return fail(t, 'a column name or a value');
  };

  const predicate = (): Expr => {
    const left = operand();
    const t = peek();
    if (t.kind === 'operator') {
      i++;
      return { kind: 'compare', op: t.value as ComparisonOp, left, right: operand() };
    }
    if (isKeyword(t, 'IS')) {
      i++;
      const negated = isKeyword(peek(), 'NOT');
      if (negated) i++;
      expectKeyword('NULL');
      return { kind: 'is-null', operand: left, negated };
    }
    let negated = false;
    if (isKeyword(t, 'NOT')) {
      const after = tokens[i + 1]!;
      if (!['IN', 'LIKE', 'ILIKE', 'BETWEEN'].some((kw) => isKeyword(after, kw))) fail(after, 'IN, LIKE, ILIKE or BETWEEN after NOT');
      negated = true;
      i++;
    }
    const k = peek();
    if (isKeyword(k, 'IN')) {
      i++;
      if (peek().kind !== '(') fail(peek(), '"(" after IN');
      i++;
      const list: Operand[] = [operand()];
      while (peek().kind === ',') {
        i++;
        list.push(operand());
      }
      if (peek().kind !== ')') fail(peek(), '"," or ")" in the IN list');
      i++;
      return { kind: 'in', operand: left, list, negated };
    }
    if (isKeyword(k, 'LIKE') || isKeyword(k, 'ILIKE')) {
      i++;
      const p = next();
      if (p.kind !== 'string') {
        i--;
        fail(p, `a 'quoted' pattern after ${k.value}`);
      }
      return { kind: 'like', operand: left, pattern: p.value, caseInsensitive: k.value === 'ILIKE', negated };
    }
    if (isKeyword(k, 'BETWEEN')) {
      i++;
      const low = operand();
      expectKeyword('AND');
      const high = operand();
      return { kind: 'between', operand: left, low, high, negated };
    }
    return { kind: 'truthy', operand: left };
  };

  const unary = (): Expr => {
    const t = peek();
    if (isKeyword(t, 'NOT')) {
      i++;
      enter(t);
      const expr = unary();
      depth--;
      return { kind: 'not', expr };
    }
    if (t.kind === '(') {
      i++;
      enter(t);
      const expr = or();
      depth--;
      if (peek().kind !== ')') fail(peek(), '")"');
      i++;
      return expr;
    }
    return predicate();
  };

  const and = (): Expr => {
    let left = unary();
    while (isKeyword(peek(), 'AND')) {
      i++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };

  const or = (): Expr => {
    let left = and();
    while (isKeyword(peek(), 'OR')) {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  if (peek().kind === 'eof') fail(peek(), 'a condition');
  const expr = or();
  if (peek().kind !== 'eof') fail(peek(), 'AND, OR or the end of the condition');
  return expr;
}
