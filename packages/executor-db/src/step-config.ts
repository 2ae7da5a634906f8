import { z } from 'zod';

/** The databases this executor speaks to. */
export const databaseTypeSchema = z.enum(['postgresql', 'mysql', 'oracle']);
/** `postgresql` (pg), `mysql` (mysql2; MySQL and MariaDB) or `oracle` (oracledb thin mode). */
export type DatabaseType = z.infer<typeof databaseTypeSchema>;

/**
 * A stored-procedure name: an identifier, optionally qualified (`schema.name`, Oracle
 * `schema.package.name`). Never quoted, never user data: it is the only piece of SQL the executor
 * writes itself, so anything else is refused.
 */
export const PROCEDURE_NAME = /^[A-Za-z_][A-Za-z0-9_$#]{0,127}(\.[A-Za-z_][A-Za-z0-9_$#]{0,127}){0,2}$/;

/** A JSON value bound as a parameter. */
const parameterSchema = z.json();
const parametersSchema = z.array(parameterSchema).default([]);

/** One statement of a multi-statement step. */
const statementSchema = z.strictObject({
  /** SQL text with placeholders; never substituted. */
  query: z.string().trim().min(1, 'query must not be empty'),
  /** Values bound to the placeholders, in order. @default [] */
  parameters: parametersSchema,
});

/** Streaming export of the result to a file in the execution's file area. */
const outputToFileSchema = z.strictObject({
  /** Path inside the execution's file area (relative, or absolute inside it). */
  path: z.string().min(1, 'path must not be empty'),
  /** Only `csv` for now. @default 'csv' */
  format: z.literal('csv').default('csv'),
  /** Write a header line with the column names. @default true */
  header: z.boolean().default(true),
  /** Field delimiter (one character). @default ',' */
  delimiter: z.string().length(1).default(','),
});

/**
 * Config of a `database` step (docs/architecture.md#the-job-format), validated after template substitution.
 * Only `connection_string` and `parameters` may come from templates; the SQL text must not.
 */
export const dbStepConfigSchema = z
  .strictObject({
    database_type: databaseTypeSchema,
    connection_string: z.string().min(1, 'connection_string must not be empty').optional(),
    connection: z.string().min(1, 'connection must not be empty').optional(),
    query: z.string().optional(),
    parameters: parametersSchema,
    query_type: z.enum(['raw_sql', 'stored_procedure']).default('raw_sql'),
    procedure_name: z
      .string()
      .regex(PROCEDURE_NAME, 'procedure_name must be an identifier, optionally schema-qualified (letters, digits, _; no quotes or spaces)')
      .optional(),
    timeout_seconds: z.number().positive().max(86_400).optional(),
    max_rows: z.number().int().positive().optional(),
    transaction: z.boolean().optional(),
    statements: z.array(statementSchema).min(1, 'statements must hold at least one statement').optional(),
    output_to_file: outputToFileSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if ((c.connection_string === undefined) === (c.connection === undefined)) {
      issue('connection_string', 'give exactly one of connection_string or connection');
    }
    const hasQuery = c.query !== undefined && c.query.trim() !== '';
    if (c.query_type === 'stored_procedure') {
      if (c.procedure_name === undefined) issue('procedure_name', 'procedure_name is required when query_type is stored_procedure');
      if (hasQuery) issue('query', 'query must be absent when query_type is stored_procedure (the call is built from procedure_name)');
      if (c.statements) issue('statements', 'statements cannot be combined with query_type stored_procedure');
    } else {
      if (c.procedure_name !== undefined) issue('procedure_name', 'procedure_name is only used when query_type is stored_procedure');
      if (c.statements) {
        if (hasQuery) issue('query', 'give either query or statements, not both');
        if (c.transaction === false) issue('transaction', 'statements always run in one transaction; transaction cannot be false');
      } else if (!hasQuery) {
        issue('query', 'query is required (or statements for a multi-statement transaction)');
      }
    }
    if (c.statements && c.parameters.length > 0) issue('parameters', 'with statements, give parameters per statement');
    if (c.output_to_file && (c.statements || c.query_type === 'stored_procedure')) {
      issue('output_to_file', 'output_to_file streams the result of a single raw_sql query');
    }
  });

/** A parsed `database` step config. */
export type DbStepConfig = z.infer<typeof dbStepConfigSchema>;
/** The config as a job writes it (defaults optional). */
export type DbStepConfigInput = z.input<typeof dbStepConfigSchema>;
