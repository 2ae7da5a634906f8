/**
 * The three SFTP examples of the migration guide (examples/jobs/sftp-*.json, issue 11) run end to
 * end on the embedded store against OpenSSH's sshd (the executor-sftp test harness: root, a
 * dedicated user, key and password auth, pinned host key) and the test run's PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem, Execution } from '@vecron/sdk';
import { dbExecutor } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { sftpExecutor } from '@vecron/executor-sftp';
import { testServers } from '@vecron/test-servers';
import { startSshd } from '../../packages/executor-sftp/test/sshd-harness.js';
import type { SshdServer } from '../../packages/executor-sftp/test/sshd-harness.js';
import { businessDateOf, clearOfLocalMidnight, localDate } from './helpers/fixtures.js';
import { createTestDatabase } from './helpers/pg-database.js';
import type { TestDatabase } from './helpers/pg-database.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const loadJob = async (file: string): Promise<unknown> => JSON.parse(await readFile(path.join(examples, 'jobs', file), 'utf8')) as unknown;

let sshd: SshdServer;
let db: TestDatabase;
let cron: CronSystem;
let filesDir: string;
const dirs: Record<string, string> = {};

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(os.tmpdir(), 'vecron-migration-sftp-'));
  [sshd, db] = await Promise.all([startSshd(), createTestDatabase(testServers().postgres, path.join(examples, 'sql', 'schema.sql'))]);
  for (const d of ['bank/outbox', 'regulator/inbox', 'supplier/outbox', 'supplier/inbox']) dirs[d] = await sshd.mkdirRemote(d);
  await db.query(`
    CREATE TABLE statement_lines_raw (file_name text NOT NULL, line jsonb NOT NULL);
    CREATE TABLE transactions (branch text NOT NULL, amount numeric NOT NULL, booked_on date NOT NULL);
    CREATE TABLE invoices (invoice_no text PRIMARY KEY, amount numeric NOT NULL);
  `);
  cron = createCronSystem({
    executors: [dbExecutor(), fileExecutor(), sftpExecutor()], filesDir, encryptionKey: randomBytes(32).toString('hex'),
    dispatchIntervalMs: 100, backoff: { baseMs: 100, factor: 2, capMs: 500 },
  });
  await cron.start({ scheduler: false, worker: { concurrency: 2 } });
  const set = (name: string, value: string, sensitive = false): Promise<void> => cron.variables.set({ name, value, sensitive });
  const server = (prefix: string) => [
    set(`${prefix}_SFTP_HOST`, sshd.host), set(`${prefix}_SFTP_PORT`, String(sshd.port)), set(`${prefix}_SFTP_USER`, sshd.username),
    set(`${prefix}_SFTP_HOST_KEY`, sshd.hostFingerprint),
  ];
  await Promise.all([
    ...server('BANK'), ...server('REGULATOR'), ...server('SUPPLIER'),
    set('BANK_SFTP_PRIVATE_KEY', sshd.clientKey, true), set('BANK_SFTP_OUTBOX', dirs['bank/outbox']!),
    set('REGULATOR_SFTP_PASSWORD', sshd.password, true), set('REGULATOR_SFTP_INBOX', dirs['regulator/inbox']!),
    set('SUPPLIER_SFTP_PASSWORD', sshd.password, true), set('SUPPLIER_SFTP_OUTBOX', dirs['supplier/outbox']!), set('SUPPLIER_SFTP_INBOX', dirs['supplier/inbox']!),
    ...['STATEMENT_DB_URL', 'REPORTS_DB_URL', 'INVOICES_DB_URL'].map((n) => set(n, db.url, true)),
  ]);
}, 90_000);

afterAll(async () => {
  await cron?.stop({ graceMs: 0 });
  await Promise.allSettled([db?.drop(), sshd?.stop()]);
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

async function place(dir: string, name: string, content: string): Promise<void> {
  const p = path.join(dirs[dir]!, name);
  await writeFile(p, content);
  await chown(p, sshd.uid, sshd.gid);
}

async function run(file: string): Promise<Execution> {
  const job = await cron.jobs.createFromJson(await loadJob(file));
  const { executionId } = await cron.trigger(job.id);
  const e = await cron.executions.wait(executionId, { timeoutMs: 60_000 });
  expect(e.error, JSON.stringify(e.error)).toBeNull();
  expect(e.status).toBe('success');
  return e;
}

describe('SFTP examples of the migration guide, end to end against sshd', () => {
  it('sftp-download: key auth, wildcard of the business date → read (;) → PostgreSQL', async () => {
    await clearOfLocalMidnight();
    const day = businessDateOf(new Date()).replaceAll('-', '');
    await place('bank/outbox', `SK_${day}_01.csv`, 'account;amount\n0011;1000\n0022;2500\n');
    await place('bank/outbox', 'SK_19990101_01.csv', 'account;amount\n9;9\n');
    await run('sftp-download.json');
    expect(await db.query("SELECT file_name, line->>'account' AS account FROM statement_lines_raw ORDER BY 2")).toEqual([
      { file_name: `SK_${day}_01.csv`, account: '0011' }, { file_name: `SK_${day}_01.csv`, account: '0022' },
    ]);
  });

  it('sftp-upload: totals of the day → Excel → password upload into a new yyyy/MM folder', async () => {
    await clearOfLocalMidnight();
    const today = localDate(new Date());
    await db.query('INSERT INTO transactions VALUES ($1, 100, $3), ($1, 50, $3), ($2, 7, $3)', ['HN01', 'SG01', today]);
    await run('sftp-upload.json');
    const folder = path.join(dirs['regulator/inbox']!, today.slice(0, 4), today.slice(5, 7));
    expect(await readdir(folder)).toEqual([`BAO_CAO_${today.replaceAll('-', '')}.xlsx`]);
  });

  it('sftp-bidirectional: download invoices → save → report → upload back', async () => {
    await clearOfLocalMidnight();
    const day = businessDateOf(new Date()).replaceAll('-', '');
    await place('supplier/outbox', `HD_${day}.csv`, 'invoice_no,amount\nHD-1,1500.50\nHD-2,200\n');
    await run('sftp-bidirectional.json');
    expect(await db.query('SELECT invoice_no, amount::text FROM invoices ORDER BY 1')).toEqual([{ invoice_no: 'HD-1', amount: '1500.50' }, { invoice_no: 'HD-2', amount: '200' }]);
    const back = await readFile(path.join(dirs['supplier/inbox']!, `KET_QUA_${day}.csv`), 'utf8');
    expect(back.trim().split(/\r?\n/)).toEqual(['invoice_no,amount', 'HD-1,1500.50', 'HD-2,200']);
  });
});
