import type { Readable } from 'node:stream';
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
import { relationshipsPart, relationshipTarget, ZipParts } from './zip-parts.js';

/** Which sheet to read and how. */
export interface XlsxReadOptions {
  sheetName?: string | undefined;
  /** 0-based position in the workbook's sheet order. @default 0 */
  sheetIndex?: number | undefined;
  hasHeader: boolean;
  trim: boolean;
}

interface Relationship {
  Id: string;
  Type: string;
  Target: string;
  TargetMode?: string;
}

interface SheetEntry {
  name: string;
  id: number;
  rId: string;
}

interface WorksheetReader {
  name: string;
  [Symbol.asyncIterator](): AsyncIterator<ExcelJS.Row>;
}

/**
 * The parts of exceljs' streaming `WorkbookReader` this module drives: each parses one package
 * part from a stream into the reader's state (relationships, sheet list and date1904 flag,
 * cell styles, shared strings), which its `WorksheetReader` then uses to turn cells into values.
 */
interface ExcelJsWorkbookReader {
  workbookRels?: Relationship[];
  model?: { sheets?: SheetEntry[] };
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(stream: Readable, sheetNo: string): Generator<{ eventType: string; value: WorksheetReader }>;
}

const REL = {
  officeDocument: '/officeDocument',
  worksheet: '/worksheet',
  styles: '/styles',
  sharedStrings: '/sharedStrings',
} as const;

/** The relationship of this type (types differ between transitional and strict OOXML only in their prefix). */
function related(rels: readonly Relationship[], type: string): Relationship | undefined {
  return rels.find((r) => r.Type.endsWith(type) && r.TargetMode !== 'External');
}

/** `…/relationships/chartsheet` → `chartsheet`. */
function relationshipKind(rel: Relationship | undefined): string {
  return rel ? rel.Type.slice(rel.Type.lastIndexOf('/') + 1) : 'no relationship';
}

/**
 * Opens one worksheet of an XLSX file as a {@link RowSource}. The zip is read through its
 * central directory: the workbook's relationships, sheet list, styles and shared strings first,
 * then only the chosen sheet is streamed, parsed by exceljs' streaming worksheet reader (the
 * sheet is never loaded whole; shared strings are held in memory). No temp files. Date cells
 * become {@link LocalDateTime}, formulas their cached result, rich text its plain text.
 * The file is closed when the rows are consumed, the consumer stops, the read fails or the
 * guard aborts.
 *
 * @throws NonRetryableError `SHEET_NOT_FOUND` listing the sheets, `FILE_PARSE_ERROR` for a file that is not XLSX.
 */
export async function openXlsxSource(file: string, shown: string, opts: XlsxReadOptions, guard: AbortGuard): Promise<RowSource> {
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

  let parts: ZipParts | undefined;
  let sheetName: string;
  let rowIt: AsyncIterator<ExcelJS.Row>;
  let columns: string[] = [];
  let first: Row | undefined;
  try {
    parts = guard.track(await ZipParts.open(file));
    const zip = parts;
    const sheet = await guard.race(openSheet(zip, shown, opts));
    sheetName = sheet.name;
    rowIt = sheet[Symbol.asyncIterator]();
    const firstRow = await pullRow(rowIt, guard);
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
    await parts?.close();
    throw fail(err);
  }
  const zip = parts;
  const width = columns.length;

  const collect = async (): Promise<Row[]> => {
    const batch: Row[] = [];
    while (batch.length < BATCH_SIZE) {
      const r = await rowIt.next();
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
        let batch: Row[];
        try {
          // Raced per batch: the abort returns at once, whatever the parser is waiting for.
          batch = await guard.race(collect());
        } catch (err) {
          throw fail(err);
        }
        if (batch.length === 0) return;
        yield batch;
      }
    } finally {
      await zip.close();
    }
  }
  return { columns, rows: rows(), where: (row) => `row ${row.line} of sheet "${sheetName}" in ${shown}` };
}

/**
 * Reads the workbook's structure and, for the chosen sheet, its styles and shared strings, and
 * returns exceljs' reader on that sheet's part.
 */
async function openSheet(zip: ZipParts, shown: string, opts: XlsxReadOptions): Promise<WorksheetReader> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(undefined as never, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as ExcelJsWorkbookReader;
  const relationships = async (part: string): Promise<Relationship[]> => {
    if (!zip.has(part)) return [];
    await zip.read(part, (s) => reader._parseRels(s));
    return reader.workbookRels ?? [];
  };

  // The package's root relationships name the workbook part; xl/workbook.xml by convention.
  const office = related(await relationships('_rels/.rels'), REL.officeDocument);
  const bookPart = office ? relationshipTarget('', office.Target) : 'xl/workbook.xml';
  if (!zip.has(bookPart)) throw new Error(`no workbook part ${bookPart} in the zip`);
  const rels = await relationships(relationshipsPart(bookPart));
  await zip.read(bookPart, (s) => reader._parseWorkbook(s));
  if (!reader.model) throw new Error(`${bookPart} is not a workbook`);
  const sheets = reader.model.sheets ?? [];
  const names = sheets.map((s) => s.name);

  const wanted = opts.sheetName;
  const wantedIndex = opts.sheetIndex ?? 0;
  const sheet = wanted !== undefined ? sheets.find((s) => s.name === wanted) : sheets[wantedIndex];
  const listed = `the workbook has ${names.length} sheet(s): ${names.map((s) => `"${s}"`).join(', ') || '(none)'}`;
  if (!sheet) {
    const what = wanted !== undefined ? `sheet "${wanted}"` : `sheet_index ${wantedIndex}`;
    throw new NonRetryableError(`${shown}: no ${what}; ${listed}`, {
      code: FILE_ERROR_CODES.SHEET_NOT_FOUND,
      details: { path: shown, sheets: names },
    });
  }
  const rel = rels.find((r) => r.Id === sheet.rId);
  if (!rel?.Type.endsWith(REL.worksheet)) {
    throw new NonRetryableError(`${shown}: sheet "${sheet.name}" is not a worksheet (${relationshipKind(rel)}); ${listed}`, {
      code: FILE_ERROR_CODES.SHEET_NOT_FOUND,
      details: { path: shown, sheets: names },
    });
  }
  const sheetPart = relationshipTarget(bookPart, rel.Target);
  if (!zip.has(sheetPart)) throw new Error(`sheet "${sheet.name}" points to ${sheetPart}, which is not in the zip`);

  const styles = related(rels, REL.styles);
  if (styles) {
    const part = relationshipTarget(bookPart, styles.Target);
    if (zip.has(part)) await zip.read(part, (s) => reader._parseStyles(s));
  }
  const shared = related(rels, REL.sharedStrings);
  if (shared) {
    const part = relationshipTarget(bookPart, shared.Target);
    if (zip.has(part)) {
      await zip.read(part, async (s) => {
        // 'cache' keeps them on the reader and yields nothing; the generator only has to run.
        const strings = reader._parseSharedStrings(s);
        while (!(await strings.next()).done);
      });
    }
  }

  const stream = await zip.open(sheetPart);
  const emitted = [...reader._parseWorksheet(stream, String(sheet.id))][0];
  if (!emitted) throw new Error('exceljs emitted no worksheet reader');
  emitted.value.name = sheet.name;
  return emitted.value;
}

async function pullRow(it: AsyncIterator<ExcelJS.Row>, guard: AbortGuard): Promise<ExcelJS.Row | undefined> {
  const r = await guard.race(it.next());
  return r.done ? undefined : r.value;
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
