import { NonRetryableError } from '@vecron/sdk';
import type { VecronErrorOptions } from '@vecron/sdk';

/**
 * A filter condition could not be parsed. Carries the 1-based `position` (character) in the
 * condition and the offending `token` (or `end of condition`).
 */
export class FilterSyntaxError extends NonRetryableError {
  /** 1-based character position in the condition. */
  readonly position: number;
  /** The text of the offending token, or `end of condition`. */
  readonly token: string;
  constructor(message: string, position: number, token: string, options: VecronErrorOptions = {}) {
    super(`filter condition: ${message} at position ${position}`, {
      ...options,
      code: 'FILTER_SYNTAX',
      details: { position, token, ...options.details },
    });
    this.position = position;
    this.token = token;
  }
}

/** Error codes thrown by the file executor (all non-retryable). */
export const FILE_ERROR_CODES = {
  /** `source_path` does not exist. */
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** The file cannot be parsed (bad quoting, inconsistent field count, not an XLSX file…). */
  FILE_PARSE_ERROR: 'FILE_PARSE_ERROR',
  /** A cell could not be converted, compared or encoded; the message names row and column. */
  FILE_DATA_INVALID: 'FILE_DATA_INVALID',
  /** A transformation, filter or `columns` names a column the data does not have. */
  UNKNOWN_COLUMN: 'UNKNOWN_COLUMN',
  /** Two columns share a name (header row, or after a rename). */
  DUPLICATE_COLUMN: 'DUPLICATE_COLUMN',
  /** `sheet_name` / `sheet_index` names no sheet; the message lists the sheets. */
  SHEET_NOT_FOUND: 'SHEET_NOT_FOUND',
  /** A read would hold more rows in memory than allowed. */
  TOO_MANY_ROWS: 'TOO_MANY_ROWS',
  /** `data_source` is not an array of row objects or row arrays. */
  INVALID_DATA_SOURCE: 'INVALID_DATA_SOURCE',
} as const;

/** A cell value was rejected; names the data row (1-based), its place in the file and the column. */
export function dataError(message: string, where: { row: number; at: string; column: string; value?: unknown }): NonRetryableError {
  return new NonRetryableError(`row ${where.row} (${where.at}), column "${where.column}": ${message}`, {
    code: FILE_ERROR_CODES.FILE_DATA_INVALID,
    details: { row: where.row, at: where.at, column: where.column, ...(where.value === undefined ? {} : { value: preview(where.value) }) },
  });
}

/** A column name that is not among `available`. */
export function unknownColumn(column: string, available: readonly string[], usedBy: string): NonRetryableError {
  const list = available.length > 40 ? [...available.slice(0, 40), `… ${available.length - 40} more`] : available;
  return new NonRetryableError(`${usedBy}: unknown column "${column}"; available columns: ${list.map((c) => `"${c}"`).join(', ') || '(none)'}`, {
    code: FILE_ERROR_CODES.UNKNOWN_COLUMN,
    details: { column, available: available.slice(0, 200) },
  });
}

/** Shortens a value for an error message (never the whole row). */
export function preview(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
