import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NonRetryableError } from '@vecron/sdk';
import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import { FILE_ERROR_CODES } from '../errors.js';
import type { Encoding } from '../options.js';
import type { Row } from '../values/cell.js';
import type { DateFormat } from '../values/date-format.js';
import type { AbortGuard } from './abort-guard.js';
import { createCsvFields } from './cell-text.js';
import { prepareForEncoding } from './encoding.js';

/** How to write one CSV file. */
export interface CsvWriteOptions {
  delimiter: string;
  quote: string | null;
  hasHeader: boolean;
  encoding: Encoding;
  /** Byte order mark (utf8, utf16le): helps Excel detect the encoding. */
  bom: boolean;
  escapeFormulas: boolean;
  dateFormat: DateFormat | undefined;
}

/**
 * Streams rows to a CSV file: rows → csv-stringify → (iconv encoder) → file, pulled with
 * backpressure so only a few rows are in memory. Returns the number of data rows written.
 */
export async function writeCsv(file: string, columns: readonly string[], rows: AsyncIterable<Row[]>, where: (row: Row) => string, opts: CsvWriteOptions, guard: AbortGuard): Promise<number> {
  let count = 0;
  const fields = createCsvFields(columns, opts.encoding, opts.dateFormat, where);
  const it = rows[Symbol.asyncIterator]();
  let busy = false;
  // Pulls one batch per read() call and pushes its records: backpressure at batch granularity.
  const source = guard.track(
    new Readable({
      objectMode: true,
      highWaterMark: 1024,
      read() {
        if (busy) return;
        busy = true;
        it.next().then(
          (r) => {
            busy = false;
            if (r.done) {
              this.push(null);
              return;
            }
            try {
              guard.throwIfAborted();
              for (const row of r.value) this.push(fields(row));
              count += r.value.length;
            } catch (err) {
              this.destroy(err as Error);
            }
          },
          (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
        );
      },
      destroy(err, cb) {
        void it.return?.();
        cb(err);
      },
    }),
  );
  if (opts.hasHeader) {
    source.push(
      columns.map((c) => {
        const p = prepareForEncoding(c, opts.encoding);
        if (typeof p !== 'string') {
          throw new NonRetryableError(`header: character "${p.bad}" of column "${c}" cannot be written in ${opts.encoding}; use utf8`, { code: FILE_ERROR_CODES.FILE_DATA_INVALID, details: { column: c } });
        }
        return p;
      }),
    );
  }
  const stringifier = guard.track(
    stringify({
      delimiter: opts.delimiter,
      quote: opts.quote ?? '',
      bom: opts.bom && opts.encoding === 'utf8',
      escape_formulas: opts.escapeFormulas,
    }),
  );
  const out = guard.track(createWriteStream(file, { highWaterMark: 256 * 1024 }));
  if (opts.encoding === 'utf8') {
    await pipeline(source, stringifier, out);
  } else {
    stringifier.setEncoding('utf8'); // iconv's encoder takes strings, not UTF-8 bytes
    const encoder = guard.track(iconv.encodeStream(opts.encoding, { addBOM: opts.bom && opts.encoding === 'utf16le' }) as unknown as Transform);
    await pipeline(source, stringifier, encoder, out);
  }
  return count;
}
