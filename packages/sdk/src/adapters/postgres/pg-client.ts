import type { Pool, PoolClient } from 'pg';
import type { SqlClient, SqlQueryOptions } from '../../storage/sql/sql-client.js';
import { inlineParams } from './inline-params.js';
import { mapPgError } from './pg-errors.js';
import { preparedName } from './prepared-name.js';

type Queryable = Pick<PoolClient, 'query'>;

/**
 * A transaction's `BEGIN`, not sent yet: `take(text)` returns the text to send for a statement
 * without parameters (`BEGIN;` and the statement, one simple-protocol round trip) or null once
 * begun; `send()` sends it alone (before a statement with parameters, which the simple protocol
 * cannot carry). `committed`: its `COMMIT` went with its last statement (`SqlQueryOptions.commit`).
 */
interface PendingBegin {
  take(text: string): string | null;
  send(): Promise<void>;
  readonly begun: boolean;
  committed: boolean;
}

type PgResult = { rows: unknown[]; rowCount: number | null };

function clientOn(q: Queryable, transaction: SqlClient['transaction'], server: string | undefined, prepare: boolean, begin?: PendingBegin): SqlClient {
  return {
    async query<Row>(text: string, params: unknown[] = [], options?: SqlQueryOptions) {
      if (begin?.committed) throw new Error('a statement after the one that committed its transaction (SqlQueryOptions.commit)');
      try {
        let r: PgResult;
        const named = prepare && options?.prepare;
        // The last statement of a begun transaction, with its values written in, and COMMIT: one
        // simple-protocol round trip. If it fails, COMMIT does not run and the caller rolls back.
        const withCommit = begin?.begun && !named && options?.commit ? inlineParams(text, params) : null;
        const withBegin = withCommit === null && begin && !named && params.length === 0 ? begin.take(text) : null;
        if (withCommit !== null) {
          const both = (await q.query(`${withCommit};\nCOMMIT`)) as unknown as PgResult[];
          begin!.committed = true;
          r = both[0]!;
        } else if (withBegin !== null) {
          // Two statements, two results: the second is the caller's.
          const both = (await q.query(withBegin)) as unknown as PgResult[];
          r = both[both.length - 1]!;
        } else {
          if (begin && !begin.begun) await begin.send();
          r = named ? await q.query({ name: preparedName(text), text, values: params }) : await q.query(text, params);
        }
        return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
      } catch (err) {
        throw mapPgError(err, 'query', server);
      }
    },
    async exec(text: string) {
      if (begin?.committed) throw new Error('a statement after the one that committed its transaction (SqlQueryOptions.commit)');
      try {
        if (begin && !begin.begun) await begin.send();
        await q.query(text);
      } catch (err) {
        throw mapPgError(err, 'exec', server);
      }
    },
    transaction,
  };
}

/**
 * The `BEGIN` of a transaction on `conn`, sent with its first statement when that has no
 * parameters: a transaction whose first statement is a due read with its values written in
 * (fire-due.ts) costs one round trip less.
 */
function pendingBegin(conn: Queryable): PendingBegin {
  let begun = false;
  return {
    committed: false,
    get begun() {
      return begun;
    },
    take(text) {
      if (begun) return null;
      begun = true;
      return `BEGIN;\n${text}`;
    },
    async send() {
      begun = true;
      await conn.query('BEGIN');
    },
  };
}

/**
 * Adapts a `pg` Pool to the {@link SqlClient} seam. Plain queries take any pooled connection;
 * a transaction holds one connection from `BEGIN` to `COMMIT` (a nested call joins it); its
 * `BEGIN` is sent in one round trip with its first statement when that has no parameters, and its
 * `COMMIT` with a statement asked for with `commit` (its parameters written in, `inlineParams`). A
 * connection that broke inside a transaction is destroyed, not returned to the pool.
 * `server` (an address without its password) is named in connection errors. Statements asked
 * for with `prepare` are sent as named prepared statements unless `prepare` is false here (e.g.
 * behind PgBouncer in transaction mode before 1.21).
 */
export function pgPoolClient(pool: Pool, options: { server?: string; prepare?: boolean } = {}): SqlClient {
  const { server, prepare = true } = options;
  const transaction: SqlClient['transaction'] = async (fn) => {
    let conn: PoolClient;
    try {
      conn = await pool.connect();
    } catch (err) {
      throw mapPgError(err, 'connect', server);
    }
    let broken: Error | undefined;
    // A checked-out connection that dies between two statements emits 'error' on the client;
    // pg-pool listens only while it is idle, and an unheard 'error' would crash the process.
    const onError = (err: Error): void => {
      broken = err;
    };
    conn.on('error', onError);
    let failedInFn = false;
    // BEGIN goes with the first statement (see pendingBegin); a transaction that ran none sends neither it nor COMMIT.
    const begin = pendingBegin(conn);
    try {
      const nested: SqlClient['transaction'] = (inner) => inner(tx);
      const tx = clientOn(conn, nested, server, prepare, begin);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(tx);
      } catch (err) {
        failedInFn = true;
        throw err;
      }
      if (begin.begun && !begin.committed) await conn.query('COMMIT');
      return result;
    } catch (err) {
      try {
        if (begin.begun && !begin.committed) await conn.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error;
      }
      // fn's statements are mapped by `tx`; what else fn throws is the caller's own.
      throw failedInFn ? err : mapPgError(err, 'transaction', server);
    } finally {
      conn.removeListener('error', onError);
      conn.release(broken);
    }
  };
  return clientOn(pool, transaction, server, prepare);
}
