/**
 * vecron on the embedded default: no database server, no broker. Starts a tiny "core banking"
 * HTTP API on loopback, then runs two multi-step jobs on schedule with outputs flowing between
 * steps, a retry, and reports written as CSV into each execution's file area.
 *
 *   pnpm demo                 # runs until Ctrl-C, keeps its state in ./data/demo
 *   pnpm demo --seconds 20 # stops by itself (used by the smoke test)
 *   pnpm demo --port 0        # dashboard on a random port (default 8080), printed on start
 *
 * The live dashboard (`@vecron/dashboard`) is served on http://127.0.0.1:8080/ WITHOUT sign-in:
 * it is a local demo on loopback, and every page says so. `vecron all` serves it behind sign-in.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import { pino } from 'pino';
import { z } from 'zod';
import { createCronSystem, defineExecutor, TransientError } from '@vecron/sdk';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { createDashboardRouter } from '@vecron/dashboard';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { seconds: { type: 'string' }, 'data-dir': { type: 'string' }, port: { type: 'string' } },
});
const dashboardPort = Number(args.port ?? '8080');
if (!Number.isInteger(dashboardPort) || dashboardPort < 0 || dashboardPort > 65_535) throw new Error(`--port must be 0…65535, got ${args.port}`);
const dataDir = path.resolve(args['data-dir'] ?? 'data/demo');

// 1. A local HTTP API with exchange rates (Vietnamese bank-style data). Every third call fails
//    with 503 so the retry path shows up in the output.
let calls = 0;
const api = createServer((req, res) => {
  calls++;
  if (calls % 3 === 0) {
    res.writeHead(503).end('busy');
    return;
  }
  const rates = [
    { currency: 'USD', buy: 25_310 + (calls % 7), sell: 25_680, bank: 'Ngân hàng Demo Hà Nội' },
    { currency: 'EUR', buy: 27_120 + (calls % 5), sell: 28_540, bank: 'Ngân hàng Demo Hà Nội' },
    { currency: 'JPY', buy: 162, sell: 171, bank: 'Ngân hàng Demo Hà Nội' },
  ];
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ rates, idempotency_key: req.headers['idempotency-key'] }));
});
await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

// 2. A custom executor, declared in ten lines: adds a spread column to the rows it is given.
const spread = defineExecutor({
  type: 'spread',
  config: z.object({ rows: z.array(z.object({ currency: z.string(), buy: z.number(), sell: z.number() }).passthrough()) }),
  async execute({ rows }, ctx) {
    if (ctx.signal.aborted) throw new TransientError('aborted');
    return { rows: rows.map((r) => ({ ...r, spread: r.sell - r.buy })), row_count: rows.length };
  },
});

const cron = createCronSystem({
  dataDir,
  executors: [httpExecutor(), fileExecutor(), spread],
  // The demo prints readable lines from events; log records (errors by default) go through the
  // same printer instead of raw pino JSON between them.
  logger: pino({ level: process.env.LOG_LEVEL ?? 'error' }, { write: (line: string) => printLogRecord(line) }),
  backoff: { baseMs: 500, factor: 2, capMs: 5_000 },
  pollIntervalMs: 250,
});

cron.on('execution.started', ({ execution }) => log(`▶ ${execution.id.slice(0, 8)} started (${execution.triggerSource}, attempt ${execution.attempt})`));
cron.on('execution.step.finished', (e) => log(`  · ${e.executionId.slice(0, 8)} step ${e.stepId}: ${e.status}${e.error ? ` (${e.error.code})` : ''}`));
cron.on('execution.retrying', (e) => log(`  ↻ ${e.executionId.slice(0, 8)} retry in ${e.delayMs} ms`));
cron.on('execution.finished', async (e) => {
  const ex = await cron.executions.get(e.executionId).catch(() => null);
  const file = (ex?.context.steps.report?.output as { files?: Array<{ path: string; row_count: number }> } | undefined)?.files?.[0];
  log(`■ ${e.executionId.slice(0, 8)} ${e.status}${file ? ` → ${file.row_count} rows in ${path.relative(process.cwd(), file.path)}` : ''}`);
});

await cron.start({ worker: { concurrency: 2 } });
await cron.variables.set({ name: 'RATES_API', value: apiUrl });

const jobs: Array<Parameters<typeof cron.jobs.create>[0]> = [
  {
    name: 'demo-exchange-rates',
    description: 'Every 5 s: fetch rates → compute spreads → write a CSV named with the business date',
    schedule: { type: 'fixed_rate', interval_seconds: 5 },
    max_retries: 3,
    allow_concurrent: false,
    steps: [
      { id: 'fetch', type: 'http', config: { method: 'GET', url: '${RATES_API}/rates', timeout_seconds: 5 } },
      { id: 'enrich', type: 'spread', config: { rows: '{{steps.fetch.output.body.rates}}' } },
      {
        id: 'report', type: 'file_processing',
        config: { operation: 'write', format: 'csv', destination_path: "ty-gia-{{ execution_date | date:'yyyyMMdd-HHmmss' }}.csv", data_source: '{{steps.enrich.output.rows}}', options: { bom: true } },
      },
    ],
  },
  {
    name: 'demo-quartz-cron',
    description: 'Quartz cron with seconds, every 10 s in Asia/Ho_Chi_Minh',
    schedule: { type: 'cron', expression: '*/10 * * ? * *', timezone: 'Asia/Ho_Chi_Minh' },
    steps: [
      { id: 'fetch', type: 'http', config: { url: '${RATES_API}/rates' } },
      { id: 'report', type: 'file_processing', config: { operation: 'write', format: 'csv', destination_path: 'usd.csv', data_source: '{{steps.fetch.output.body.rates}}' } },
    ],
  },
];
for (const def of jobs) {
  const existing = await cron.jobs.getByName(def.name);
  const job = existing ? await cron.jobs.update(existing.id, def) : await cron.jobs.create(def);
  const next = await cron.jobs.preview(job.id, 3);
  log(`job ${job.name}: next fires ${next.map((d) => d.toISOString().slice(11, 19)).join(', ')} UTC`);
}
// 3. The live dashboard, on loopback only and without sign-in (a local demo; the page says so).
const app = express();
app.disable('x-powered-by');
app.use('/', createDashboardRouter({ cron, showNoAuthBanner: true }));
const dashboard = app.listen(dashboardPort, '127.0.0.1');
await new Promise<void>((resolve, reject) => {
  dashboard.once('listening', resolve);
  dashboard.once('error', reject);
});
log(`dashboard: http://127.0.0.1:${(dashboard.address() as AddressInfo).port}/ (no sign-in: local demo)`);
log(`vecron demo running on the embedded store in ${path.relative(process.cwd(), dataDir) || '.'} — Ctrl-C to stop`);

const stop = async (): Promise<void> => {
  log('stopping: in-flight executions finish or are handed back…');
  dashboard.closeAllConnections();
  dashboard.close();
  await cron.stop({ graceMs: 5_000 });
  api.close();
  log('stopped');
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
if (args.seconds) setTimeout(() => void stop(), Number(args.seconds) * 1000).unref();

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

/** One pino record as a readable line: `[warn] step failed (code HTTP_SERVER_ERROR, step fetch)`. */
function printLogRecord(line: string): void {
  const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  try {
    const r = JSON.parse(line) as { level: number; msg?: string; code?: string; stepId?: string; executionId?: string; err?: { message?: string } };
    const facts = [r.code && `code ${r.code}`, r.stepId && `step ${r.stepId}`, r.executionId && `execution ${r.executionId.slice(0, 8)}`, r.err?.message].filter(Boolean);
    log(`[${LEVELS[r.level] ?? r.level}] ${r.msg ?? ''}${facts.length ? ` (${facts.join(', ')})` : ''}`);
  } catch {
    log(line.trimEnd());
  }
}
