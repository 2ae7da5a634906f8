import { createReadStream } from 'node:fs';
import { NonRetryableError, VecronError } from '@vecron/sdk';
import ExcelJS from 'exceljs';
import { FILE_ERROR_CODES } from '../errors.js';
import { assertUnique } from '../transform/transformations.js';
import type { Cell, Row } from '../values/cell.js';
import { LocalDateTime } from '../values/local-date-time.js';
import type { AbortGuard } from './abort-guard.js';
import { abortReason } from './abort-guard.js';
import { BATCH_SIZE, generatedColumns, headerNames } from './row-source.js';
import type { RowSource } from './row-source.js';

/** Which sheet to read and how. */
export interface XlsxReadOptions {
  sheetName?: string | undefined;
  /** 0-based position in the workbook's sheet order. @default 0 */
  sheetIndex?: number | undefined;
  hasHeader: boolean;
  trim: boolean;
}

interface SheetReader {
  name?: string;
  iterator?: { destroy?: () => void; return?: () => unknown };
  [Symbol.asyncIterator](): AsyncIterator<ExcelJS.Row>;
}

/**
 * Opens one worksheet of an XLSX file as a {@link RowSource} with exceljs' streaming reader
 * (the workbook is never loaded whole). Date cells become {@link LocalDateTime}, formulas
 * their cached result, rich text its plain text.
 *
 * @throws NonRetryableError `SHEET_NOT_FOUND` listing the sheets, `FILE_PARSE_ERROR` for a file that is not XLSX.
 */
export async function openXlsxSource(file: string, shown: string, opts: XlsxReadOptions, guard: AbortGuard): Promise<RowSource> {
  const input = guard.track(createReadStream(file, { highWaterMark: 256 * 1024 }));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const fail = (err: unknown): Error => {
    if (guard.signal.aborted) return abortReason(guard.signal);
    if (err instanceof VecronError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new NonRetryableError(`${shown}: cannot read XLSX (${message}); only .xlsx workbooks are supported`, {
      code: FILE_ERROR_CODES.FILE_PARSE_ERROR,
      details: { path: shown },
      cause: err,
    });
  };
  const sheets = reader[Symbol.asyncIterator]() as AsyncIterator<SheetReader>;
  const wanted = opts.sheetName;
  const wantedIndex = opts.sheetIndex ?? 0;
  const seen: string[] = [];
  const sheetNames = (): string[] => {
    const model = (reader as unknown as { model?: { sheets?: Array<{ name: string }> } }).model;
    return model?.sheets?.map((s) => s.name) ?? seen;
  };

  let sheet: SheetReader | undefined;
  let rowIt: AsyncIterator<ExcelJS.Row>;
  let columns: string[] = [];
  let first: Row | undefined;
  try {
    for (;;) {
      let r: IteratorResult<SheetReader>;
      try {
        r = await guard.race(sheets.next());
      } catch (err) {
        throw fail(err);
      }
      if (r.done) break;
      const ws = r.value;
      const name = ws.name ?? `Sheet${seen.length + 1}`;
      seen.push(name);
      const names = sheetNames();
      const position = names.includes(name) ? names.indexOf(name) : seen.length - 1;
      if (wanted !== undefined ? name === wanted : position === wantedIndex) {
        sheet = ws;
        break;
      }
      ws.iterator?.destroy?.(); // a skipped sheet buffered to a temp file: release it
    }
    if (!sheet) {
      const names = sheetNames();
      const what = wanted !== undefined ? `sheet "${wanted}"` : `sheet_index ${wantedIndex}`;
      throw new NonRetryableError(`${shown}: no ${what}; the workbook has ${names.length} sheet(s): ${names.map((s) => `"${s}"`).join(', ') || '(none)'}`, {
        code: FILE_ERROR_CODES.SHEET_NOT_FOUND,
        details: { path: shown, sheets: names },
      });
    }
    rowIt = sheet[Symbol.asyncIterator]();
    const firstRow = await pullRow(rowIt, guard, fail);
    if (firstRow) {
      const cells = rowCells(firstRow, opts.trim) ?? [];
      if (opts.hasHeader) {
        columns = headerNames(cells);
        assertUnique(columns, `${shown}: header row`);
      } else {
        columns = generatedColumns(cells.length);
        first = { n: 1, line: firstRow.number, cells };
      }
    }
  } catch (err) {
    input.destroy();
    throw err;
  }
  const sheetName = sheet.name ?? wanted ?? `Sheet${wantedIndex + 1}`;
  const width = columns.length;

  const collect = async (): Promise<Row[]> => {
    const batch: Row[] = [];
    while (batch.length < BATCH_SIZE) {
      let r: IteratorResult<ExcelJS.Row>;
      try {
        r = await rowIt.next();
      } catch (err) {
        throw fail(err);
      }
      if (r.done) break;
      // Cells right of the header are ignored (notes in a far column are common in real sheets).
      const cells = rowCells(r.value, opts.trim, width);
      if (cells === undefined) continue; // blank row
      batch.push({ n: ++n, line: r.value.number, cells });
    }
    return batch;
  };
  let n = first ? 1 : 0;

  async function* rows(): AsyncGenerator<Row[]> {
    try {
      if (first) yield [first];
      for (;;) {
        // Raced per batch: if exceljs stalls on a destroyed input, the abort still returns at once.
        const batch = await guard.race(collect());
        if (batch.length === 0) return;
        yield batch;
      }
    } finally {
      input.destroy();
    }
  }
  return { columns, rows: rows(), where: (row) => `row ${row.line} of sheet "${sheetName}" in ${shown}` };
}

async function pullRow(it: AsyncIterator<ExcelJS.Row>, guard: AbortGuard, fail: (err: unknown) => Error): Promise<ExcelJS.Row | undefined> {
  try {
    const r = await guard.race(it.next());
    return r.done ? undefined : r.value;
  } catch (err) {
    throw fail(err);
  }
}

/** The row's cells (exactly `width` of them, or as many as it has); undefined for a blank row. */
function rowCells(row: ExcelJS.Row, trim: boolean, width?: number): Cell[] | undefined {
  const values = row.values as unknown[];
  const w = width ?? Math.max(values.length - 1, 0);
  const out: Cell[] = [];
  let blank = true;
  for (let k = 0; k < w; k++) {
    let c = normalizeCell(values[k + 1]);
    if (trim && typeof c === 'string') c = c.trim();
    if (c !== null && c !== '') blank = false;
    out.push(c);
  }
  return blank ? undefined : out;
}

/** An exceljs cell value → a plain cell. */
export function normalizeCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : LocalDateTime.fromUtcDate(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('');
    if ('formula' in o || 'sharedFormula' in o) return normalizeCell(o.result);
    if ('error' in o) return String(o.error);
    if ('text' in o) return normalizeCell(o.text);
    if ('result' in o) return normalizeCell(o.result);
  }
  return JSON.stringify(v);
}
