/**
 * A database step's statements on one session: into rows (capped at `max_rows`, several statements
 * in one transaction) or streamed into a CSV file (`output_to_file`).
 */
import { NonRetryableError } from '@vecron/sdk';
import type { StepContext } from '@vecron/sdk';
import { writeCursorToCsv } from './csv-output.js';
import type { DbStepOutput } from './db-executor.js';
import type { DbCursor, DbSession, FieldInfo } from './dialects/dialect.js';
import { toJsonRow } from './json-value.js';
import type { JsonValue } from './json-value.js';
import { procedureCallText } from './procedure-call.js';
import type { DbStepConfig } from './step-config.js';

/** One statement's text and bind parameters. */
export interface Statement {
  query: string;
  parameters: JsonValue[];
}

/** What running a step's statements needs. `setReusable` says whether the session may go back to the pool. */
export interface StatementRun {
  session: DbSession;
  config: DbStepConfig;
  statements: Statement[];
  maxRows: number;
  fetchSize: number;
  ctx: StepContext;
  setReusable: (reusable: boolean) => void;
}

/** The step's statements: `statements`, a stored procedure call, or `query`. */
export function buildStatements(config: DbStepConfig): Statement[] {
  if (config.statements) return config.statements.map((s) => ({ query: s.query, parameters: s.parameters as JsonValue[] }));
  if (config.query_type === 'stored_procedure') {
    return [{ query: procedureCallText(config.database_type, config.procedure_name!, config.parameters.length), parameters: config.parameters as JsonValue[] }];
  }
  return [{ query: config.query!, parameters: config.parameters as JsonValue[] }];
}

/** Runs the statements (in a transaction with `statements` or `transaction: true`). */
export function runStatements(run: StatementRun): Promise<DbStepOutput> {
  const inTransaction = run.config.statements !== undefined || run.config.transaction === true;
  return run.config.output_to_file ? writeResultFile(run, run.config.output_to_file, inTransaction) : readResults(run, inTransaction);
}

/** Streams the first statement's rows into the step's CSV file. */
async function writeResultFile(run: StatementRun, out: NonNullable<DbStepConfig['output_to_file']>, inTransaction: boolean): Promise<DbStepOutput> {
  const { session, statements, fetchSize, ctx } = run;
  const target = await ctx.files.resolve(out.path);
  if (inTransaction) await session.begin();
  const cursor = await session.open(statements[0]!.query, statements[0]!.parameters, { fetchSize, autoCommit: !inTransaction });
  try {
    const { file, fields } = await writeCursorToCsv(cursor, target, { fetchSize, header: out.header, delimiter: out.delimiter });
    if (inTransaction) await session.commit();
    ctx.logger.info({ rows: file.row_count, bytes: file.size }, 'database step wrote csv');
    return { files: [file], row_count: file.row_count, affected_rows: cursor.affectedRows(), fields };
  } catch (err) {
    run.setReusable(await cursor.close().catch(() => false));
    throw err;
  }
}

/** Runs each statement, reading its rows (at most `maxRows` over all); the output holds the last one's. */
async function readResults(run: StatementRun, inTransaction: boolean): Promise<DbStepOutput> {
  const { session, config, statements, maxRows, fetchSize, ctx, setReusable } = run;
  if (inTransaction) await session.begin();
  try {
    const perStatement: Array<{ row_count: number; affected_rows: number }> = [];
    let last: { rows: Array<Record<string, JsonValue>>; fields: FieldInfo[]; affected: number } = { rows: [], fields: [], affected: 0 };
    let totalRows = 0;
    for (const s of statements) {
      const cursor = await session.open(s.query, s.parameters, { fetchSize, autoCommit: !inTransaction });
      const rows = await readCapped(cursor, maxRows - totalRows, maxRows, fetchSize, setReusable);
      totalRows += rows.length;
      last = { rows: rows.map(toJsonRow), fields: cursor.fields(), affected: cursor.affectedRows() };
      perStatement.push({ row_count: rows.length, affected_rows: last.affected });
    }
    if (inTransaction) await session.commit();
    const affected = perStatement.reduce((sum, s) => sum + s.affected_rows, 0);
    return {
      rows: last.rows,
      row_count: last.rows.length,
      affected_rows: affected,
      fields: last.fields,
      ...(config.statements ? { statements: perStatement } : {}),
    };
  } catch (err) {
    if (inTransaction && !ctx.signal.aborted) {
      // A failed rollback leaves the connection in an unknown state: discard it.
      await session.rollback().catch(() => setReusable(false));
    }
    throw err;
  }
}

/** Reads at most `remaining` rows; one more means the cap is exceeded (the statement is stopped). */
async function readCapped(cursor: DbCursor, remaining: number, maxRows: number, fetchSize: number, setReusable: (r: boolean) => void): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (;;) {
    const want = Math.min(fetchSize, remaining + 1 - rows.length);
    const batch = await cursor.read(Math.max(1, want));
    for (const r of batch) rows.push(r);
    if (rows.length > remaining) {
      setReusable(await cursor.close().catch(() => false));
      throw new NonRetryableError(
        `the result has more than max_rows (${maxRows}) rows; raise max_rows or use output_to_file to stream it to a CSV file`,
        { code: 'DB_ROW_LIMIT_EXCEEDED', details: { max_rows: maxRows } },
      );
    }
    if (batch.length < want || batch.length === 0) {
      setReusable(await cursor.close());
      return rows;
    }
  }
}
