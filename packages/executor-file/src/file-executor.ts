import { promises as fs } from 'node:fs';
import path from 'node:path';
import { defineExecutor, NonRetryableError } from '@vecron/sdk';
import type { Executor, StepContext } from '@vecron/sdk';
import { fileStepConfigSchema } from './config.js';
import type { FileOptions, FileStepConfig, FileStepConfigInput } from './config.js';
import { FILE_ERROR_CODES } from './errors.js';
import { resolveFormat } from './format.js';
import type { ResolvedFormat } from './format.js';
import { createAbortGuard } from './io/abort-guard.js';
import type { AbortGuard } from './io/abort-guard.js';
import { arraySource } from './io/array-source.js';
import { writeAtomically } from './io/atomic-write.js';
import { openCsvSource } from './io/csv-source.js';
import { writeCsv } from './io/csv-sink.js';
import { requireFile, resolveStepPath } from './io/paths.js';
import type { RowSource } from './io/row-source.js';
import { openXlsxSource } from './io/xlsx-source.js';
import { writeXlsx } from './io/xlsx-sink.js';
import type { Encoding, FileExecutorOptions, ResolvedFileExecutorOptions } from './options.js';
import { parseFileExecutorOptions } from './options.js';
import { compilePlan } from './transform/transformations.js';
import type { CompiledPlan } from './transform/transformations.js';
import { cellToJson } from './values/cell.js';
import type { Row } from './values/cell.js';
import { compileDateFormat } from './values/date-format.js';

/** One file a step read or wrote. */
export interface FileInfo {
  /** Absolute path (feed it to a later step: `{{steps.x.output.files[0].path}}`). */
  path: string;
  filename: string;
  /** Size in bytes. */
  size: number;
  /** Data rows (header excluded) read or written. */
  row_count: number;
}

/** Output of `operation: read`. `data` is omitted when `options.streaming` is true. */
export interface FileReadOutput {
  data?: Array<Record<string, string | number | boolean | null>>;
  /** Rows after transformations (filters applied). */
  row_count: number;
  files: FileInfo[];
}

/** Output of `operation: write` and `operation: transform`. */
export interface FileWriteOutput {
  files: FileInfo[];
  row_count: number;
}

/** Output of any `file_processing` step. */
export type FileStepOutput = FileReadOutput | FileWriteOutput;

/**
 * The `file_processing` executor: reads, writes and transforms CSV and XLSX files, streaming.
 *
 * @example
 * ```ts
 * const cron = createCronSystem({ executors: [fileExecutor({ allowedRoots: ['/data/exchange'] })] });
 * ```
 */
export function fileExecutor(options?: FileExecutorOptions): Executor<FileStepConfig, FileStepOutput, 'file_processing', FileStepConfigInput> {
  const opts = parseFileExecutorOptions(options);
  return defineExecutor<FileStepConfig, FileStepOutput, 'file_processing', FileStepConfigInput>({
    type: 'file_processing',
    config: fileStepConfigSchema,
    async execute(config, ctx) {
      const guard = createAbortGuard(ctx.signal);
      try {
        guard.throwIfAborted();
        switch (config.operation) {
          case 'read':
            return await guard.race(runRead(config, ctx, opts, guard));
          case 'write':
            return await runWrite(config, ctx, opts, guard);
          case 'transform':
            return await runTransform(config, ctx, opts, guard);
        }
      } finally {
        // A source opened but never iterated (e.g. a transformation naming a missing column
        // fails right after the open) still holds its file: release whatever is left open.
        await guard.shutdown();
        guard.dispose();
      }
    },
    async close() {
      // Holds no pools or connections.
    },
  });
}

type ReadConfig = Extract<FileStepConfig, { operation: 'read' }>;
type WriteConfig = Extract<FileStepConfig, { operation: 'write' }>;
type TransformConfig = Extract<FileStepConfig, { operation: 'transform' }>;

async function openSource(file: string, shown: string, format: ResolvedFormat, o: FileOptions, encoding: Encoding, guard: AbortGuard): Promise<RowSource> {
  if (format.kind === 'csv') {
    return openCsvSource(file, shown, { delimiter: o.delimiter ?? format.delimiter ?? ',', quote: o.quote !== undefined ? o.quote : format.quote !== undefined ? format.quote : '"', hasHeader: o.has_header, encoding, trim: o.trim }, guard);
  }
  return openXlsxSource(file, shown, { sheetName: o.sheet_name ?? format.sheetName, sheetIndex: o.sheet_index, hasHeader: o.has_header, trim: o.trim }, guard);
}

async function* applyPlan(source: RowSource, plan: CompiledPlan, guard: AbortGuard): AsyncGenerator<Row[]> {
  for await (const batch of source.rows) {
    guard.throwIfAborted();
    const out: Row[] = [];
    for (const row of batch) {
      const kept = plan.apply(row);
      if (kept) out.push(kept);
    }
    if (out.length > 0) yield out;
  }
}

