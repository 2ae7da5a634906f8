/**
 * The example jobs of `examples/jobs/` run end to end on the EMBEDDED store (PGlite in memory, the
 * in-process queue) with the four real executor plugins, against real peers started here:
 * a `node:http` core-banking API, the PostgreSQL server on loopback (a database of its own), and
 * OpenSSH's `sshd` (the executor-sftp test harness). Outputs flow between steps only through
 * `{{steps.<id>.output…}}` templates in the job files; secrets come from sensitive variables.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chown, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem, Execution } from '@vecron/sdk';
import { dbExecutor } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { sftpExecutor } from '@vecron/executor-sftp';
import { testServers } from '@vecron/test-servers';
import { startSshd } from '../../packages/executor-sftp/test/sshd-harness.js';
import type { SshdServer } from '../../packages/executor-sftp/test/sshd-harness.js';
import { startCoreBankingServer } from './helpers/core-banking-server.js';
import type { CoreBankingServer, Order } from './helpers/core-banking-server.js';
import { businessDateOf, clearOfLocalMidnight, ordersOf, statementCsv, statementLinesOf, sumMoney, vnAmountToDecimal } from './helpers/fixtures.js';
import { createTestDatabase } from './helpers/pg-database.js';
import type { TestDatabase } from './helpers/pg-database.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '..');
const PG_URL = testServers().postgres;
const API_TOKEN = randomBytes(24).toString('base64url');

const loadJob = async (file: string): Promise<unknown> => JSON.parse(await readFile(path.join(examples, 'jobs', file), 'utf8')) as unknown;
const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');
const compact = (d: string): string => d.replaceAll('-', '');

/** The output a step left in the execution context (fails the test when the step did not succeed). */
function outputOf<T>(e: Execution, stepId: string): T {
  const s = e.context.steps[stepId];
  expect(s, `step ${stepId} in context`).toBeDefined();
  expect(s?.status, `status of step ${stepId}`).toBe('succeeded');
  return s!.output as T;
}

interface HttpOut { status: number; headers: Record<string, string>; body: unknown }
interface DbOut { rows: Array<Record<string, unknown>>; row_count: number; affected_rows: number; fields: Array<{ name: string; type: string }>; statements?: Array<{ row_count: number; affected_rows: number }> }
interface FileInfo { path: string; filename: string; size: number; row_count: number }
interface FileOut { files: FileInfo[]; row_count: number; data?: Array<Record<string, unknown>> }
interface SftpOut { files: Array<{ filename: string; size: number; remote_path: string; path: string }> }

let sshd: SshdServer;
let db: TestDatabase;
let api: CoreBankingServer;
let cron: CronSystem;
let filesDir: string;
let partnerInbox: string;
let bankOutbox: string;

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(os.tmpdir(), 'vecron-examples-'));
  [sshd, db, api] = await Promise.all([
    startSshd(),
    createTestDatabase(PG_URL, path.join(examples, 'sql', 'schema.sql')),
    startCoreBankingServer(API_TOKEN, ordersOf),
  ]);
  partnerInbox = await sshd.mkdirRemote('partner/inbox');
  bankOutbox = await sshd.mkdirRemote('bank/outbox');

  cron = createCronSystem({
    executors: [httpExecutor(), dbExecutor(), fileExecutor(), sftpExecutor()],
    filesDir,
    encryptionKey: randomBytes(32).toString('hex'),
    dispatchIntervalMs: 100,
    backoff: { baseMs: 200, factor: 2, capMs: 1_000 },
  });
  // Manual triggers only: the jobs' cron schedules must not fire on their own during the test.
  await cron.start({ scheduler: false, worker: { concurrency: 2 } });

  const set = (name: string, value: string, sensitive = false): Promise<void> => cron.variables.set({ name, value, sensitive });
  await Promise.all([
    set('CORE_BANKING_URL', api.url),
    set('CORE_BANKING_TOKEN', API_TOKEN, true),
    set('SETTLEMENT_DB_URL', db.url, true),
    set('STATEMENT_DB_URL', db.url, true),
    set('PARTNER_SFTP_HOST', sshd.host),
    set('PARTNER_SFTP_PORT', String(sshd.port)),
    set('PARTNER_SFTP_USER', sshd.username),
    set('PARTNER_SFTP_PASSWORD', sshd.password, true),
    set('PARTNER_SFTP_HOST_KEY', sshd.hostFingerprint),
    set('PARTNER_SFTP_INBOX', partnerInbox),
    set('BANK_SFTP_HOST', sshd.host),
    set('BANK_SFTP_PORT', String(sshd.port)),
    set('BANK_SFTP_USER', sshd.username),
    set('BANK_SFTP_PRIVATE_KEY', sshd.clientKey, true),
    set('BANK_SFTP_HOST_KEY', sshd.hostFingerprint),
    set('BANK_SFTP_OUTBOX', bankOutbox),
  ]);
}, 60_000);

