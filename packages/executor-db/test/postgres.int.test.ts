import { readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitOpenError, NonRetryableError, PathEscapeError, TransientError } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';
import { dbExecutor } from '../src/index.js';
import type { DbStepConfigInput } from '../src/index.js';
import { createPgTestDatabase } from './pg-helpers.js';
import { TRICKY_VALUES } from './tricky-values.js';
import { closedPort, startWireCapture } from './wire-capture.js';


let db: Awaited<ReturnType<typeof createPgTestDatabase>>;
const ex = dbExecutor({ connections: { main: { database_type: 'postgresql', connection_string: 'postgres://unused@127.0.0.1:1/unused' } } });

beforeAll(async () => {
  db = await createPgTestDatabase();
  await db.query('CREATE TABLE items (id serial PRIMARY KEY, v text NOT NULL UNIQUE)');
});
afterAll(async () => {
  await ex.close();
  await db?.drop();
});

const step = (c: Omit<DbStepConfigInput, 'database_type'>, url = db.url) =>
  ex.config.parse({ database_type: 'postgresql', ...(c.connection ? {} : { connection_string: url }), ...c });

async function activeWithMarker(marker: string): Promise<number> {
  const r = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()", [marker]);
  return r.rows[0].n as number;
}

describe('postgresql executor (real server)', () => {
  it('binds tricky values: verbatim round trip, and no value ever appears in the SQL text on the wire', async () => {
    const proxy = await startWireCapture('postgresql', '127.0.0.1', Number(new URL(db.url).port || 5432));
    const local = dbExecutor();
    try {
      const u = new URL(db.url);
      u.port = String(proxy.port);
      const ctx = await createTestStepContext();
      const marks = TRICKY_VALUES.map((_, i) => `($${i + 1})`).join(', ');
      const ins = await local.execute(local.config.parse({ database_type: 'postgresql', connection_string: u.toString(), query: `INSERT INTO items (v) VALUES ${marks}`, parameters: TRICKY_VALUES }), ctx);
      expect(ins.affected_rows).toBe(TRICKY_VALUES.length);
      for (const value of TRICKY_VALUES) {
        const out = await local.execute(local.config.parse({ database_type: 'postgresql', connection_string: u.toString(), query: 'SELECT v, length(v) AS len FROM items WHERE v = $1', parameters: [value] }), ctx);
        expect(out.rows).toEqual([{ v: value, len: [...value].length }]);
      }
      expect(proxy.sqlTexts.length).toBeGreaterThan(TRICKY_VALUES.length);
      for (const value of TRICKY_VALUES) {
        for (const text of proxy.sqlTexts) expect(text.includes(value), `SQL text ${JSON.stringify(text)} contains ${JSON.stringify(value)}`).toBe(false);
        // …and the value did travel, in a Bind message.
        expect(proxy.bindPayloads.some((b) => b.includes(Buffer.from(value, 'utf8')))).toBe(true);
      }
    } finally {
      await local.close();
      await proxy.close();
    }
  });

  it('returns rows, fields and plain-JSON values (bigint/numeric → string, date → text, timestamptz → ISO, bytea → base64)', async () => {
    const out = await ex.execute(
      step({ query: "SELECT $1::int8 AS big, 12.50::numeric AS amount, DATE '2024-02-29' AS d, TIMESTAMP '2024-01-01 10:00:00' AS ts, TIMESTAMPTZ '2024-01-01 10:00:00+07' AS tz, '\\xdeadbeef'::bytea AS bin, $2::jsonb AS doc, true AS ok, NULL::text AS nothing", parameters: ['9007199254740993', { a: [1, 'x'] }] }),
      await createTestStepContext(),
    );
    expect(out.rows).toEqual([{ big: '9007199254740993', amount: '12.50', d: '2024-02-29', ts: '2024-01-01 10:00:00', tz: '2024-01-01T03:00:00.000Z', bin: '3q2+7w==', doc: { a: [1, 'x'] }, ok: true, nothing: null }]);
    expect(out.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['big:int8', 'amount:numeric', 'd:date', 'ts:timestamp', 'tz:timestamptz', 'bin:bytea', 'doc:jsonb', 'ok:bool', 'nothing:text']);
    expect(out.row_count).toBe(1);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('calls a stored procedure with bound parameters (CALL name($1, …))', async () => {
    await db.query("CREATE PROCEDURE add_item(p_v text, INOUT p_id int DEFAULT NULL) LANGUAGE plpgsql AS $$ BEGIN INSERT INTO items (v) VALUES (p_v) RETURNING id INTO p_id; END $$");
    const value = "proc 'value'; --";
    const out = await ex.execute(step({ query_type: 'stored_procedure', procedure_name: 'public.add_item', parameters: [value, null] }), await createTestStepContext());
    const id = out.rows![0]!.p_id;
    expect(typeof id).toBe('number');
    const check = await db.query('SELECT v FROM items WHERE id = $1', [id]);
    expect(check.rows).toEqual([{ v: value }]);
  });

  it('runs statements in one transaction and rolls all back when one fails', async () => {
    const first = `tx-first-${randomUUID()}`;
    const err = await ex
      .execute(step({ statements: [{ query: 'INSERT INTO items (v) VALUES ($1)', parameters: [first] }, { query: 'INSERT INTO no_such_table (v) VALUES ($1)', parameters: ['x'] }] }), await createTestStepContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect((err as NonRetryableError).code).toBe('DB_UNDEFINED_OBJECT');
    expect((await db.query('SELECT count(*)::int AS n FROM items WHERE v = $1', [first])).rows[0].n).toBe(0);

    const ok = await ex.execute(
      step({ statements: [{ query: 'INSERT INTO items (v) VALUES ($1)', parameters: [first] }, { query: 'SELECT v FROM items WHERE v = $1', parameters: [first] }] }),
      await createTestStepContext(),
    );
    expect(ok.statements).toEqual([{ row_count: 0, affected_rows: 1 }, { row_count: 1, affected_rows: 0 }]);
    expect(ok.rows).toEqual([{ v: first }]);
    expect((await db.query('SELECT count(*)::int AS n FROM items WHERE v = $1', [first])).rows[0].n).toBe(1);
  });

  it('statement timeout cancels pg_sleep(10) on the server (retryable) and the query is gone', async () => {
    const marker = `vecron_timeout_${randomUUID().replace(/-/g, '')}`;
    const started = Date.now();
    const err = await ex.execute(step({ query: `SELECT pg_sleep(10) /* ${marker} */`, timeout_seconds: 1 }), await createTestStepContext()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(9000);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).code).toBe('DB_STATEMENT_TIMEOUT');
    expect((err as TransientError).details).toMatchObject({ sqlstate: '57014' });
    // The statement errored; allow the server a moment to report the backend idle (a live pg_sleep/SLEEP(10) would stay for seconds).
    await expect.poll(() => activeWithMarker(marker), { timeout: 2000, interval: 50 }).toBe(0);
  });

  it('ctx.signal abort mid-query cancels it on the server, rethrows the abort reason, and the query is gone', async () => {
    const marker = `vecron_abort_${randomUUID().replace(/-/g, '')}`;
    const ac = new AbortController();
    const reason = new Error('cancelled by test');
    const run = ex.execute(step({ query: `SELECT pg_sleep(10) /* ${marker} */` }), await createTestStepContext({ signal: ac.signal }));
    await expect.poll(() => activeWithMarker(marker), { timeout: 5000 }).toBe(1);
    const started = Date.now();
    ac.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5000);
    // The statement errored; allow the server a moment to report the backend idle (a live pg_sleep/SLEEP(10) would stay for seconds).
    await expect.poll(() => activeWithMarker(marker), { timeout: 2000, interval: 50 }).toBe(0);
  });

  it('classifies errors: syntax / unique violation → non-retryable with SQLSTATE; refused connection → retryable', async () => {
    const ctx = await createTestStepContext();
    const syntax = await ex.execute(step({ query: 'SELEC 1' }), ctx).catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(NonRetryableError);
    expect(syntax).toMatchObject({ code: 'DB_SYNTAX_ERROR', retryable: false, details: { sqlstate: '42601' } });

    const dup = `dup-${randomUUID()}`;
    await ex.execute(step({ query: 'INSERT INTO items (v) VALUES ($1)', parameters: [dup] }), ctx);
    const unique = await ex.execute(step({ query: 'INSERT INTO items (v) VALUES ($1)', parameters: [dup] }), ctx).catch((e: unknown) => e);
    expect(unique).toMatchObject({ code: 'DB_CONSTRAINT_VIOLATION', retryable: false, details: { sqlstate: '23505' } });

    const port = await closedPort();
    const refused = await ex.execute(step({ query: 'SELECT 1' }, `postgres://postgres@127.0.0.1:${port}/postgres`), ctx).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused).toMatchObject({ code: 'DB_CONNECTION_FAILED', retryable: true, details: { driver_code: 'ECONNREFUSED' } });
  });

  it('opens the circuit of a connection after repeated retryable failures, not after permanent ones', async () => {
    const local = dbExecutor({ circuitFailureThreshold: 2, circuitResetMs: 60_000 });
    try {
      const ctx = await createTestStepContext();
      for (let i = 0; i < 3; i++) {
        await expect(local.execute(local.config.parse({ database_type: 'postgresql', connection_string: db.url, query: 'SELEC 1' }), ctx)).rejects.toBeInstanceOf(NonRetryableError);
      }
      const port = await closedPort();
      const down = local.config.parse({ database_type: 'postgresql', connection_string: `postgres://postgres@127.0.0.1:${port}/postgres`, query: 'SELECT 1' });
      await expect(local.execute(down, ctx)).rejects.toMatchObject({ code: 'DB_CONNECTION_FAILED' });
      await expect(local.execute(down, ctx)).rejects.toMatchObject({ code: 'DB_CONNECTION_FAILED' });
      await expect(local.execute(down, ctx)).rejects.toBeInstanceOf(CircuitOpenError);
      // The healthy database has its own breaker.
      await expect(local.execute(local.config.parse({ database_type: 'postgresql', connection_string: db.url, query: 'SELECT 1 AS one' }), ctx)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      await local.close();
    }
  });

  it('enforces max_rows (and the plugin default) with a non-retryable error that names output_to_file', async () => {
    const ctx = await createTestStepContext();
    const over = await ex.execute(step({ query: 'SELECT g FROM generate_series(1, 101) g', max_rows: 100 }), ctx).catch((e: unknown) => e);
    expect(over).toMatchObject({ code: 'DB_ROW_LIMIT_EXCEEDED', retryable: false });
    expect((over as Error).message).toContain('output_to_file');
    const exact = await ex.execute(step({ query: 'SELECT g FROM generate_series(1, 100) g', max_rows: 100 }), ctx);
    expect(exact.row_count).toBe(100);
    expect(exact.rows!.at(-1)).toEqual({ g: 100 });

    const capped = dbExecutor({ maxRows: 5 });
    try {
      await expect(capped.execute(capped.config.parse({ database_type: 'postgresql', connection_string: db.url, query: 'SELECT g FROM generate_series(1, 6) g' }), ctx)).rejects.toMatchObject({ code: 'DB_ROW_LIMIT_EXCEEDED' });
      // The connection is still usable after the capped read.
      await expect(capped.execute(capped.config.parse({ database_type: 'postgresql', connection_string: db.url, query: 'SELECT 1 AS one' }), ctx)).resolves.toMatchObject({ row_count: 1 });
    } finally {
      await capped.close();
    }
  });

  it('streams 200,000 rows to a CSV file in the file area (row count and size checked), refusing paths outside it', async () => {
    const ctx = await createTestStepContext();
    const out = await ex.execute(
      step({ query: "SELECT g AS id, 'name ' || g || ', \"q\"' AS name, (g * 1.5)::numeric AS amount FROM generate_series(1, $1::int) g", parameters: [200_000], output_to_file: { path: 'exports/big.csv', format: 'csv' } }),
      ctx,
    );
    expect(out.row_count).toBe(200_000);
    expect(out.rows).toBeUndefined();
    const file = out.files![0]!;
    expect(file).toMatchObject({ filename: 'big.csv', row_count: 200_000 });
    expect(file.path).toBe(await ctx.files.resolve('exports/big.csv'));
    expect((await stat(file.path)).size).toBe(file.size);
    const text = await readFile(file.path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(200_001);
    expect(lines[0]).toBe('id,name,amount');
    expect(lines[1]).toBe('1,"name 1, ""q""",1.5');
    expect(lines[200_000]).toBe('200000,"name 200000, ""q""",300000.0');
    expect(Buffer.byteLength(text)).toBe(file.size);

    await expect(ex.execute(step({ query: 'SELECT 1', output_to_file: { path: '../escape.csv', format: 'csv' } }), ctx)).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('uses a named connection and reuses its pool across steps', async () => {
    const named = dbExecutor({ connections: { reports: { database_type: 'postgresql', connection_string: db.url, pool: { max: 2 } } } });
    try {
      const ctx = await createTestStepContext();
      const pids = new Set<unknown>();
      for (let i = 0; i < 5; i++) {
        const out = await named.execute(named.config.parse({ database_type: 'postgresql', connection: 'reports', query: 'SELECT pg_backend_pid() AS pid, current_database() AS db' }), ctx);
        expect(out.rows![0]!.db).toBe(db.name);
        pids.add(out.rows![0]!.pid);
      }
      expect(pids.size).toBe(1);
      await expect(named.execute(named.config.parse({ database_type: 'postgresql', connection: 'nope', query: 'SELECT 1' }), ctx)).rejects.toMatchObject({ code: 'DB_UNKNOWN_CONNECTION' });
      await expect(named.execute(named.config.parse({ database_type: 'mysql', connection: 'reports', query: 'SELECT 1' }), ctx)).rejects.toMatchObject({ code: 'DB_UNKNOWN_CONNECTION' });
    } finally {
      await named.close();
      await named.close();
    }
  });

  it('refuses a parameter count that does not fit the placeholders before reaching the server', async () => {
    const err = await ex.execute(step({ query: 'SELECT $1::text, $2::text', parameters: ['only one'] }), await createTestStepContext()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DB_PLACEHOLDER_MISMATCH', retryable: false, details: { expected: 2, given: 1 } });
  });
});
