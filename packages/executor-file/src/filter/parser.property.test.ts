import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError } from '../errors.js';
import { parseFilter } from './parser.js';

const PIECES = ['a', '`Họ tên`', '"x y"', "'Hà Nội'", "'", '`', '"', '1', '-2.5', '1e3', '=', '!=', '<>', '<', '<=', '>', '>=', '==', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE', 'BETWEEN', 'TRUE', 'FALSE', '(', ')', ',', ' ', '%', '#', '\\', '\u0000', '\n'];

function onlyTypedErrors(input: string): void {
  try {
    parseFilter(input);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterSyntaxError);
    const e = err as FilterSyntaxError;
    expect(e.position).toBeGreaterThanOrEqual(1);
    expect(e.position).toBeLessThanOrEqual(Array.from(input).length + 1);
  }
}

describe('parseFilter (property)', () => {
  it('throws nothing but FilterSyntaxError on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), onlyTypedErrors), { numRuns: 2_000 });
  });

  it('throws nothing but FilterSyntaxError on random token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (parts) => onlyTypedErrors(parts.join(' '))),
      { numRuns: 2_000 },
    );
  });

  it('parses every condition built from the grammar', () => {
    const column = fc.constantFrom('a', 'b', '`Thành phố`', '"Số tiền"');
    const literal = fc.oneof(fc.integer().map(String), fc.constantFrom("'Hà Nội'", "'it''s'", 'TRUE', 'NULL', '-0.5'));
    const operand = fc.oneof(column, literal);
    const predicate = fc.oneof(
      fc.tuple(operand, fc.constantFrom('=', '!=', '<>', '<', '<=', '>', '>='), operand).map((t) => t.join(' ')),
      column.map((c) => `${c} IS NOT NULL`),
      fc.tuple(column, fc.array(literal, { minLength: 1, maxLength: 4 })).map(([c, l]) => `${c} NOT IN (${l.join(', ')})`),
      column.map((c) => `${c} LIKE 'N%_'`),
      fc.tuple(column, operand, operand).map(([c, lo, hi]) => `${c} BETWEEN ${lo} AND ${hi}`),
    );
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        predicate,
        fc.tuple(tie('expr'), fc.constantFrom('AND', 'OR', 'and', 'or'), tie('expr')).map((t) => t.join(' ')),
        tie('expr').map((e) => `NOT (${e})`),
      ),
    }));
    fc.assert(fc.property(expr, (condition) => {
      expect(() => parseFilter(condition)).not.toThrow();
    }), { numRuns: 1_000 });
  });
});
