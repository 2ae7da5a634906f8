import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { NonRetryableError, VecronError } from '@vecron/sdk';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { FILE_ERROR_CODES } from '../errors.js';
import type { Encoding } from '../options.js';
import { assertUnique } from '../transform/transformations.js';
import type { Cell, Row } from '../values/cell.js';
import type { AbortGuard } from './abort-guard.js';
import { abortReason } from './abort-guard.js';
import { needsNfc } from './encoding.js';
import { generatedColumns, headerNames } from './row-source.js';
import type { RowSource } from './row-source.js';

/** How to read one CSV file. */
export interface CsvReadOptions {
  delimiter: string;
  /** Quote character; null turns quoting off. */
  quote: string | null;
  hasHeader: boolean;
  encoding: Encoding;
  trim: boolean;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Opens a CSV file as a {@link RowSource}: file → (iconv decoder) → csv-parse, pulled with
 * backpressure. A UTF-8 BOM (and a UTF-16 BOM) is stripped. Reads the header before returning.
 *
 * @throws NonRetryableError `FILE_PARSE_ERROR` naming the line for malformed CSV.
 */
export async function openCsvSource(file: string, shown: string, opts: CsvReadOptions, guard: AbortGuard): Promise<RowSource> {
  const input = guard.track(createReadStream(file, { highWaterMark: 256 * 1024 }));
  const parser = guard.track(
    parse({
      delimiter: opts.delimiter,
      quote: opts.quote ?? false,
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: opts.trim,
    }),
  );
  // Errors reach the consumer through the parser's iterator; this promise only must not be unhandled.
  const piped = opts.encoding === 'utf8' ? pipeline(input, parser) : pipeline(input, guard.track(iconv.decodeStream(opts.encoding) as unknown as Transform), parser);
  piped.catch(() => undefined);
  const it = parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;
  const nfc = needsNfc(opts.encoding);
  const fail = (err: unknown): Error => {
    if (guard.signal.aborted) return abortReason(guard.signal);
    if (err instanceof VecronError) return err;
    const e = err as Error & { code?: string; lines?: number };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      return new NonRetryableError(`${shown}: CSV parse error: ${e.message}`, { code: FILE_ERROR_CODES.FILE_PARSE_ERROR, details: { path: shown, line: e.lines, reason: e.code }, cause: err });
    }
    return e instanceof Error ? e : new Error(String(err));
  };
  const pull = async (): Promise<ParsedRecord | undefined> => {
    try {
      const r = await it.next();
      return r.done ? undefined : r.value;
    } catch (err) {
      throw fail(err);
    }
  };
  const cells = (record: string[]): Cell[] => (nfc ? record.map((s) => s.normalize('NFC')) : record);

  let first: ParsedRecord | undefined;
  let columns: string[];
  try {
    first = await pull();
    if (opts.hasHeader) {
      columns = first ? headerNames(cells(first.record)) : [];
      first = undefined;
      assertUnique(columns, `${shown}: header row`);
    } else {
      columns = generatedColumns(first ? first.record.length : 0);
    }
  } catch (err) {
    input.destroy();
    throw err;
  }

  async function* rows(): AsyncGenerator<Row> {
    let n = 0;
    try {
      if (first) yield { n: ++n, line: first.info.lines, cells: cells(first.record) };
      for (;;) {
        const r = await pull();
        if (!r) return;
        yield { n: ++n, line: r.info.lines, cells: cells(r.record) };
      }
    } finally {
      input.destroy();
      parser.destroy();
    }
  }
  return { columns, rows: rows(), where: (row) => `line ${row.line} of ${shown}` };
}