afterAll(async () => {
  await cron?.stop({ graceMs: 0 });
  await Promise.allSettled([api?.close(), db?.drop(), sshd?.stop()]);
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

describe('examples/jobs on the embedded store against real peers', () => {
  it('sensitive variables are stored encrypted and listed masked', async () => {
    const listed = await cron.variables.list(null);
    const secret = listed.find((v) => v.name === 'PARTNER_SFTP_PASSWORD');
    expect(secret?.sensitive).toBe(true);
    expect(secret?.value).not.toContain(sshd.password);
    expect(listed.find((v) => v.name === 'SETTLEMENT_DB_URL')?.value).not.toContain(db.name);
  });

  it('daily-settlement: HTTP → PostgreSQL → summary → Excel report → partner SFTP → confirmation', async () => {
    const job = await cron.jobs.createFromJson(await loadJob('daily-settlement.json'));
    await clearOfLocalMidnight();
    const { executionId } = await cron.trigger(job.id);
    const e = await cron.executions.wait(executionId, { timeoutMs: 45_000 });
    expect(e.error, JSON.stringify(e.error)).toBeNull();
    expect(e.status).toBe('success');
    // JSONB does not keep key order: compare the set of steps.
    expect(Object.keys(e.context.steps).sort()).toEqual(['confirm', 'fetch_orders', 'load_orders', 'summarize', 'upload_report', 'write_report']);

    const businessDate = businessDateOf(e.startedAt!);
    const orders: Order[] = ordersOf(businessDate);

    // 1. HTTP fetch: the API saw the business date, the bearer token and the step's Idempotency-Key.
    const fetch = outputOf<HttpOut>(e, 'fetch_orders');
    expect(fetch.status).toBe(200);
    expect(fetch.headers['content-type']).toContain('application/json');
    expect(fetch.body).toMatchObject({ business_date: businessDate, count: orders.length, orders });
    const get = api.requests.find((r) => r.method === 'GET' && r.idempotencyKey === `${executionId}:fetch_orders`);
    expect(get?.query).toEqual({ business_date: businessDate, status: 'SETTLED', currency: 'VND' });

    // 2. Load: one transaction, delete + insert; the rows are exactly the orders.
    const load = outputOf<DbOut>(e, 'load_orders');
    expect(load.statements).toEqual([{ row_count: 0, affected_rows: 0 }, { row_count: 0, affected_rows: orders.length }]);
    const stored = await db.query<{ order_id: string; business_date: string; customer_name: string; branch: string; amount: string; currency: string; loaded_by_execution: string }>(
      `SELECT order_id, business_date::text AS business_date, customer_name, branch, amount::text AS amount, currency, loaded_by_execution FROM settlement_orders ORDER BY order_id`,
    );
    expect(stored).toEqual(
      orders.map((o) => ({
        order_id: o.order_id, business_date: businessDate, customer_name: o.customer_name, branch: o.branch,
        amount: o.amount.toFixed(2), currency: o.currency, loaded_by_execution: executionId,
      })),
    );

    // 3. Summary query: per branch, exact decimals as text (pg numeric).
    const summary = outputOf<DbOut>(e, 'summarize');
    const branches = [...new Set(orders.map((o) => o.branch))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const dbSummary = await db.query<{ branch: string; order_count: number; total_amount: string }>(
      `SELECT branch, count(*)::int AS order_count, sum(amount)::text AS total_amount FROM settlement_orders WHERE business_date = $1 GROUP BY branch ORDER BY branch`,
      [businessDate],
    );
    expect(dbSummary.map((r) => r.branch).sort()).toEqual(branches);
    expect(summary.row_count).toBe(branches.length);
    expect(summary.fields.map((f) => f.name)).toEqual(['branch', 'currency', 'order_count', 'total_amount']);
    expect(summary.rows).toEqual(dbSummary.map((r) => ({ branch: r.branch, currency: 'VND', order_count: r.order_count, total_amount: r.total_amount })));
    for (const r of dbSummary) {
      const mine = orders.filter((o) => o.branch === r.branch);
      expect(r.order_count).toBe(mine.length);
      expect(r.total_amount).toBe(sumMoney(mine.map((o) => o.amount)));
    }

    // 4. The Excel report, in the execution's file area, named with the business date.
    const report = outputOf<FileOut>(e, 'write_report');
    const xlsx = report.files[0]!;
    expect(xlsx.filename).toBe(`DOI_SOAT_${compact(businessDate)}.xlsx`);
    expect(xlsx.path).toBe(path.join(filesDir, 'jobs', job.id, 'executions', executionId, 'reports', xlsx.filename));
    expect(xlsx.size).toBe((await stat(xlsx.path)).size);
    expect(xlsx.row_count).toBe(dbSummary.length);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx.path);
    const sheet = wb.getWorksheet('Tổng hợp');
    expect(sheet, 'worksheet "Tổng hợp"').toBeDefined();
    const cells = (n: number): unknown[] => (sheet!.getRow(n).values as unknown[]).slice(1);
    expect(cells(1)).toEqual(['Chi nhánh', 'Loại tiền', 'Số giao dịch', 'Tổng tiền']);
    expect(sheet!.actualRowCount).toBe(1 + dbSummary.length);
    dbSummary.forEach((r, i) => {
      const [branch, currency, count, total] = cells(i + 2);
      expect(branch).toBe(r.branch);
      expect(currency).toBe('VND');
      expect(count).toBe(r.order_count);
      expect(total).toBe(Number(r.total_amount)); // a number cell, thanks to the type_conversion to decimal
      expect((total as number).toFixed(2)).toBe(r.total_amount);
    });

    // 5. SFTP upload: the same bytes under the business-date name in the partner's dated inbox.
    const upload = outputOf<SftpOut>(e, 'upload_report');
    const [y, m] = businessDate.split('-');
    const remote = path.join(partnerInbox, 'settlement', y!, m!, xlsx.filename);
    expect(upload.files).toEqual([{ filename: xlsx.filename, size: xlsx.size, remote_path: remote, path: xlsx.path }]);
    expect((await stat(remote)).size).toBe(xlsx.size);
    expect(await sha256(remote)).toBe(await sha256(xlsx.path));

    // 6. Confirmation back to core banking, built from the outputs of four earlier steps.
    const confirm = outputOf<HttpOut>(e, 'confirm');
    expect(confirm.status).toBe(201);
    const post = api.requests.find((r) => r.method === 'POST' && r.idempotencyKey === `${executionId}:confirm`);
    expect(post?.path).toBe(`/v1/settlements/${businessDate}/confirmations`);
    expect(post?.body).toEqual({
      business_date: businessDate, order_count: orders.length, branch_count: dbSummary.length,
      report_file: xlsx.filename, report_size: xlsx.size, remote_path: remote,
    });
    expect(confirm.body).toMatchObject({ received: post?.body });
  });

  it('statement-import: SFTP wildcard download → CSV read/transform/filter → PostgreSQL', async () => {
    const job = await cron.jobs.createFromJson(await loadJob('statement-import.json'));
    await clearOfLocalMidnight();
    const businessDate = businessDateOf(new Date());
    const lines = statementLinesOf(businessDate);
    const fileName = `SAO_KE_${compact(businessDate)}_01.csv`;
    const place = async (name: string, content: string): Promise<void> => {
      const p = path.join(bankOutbox, name);
      await writeFile(p, content);
      await chown(p, sshd.uid, sshd.gid);
    };
    await place(fileName, statementCsv(lines));
    // Neighbours the wildcard must not pick: the day before, and another file type of the same day.
    const dayBefore = businessDateOf(new Date(Date.parse(`${businessDate}T12:00:00+07:00`)));
    await place(`SAO_KE_${compact(dayBefore)}_01.csv`, statementCsv(statementLinesOf(dayBefore)));
    await place(`SAO_KE_${compact(businessDate)}_01.txt`, 'not a statement');

    const { executionId } = await cron.trigger(job.id);
    const e = await cron.executions.wait(executionId, { timeoutMs: 45_000 });
    expect(e.error, JSON.stringify(e.error)).toBeNull();
    expect(e.status).toBe('success');
    expect(businessDateOf(e.startedAt!)).toBe(businessDate);
    expect(Object.keys(e.context.steps).sort()).toEqual(['download', 'load', 'read', 'totals']);

    const download = outputOf<SftpOut>(e, 'download');
    const localCsv = path.join(filesDir, 'jobs', job.id, 'executions', executionId, 'statements', fileName);
    expect(download.files).toEqual([{ filename: fileName, size: Buffer.byteLength(statementCsv(lines)), remote_path: path.join(bankOutbox, fileName), path: localCsv }]);
    expect(await sha256(localCsv)).toBe(await sha256(path.join(bankOutbox, fileName)));

    const kept = lines.filter((l) => l.status === 'Thành công' && Number(vnAmountToDecimal(l.amount)) > 0);
    expect(kept.length).toBe(3);
    const read = outputOf<FileOut>(e, 'read');
    expect(read.row_count).toBe(kept.length);
    expect(read.files).toEqual([expect.objectContaining({ path: localCsv, filename: fileName, row_count: kept.length })]);
    expect(read.data?.map((r) => [r.transaction_ref, r.counterparty, r.description, r.status])).toEqual(kept.map((l) => [l.ref, l.counterparty, l.description, l.status]));

    const load = outputOf<DbOut>(e, 'load');
    expect(load.statements).toEqual([{ row_count: 0, affected_rows: 0 }, { row_count: 0, affected_rows: kept.length }]);
    const stored = await db.query<{ transaction_ref: string; value_date: string; account_no: string; counterparty: string; description: string; amount: string; source_file: string; loaded_by_execution: string }>(
      `SELECT transaction_ref, value_date::text AS value_date, account_no, counterparty, description, amount::text AS amount, source_file, loaded_by_execution FROM bank_statement_lines ORDER BY transaction_ref`,
    );
    expect(stored).toEqual(
      kept.map((l) => ({
        transaction_ref: l.ref, value_date: businessDate, account_no: l.account, counterparty: l.counterparty, description: l.description,
        amount: vnAmountToDecimal(l.amount), source_file: fileName, loaded_by_execution: executionId,
      })),
    );

    const totals = outputOf<DbOut>(e, 'totals');
    expect(totals.rows).toEqual([{
      line_count: kept.length, total_amount: sumMoney(kept.map((l) => vnAmountToDecimal(l.amount))),
      first_value_date: businessDate, last_value_date: businessDate,
    }]);
  });
});
