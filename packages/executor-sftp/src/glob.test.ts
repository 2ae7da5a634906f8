import { describe, expect, it } from 'vitest';
import { compileWildcard, makeNameFilter } from './glob.js';

describe('compileWildcard', () => {
  it.each([
    ['*.csv', 'a.csv', true],
    ['*.csv', 'a.csv.bak', false],
    ['*.csv', '.csv', true],
    ['SAO_KE_*.xlsx', 'SAO_KE_20260131.xlsx', true],
    ['SAO_KE_*.xlsx', 'sao_ke_20260131.xlsx', false],
    ['report-??.txt', 'report-01.txt', true],
    ['report-??.txt', 'report-1.txt', false],
    ['file[0-9].dat', 'file7.dat', true],
    ['file[!0-9].dat', 'file7.dat', false],
    ['file[!0-9].dat', 'fileA.dat', true],
    ['a+b(1).txt', 'a+b(1).txt', true],
    ['a+b(1).txt', 'aab(1).txt', false],
    ['[abc', '[abc', true],
    ['$^.txt', '$^.txt', true],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(compileWildcard(pattern).test(name)).toBe(expected);
  });

  it('never matches across "/"', () => {
    expect(compileWildcard('*').test('a/b')).toBe(false);
    expect(compileWildcard('a?b').test('a/b')).toBe(false);
  });

  it('without a pattern everything matches', () => {
    expect(makeNameFilter(undefined)('anything')).toBe(true);
  });
});
