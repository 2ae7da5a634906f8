import type * as Pg from 'pg';
import type { JsonValue } from '../json-value.js';
import type { DbCursor, DbPool, DbSession, Dialect, FieldInfo, PoolSpec } from './dialect.js';

type PgModule = typeof Pg;
type CursorClass = new (text: string, values: unknown[], config?: { types?: Pg.CustomTypesConfig }) => PgCursorLike;
interface PgResultLike {
  fields: Array<{ name: string; dataTypeID: number }>;
  rowCount: number | null;
  command: string;
}
interface PgCursorLike {
  read(n: number, cb: (err: Error | undefined, rows: Record<string, unknown>[], result: PgResultLike) => void): void;
  close(): Promise<void>;
}

/** Names of common PostgreSQL type OIDs, for `fields[].type`. */
const PG_TYPE_NAMES: Record<number, string> = {
  16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text', 26: 'oid',
  114: 'json', 142: 'xml', 700: 'float4', 701: 'float8', 790: 'money', 1042: 'bpchar', 1043: 'varchar',
  1082: 'date', 1083: 'time', 1114: 'timestamp', 1184: 'timestamptz', 1186: 'interval', 1266: 'timetz',
  1560: 'bit', 1562: 'varbit', 1700: 'numeric', 2950: 'uuid', 3802: 'jsonb', 1000: '_bool', 1005: '_int2',
  1007: '_int4', 1016: '_int8', 1009: '_text', 1015: '_varchar', 1021: '_float4', 1022: '_float8', 1231: '_numeric',
};

const AFFECTING = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

/**
 * PostgreSQL through `pg` (+ `pg-cursor` for batched reads). Values are sent in the Bind message of
 * the extended protocol, never in the SQL text. `date` and `timestamp` (without time zone) come back
 * as the server's text, so no local time zone is applied; `timestamptz` as an ISO instant.
 */
export function createPostgresDialect(pg: PgModule, Cursor: CursorClass): Dialect {
  const types: Pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === 1082 || oid === 1114) return (v: string) => v;
      return pg.types.getTypeParser(oid, format as 'text');
    }) as Pg.CustomTypesConfig['getTypeParser'],
  };

  return {
    serverSideTimeout: true,
    createPool(spec: PoolSpec): DbPool {
      const pool = new pg.Pool({
        connectionString: spec.connectionString,
        max: spec.max,
        idleTimeoutMillis: spec.idleTimeoutMs,
        connectionTimeoutMillis: spec.connectTimeoutMs,
        types,
        ...(spec.statementTimeoutMs ? { statement_timeout: spec.statementTimeoutMs } : {}),
      });
      // An idle client that dies (server restart) must not crash the process; the next checkout reconnects.
      pool.on('error', () => undefined);

      const cancelBackend = async (pid: number): Promise<void> => {
        const admin = new pg.Client({ connectionString: spec.connectionString, connectionTimeoutMillis: spec.connectTimeoutMs });
        admin.on('error', () => undefined);
        try {
          await admin.connect();
          await admin.query('SELECT pg_cancel_backend($1)', [pid]);
        } finally {
          await admin.end().catch(() => undefined);
        }
      };

      return {
        async acquire(): Promise<DbSession> {
          const client = await pool.connect();
          const pid = (client as unknown as { processID: number }).processID;
          let timeoutSet = false;
          return {
            async setStatementTimeout(ms) {
              if (ms === undefined) return;
              await client.query("SELECT set_config('statement_timeout', $1, false)", [`${Math.ceil(ms)}ms`]);
              timeoutSet = true;
            },
            async open(sql, params, { fetchSize }) {
              return openCursor(client, new Cursor(sql, params as JsonValue[] as unknown[], { types }), fetchSize);
            },
            begin: async () => void (await client.query('BEGIN')),
            commit: async () => void (await client.query('COMMIT')),
            rollback: async () => void (await client.query('ROLLBACK')),
            cancel: () => cancelBackend(pid),
            async release(broken) {
              if (!broken && timeoutSet) {
                try {
                  await client.query('RESET statement_timeout');
                } catch {
                  broken = true;
                }
              }
              client.release(broken ? new Error('vecron: connection discarded') : undefined);
            },
          };
        },
        async end() {
          await pool.end();
        },
      };
    },
  };
}

function openCursor(client: Pg.PoolClient, cursor: PgCursorLike, _fetchSize: number): Promise<DbCursor> {
  (client as unknown as { query(c: unknown): unknown }).query(cursor);
  let fields: FieldInfo[] = [];
  let affected = 0;
  let done = false;
  const cursorApi: DbCursor = {
    fields: () => fields,
    affectedRows: () => affected,
    read(n) {
      if (done) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        cursor.read(n, (err, rows, result) => {
          if (err) {
            done = true;
            reject(err);
            return;
          }
          if (result) {
            fields = result.fields.map((f) => ({ name: f.name, type: PG_TYPE_NAMES[f.dataTypeID] ?? String(f.dataTypeID) }));
            if (result.command && AFFECTING.has(result.command)) affected = result.rowCount ?? 0;
          }
          if (rows.length < n) done = true;
          resolve(rows);
        });
      });
    },
    async close() {
      if (!done) {
        done = true;
        await cursor.close();
      }
      return true;
    },
  };
  return Promise.resolve(cursorApi);
}
