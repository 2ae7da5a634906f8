/**
 * The example jobs written for the migration guide (examples/jobs/, issue 11) that need only
 * loopback peers run end to end on the embedded store with the real executors: a `node:http`
 * server standing in for the APIs (OAuth 2.0 token endpoint included) and the PostgreSQL server of
 * the test run (a database of its own), files in a temporary folder allowed to the file executor.
 * The three SFTP examples run in migration-sftp.e2e.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem, Execution } from '@vecron/sdk';
import ExcelJS from 'exceljs';
import { dbExecutor } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { testServers } from '@vecron/test-servers';
import { businessDateOf, clearOfLocalMidnight, localDate } from './helpers/fixtures.js';
import { createTestDatabase } from './helpers/pg-database.js';
import type { TestDatabase } from './helpers/pg-database.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '..');
const loadJob = async (file: string): Promise<unknown> => JSON.parse(await readFile(path.join(examples, 'jobs', file), 'utf8')) as unknown;

interface Seen { method: string; path: string; auth: string; body: unknown }
const seen: Seen[] = [];
const TOKENS = { oauth: randomBytes(12).toString('hex'), risk: randomBytes(12).toString('hex'), hr: randomBytes(12).toString('hex'), api: randomBytes(12).toString('hex') };
const BRANCHES = [{ code: 'HN01', name: 'Hà Nội', province: 'Hà Nội' }, { code: 'SG01', name: 'Sài Gòn', province: 'TP HCM' }];

/** The APIs the examples call, on 127.0.0.1. */
function apiServer(): http.Server {
  return http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization ?? '';
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // form bodies (the OAuth token request) stay text
      }
      seen.push({ method: req.method ?? '', path: url.pathname + url.search, auth, body });
      const send = (status: number, json?: unknown): void => {
        res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      const bearer = (t: string): boolean => auth === `Bearer ${t}`;
      const p = url.pathname;
      if (req.method === 'GET' && p === '/v1/rates' && url.searchParams.get('base') === 'VND') return send(200, { base: 'VND', rates: { USD: 0.0000393 } });
      if (req.method === 'POST' && p === '/oauth/token') {
        return raw.includes('grant_type=client_credentials') && auth.startsWith('Basic ') ? send(200, { access_token: TOKENS.oauth, token_type: 'Bearer', expires_in: 3600 }) : send(401);
      }
      if (req.method === 'GET' && p === '/v2/limits') return bearer(TOKENS.oauth) ? send(200, { limits: [{ card: '9704****1234', limit: 50_000_000 }] }) : send(401);
      if (req.method === 'POST' && p === '/v1/card-limits') return bearer(TOKENS.risk) ? send(201, { ok: true }) : send(401);
      if (req.method === 'GET' && p === '/v1/branches') return bearer(TOKENS.hr) ? send(200, { branches: BRANCHES }) : send(401);
      if (req.method === 'POST' && /^\/v1\/orders\/[^/]+\/paid$/.test(p)) return bearer(TOKENS.api) ? send(204) : send(401);
      if (req.method === 'POST' && p === '/v1/payments/verify') return bearer(TOKENS.api) ? send(200, { verified: true }) : send(401);
      if (req.method === 'POST' && p === '/v1/fulfilments') return bearer(TOKENS.api) ? send(202, { queued: true }) : send(401);
      if (req.method === 'POST' && p === '/sales') return send(204);
      if (req.method === 'POST' && /^\/v1\/periods\/\d{4}-\d{2}\/closed$/.test(p)) return bearer(TOKENS.api) ? send(204) : send(401);
      return send(404, { error: `no route ${req.method} ${p}` });
    });
  });
}

let server: http.Server;
let apiUrl: string;
let db: TestDatabase;
let cron: CronSystem;
let inDir: string;
let filesDir: string;

