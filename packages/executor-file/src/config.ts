import { z } from 'zod';
import { FilterSyntaxError } from './errors.js';
import { parseFilter } from './filter/parser.js';
import { encodingSchema } from './options.js';
import { compileDateFormat } from './values/date-format.js';

/** `format`: `csv` | `excel` (alias `xlsx`), or an object `{type: csv, delimiter?, quote?}` / `{type: excel, sheet_name?}`. */
export const formatSchema = z.union([
  z.enum(['csv', 'excel', 'xlsx']),
  z.object({ type: z.literal('csv'), delimiter: z.string().min(1).optional(), quote: z.string().length(1).nullable().optional() }).strict(),
  z.object({ type: z.enum(['excel', 'xlsx']), sheet_name: z.string().min(1).optional() }).strict(),
]);

const ColumnMapping = z
  .object({
    type: z.literal('column_mapping'),
    /** Rename one column: `from` → `to`. */
    from: z.string().min(1).optional(),
    to: z.string().min(1).optional(),
    /** Or rename several: `{ old: new, … }`. */
    mapping: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const pair = t.from !== undefined || t.to !== undefined;
    if (pair && (t.from === undefined || t.to === undefined)) ctx.addIssue({ code: 'custom', path: [t.from === undefined ? 'from' : 'to'], message: 'column_mapping needs both from and to' });
    if (!pair && t.mapping === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'column_mapping needs from + to, or mapping' });
    if (pair && t.mapping !== undefined) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'give either from + to or mapping, not both' });
  });

const TypeConversion = z
  .object({
    type: z.literal('type_conversion'),
    column: z.string().min(1),
    target_type: z.enum(['string', 'integer', 'decimal', 'boolean', 'date']),
    /** For `date`: the pattern of the text (`dd/MM/yyyy`); for `string` from a date: the output pattern. */
    format: z.string().min(1).max(100).optional(),
    /** For `integer` / `decimal`: the decimal separator of the text. @default '.' */
    decimal_separator: z.enum(['.', ',']).optional(),
    /** For `integer` / `decimal`: a thousands separator to remove (`,` `.` `' '` or `'_'`). */
    thousands_separator: z.enum([',', '.', ' ', '_']).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.format !== undefined) {
      try {
        compileDateFormat(t.format);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['format'], message: (err as Error).message });
      }
    }
    if (t.decimal_separator !== undefined && t.decimal_separator === t.thousands_separator) {
      ctx.addIssue({ code: 'custom', path: ['thousands_separator'], message: 'must differ from decimal_separator' });
    }
  });

const Filter = z
  .object({ type: z.literal('filter'), condition: z.string().min(1).max(10_000) })
  .strict()
  .superRefine((t, ctx) => {
    try {
      parseFilter(t.condition);
    } catch (err) {
      if (!(err instanceof FilterSyntaxError)) throw err;
      ctx.addIssue({ code: 'custom', path: ['condition'], message: err.message });
    }
  });

/** One transformation, applied in order. */
export const transformationSchema = z.discriminatedUnion('type', [ColumnMapping, TypeConversion, Filter]);

/** `options` of a step. */
export const fileOptionsSchema = z
  .object({
    /** XLSX: the sheet to read, or the name of the sheet to write. @default first sheet / 'Sheet1' */
    sheet_name: z.string().min(1).max(31).optional(),
    /** XLSX read: 0-based position of the sheet in the workbook (used when `sheet_name` is absent). @default 0 */
    sheet_index: z.number().int().min(0).optional(),
    /** CSV field delimiter (one or more characters, `\t` for TSV). @default ',' */
    delimiter: z.string().min(1).max(10).optional(),
    /** CSV quote character; `null` turns quoting off. @default '"' */
    quote: z.string().length(1).nullable().optional(),
    /** First row holds the column names (read), write a header row (write). Without one, columns are `column_1`, `column_2`, … @default true */
    has_header: z.boolean().default(true),
    /** CSV text encoding: utf8, utf16le, windows-1258 (Vietnamese), latin1. @default the plugin's `defaultEncoding` ('utf8') */
    encoding: encodingSchema.optional(),
    /** CSV write: start with a byte order mark (utf8, utf16le) so Excel detects the encoding. @default false */
    bom: z.boolean().default(false),
    /** Trim spaces around every field. @default false */
    trim: z.boolean().default(false),
    /** Read: return no `data`, only `row_count` and `files` (no row limit). @default false */
    streaming: z.boolean().default(false),
    /** Output columns, in order, after transformations (others are dropped). @default all columns */
    columns: z.array(z.string().min(1)).min(1).optional(),
    /** CSV write: pattern for date cells (e.g. `dd/MM/yyyy`). @default ISO `yyyy-MM-dd` / `yyyy-MM-ddTHH:mm:ss` */
    date_format: z.string().min(1).max(100).optional(),
    /** CSV write: prefix cells starting with `= + - @` with `'` so a spreadsheet never runs them. @default false */
    escape_formulas: z.boolean().default(false),
    /** Read: at most this many rows in `data` (never above the plugin's `maxRowsInMemory`). @default maxRowsInMemory */
    max_rows: z.number().int().positive().optional(),
    /** Applied in order to every row. @default [] */
    transformations: z.array(transformationSchema).max(200).default([]),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.date_format !== undefined) {
      try {
        compileDateFormat(o.date_format);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['date_format'], message: (err as Error).message });
      }
    }
  });

/** Options a transform applies to its destination (override `options`). */
export const destinationOptionsSchema = z
  .object({
    sheet_name: z.string().min(1).max(31).optional(),
    delimiter: z.string().min(1).max(10).optional(),
    quote: z.string().length(1).nullable().optional(),
    has_header: z.boolean().optional(),
    encoding: encodingSchema.optional(),
    bom: z.boolean().optional(),
    columns: z.array(z.string().min(1)).min(1).optional(),
    date_format: z.string().min(1).max(100).optional(),
    escape_formulas: z.boolean().optional(),
  })
  .strict();

const pathField = z.string().min(1).max(4096);

const Common = {
  format: formatSchema.optional(),
  options: fileOptionsSchema.default({ has_header: true, bom: false, trim: false, streaming: false, escape_formulas: false, transformations: [] }),
};

const dataSourceSchema = z.union([
  z.array(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])),
  z.object({ data: z.array(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])) }).loose(),
]);

/** Config of a `file_processing` step (docs/architecture.md#the-job-format), validated after template substitution. */
export const fileStepConfigSchema = z.discriminatedUnion('operation', [
  z.object({ operation: z.literal('read'), source_path: pathField, ...Common }).strict(),
  z.object({ operation: z.literal('write'), destination_path: pathField, data_source: dataSourceSchema, ...Common }).strict(),
  z
    .object({
      operation: z.literal('transform'),
      source_path: pathField,
      destination_path: pathField,
      destination_format: formatSchema.optional(),
      destination_options: destinationOptionsSchema.optional(),
      ...Common,
    })
    .strict(),
]);

/** A validated step config. */
export type FileStepConfig = z.output<typeof fileStepConfigSchema>;
/** A file step config as written in a job (defaults optional). */
export type FileStepConfigInput = z.input<typeof fileStepConfigSchema>;
/** Step `options` after defaults. */
export type FileOptions = z.output<typeof fileOptionsSchema>;
/** One transformation. */
export type Transformation = z.output<typeof transformationSchema>;
/** The `format` field. */
export type FormatInput = z.output<typeof formatSchema>;
