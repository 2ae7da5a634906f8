import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlClient } from '../sql/sql-client.js';
import { mapDriverError } from '../sql/sql-errors.js';

type Queryable = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(q: Queryable, transaction: SqlClient['transaction']): SqlClient {
  return {
    async query<Row>(text: string, params: unknown[] = []) {
      try {
        const r = await q.query<Row>(text, params);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
      } catch (err) {
        throw mapDriverError(err, 'query');
      }
    },
    async exec(text: string) {
      try {
        await q.exec(text);
      } catch (err) {
        throw mapDriverError(err, 'exec');
      }
    },
    transaction,
  };
}

/** Adapts a PGlite instance to the {@link SqlClient} seam. PGlite serialises transactions itself. */
export function pgliteClient(db: PGlite): SqlClient {
  // What fn throws is already mapped (its statements) or the caller's own: only BEGIN/COMMIT failures are mapped here.
  const transaction: SqlClient['transaction'] = async (fn) => {
    let failedInFn = false;
    try {
      return await db.transaction(async (tx) => {
        const nested: SqlClient['transaction'] = (inner) => inner(txClient);
        const txClient = wrap(tx, nested);
        try {
          return await fn(txClient);
        } catch (err) {
          failedInFn = true;
          throw err;
        }
      });
    } catch (err) {
      throw failedInFn ? err : mapDriverError(err, 'transaction');
    }
  };
  return wrap(db, transaction);
}
