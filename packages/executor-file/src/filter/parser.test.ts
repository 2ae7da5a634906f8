import { describe, expect, it } from 'vitest';
import { FilterSyntaxError } from '../errors.js';
import { referencedColumns } from './ast.js';
import { MAX_FILTER_DEPTH, parseFilter } from './parser.js';

function syntaxError(condition: string): FilterSyntaxError {
  try {
    parseFilter(condition);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterSyntaxError);
    return err as FilterSyntaxError;
  }
  throw new Error(`expected a syntax error for: ${condition}`);
}

describe('parseFilter', () => {
  it('parses comparisons with every operator, == and <> as aliases', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
      expect(parseFilter(`a ${op} 1`)).toMatchObject({ kind: 'compare', op, left: { kind: 'column', name: 'a' }, right: { kind: 'literal', literal: { type: 'number', text: '1' } } });
    }
    expect(parseFilter('a == 1')).toMatchObject({ op: '=' });
    expect(parseFilter('a <> 1')).toMatchObject({ op: '!=' });
  });

  it('gives AND precedence over OR and honours parentheses', () => {
    expect(parseFilter('a = 1 OR b = 2 AND c = 3')).toMatchObject({ kind: 'or', right: { kind: 'and' } });
    expect(parseFilter('(a = 1 OR b = 2) AND c = 3')).toMatchObject({ kind: 'and', left: { kind: 'or' } });
  });

  it('reads keywords in any case, NOT, IS [NOT] NULL, [NOT] IN, LIKE, ILIKE, BETWEEN', () => {
    expect(parseFilter('not a = 1')).toMatchObject({ kind: 'not', expr: { kind: 'compare' } });
    expect(parseFilter('a is null')).toMatchObject({ kind: 'is-null', negated: false });
    expect(parseFilter('a IS NOT NULL')).toMatchObject({ kind: 'is-null', negated: true });
    expect(parseFilter("a IN ('x', 'y', 3)")).toMatchObject({ kind: 'in', negated: false, list: [{}, {}, {}] });
    expect(parseFilter("a NOT IN ('x')")).toMatchObject({ kind: 'in', negated: true });
    expect(parseFilter("a LIKE 'Ng%'")).toMatchObject({ kind: 'like', pattern: 'Ng%', caseInsensitive: false, negated: false });
    expect(parseFilter("a not ilike '%x'")).toMatchObject({ kind: 'like', caseInsensitive: true, negated: true });
    expect(parseFilter('a BETWEEN 1 AND 5 AND b = 2')).toMatchObject({ kind: 'and', left: { kind: 'between', negated: false } });
  });

  it('reads quoted column names with spaces and Vietnamese letters, and bare Vietnamese identifiers', () => {
    expect(parseFilter('`Họ và tên` = \'Nguyễn Thị Minh Khai\'')).toMatchObject({ left: { name: 'Họ và tên' }, right: { literal: { value: 'Nguyễn Thị Minh Khai' } } });
    expect(parseFilter('"Thành phố" = \'Hà Nội\'')).toMatchObject({ left: { name: 'Thành phố' } });
    expect(parseFilter('số_tiền > 0')).toMatchObject({ left: { name: 'số_tiền' } });
    expect(parseFilter('`a``b` = 1')).toMatchObject({ left: { name: 'a`b' } });
    expect(parseFilter("a = 'it''s'")).toMatchObject({ right: { literal: { value: "it's" } } });
  });

  it('reads numbers (negative, decimal, exponent), booleans and NULL literals', () => {
    expect(parseFilter('a > -1.50')).toMatchObject({ right: { literal: { type: 'number', text: '-1.50' } } });
    expect(parseFilter('a > 1e3')).toMatchObject({ right: { literal: { type: 'number', text: '1e3' } } });
    expect(parseFilter('a = TRUE')).toMatchObject({ right: { literal: { type: 'boolean', value: true } } });
    expect(parseFilter('a = null')).toMatchObject({ right: { literal: { type: 'null' } } });
    expect(parseFilter('active')).toMatchObject({ kind: 'truthy', operand: { name: 'active' } });
  });

  it('lists referenced columns', () => {
    expect(referencedColumns(parseFilter("a = 1 AND (b IN (c, 2) OR NOT d LIKE 'x') AND e BETWEEN f AND 3"))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it.each([
    ['a = ', 5, 'end of condition'],
    ['a = 1 AND', 10, 'end of condition'],
    ['a = 1)', 6, ')'],
    ['(a = 1', 7, 'end of condition'],
    ['a = # 1', 5, '#'],
    ["a = 'open", 5, "'"],
    ['`open = 1', 1, '`'],
    ['a IN 1', 6, '1'],
    ['a IN (1, )', 10, ')'],
    ['a LIKE b', 8, 'b'],
    ['a NOT = 1', 7, '='],
    ['a IS 1', 6, '1'],
    ['a BETWEEN 1 OR 2', 13, 'OR'],
    ['a = 1 b = 2', 7, 'b'],
    ['', 1, 'end of condition'],
    ['a = 12abc', 5, '12a'],
    ['AND', 1, 'AND'],
    ['"" = 1', 1, '""'],
  ])('reports %j at position %i, token %j', (condition, position, token) => {
    const err = syntaxError(condition);
    expect(err.position).toBe(position);
    expect(err.token).toBe(token);
    expect(err.code).toBe('FILTER_SYNTAX');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`position ${position}`);
  });

  it('counts positions in characters, not UTF-16 units', () => {
    expect(syntaxError('`Thành phố` = # ').position).toBe(15);
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = `${'('.repeat(MAX_FILTER_DEPTH + 1)}a = 1${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
    expect(syntaxError(deep).message).toContain('nesting deeper');
    expect(syntaxError(`${'NOT '.repeat(10_000)}a = 1`).message).toContain('nesting deeper');
    const ok = `${'('.repeat(MAX_FILTER_DEPTH)}a = 1${')'.repeat(MAX_FILTER_DEPTH)}`;
    expect(parseFilter(ok)).toMatchObject({ kind: 'compare' });
  });
});
