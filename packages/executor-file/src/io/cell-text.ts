import { dataError } from '../errors.js';
import type { Encoding } from '../options.js';
import type { Cell, Row } from '../values/cell.js';
import type { DateFormat } from '../values/date-format.js';
import { ExactDecimal, numberToDecimal } from '../values/decimal.js';
import { LocalDateTime } from '../values/local-date-time.js';
import { prepareForEncoding } from './encoding.js';

/**
 * Builds the function that turns a row's cells into CSV text fields: null → '', decimals as
 * exact text, dates as ISO (or `dateFormat`), booleans as true/false. For single-byte
 * encodings each field is checked so a character the encoding cannot hold fails the step
 * (naming row and column) instead of turning into `?`.
 */
export function createCsvFields(columns: readonly string[], encoding: Encoding, dateFormat: DateFormat | undefined, where: (row: Row) => string): (row: Row) => string[] {
  const text = (c: Cell | undefined): string => {
    if (c === null || c === undefined) return '';
    if (typeof c === 'string') return c;
    if (typeof c === 'number') return Number.isFinite(c) ? numberToDecimal(c) : '';
    if (typeof c === 'boolean') return c ? 'true' : 'false';
    if (c instanceof ExactDecimal) return c.text;
    if (c instanceof LocalDateTime) return dateFormat ? dateFormat.format(c) : c.toString();
    return String(c);
  };
  if (encoding === 'utf8' || encoding === 'utf16le') return (row) => row.cells.map(text);
  return (row) =>
    row.cells.map((c, k) => {
      const s = text(c);
      const prepared = prepareForEncoding(s, encoding);
      if (typeof prepared !== 'string') {
        throw dataError(`character "${prepared.bad}" cannot be written in ${encoding}; use utf8`, { row: row.n, at: where(row), column: columns[k] ?? `#${k + 1}`, value: s });
      }
      return prepared;
    });
}
