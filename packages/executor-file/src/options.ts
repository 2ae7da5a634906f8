import path from 'node:path';
import { parseConfig } from '@vecron/sdk';
import { z } from 'zod';

/** Encodings the executor reads and writes (names are case-insensitive aliases of four encodings). */
export const ENCODINGS = ['utf8', 'utf-8', 'utf16le', 'utf-16le', 'windows-1258', 'cp1258', 'latin1', 'iso-8859-1'] as const;

/** Canonical encoding names. */
export type Encoding = 'utf8' | 'utf16le' | 'windows-1258' | 'latin1';

/** zod schema of an encoding name. */
export const encodingSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(ENCODINGS, { message: `encoding must be one of ${ENCODINGS.join(', ')}` }))
  .transform((s): Encoding => (s === 'utf-8' ? 'utf8' : s === 'utf-16le' ? 'utf16le' : s === 'cp1258' ? 'windows-1258' : s === 'iso-8859-1' ? 'latin1' : s));

/** Options of {@link fileExecutor}. */
export const fileExecutorOptionsSchema = z.object({
  /**
   * Absolute folders the operator allows besides the execution's file area (e.g. a shared
   * `/data/exchange`). An absolute path inside one of them is confined to it; every other path
   * is confined to the execution's file area.
   * @default []
   */
  allowedRoots: z
    .array(z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path'))
    .default([])
    .transform((roots) => roots.map((r) => path.resolve(r))),
  /**
   * Encoding used when a step does not set `options.encoding`.
   * @default 'utf8'
   */
  defaultEncoding: encodingSchema.default('utf8'),
  /**
   * Most rows a `read` may return in `data`. A read with more rows fails with
   * `TOO_MANY_ROWS` unless the step sets `options.streaming: true` (then `data` is omitted and
   * only `row_count` / `files` are returned). Writes and `transform` never hold rows.
   * @default 100000
   */
  maxRowsInMemory: z.number().int().positive().default(100_000),
});

/** Input accepted by {@link fileExecutor}. */
export type FileExecutorOptions = z.input<typeof fileExecutorOptionsSchema>;
/** Options after defaults. */
export type ResolvedFileExecutorOptions = z.output<typeof fileExecutorOptionsSchema>;

/** Validates the factory options. @throws ConfigError listing every issue. */
export function parseFileExecutorOptions(input: FileExecutorOptions | undefined): ResolvedFileExecutorOptions {
  return parseConfig(fileExecutorOptionsSchema, input ?? {}, 'fileExecutor options');
}
