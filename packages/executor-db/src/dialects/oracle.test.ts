import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';
import { createDbExecutor } from '../db-executor.js';
import type { OracleConnection, OracleDriver, OracleResult } from './oracle.js';
import { parseOracleConnectionString } from './oracle.js';

/** A fake node-oracledb: records every call; `respond` decides what `execute` returns. */
function fakeOracle(respond: (sql: string, binds: unknown[]) => OracleResult | Promise<OracleResult>) {
  const log: Array<{ op: string; sql?: string; binds?: unknown[]; options?: Record<string, unknown>; arg?: unknown }> = [];
  const driver: OracleDriver = {
    OUT_FORMAT_OBJECT: 4002,
    async createPool(attrs) {
      log.push({ op: 'createPool', arg: attrs });
      return {
        async getConnection() {
          const conn: OracleConnection = {
            callTimeout: 0,
            async execute(sql, binds, options) {
              log.push({ op: 'execute', sql, binds, options });
              return respond(sql, binds);
            },
            commit: async () => void log.push({ op: 'commit' }),
            rollback: async () => void log.push({ op: 'rollback' }),
            break: async () => void log.push({ op: 'break' }),
            close: async (o) => void log.push({ op: 'close', arg: o }),
          };
          return conn;
        },
        close: async () => void log.push({ op: 'poolClose' }),
      };
    },
  };
  const ex = createDbExecutor(undefined, { importer: async (spec) => (spec === 'oracledb' ? { default: driver } : Promise.reject(new Error(spec))) });
  return { ex, log };
}

const URL_ = 'oracle://scott:t%40ger@db.example:1521/ORCLPDB1';
const base = { database_type: 'oracle', connection_string: URL_ } as const;

function rowsResult(rows: Record<string, unknown>[], meta: Array<{ name: string; dbTypeName: string }>, closed: { n: number }): OracleResult {
  const queue = [...rows];
  return { metaData: meta, resultSet: { getRows: async (n) => queue.splice(0, n), close: async () => void closed.n++ } };
}

