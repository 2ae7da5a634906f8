import { readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetryableError, TransientError } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';
import { dbExecutor } from '../src/index.js';
import type { DbStepConfigInput } from '../src/index.js';
import { createMysqlTestDatabase } from './mysql-helpers.js';
import { TRICKY_VALUES } from './tricky-values.js';
import { closedPort, startWireCapture } from './wire-capture.js';

let db: Awaited<ReturnType<typeof createMysqlTestDatabase>>;
const ex = dbExecutor();

beforeAll(async () => {
  db = await createMysqlTestDatabase();
  await db.conn.query('CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(255) NOT NULL, UNIQUE KEY uq_v (v)) ENGINE=InnoDB');
});
afterAll(async () => {
  await ex.close();
  await db?.drop();
});

const step = (c: Omit<DbStepConfigInput, 'database_type'>, url = db.url) =>
  ex.config.parse({ database_type: 'mysql', ...(c.connection ? {} : { connection_string: url }), ...c });

async function runningWithMarker(marker: string): Promise<number> {
  const [rows] = await db.conn.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%', ?, '%') AND ID <> CONNECTION_ID()", [marker]);
  return Number((rows as Array<{ n: number }>)[0]!.n);
}

describe('mysql executor (real MariaDB)', () => {
  it('binds tricky values: verbatim round trip, and no value ever appears in the SQL text on the wire', async () => {
    const u = new URL(db.url);
    const proxy = await startWireCapture('mysql', u.hostname, Number(u.port || 3306));
    const local = dbExecutor();
    try {
      u.port = String(proxy.port);
      const ctx = await createTestStepContext();
      const marks = TRICKY_VALUES.map(() => '(?)').join(', ');
      const ins = await local.execute(local.config.parse({ database_type: 'mysql', connection_string: u.toString(), query: `INSERT INTO items (v) VALUES ${marks}`, parameters: TRICKY_VALUES }), ctx);
      expect(ins.affected_rows).toBe(TRICKY_VALUES.length);
      for (const value of TRICKY_VALUES) {
        const out = await local.execute(local.config.parse({ database_type: 'mysql', connection_string: u.toString(), query: 'SELECT v, CHAR_LENGTH(v) AS len FROM items WHERE v = ?', parameters: [value] }), ctx);
        expect(out.rows).toEqual([{ v: value, len: [...value].length }]);
      }
      // mysql2 prepares each text once per connection and re-executes it: 2 texts, 10 executions.
      expect(proxy.sqlTexts.some((t) => t.startsWith('INSERT INTO items'))).toBe(true);
      expect(proxy.sqlTexts).toContain('SELECT v, CHAR_LENGTH(v) AS len FROM items WHERE v = ?');
      expect(proxy.bindPayloads.length).toBeGreaterThanOrEqual(TRICKY_VALUES.length + 1);
      for (const value of TRICKY_VALUES) {
        for (const text of proxy.sqlTexts) expect(text.includes(value), `SQL text ${JSON.stringify(text)} contains ${JSON.stringify(value)}`).toBe(false);
        expect(proxy.bindPayloads.some((b) => b.includes(Buffer.from(value, 'utf8')))).toBe(true);
      }
    } finally {
      await local.close();
      await proxy.close();
    }
  });

  it('returns plain JSON (BIGINT beyond 2^53 and DECIMAL as strings, DATETIME as server text, BLOB as base64)', async () => {
    const out = await ex.execute(
      step({ query: "SELECT CAST(9007199254740993 AS SIGNED) AS big, CAST(7 AS SIGNED) AS small, CAST(12.50 AS DECIMAL(10,2)) AS amount, CAST('2024-02-29 10:00:00' AS DATETIME) AS ts, CAST('2024-02-29' AS DATE) AS d, UNHEX('DEADBEEF') AS bin, ? AS doc, NULL AS nothing", parameters: [{ a: 1 }] }),
      await createTestStepContext(),
    );
    expect(out.rows).toEqual([{ big: '9007199254740993', small: 7, amount: '12.50', ts: '2024-02-29 10:00:00', d: '2024-02-29', bin: '3q2+7w==', doc: '{"a":1}', nothing: null }]);
    expect(out.fields.map((f) => f.name)).toEqual(['big', 'small', 'amount', 'ts', 'd', 'bin', 'doc', 'nothing']);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('calls a stored procedure with bound parameters (CALL name(?, …)) and returns its result set', async () => {
    await db.conn.query("CREATE PROCEDURE add_item(IN p_v VARCHAR(255)) BEGIN INSERT INTO items (v) VALUES (p_v); SELECT id, v FROM items WHERE v = p_v; END");
    const value = "proc 'value'; -- \\ Nguyễn";
    const out = await ex.execute(step({ query_type: 'stored_procedure', procedure_name: `${db.name}.add_item`, parameters: [value] }), await createTestStepContext());
    expect(out.rows).toHaveLength(1);
    expect(out.rows![0]!.v).toBe(value);
    const [rows] = await db.conn.query('SELECT v FROM items WHERE v = ?', [value]);
    expect(rows).toEqual([{ v: value }]);
  });

  it('runs statements in one transaction and rolls all back when one fails', async () => {
    const first = `tx-first-${randomUUID()}`;
    const err = await ex
      .execute(step({ statements: [{ query: 'INSERT INTO items (v) VALUES (?)', parameters: [first] }, { query: 'INSERT INTO no_such_table (v) VALUES (?)', parameters: ['x'] }] }), await createTestStepContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err).toMatchObject({ code: 'DB_UNDEFINED_OBJECT', details: { errno: 1146 } });
    const [gone] = await db.conn.query('SELECT COUNT(*) AS n FROM items WHERE v = ?', [first]);
    expect(Number((gone as Array<{ n: number }>)[0]!.n)).toBe(0);

    const ok = await ex.execute(step({ transaction: true, statements: [{ query: 'INSERT INTO items (v) VALUES (?)', parameters: [first] }] }), await createTestStepContext());
    expect(ok.affected_rows).toBe(1);
    const [kept] = await db.conn.query('SELECT COUNT(*) AS n FROM items WHERE v = ?', [first]);
    expect(Number((kept as Array<{ n: number }>)[0]!.n)).toBe(1);
  });

  it('statement timeout kills SELECT SLEEP(10) on the server (retryable) and the query is gone', async () => {
    const marker = `vecron_timeout_${randomUUID().replace(/-/g, '')}`;
    const started = Date.now();
    const err = await ex.execute(step({ query: `SELECT SLEEP(10) /* ${marker} */`, timeout_seconds: 1 }), await createTestStepContext()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(9000);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'DB_STATEMENT_TIMEOUT', retryable: true });
    // The statement errored; allow the server a moment to report the backend idle (a live pg_sleep/SLEEP(10) would stay for seconds).
    await expect.poll(() => runningWithMarker(marker), { timeout: 2000, interval: 50 }).toBe(0);
  });

  it('ctx.signal abort mid-query kills it on the server, rethrows the abort reason, and the query is gone', async () => {
    const marker = `vecron_abort_${randomUUID().replace(/-/g, '')}`;
    const ac = new AbortController();
    const reason = new Error('cancelled by test');
    const run = ex.execute(step({ query: `SELECT SLEEP(10) /* ${marker} */` }), await createTestStepContext({ signal: ac.signal }));
    await expect.poll(() => runningWithMarker(marker), { timeout: 5000 }).toBe(1);
    const started = Date.now();
    ac.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5000);
    // The statement errored; allow the server a moment to report the backend idle (a live pg_sleep/SLEEP(10) would stay for seconds).
    await expect.poll(() => runningWithMarker(marker), { timeout: 2000, interval: 50 }).toBe(0);
  });

  it('classifies errors: syntax / duplicate → non-retryable with errno; refused connection → retryable', async () => {
    const ctx = await createTestStepContext();
    await expect(ex.execute(step({ query: 'SELEC 1' }), ctx)).rejects.toMatchObject({ code: 'DB_SYNTAX_ERROR', retryable: false, details: { errno: 1064, sqlstate: '42000' } });
    const dup = `dup-${randomUUID()}`;
    await ex.execute(step({ query: 'INSERT INTO items (v) VALUES (?)', parameters: [dup] }), ctx);
    await expect(ex.execute(step({ query: 'INSERT INTO items (v) VALUES (?)', parameters: [dup] }), ctx)).rejects.toMatchObject({ code: 'DB_CONSTRAINT_VIOLATION', retryable: false, details: { errno: 1062 } });
    const port = await closedPort();
    const refused = await ex.execute(step({ query: 'SELECT 1' }, `mysql://root@127.0.0.1:${port}/test`), ctx).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused).toMatchObject({ code: 'DB_CONNECTION_FAILED', retryable: true });
  });

  it('enforces max_rows and leaves no query running on the server afterwards', async () => {
    const ctx = await createTestStepContext();
    const marker = `vecron_cap_${randomUUID().replace(/-/g, '')}`;
    await expect(ex.execute(step({ query: `SELECT seq FROM seq_1_to_500000 /* ${marker} */`, max_rows: 100 }), ctx)).rejects.toMatchObject({ code: 'DB_ROW_LIMIT_EXCEEDED', retryable: false });
    // The statement errored; allow the server a moment to report the backend idle (a live pg_sleep/SLEEP(10) would stay for seconds).
    await expect.poll(() => runningWithMarker(marker), { timeout: 2000, interval: 50 }).toBe(0);
    const exact = await ex.execute(step({ query: 'SELECT seq FROM seq_1_to_100', max_rows: 100 }), ctx);
    expect(exact.row_count).toBe(100);
  });

  it('streams 200,000 rows to a CSV file in the file area (row count and size checked)', async () => {
    const ctx = await createTestStepContext();
    const out = await ex.execute(
      step({ query: "SELECT seq AS id, CONCAT('name ', seq, ', \"q\"') AS name, seq * 1.5 AS amount FROM seq_1_to_200000 WHERE seq <= ?", parameters: [200_000], output_to_file: { path: 'exports/big.csv', format: 'csv' } }),
      ctx,
    );
    expect(out.row_count).toBe(200_000);
    const file = out.files![0]!;
    expect(file).toMatchObject({ filename: 'big.csv', row_count: 200_000 });
    expect((await stat(file.path)).size).toBe(file.size);
    const text = await readFile(file.path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(200_001);
    expect(lines[0]).toBe('id,name,amount');
    expect(lines[1]).toBe('1,"name 1, ""q""",1.5');
    expect(lines[200_000]).toBe('200000,"name 200000, ""q""",300000.0');
  });

  it('uses a named connection', async () => {
    const named = dbExecutor({ connections: { shop: { database_type: 'mysql', connection_string: db.url } } });
    try {
      const out = await named.execute(named.config.parse({ database_type: 'mysql', connection: 'shop', query: 'SELECT DATABASE() AS db' }), await createTestStepContext());
      expect(out.rows).toEqual([{ db: db.name }]);
    } finally {
      await named.close();
    }
  });
});
