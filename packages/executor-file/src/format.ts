import path from 'node:path';
import { NonRetryableError } from '@vecron/sdk';
import type { FormatInput } from './config.js';

/** A resolved `format`. */
export type ResolvedFormat = { kind: 'csv'; delimiter?: string | undefined; quote?: string | null | undefined } | { kind: 'excel'; sheetName?: string | undefined };

/**
 * Resolves `format` (string or object); without one, infers it from the file extension
 * (`.csv` `.tsv` `.txt` → csv, `.xlsx` `.xlsm` → excel).
 *
 * @throws NonRetryableError when the format cannot be inferred or the file is a legacy `.xls`.
 */
export function resolveFormat(format: FormatInput | undefined, file: string): ResolvedFormat {
  if (format === undefined) {
    const ext = path.extname(file).toLowerCase();
    if (ext === '.csv' || ext === '.txt') return { kind: 'csv' };
    if (ext === '.tsv') return { kind: 'csv', delimiter: '\t' };
    if (ext === '.xlsx' || ext === '.xlsm') return { kind: 'excel' };
    if (ext === '.xls') throw new NonRetryableError(`${file}: legacy .xls (Excel 97-2003) is not supported; save it as .xlsx`, { code: 'VALIDATION_FAILED' });
    throw new NonRetryableError(`cannot tell the format of "${file}" from its extension; set format: csv or excel`, { code: 'VALIDATION_FAILED' });
  }
  if (typeof format === 'string') return format === 'csv' ? { kind: 'csv' } : { kind: 'excel' };
  if (format.type === 'csv') return { kind: 'csv', delimiter: format.delimiter, quote: format.quote };
  return { kind: 'excel', sheetName: format.sheet_name };
}
