import type { Pool, PoolClient } from 'pg';
import type { SqlClient, SqlQueryOptions } from '../../storage/sql/sql-client.js';
import { mapPgError } from './pg-errors.js';
import { preparedName } from './prepared-name.js';

type Queryable = Pick<PoolClient, 'query'>;

function clientOn(q: Queryable, transaction: SqlClient['transaction'], server: string | undefined, prepare: boolean): SqlClient {
  return {
    async query<Row>(text: string, params: unknown[] = [], options?: SqlQueryOptions) {
      try {
        const r = prepare && options?.prepare ? await q.query({ name: preparedName(text), text, values: params }) : await q.query(text, params);
        return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
      } catch (err) {
        throw mapPgError(err, 'query', server);
      }
    },
    async exec(text: string) {
      try {
        await q.query(text);
      } catch (err) {
        throw mapPgError(err, 'exec', server);
      }
    },
    transaction,
  };
}

/**
 * Adapts a `pg` Pool to the {@link SqlClient} seam. Plain queries take any pooled connection;
 * a transaction holds one connection from `BEGIN` to `COMMIT` (a nested call joins it). A
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
    try {
      await conn.query('BEGIN');
      const nested: SqlClient['transaction'] = (inner) => inner(tx);
      const tx = clientOn(conn, nested, server, prepare);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(tx);
      } catch (err) {
        failedInFn = true;
        throw err;
      }
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await conn.query('ROLLBACK');
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
