import { describe, expect, it } from 'vitest';
import { statementInput, type InputColumn } from './sql-values.js';

interface Item { id: string; n: number }
const COLUMNS: ReadonlyArray<InputColumn<Item>> = [
  { name: 'x_id', type: 'uuid', value: (i) => i.id },
  { name: 'x_n', type: 'int', value: (i) => i.n * 2 },
];

describe('statementInput', () => {
  it('reads one item from scalar parameters, one per column in order', () => {
    expect(statementInput(COLUMNS, [{ id: 'a', n: 1 }])).toEqual({ from: '(SELECT $1::uuid AS x_id, $2::int AS x_n) AS u', params: ['a', 2] });
  });

  it('reads two items or more from one array per column, in item order', () => {
    expect(statementInput(COLUMNS, [{ id: 'a', n: 1 }, { id: 'b', n: 2 }])).toEqual({
      from: 'unnest($1::uuid[], $2::int[]) AS u(x_id, x_n)', params: [['a', 'b'], [2, 4]],
    });
  });
});
