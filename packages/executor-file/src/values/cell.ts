import { ExactDecimal } from './decimal.js';
import { LocalDateTime } from './local-date-time.js';

/** One cell value as it travels through a pipeline. */
export type Cell = string | number | boolean | null | ExactDecimal | LocalDateTime;

/** One data row: its 1-based data row number, its line/row in the source, and its cells by column index. */
export interface Row {
  /** 1-based data row number (header excluded). */
  readonly n: number;
  /** Line (CSV) or sheet row (XLSX) where the row ends in the source; the index for `data_source`. */
  readonly line: number;
  /** Cells, aligned with the pipeline's column list. */
  cells: Cell[];
}

/** The JSON form of a cell: decimals as exact text, dates as ISO text. */
export function cellToJson(cell: Cell | undefined): string | number | boolean | null {
  if (cell === undefined || cell === null) return null;
  if (cell instanceof ExactDecimal || cell instanceof LocalDateTime) return cell.toString();
  return cell;
}

/** Turns any JSON value from `data_source` into a cell (objects and arrays become JSON text). */
export function jsonToCell(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof ExactDecimal || value instanceof LocalDateTime) return value;
  if (value instanceof Date) return LocalDateTime.fromUtcDate(value);
  if (typeof value === 'bigint') return new ExactDecimal(value.toString());
  return JSON.stringify(value);
}

/** True for null and the empty string (a CSV cannot tell an empty cell from a missing one). */
export function isBlank(cell: Cell | undefined): boolean {
  return cell === null || cell === undefined || cell === '';
}
