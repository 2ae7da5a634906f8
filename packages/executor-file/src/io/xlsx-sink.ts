import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { NonRetryableError } from '@vecron/sdk';
import ExcelJS from 'exceljs';
import type { Cell, Row } from '../values/cell.js';
import { ExactDecimal } from '../values/decimal.js';
import { LocalDateTime } from '../values/local-date-time.js';
import type { AbortGuard } from './abort-guard.js';

/** How to write one XLSX file. */
export interface XlsxWriteOptions {
  sheetName: string;
  hasHeader: boolean;
}

/**
 * Streams rows to an XLSX file with exceljs' WorkbookWriter (rows are committed as they come,
 * inline strings, no shared-string table). Decimals become numbers, dates date cells.
 * Returns the number of data rows written.
 */
export async function writeXlsx(file: string, columns: readonly string[], rows: AsyncIterable<Row[]>, opts: XlsxWriteOptions, guard: AbortGuard): Promise<number> {
  const out = guard.track(createWriteStream(file, { highWaterMark: 256 * 1024 }));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  let sheet: ExcelJS.Worksheet;
  try {
    sheet = workbook.addWorksheet(opts.sheetName);
  } catch (err) {
    out.destroy();
    throw new NonRetryableError(`invalid sheet_name "${opts.sheetName}": ${(err as Error).message}`, { code: 'VALIDATION_FAILED', cause: err });
  }
  if (opts.hasHeader) sheet.addRow([...columns]).commit();
  let count = 0;
  for await (const batch of rows) {
    guard.throwIfAborted();
    for (const row of batch) {
      const r = sheet.addRow(row.cells.map(toXlsx));
      row.cells.forEach((c, k) => {
        if (c instanceof LocalDateTime) r.getCell(k + 1).numFmt = c.hasTime ? 'yyyy-mm-dd hh:mm:ss' : 'yyyy-mm-dd';
      });
      r.commit();
    }
    count += batch.length;
    // Let the zip stream flush to disk instead of piling up in memory.
    if (out.writableNeedDrain) await once(out, 'drain');
  }
  sheet.commit();
  await workbook.commit();
  await finished(out);
  return count;
}

function toXlsx(c: Cell | undefined): string | number | boolean | Date | null {
  if (c === undefined || c === null) return null;
  if (c instanceof ExactDecimal) return c.toNumber();
  if (c instanceof LocalDateTime) return new Date(c.epochMs);
  return c;
}