beforeAll(async () => {
  server = apiServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  db = await createTestDatabase(testServers().postgres, path.join(examples, 'sql', 'schema.sql'));
  await db.query(`
    CREATE TABLE loans (id serial PRIMARY KEY, branch text NOT NULL, due_date date NOT NULL, outstanding numeric NOT NULL, status text NOT NULL);
    INSERT INTO loans (branch, due_date, outstanding, status) VALUES ('HN01', '2020-01-01', 1000000, 'open'), ('HN01', '2020-02-01', 500000, 'open'), ('SG01', '2020-01-01', 700000, 'closed'), ('SG01', '2999-01-01', 1, 'open');
    CREATE TABLE branches (code text PRIMARY KEY, name text NOT NULL, province text NOT NULL);
    CREATE TABLE orders (order_id text PRIMARY KEY, customer_email text, total_amount numeric, status text NOT NULL, payment_id text, paid_at timestamptz);
    INSERT INTO orders VALUES ('ORD-1', 'an@example.vn', 2500000, 'new', NULL, NULL), ('ORD-2', 'binh@example.vn', 100000, 'new', NULL, NULL);
    CREATE TABLE webhook_logs (id serial PRIMARY KEY, execution_id text, request_id text, payload jsonb, status text, processed_at timestamptz);
    CREATE TABLE closed_months (month date PRIMARY KEY);
    CREATE TABLE card_transactions (txn_id text PRIMARY KEY, merchant text NOT NULL, amount numeric NOT NULL);
    CREATE FUNCTION close_month(d date) RETURNS int LANGUAGE sql AS $$ INSERT INTO closed_months VALUES (date_trunc('month', d)) ON CONFLICT DO NOTHING; SELECT 42 $$;
  `);
  inDir = await mkdtemp(path.join(os.tmpdir(), 'vecron-migration-in-'));
  filesDir = await mkdtemp(path.join(os.tmpdir(), 'vecron-migration-files-'));
  cron = createCronSystem({ executors: [httpExecutor(), dbExecutor(), fileExecutor({ allowedRoots: [inDir] })], filesDir, encryptionKey: randomBytes(32).toString('hex'), dispatchIntervalMs: 100, backoff: { baseMs: 100, factor: 2, capMs: 500 } });
  await cron.start({ scheduler: false, worker: { concurrency: 2 } });
  const set = (name: string, value: string, sensitive = false): Promise<void> => cron.variables.set({ name, value, sensitive });
  await Promise.all([
    ...['RATES_API_URL', 'CARD_API_URL', 'RISK_API_URL', 'HR_API_URL', 'ORDER_API_URL', 'PAYMENT_GATEWAY_URL', 'WAREHOUSE_URL', 'GL_API_URL'].map((n) => set(n, apiUrl)),
    set('CARD_TOKEN_URL', `${apiUrl}/oauth/token`), set('CARD_CLIENT_ID', 'vecron'), set('CARD_CLIENT_SECRET', 'client-secret', true),
    set('RISK_API_TOKEN', TOKENS.risk, true), set('HR_API_TOKEN', TOKENS.hr, true),
    ...['ORDER_API_TOKEN', 'PAYMENT_GATEWAY_TOKEN', 'WAREHOUSE_TOKEN', 'GL_API_TOKEN'].map((n) => set(n, TOKENS.api, true)),
    set('SALES_HOOK_URL', `${apiUrl}/sales`),
    set('CARD_SWITCH_DIR', inDir), set('TARGETS_DIR', inDir), set('CARDS_DB_URL', db.url, true),
    ...['LOANS_DB_URL', 'DIRECTORY_DB_URL', 'ORDERS_DB_URL', 'LEDGER_DB_URL'].map((n) => set(n, db.url, true)),
  ]);
}, 60_000);

