import { NonRetryableError } from '@vecron/sdk';
import { FILE_ERROR_CODES } from '../errors.js';
import { assertUnique } from '../transform/transformations.js';
import { jsonToCell } from '../values/cell.js';
import type { Row } from '../values/cell.js';
import { BATCH_SIZE, generatedColumns, headerNames } from './row-source.js';
import type { RowSource } from './row-source.js';

/**
 * Turns `data_source` into a {@link RowSource}. Either every item is an object (columns: the
 * union of keys in order of first appearance) or every item is an array (the first array is the
 * header when `hasHeader`, else columns are `column_1…`).
 *
 * @throws NonRetryableError `INVALID_DATA_SOURCE` when objects and arrays are mixed.
 */
export function arraySource(data: readonly unknown[], hasHeader: boolean): RowSource {
  const where = (row: Row): string => `data_source[${row.line}]`;
  if (data.length === 0) return { columns: [], rows: toAsync([]), where };
  const arrays = data.filter((d) => Array.isArray(d)).length;
  if (arrays !== 0 && arrays !== data.length) {
    throw new NonRetryableError('data_source mixes row objects and row arrays; use one kind', { code: FILE_ERROR_CODES.INVALID_DATA_SOURCE });
  }
  if (arrays === data.length) {
    const rows = data as unknown[][];
    const columns = hasHeader ? headerNames(rows[0]!) : generatedColumns(Math.max(...rows.map((r) => r.length)));
    assertUnique(columns, 'data_source header');
    const start = hasHeader ? 1 : 0;
    const out: Row[] = [];
    for (let k = start; k < rows.length; k++) {
      const r = rows[k]!;
      out.push({ n: k - start + 1, line: k, cells: columns.map((_, c) => jsonToCell(r[c])) });
    }
    return { columns, rows: toAsync(out), where };
  }
  const seen = new Set<string>();
  const columns: string[] = [];
  for (const d of data as Array<Record<string, unknown>>) {
    for (const key of Object.keys(d)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const out: Row[] = (data as Array<Record<string, unknown>>).map((d, k) => ({
    n: k + 1,
    line: k,
    cells: columns.map((c) => (Object.hasOwn(d, c) ? jsonToCell(d[c]) : null)),
  }));
  return { columns, rows: toAsync(out), where };
}

async function* toAsync(rows: Row[]): AsyncGenerator<Row[]> {
  for (let k = 0; k < rows.length; k += BATCH_SIZE) yield rows.slice(k, k + BATCH_SIZE);
}
