/**
 * `@vecron/executor-file` — the `file_processing` step: read, write and transform CSV and XLSX
 * files, streaming, with a safe filter language.
 *
 * @example
 * ```ts
 * import { createCronSystem } from '@vecron/sdk';
 * import { fileExecutor } from '@vecron/executor-file';
 *
 * const cron = createCronSystem({ executors: [fileExecutor({ allowedRoots: ['/data/exchange'] })] });
 * // step: { type: 'file_processing', config: { operation: 'read', format: 'csv', source_path: 'in/orders.csv',
 * //         options: { transformations: [{ type: 'filter', condition: "status = 'PAID' AND amount >= 1000000" }] } } }
 * ```
 *
 * Exports: {@link fileExecutor}, {@link fileStepConfigSchema}, {@link fileExecutorOptionsSchema},
 * {@link parseFilter}, {@link FilterSyntaxError}, {@link FILE_ERROR_CODES}, and their types.
 *
 * @packageDocumentation
 */
export { fileExecutor } from './file-executor.js';
export type { FileInfo, FileReadOutput, FileWriteOutput, FileStepOutput } from './file-executor.js';
export { fileStepConfigSchema, fileOptionsSchema, transformationSchema, formatSchema } from './config.js';
export type { FileStepConfig, FileStepConfigInput, FileOptions, Transformation, FormatInput } from './config.js';
export { fileExecutorOptionsSchema, ENCODINGS } from './options.js';
export type { FileExecutorOptions, ResolvedFileExecutorOptions, Encoding } from './options.js';
export { FilterSyntaxError, FILE_ERROR_CODES } from './errors.js';
export { parseFilter, MAX_FILTER_DEPTH } from './filter/parser.js';
export type { Expr, Operand, Literal, ComparisonOp } from './filter/ast.js';
