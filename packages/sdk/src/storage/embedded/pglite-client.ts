import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlClient } from '../sql/sql-client.js';

type Queryable = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(q: Queryable, transaction: SqlClient['transaction']): SqlClient {
  return {
    async query<Row>(text: string, params: unknown[] = []) {
      const r = await q.query<Row>(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(text: string) {
      await q.exec(text);
    },
    transaction,
  };
}

/** Adapts a PGlite instance to the {@link SqlClient} seam. PGlite serialises transactions itself. */
export function pgliteClient(db: PGlite): SqlClient {
  const transaction: SqlClient['transaction'] = (fn) =>
    db.transaction((tx) => {
      const nested: SqlClient['transaction'] = (inner) => inner(txClient);
      const txClient = wrap(tx, nested);
      return fn(txClient);
    });
  return wrap(db, transaction);
}
