import type { Row } from '../values/cell.js';

/** Rows coming from a file or from `data_source`, with their column names. */
export interface RowSource {
  /** Column names (header row, or `column_1…` without one). */
  readonly columns: string[];
  /** The rows in batches of up to {@link BATCH_SIZE}, pulled: the file is read only as fast as batches are consumed. */
  readonly rows: AsyncIterable<Row[]>;
  /** Names a row's place in the source for error messages. */
  where(row: Row): string;
}

/** Rows per batch: large enough to amortise promise/iterator overhead, small enough to keep memory flat. */
export const BATCH_SIZE = 64;

/** Names for headerless data: `column_1`, `column_2`, … (1-based like spreadsheet columns). */
export function generatedColumns(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `column_${k + 1}`);
}

/** Header cells → column names: blanks become `column_N`. */
export function headerNames(cells: readonly unknown[]): string[] {
  return cells.map((c, k) => {
    const s = c === null || c === undefined ? '' : String(c).trim();
    return s === '' ? `column_${k + 1}` : s;
  });
}
