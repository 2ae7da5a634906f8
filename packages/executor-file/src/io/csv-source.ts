import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { NonRetryableError, VecronError } from '@vecron/sdk';
import { Parser } from 'csv-parse';
import iconv from 'iconv-lite';
import { FILE_ERROR_CODES } from '../errors.js';
import type { Encoding } from '../options.js';
import { assertUnique } from '../transform/transformations.js';
import type { Cell, Row } from '../values/cell.js';
import type { AbortGuard } from './abort-guard.js';
import { abortReason } from './abort-guard.js';
import { needsNfc } from './encoding.js';
import { BATCH_SIZE, generatedColumns, headerNames } from './row-source.js';
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

interface LineRecord {
  record: string[];
  line: number;
}

/**
 * csv-parse's stream, pushing each record with the line it ends on. (`info: true` does the same
 * but copies the whole info object per record, which doubles the parse time of a large file.)
 */
class LineParser extends Parser {
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    return super.push(chunk === null ? null : ({ record: chunk as string[], line: this.info.lines } satisfies LineRecord), encoding);
  }
}

/**
 * Opens a CSV file as a {@link RowSource}: file → (iconv decoder) → csv-parse, pulled in
 * batches with backpressure. A UTF-8 BOM (and a UTF-16 BOM) is stripped. Reads the header
 * before returning.
 *
 * @throws NonRetryableError `FILE_PARSE_ERROR` naming the line for malformed CSV.
 */
export async function openCsvSource(file: string, shown: string, opts: CsvReadOptions, guard: AbortGuard): Promise<RowSource> {
  const { input, parser } = startParsing(file, opts, guard);
  const pull = recordPuller(parser, guard, (err) => csvError(err, shown, guard));
  const nfc = needsNfc(opts.encoding);
  const cells = (record: string[]): Cell[] => (nfc ? record.map((s) => s.normalize('NFC')) : record);
  let head: { columns: string[]; first: LineRecord | undefined };
  try {
    head = await readHead(pull, opts.hasHeader, shown, cells);
  } catch (err) {
    input.destroy();
    throw err;
  }
  const close = (): void => {
    input.destroy();
    parser.destroy();
  };
  return { columns: head.columns, rows: rowBatches(head.first, pull, cells, close), where: (row) => `line ${row.line} of ${shown}` };
}

/** Up to `max` records; an empty array only at the end. */
type Pull = (max: number) => Promise<LineRecord[]>;

/** file → (iconv decoder) → csv-parse, each stream tracked by `guard`. */
function startParsing(file: string, opts: CsvReadOptions, guard: AbortGuard): { input: ReturnType<typeof createReadStream>; parser: LineParser } {
  const input = guard.track(createReadStream(file, { highWaterMark: 256 * 1024 }));
  const parser = guard.track(
    new LineParser({
      delimiter: opts.delimiter,
      quote: opts.quote ?? false,
      bom: true,
      skip_empty_lines: true,
      trim: opts.trim,
    }),
  );
  // Errors reach the consumer through the parser; this promise only must not go unhandled.
  const piped = opts.encoding === 'utf8' ? pipeline(input, parser) : pipeline(input, guard.track(iconv.decodeStream(opts.encoding) as unknown as Transform), parser);
  piped.catch(() => undefined);
  return { input, parser };
}

/** The error a reader sees: the abort reason once aborted, a csv-parse error as `FILE_PARSE_ERROR` naming the line. */
function csvError(err: unknown, shown: string, guard: AbortGuard): Error {
  if (guard.signal.aborted) return abortReason(guard.signal);
  if (err instanceof VecronError) return err;
  const e = err as Error & { code?: string; lines?: number };
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return new NonRetryableError(`${shown}: CSV parse error: ${e.message}`, { code: FILE_ERROR_CODES.FILE_PARSE_ERROR, details: { path: shown, line: e.lines, reason: e.code }, cause: err });
  }
  return e instanceof Error ? e : new Error(String(err));
}

/** Pulls records from `parser` as they are parsed (paused stream mode, so reading is the backpressure). */
function recordPuller(parser: LineParser, guard: AbortGuard, fail: (err: unknown) => Error): Pull {
  let ended = false;
  parser.once('end', () => {
    ended = true;
  });
  return async (max) => {
    const out: LineRecord[] = [];
    for (;;) {
      if (parser.errored) throw fail(parser.errored);
      let rec: LineRecord | null;
      while (out.length < max && (rec = parser.read() as LineRecord | null) !== null) out.push(rec);
      if (out.length > 0 || ended || parser.destroyed) {
        if (out.length === 0 && parser.errored) throw fail(parser.errored);
        if (out.length === 0 && parser.destroyed && !ended) throw fail(guard.signal.aborted ? guard.signal.reason : new Error('CSV stream closed early'));
        return out;
      }
      await nextParserEvent(parser);
    }
  };
}

/** Resolves on the parser's next 'readable', 'end' or 'close'. */
function nextParserEvent(parser: LineParser): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      parser.off('readable', done);
      parser.off('end', done);
      parser.off('close', done);
      resolve();
    };
    parser.on('readable', done);
    parser.on('end', done);
    parser.on('close', done);
  });
}

/**
 * The column names (the header row's, checked unique, or generated from the first record's width)
 * and the first record when it is data, not a header.
 */
async function readHead(
  pull: Pull,
  hasHeader: boolean,
  shown: string,
  cells: (record: string[]) => Cell[],
): Promise<{ columns: string[]; first: LineRecord | undefined }> {
  const first = (await pull(1))[0];
  if (!hasHeader) return { columns: generatedColumns(first ? first.record.length : 0), first };
  const columns = first ? headerNames(cells(first.record)) : [];
  assertUnique(columns, `${shown}: header row`);
  return { columns, first: undefined };
}

/** The rows in batches of {@link BATCH_SIZE}, numbered from 1, `first` alone ahead of them; `close` runs when the reader stops. */
async function* rowBatches(first: LineRecord | undefined, pull: Pull, cells: (record: string[]) => Cell[], close: () => void): AsyncGenerator<Row[]> {
  let n = 0;
  try {
    if (first) yield [{ n: ++n, line: first.line, cells: cells(first.record) }];
    for (;;) {
      const recs = await pull(BATCH_SIZE);
      if (recs.length === 0) return;
      const batch: Row[] = new Array<Row>(recs.length);
      for (let k = 0; k < recs.length; k++) batch[k] = { n: ++n, line: recs[k]!.line, cells: cells(recs[k]!.record) };
      yield batch;
    }
  } finally {
    close();
  }
}