afterAll(async () => {
  await cron?.stop({ graceMs: 0 });
  await db?.drop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await Promise.all([inDir, filesDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

async function run(file: string, trigger: Parameters<CronSystem['trigger']>[1] = {}): Promise<Execution> {
  const job = await cron.jobs.createFromJson(await loadJob(file));
  const { executionId } = await cron.trigger(job.id, trigger);
  const e = await cron.executions.wait(executionId, { timeoutMs: 45_000 });
  expect(e.error, JSON.stringify(e.error)).toBeNull();
  expect(e.status).toBe('success');
  return e;
}
const out = <T>(e: Execution, step: string): T => e.context.steps[step]!.output as T;

describe('migration examples, end to end on loopback peers', () => {
  it('http-simple: one GET, its body is the output', async () => {
    const e = await run('http-simple.json');
    expect(out<{ status: number; body: unknown }>(e, 'fetch_rates')).toMatchObject({ status: 200, body: { base: 'VND' } });
  });

  it('http-with-auth: OAuth 2.0 client credentials, then a bearer POST carrying the first response', async () => {
    const e = await run('http-with-auth.json');
    expect(out<{ status: number }>(e, 'push_summary').status).toBe(201);
    const post = seen.find((s) => s.path === '/v1/card-limits')!;
    expect(post.body).toMatchObject({ limits: [{ card: '9704****1234', limit: 50_000_000 }] });
  });

  it('database-query: overdue open loans per branch', async () => {
    const e = await run('database-query.json');
    expect(out<{ rows: unknown[] }>(e, 'overdue_by_branch').rows).toEqual([{ branch: 'HN01', overdue_count: 2, outstanding: '1500000' }]);
  });

  it('http-to-database: GET → upsert → count, twice (idempotent)', async () => {
    await run('http-to-database.json');
    const job = (await cron.jobs.getByName('branch-directory-sync'))!;
    const { executionId } = await cron.trigger(job.id);
    const e = await cron.executions.wait(executionId, { timeoutMs: 45_000 });
    expect(e.status).toBe('success');
    expect(out<{ rows: Array<{ total: number }> }>(e, 'count_branches').rows[0]!.total).toBe(2);
    expect(await db.query('SELECT code, name FROM branches ORDER BY code')).toEqual(BRANCHES.map(({ code, name }) => ({ code, name })));
  });

  it('webhook-trigger: the payload marks the order paid and is confirmed', async () => {
    const e = await run('webhook-trigger.json', { source: 'webhook', webhook: { payload: { order_id: 'ORD-1', transaction_id: 'TXN-1', amount: 2500000 } } });
    expect(out<{ rows: unknown[] }>(e, 'mark_paid').rows).toEqual([{ order_id: 'ORD-1', customer_email: 'an@example.vn' }]);
    expect(seen.some((s) => s.path === '/v1/orders/ORD-1/paid' && (s.body as { email?: string }).email === 'an@example.vn')).toBe(true);
  });

  it('webhook-advanced: logs, verifies, marks paid, fulfils with the query priority, notifies, closes the log', async () => {
    const e = await run('webhook-advanced.json', {
      source: 'webhook',
      webhook: { payload: { order_id: 'ORD-2', transaction_id: 'TXN-2', amount: 100000, currency: 'VND' }, headers: { 'x-request-id': 'req-42' }, query_params: { priority: 'high' } },
    });
    expect(Object.keys(e.context.steps).sort()).toEqual(['close_log', 'fulfilment', 'log_receipt', 'mark_paid', 'notify_sales', 'verify_payment']);
    expect(e.context.steps.notify_sales!.status).toBe('succeeded');
    expect(seen.find((s) => s.path === '/v1/fulfilments')!.body).toEqual({ order_id: 'ORD-2', priority: 'high' });
    expect(await db.query("SELECT request_id, status FROM webhook_logs WHERE execution_id = $1", [e.id])).toEqual([{ request_id: 'req-42', status: 'done' }]);
    expect(await db.query("SELECT status, payment_id FROM orders WHERE order_id = 'ORD-2'")).toEqual([{ status: 'paid', payment_id: 'TXN-2' }]);
  });

  it('month-end-business-day: run by hand, it closes the current month and tells the ledger', async () => {
    const e = await run('month-end-business-day.json');
    expect(out<{ rows: unknown[] }>(e, 'close_books').rows).toEqual([{ closed_entries: 42 }]);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM closed_months'))[0]!.n).toBe(1);
    expect(seen.some((s) => /^\/v1\/periods\/\d{4}-\d{2}\/closed$/.test(s.path))).toBe(true);
  });

  it('csv-pipeline: read the business date\'s CSV (renamed, converted, filtered) → load → totals → CSV report', async () => {
    await clearOfLocalMidnight();
    const day = businessDateOf(new Date()).replaceAll('-', '');
    await writeFile(path.join(inDir, `GD_THE_${day}.csv`), [
      'Mã GD,Đơn vị,Số tiền,Trạng thái',
      'T1,Coop Mart,150000.50,APPROVED',
      'T2,Coop Mart,20000,APPROVED',
      'T3,Highlands,45000,DECLINED',
      'T4,Highlands,-5,APPROVED',
      'T5,Highlands,30000,APPROVED',
    ].join('\n'));
    const e = await run('csv-pipeline.json');
    expect(out<{ row_count: number }>(e, 'read_csv').row_count).toBe(3);
    expect(out<{ rows: unknown[] }>(e, 'totals').rows).toEqual([
      { merchant: 'Coop Mart', txn_count: 2, total: '170000.50' },
      { merchant: 'Highlands', txn_count: 1, total: '30000' },
    ]);
    const report = out<{ files: Array<{ path: string; filename: string }> }>(e, 'write_totals').files[0]!;
    expect(report.filename).toBe(`TONG_HOP_THE_${day}.csv`);
    expect((await readFile(report.path, 'utf8')).trim().split(/\r?\n/)).toEqual(['merchant,txn_count,total', 'Coop Mart,2,170000.50', 'Highlands,1,30000']);
  });

  it('excel-processing: read the month\'s targets sheet, keep positive targets, write a cleaned workbook', async () => {
    await clearOfLocalMidnight();
    const month = localDate(new Date()).slice(0, 7).replace('-', '');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Chỉ tiêu');
    ws.addRows([['Chi nhánh', 'Chỉ tiêu'], ['HN01', 1200000000], ['SG01', 0], ['DN01', 800000000.5]]);
    await wb.xlsx.writeFile(path.join(inDir, `CHI_TIEU_${month}.xlsx`));
    const e = await run('excel-processing.json');
    expect(out<{ data: unknown[] }>(e, 'read_targets').data).toEqual([{ branch: 'HN01', target: '1200000000' }, { branch: 'DN01', target: '800000000.5' }]);
    const file = out<{ files: Array<{ path: string }> }>(e, 'write_clean').files[0]!.path;
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(file);
    const sheet = back.getWorksheet('Targets')!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'branch', 'target']);
    expect(sheet.rowCount).toBe(3);
  });
});
