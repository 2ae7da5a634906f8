import { describe, expect, it } from 'vitest';
import { inputStatement, type InputColumn } from './sql-values.js';

interface Item { id: string; n: number }
const COLUMNS: ReadonlyArray<InputColumn<Item>> = [
  { name: 'x_id', type: 'uuid', value: (i) => i.id },
  { name: 'x_n', type: 'int', value: (i) => i.n * 2 },
];
const body = (from: string): string => `SELECT * FROM ${from}`;

describe('inputStatement', () => {
  it('reads one item from scalar parameters, one per column in order', () => {
    expect(inputStatement(COLUMNS, body)([{ id: 'a', n: 1 }])).toEqual({ text: 'SELECT * FROM (SELECT $1::uuid AS x_id, $2::int AS x_n) AS u', params: ['a', 2] });
  });

  it('reads two items or more from one array per column, in item order', () => {
    expect(inputStatement(COLUMNS, body)([{ id: 'a', n: 1 }, { id: 'b', n: 2 }])).toEqual({
      text: 'SELECT * FROM unnest($1::uuid[], $2::int[]) AS u(x_id, x_n)', params: [['a', 'b'], [2, 4]],
    });
  });

  it('builds each shape once and hands out that same text on every later call', () => {
    const built: string[] = [];
    const statement = inputStatement(COLUMNS, (from) => (built.push(from), body(from)));
    const one = statement([{ id: 'a', n: 1 }]).text;
    const many = statement([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]).text;
    expect(statement([{ id: 'c', n: 3 }]).text).toBe(one);
    expect(statement([{ id: 'c', n: 3 }, { id: 'd', n: 4 }, { id: 'e', n: 5 }])).toEqual({ text: many, params: [['c', 'd', 'e'], [6, 8, 10]] });
    expect(built).toHaveLength(2);
  });
});
