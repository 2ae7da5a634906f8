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
    await zipDrained(sheet, out);
  }
  sheet.commit();
  await workbook.commit();
  await finished(out);
  return count;
}

/** Bytes a sheet may have queued in front of the zip compressor before the writer waits. */
const ZIP_QUEUE_LIMIT = 4 * 1024 * 1024;

interface LegacyWritable {
  _writableState?: { length?: number; needDrain?: boolean };
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * exceljs' worksheet stream writes into its zip entry (a readable-stream v2 PassThrough)
 * without looking at backpressure, so a producer faster than deflate piles the whole sheet up
 * in memory (230 MB for 650k rows). Wait for that queue, and the file, to drain.
 */
async function zipDrained(sheet: ExcelJS.Worksheet, out: NodeJS.WritableStream & { writableNeedDrain: boolean }): Promise<void> {
  const pipes = (sheet as unknown as { stream?: { pipes?: LegacyWritable[] } }).stream?.pipes ?? [];
  for (const p of pipes) {
    const state = p._writableState;
    if (state?.needDrain && (state.length ?? 0) > ZIP_QUEUE_LIMIT) await once(p as unknown as NodeJS.EventEmitter, 'drain');
  }
  if (out.writableNeedDrain) await once(out, 'drain');
}

function toXlsx(c: Cell | undefined): string | number | boolean | Date | null {
  if (c === undefined || c === null) return null;
  if (c instanceof ExactDecimal) return c.toNumber();
  if (c instanceof LocalDateTime) return new Date(c.epochMs);
  return c;
}