async function runRead(config: ReadConfig, ctx: StepContext, opts: ResolvedFileExecutorOptions, guard: AbortGuard): Promise<FileReadOutput> {
  const o = config.options;
  const file = await resolveStepPath(config.source_path, ctx.files, opts.allowedRoots);
  const size = await requireFile(file, config.source_path);
  const format = resolveFormat(config.format, file);
  const source = await openSource(file, config.source_path, format, o, o.encoding ?? opts.defaultEncoding, guard);
  const plan = compilePlan(o.transformations, source.columns, source.where, o.columns);
  const limit = Math.min(o.max_rows ?? opts.maxRowsInMemory, opts.maxRowsInMemory);
  const keep = !o.streaming;
  const data: Array<Record<string, string | number | boolean | null>> = [];
  const columns = plan.columns;
  let count = 0;
  for await (const batch of applyPlan(source, plan, guard)) {
    if (!keep) {
      count += batch.length;
      continue;
    }
    for (const row of batch) {
    count++;
    if (count > limit) {
      throw new NonRetryableError(
        `${config.source_path}: more than ${limit} rows to return in data; set options.streaming: true to count without data, use operation: transform to process the file, or add a filter`,
        { code: FILE_ERROR_CODES.TOO_MANY_ROWS, details: { limit } },
      );
    }
    const obj: Record<string, string | number | boolean | null> = {};
    for (let k = 0; k < columns.length; k++) {
      Object.defineProperty(obj, columns[k]!, { value: cellToJson(row.cells[k]), enumerable: true, writable: true, configurable: true });
    }
    data.push(obj);
    }
  }
  ctx.logger.info({ path: file, rows: count }, 'file read');
  const info: FileInfo = { path: file, filename: path.basename(file), size, row_count: count };
  return keep ? { data, row_count: count, files: [info] } : { row_count: count, files: [info] };
}

async function runWrite(config: WriteConfig, ctx: StepContext, opts: ResolvedFileExecutorOptions, guard: AbortGuard): Promise<FileWriteOutput> {
  const o = config.options;
  const dest = await resolveStepPath(config.destination_path, ctx.files, opts.allowedRoots);
  const format = resolveFormat(config.format, dest);
  const rows = Array.isArray(config.data_source) ? config.data_source : config.data_source.data;
  const source = arraySource(rows, o.has_header);
  const plan = compilePlan(o.transformations, source.columns, source.where, o.columns);
  const count = await writeAtomically(dest, guard, (tmp) => writeRows(tmp, format, plan.columns, applyPlan(source, plan, guard), source.where, o, o.encoding ?? opts.defaultEncoding, guard));
  return finish(dest, count, ctx);
}

async function runTransform(config: TransformConfig, ctx: StepContext, opts: ResolvedFileExecutorOptions, guard: AbortGuard): Promise<FileWriteOutput> {
  const o = config.options;
  const src = await resolveStepPath(config.source_path, ctx.files, opts.allowedRoots);
  const dest = await resolveStepPath(config.destination_path, ctx.files, opts.allowedRoots);
  if (src === dest) throw new NonRetryableError('transform: destination_path must differ from source_path', { code: 'VALIDATION_FAILED' });
  await requireFile(src, config.source_path);
  const inFormat = resolveFormat(config.format, src);
  const outFormat = config.destination_format !== undefined || path.extname(dest) !== '' ? resolveFormat(config.destination_format, dest) : inFormat;
  const d = config.destination_options ?? {};
  const encoding = o.encoding ?? opts.defaultEncoding;
  const count = await writeAtomically(dest, guard, async (tmp) => {
    const source = await openSource(src, config.source_path, inFormat, o, encoding, guard);
    const plan = compilePlan(o.transformations, source.columns, source.where, d.columns ?? o.columns);
    const outOptions: FileOptions = {
      ...o,
      sheet_name: d.sheet_name ?? (outFormat.kind === 'excel' ? outFormat.sheetName : undefined) ?? o.sheet_name,
      delimiter: d.delimiter ?? (outFormat.kind === 'csv' ? outFormat.delimiter : undefined) ?? o.delimiter,
      quote: d.quote !== undefined ? d.quote : outFormat.kind === 'csv' && outFormat.quote !== undefined ? outFormat.quote : o.quote,
      has_header: d.has_header ?? o.has_header,
      bom: d.bom ?? o.bom,
      date_format: d.date_format ?? o.date_format,
      escape_formulas: d.escape_formulas ?? o.escape_formulas,
    };
    return writeRows(tmp, outFormat, plan.columns, applyPlan(source, plan, guard), source.where, outOptions, d.encoding ?? encoding, guard);
  });
  return finish(dest, count, ctx);
}

function writeRows(tmp: string, format: ResolvedFormat, columns: readonly string[], rows: AsyncIterable<Row[]>, where: (row: Row) => string, o: FileOptions, encoding: Encoding, guard: AbortGuard): Promise<number> {
  if (format.kind === 'excel') {
    return writeXlsx(tmp, columns, rows, { sheetName: o.sheet_name ?? format.sheetName ?? 'Sheet1', hasHeader: o.has_header }, guard);
  }
  return writeCsv(
    tmp,
    columns,
    rows,
    where,
    {
      delimiter: o.delimiter ?? format.delimiter ?? ',',
      quote: o.quote !== undefined ? o.quote : format.quote !== undefined ? format.quote : '"',
      hasHeader: o.has_header,
      encoding,
      bom: o.bom,
      escapeFormulas: o.escape_formulas,
      dateFormat: o.date_format === undefined ? undefined : compileDateFormat(o.date_format),
    },
    guard,
  );
}

async function finish(dest: string, count: number, ctx: StepContext): Promise<FileWriteOutput> {
  const st = await fs.stat(dest);
  ctx.logger.info({ path: dest, rows: count, bytes: st.size }, 'file written');
  return { files: [{ path: dest, filename: path.basename(dest), size: st.size, row_count: count }], row_count: count };
}
