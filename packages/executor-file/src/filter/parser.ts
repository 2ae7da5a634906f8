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
 * One function per rule below; they share a `Cursor` (private, below) over the tokens.
 *
 * @throws FilterSyntaxError naming the position and the offending token.
 */
export function parseFilter(input: string): Expr {
  const c = new Cursor(tokenize(input));
  if (c.peek().kind === 'eof') c.fail(c.peek(), 'a condition');
  const expr = parseOr(c);
  if (c.peek().kind !== 'eof') c.fail(c.peek(), 'AND, OR or the end of the condition');
  return expr;
}

/** Position in the token list and nesting depth of one parse. */
class Cursor {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    return this.tokens[this.i]!;
  }

  /** The token after the current one (the list always ends with `eof`, never read past it). */
  peekSecond(): Token {
    return this.tokens[this.i + 1]!;
  }

  next(): Token {
    return this.tokens[this.i++]!;
  }

  skip(): void {
    this.i++;
  }

  /** Consumes the current token when it is the keyword `kw`. */
  acceptKeyword(kw: string): boolean {
    if (!isKeyword(this.peek(), kw)) return false;
    this.i++;
    return true;
  }

  expectKeyword(kw: string): void {
    if (!this.acceptKeyword(kw)) this.fail(this.peek(), kw);
  }

  /** Consumes the current token when it has the punctuation kind `kind`, else fails with `expected`. */
  expect(kind: '(' | ')', expected: string): void {
    if (this.peek().kind !== kind) this.fail(this.peek(), expected);
    this.i++;
  }

  /** One level deeper (NOT or a parenthesis at `t`); throws beyond {@link MAX_FILTER_DEPTH}. */
  enter(t: Token): void {
    if (++this.depth > MAX_FILTER_DEPTH) throw new FilterSyntaxError(`nesting deeper than ${MAX_FILTER_DEPTH}`, t.pos, t.text);
  }

  leave(): void {
    this.depth--;
  }

  fail(t: Token, expected: string): never {
    const token = t.kind === 'eof' ? 'end of condition' : t.text;
    throw new FilterSyntaxError(`expected ${expected} but found ${t.kind === 'eof' ? token : `"${token}"`}`, t.pos, token);
  }
}

function isKeyword(t: Token, kw: string): boolean {
  return t.kind === 'keyword' && t.value === kw;
}

/** `or := and ( OR and )*` */
function parseOr(c: Cursor): Expr {
  let left = parseAnd(c);
  while (c.acceptKeyword('OR')) left = { kind: 'or', left, right: parseAnd(c) };
  return left;
}

/** `and := unary ( AND unary )*` */
function parseAnd(c: Cursor): Expr {
  let left = parseUnary(c);
  while (c.acceptKeyword('AND')) left = { kind: 'and', left, right: parseUnary(c) };
  return left;
}

/** `unary := NOT unary | '(' or ')' | predicate` */
function parseUnary(c: Cursor): Expr {
  const t = c.peek();
  if (isKeyword(t, 'NOT')) {
    c.skip();
    c.enter(t);
    const expr = parseUnary(c);
    c.leave();
    return { kind: 'not', expr };
  }
  if (t.kind === '(') {
    c.skip();
    c.enter(t);
    const expr = parseOr(c);
    c.leave();
    c.expect(')', '")"');
    return expr;
  }
  return parsePredicate(c);
}

const NEGATABLE = ['IN', 'LIKE', 'ILIKE', 'BETWEEN'];

/** `predicate := operand [ compare-op operand | IS [NOT] NULL | [NOT] IN … | [NOT] LIKE … | [NOT] BETWEEN … ]` */
function parsePredicate(c: Cursor): Expr {
  const left = parseOperand(c);
  const t = c.peek();
  if (t.kind === 'operator') {
    c.skip();
    return { kind: 'compare', op: t.value as ComparisonOp, left, right: parseOperand(c) };
  }
  if (c.acceptKeyword('IS')) {
    const negated = c.acceptKeyword('NOT');
    c.expectKeyword('NULL');
    return { kind: 'is-null', operand: left, negated };
  }
  let negated = false;
  if (isKeyword(t, 'NOT')) {
    const after = c.peekSecond();
    if (!NEGATABLE.some((kw) => isKeyword(after, kw))) c.fail(after, 'IN, LIKE, ILIKE or BETWEEN after NOT');
    negated = true;
    c.skip();
  }
  const k = c.peek();
  if (isKeyword(k, 'IN')) return parseInTail(c, left, negated);
  if (isKeyword(k, 'LIKE') || isKeyword(k, 'ILIKE')) return parseLikeTail(c, left, negated);
  if (isKeyword(k, 'BETWEEN')) return parseBetweenTail(c, left, negated);
  return { kind: 'truthy', operand: left };
}

/** `IN '(' operand ( ',' operand )* ')'`, the cursor on IN. */
function parseInTail(c: Cursor, left: Operand, negated: boolean): Expr {
  c.skip();
  c.expect('(', '"(" after IN');
  const list: Operand[] = [parseOperand(c)];
  while (c.peek().kind === ',') {
    c.skip();
    list.push(parseOperand(c));
  }
  c.expect(')', '"," or ")" in the IN list');
  return { kind: 'in', operand: left, list, negated };
}

/** `LIKE 'pattern'` or `ILIKE 'pattern'`, the cursor on the keyword. */
function parseLikeTail(c: Cursor, left: Operand, negated: boolean): Expr {
  const k = c.next();
  const p = c.peek();
  if (p.kind !== 'string') c.fail(p, `a 'quoted' pattern after ${k.value}`);
  c.skip();
  return { kind: 'like', operand: left, pattern: p.value, caseInsensitive: k.value === 'ILIKE', negated };
}

/** `BETWEEN operand AND operand`, the cursor on BETWEEN. */
function parseBetweenTail(c: Cursor, left: Operand, negated: boolean): Expr {
  c.skip();
  const low = parseOperand(c);
  c.expectKeyword('AND');
  const high = parseOperand(c);
  return { kind: 'between', operand: left, low, high, negated };
}

/** `operand := identifier | quoted name | 'string' | number | TRUE | FALSE | NULL` */
function parseOperand(c: Cursor): Operand {
  const t = c.peek();
  const operand = operandOf(t);
  if (operand === undefined) return c.fail(t, 'a column name or a value');
  c.skip();
  return operand;
}

/** The operand one token stands for, or undefined when it is no operand. */
function operandOf(t: Token): Operand | undefined {
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
      return undefined;
    default:
      return undefined;
  }
}