describe('oracle dialect (fake thin-mode driver; no Oracle server is available here)', () => {
  it('parses oracle:// URLs into user, password and an Easy Connect string', () => {
    expect(parseOracleConnectionString(URL_)).toEqual({ user: 'scott', password: 't@ger', connectString: 'db.example:1521/ORCLPDB1' });
    expect(parseOracleConnectionString('db.example/XE')).toEqual({ connectString: 'db.example/XE' });
  });

  it('sends the SQL verbatim with positional binds (objects as JSON) and maps the result to plain JSON', async () => {
    const closed = { n: 0 };
    const { ex, log } = fakeOracle(() =>
      rowsResult([{ ID: 1, NAME: "O'Brien", CREATED: new Date('2024-01-02T03:04:05Z'), RAW: Buffer.from([1, 2]) }], [
        { name: 'ID', dbTypeName: 'NUMBER' }, { name: 'NAME', dbTypeName: 'VARCHAR2' }, { name: 'CREATED', dbTypeName: 'TIMESTAMP' }, { name: 'RAW', dbTypeName: 'RAW' },
      ], closed),
    );
    const sql = "SELECT id, name, created, raw FROM customers WHERE name = :name AND meta = :2 AND note <> ':x'";
    const out = await ex.execute(ex.config.parse({ ...base, query: sql, parameters: ["O'Brien", { vip: true }] }), await createTestStepContext());
    expect(log[0]).toMatchObject({ op: 'createPool', arg: { user: 'scott', password: 't@ger', connectString: 'db.example:1521/ORCLPDB1', poolMin: 0, poolMax: 10 } });
    const exec = log.find((l) => l.op === 'execute')!;
    expect(exec.sql).toBe(sql);
    expect(exec.binds).toEqual(["O'Brien", '{"vip":true}']);
    expect(exec.options).toMatchObject({ outFormat: 4002, resultSet: true, autoCommit: true });
    expect(out).toEqual({
      rows: [{ ID: 1, NAME: "O'Brien", CREATED: '2024-01-02T03:04:05.000Z', RAW: 'AQI=' }],
      row_count: 1,
      affected_rows: 0,
      fields: [{ name: 'ID', type: 'NUMBER' }, { name: 'NAME', type: 'VARCHAR2' }, { name: 'CREATED', type: 'TIMESTAMP' }, { name: 'RAW', type: 'RAW' }],
    });
    expect(closed.n).toBe(1);
    expect(log.at(-1)).toEqual({ op: 'close', arg: undefined });
    await ex.close();
    expect(log.at(-1)).toEqual({ op: 'poolClose' });
  });

  it('calls a stored procedure as BEGIN name(:1, :2); END; with bound values', async () => {
    const { ex, log } = fakeOracle(() => ({ rowsAffected: 0 }));
    await ex.execute(ex.config.parse({ ...base, query_type: 'stored_procedure', procedure_name: 'billing.close_day', parameters: ['2024-01-31', 7] }), await createTestStepContext());
    const exec = log.find((l) => l.op === 'execute')!;
    expect(exec.sql).toBe('BEGIN billing.close_day(:1, :2); END;');
    expect(exec.binds).toEqual(['2024-01-31', 7]);
  });

  it('runs statements with autoCommit off, commits on success and rolls back on failure', async () => {
    const ok = fakeOracle(() => ({ rowsAffected: 2 }));
    const out = await ok.ex.execute(ok.ex.config.parse({ ...base, statements: [{ query: 'UPDATE a SET x = :1', parameters: [1] }, { query: 'DELETE FROM b WHERE y = :1', parameters: [2] }] }), await createTestStepContext());
    expect(out.affected_rows).toBe(4);
    expect(ok.log.filter((l) => l.op === 'execute').map((l) => l.options!.autoCommit)).toEqual([false, false]);
    expect(ok.log.map((l) => l.op)).toContain('commit');

    let n = 0;
    const bad = fakeOracle(() => {
      if (++n === 2) throw Object.assign(new Error('ORA-00942: table or view does not exist'), { errorNum: 942 });
      return { rowsAffected: 1 };
    });
    const err = await bad.ex
      .execute(bad.ex.config.parse({ ...base, statements: [{ query: 'INSERT INTO a VALUES (:1)', parameters: [1] }, { query: 'INSERT INTO nope VALUES (:1)', parameters: [2] }] }), await createTestStepContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err).toMatchObject({ code: 'DB_UNDEFINED_OBJECT', details: { ora: 'ORA-00942' } });
    const ops = bad.log.map((l) => l.op);
    expect(ops).toContain('rollback');
    expect(ops).not.toContain('commit');
  });

  it('checks binds against placeholders before calling the driver (PL/SQL counts distinct names)', async () => {
    const { ex, log } = fakeOracle(() => ({}));
    await expect(ex.execute(ex.config.parse({ ...base, query: 'SELECT * FROM t WHERE a = :1 AND b = :2', parameters: [1] }), await createTestStepContext())).rejects.toMatchObject({ code: 'DB_PLACEHOLDER_MISMATCH' });
    expect(log.filter((l) => l.op === 'execute')).toHaveLength(0);
    await ex.execute(ex.config.parse({ ...base, query: 'BEGIN p(:a, :a, :b); END;', parameters: [1, 2] }), await createTestStepContext());
    expect(log.filter((l) => l.op === 'execute')).toHaveLength(1);
  });

  it('stops at max_rows, closing the result set', async () => {
    const closed = { n: 0 };
    const rows = Array.from({ length: 50 }, (_, i) => ({ N: i }));
    const { ex } = fakeOracle(() => rowsResult(rows, [{ name: 'N', dbTypeName: 'NUMBER' }], closed));
    await expect(ex.execute(ex.config.parse({ ...base, query: 'SELECT n FROM t', max_rows: 10 }), await createTestStepContext())).rejects.toMatchObject({ code: 'DB_ROW_LIMIT_EXCEEDED' });
    expect(closed.n).toBe(1);
  });

  it('on abort: break()s the running call, drops the connection, rethrows the reason', async () => {
    let release: () => void = () => undefined;
    const { ex, log } = fakeOracle(() => new Promise<OracleResult>((resolve) => {
      release = () => resolve({});
    }));
    const ac = new AbortController();
    const run = ex.execute(ex.config.parse({ ...base, query: 'BEGIN DBMS_SESSION.SLEEP(10); END;' }), await createTestStepContext({ signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 20));
    const origBreak = log.length;
    const reason = new Error('stop');
    ac.abort(reason);
    await new Promise((r) => setTimeout(r, 10));
    release();
    await expect(run).rejects.toBe(reason);
    expect(log.slice(origBreak).map((l) => l.op)).toContain('break');
    expect(log.at(-1)).toEqual({ op: 'close', arg: { drop: true } });
  });
});
