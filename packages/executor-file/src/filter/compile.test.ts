import { describe, expect, it } from 'vitest';
import type { Cell, Row } from '../values/cell.js';
import { ExactDecimal } from '../values/decimal.js';
import { LocalDateTime } from '../values/local-date-time.js';
import { compileFilter, likeToRegExp } from './compile.js';

const COLUMNS = ['name', 'city', 'amount', 'active', 'opened', 'Số tiền'];
const where = (row: Row): string => `line ${row.line}`;
const row = (cells: Partial<Record<string, Cell>>, n = 1): Row => ({ n, line: n + 1, cells: COLUMNS.map((c) => cells[c] ?? null) });
const keep = (condition: string, cells: Partial<Record<string, Cell>>): boolean => compileFilter(condition, COLUMNS, where)(row(cells));

describe('compileFilter', () => {
  it('compares text exactly, Vietnamese included', () => {
    expect(keep("city = 'Hà Nội'", { city: 'Hà Nội' })).toBe(true);
    expect(keep("city = 'Hà Nội'", { city: 'Ha Noi' })).toBe(false);
    expect(keep("city != 'Hà Nội'", { city: 'Đà Nẵng' })).toBe(true);
    expect(keep("name < 'B'", { name: 'An' })).toBe(true);
  });

  it('compares numbers exactly, numeric text against numbers, decimals beyond float precision', () => {
    expect(keep('amount > 1000000', { amount: '1500000' })).toBe(true);
    expect(keep('amount >= 1000000', { amount: 999_999.99 })).toBe(false);
    expect(keep('amount = 0.3', { amount: new ExactDecimal('0.30') })).toBe(true);
    expect(keep('amount > 12345678901234567.01', { amount: new ExactDecimal('12345678901234567.02') })).toBe(true);
    expect(keep('amount > 12345678901234567.01', { amount: new ExactDecimal('12345678901234567.00') })).toBe(false);
    expect(keep('amount < -1', { amount: '-1.5' })).toBe(true);
  });

  it('treats blanks as NULL with three-valued logic (a row is kept only when the condition is true)', () => {
    expect(keep('amount > 5', { amount: '' })).toBe(false);
    expect(keep('NOT amount > 5', { amount: '' })).toBe(false);
    expect(keep('amount IS NULL', { amount: '' })).toBe(true);
    expect(keep('amount IS NULL', {})).toBe(true);
    expect(keep('amount IS NOT NULL', { amount: 0 })).toBe(true);
    expect(keep('amount > 5 OR city = \'Huế\'', { city: 'Huế' })).toBe(true);
    expect(keep('amount > 5 AND city = \'Huế\'', { city: 'Huế' })).toBe(false);
    expect(keep('amount = NULL', { amount: 1 })).toBe(false);
  });

  it('handles IN / NOT IN, LIKE / ILIKE, BETWEEN', () => {
    expect(keep("city IN ('Hà Nội', 'Đà Nẵng')", { city: 'Đà Nẵng' })).toBe(true);
    expect(keep("city NOT IN ('Hà Nội', 'Đà Nẵng')", { city: 'Đà Nẵng' })).toBe(false);
    expect(keep("city NOT IN ('Hà Nội')", { city: 'Huế' })).toBe(true);
    expect(keep('amount IN (1, 2.0, 3)', { amount: '2' })).toBe(true);
    expect(keep("name LIKE 'Nguyễn%'", { name: 'Nguyễn Thị Minh Khai' })).toBe(true);
    expect(keep("name LIKE 'Nguy_n%'", { name: 'Nguyễn Văn A' })).toBe(true);
    expect(keep("name LIKE 'nguyễn%'", { name: 'Nguyễn Văn A' })).toBe(false);
    expect(keep("name ILIKE 'nguyễn%'", { name: 'Nguyễn Văn A' })).toBe(true);
    expect(keep("name NOT LIKE '%Khai'", { name: 'Nguyễn Thị Minh Khai' })).toBe(false);
    expect(keep("name LIKE '100\\%'", { name: '100%' })).toBe(true);
    expect(keep("name LIKE '100\\%'", { name: '1000' })).toBe(false);
    expect(keep('amount BETWEEN 10 AND 20', { amount: '20' })).toBe(true);
    expect(keep('amount NOT BETWEEN 10 AND 20', { amount: 21 })).toBe(true);
  });

  it('compares booleans and dates', () => {
    expect(keep('active', { active: true })).toBe(true);
    expect(keep('active', { active: 'false' })).toBe(false);
    expect(keep('active = TRUE', { active: 'TRUE' })).toBe(true);
    expect(keep("opened >= '2026-03-01'", { opened: new LocalDateTime(2026, 3, 1) })).toBe(true);
    expect(keep("opened < '2026-03-01T00:00:01'", { opened: new LocalDateTime(2026, 3, 1) })).toBe(true);
  });

  it('reads a column with a space or Vietnamese letters through quotes', () => {
    expect(keep('`Số tiền` > 5', { 'Số tiền': '6' })).toBe(true);
    expect(keep('"Số tiền" > 5', { 'Số tiền': '4' })).toBe(false);
  });

  it('rejects an unknown column at compile time, naming it and the columns there are', () => {
    expect(() => compileFilter('amout > 5', COLUMNS, where)).toThrow(/unknown column "amout".*"amount"/);
  });

  it('fails on a value that cannot be compared, naming row, line and column', () => {
    const f = compileFilter('amount > 5', COLUMNS, where);
    expect(() => f(row({ amount: 'abc' }, 7))).toThrow(/row 7 \(line 8\), column "amount".*"abc" is not a number/);
    expect(() => compileFilter('active', COLUMNS, where)(row({ active: 'maybe' }))).toThrow(/not a boolean/);
    expect(() => compileFilter("opened > 'soon'", COLUMNS, where)(row({ opened: new LocalDateTime(2026, 1, 1) }))).toThrow(/not a date/);
  });

  it('never builds a regular expression from pattern metacharacters', () => {
    expect(likeToRegExp('a.b(c)*', false).test('a.b(c)*')).toBe(true);
    expect(likeToRegExp('a.b', false).test('axb')).toBe(false);
  });
});
