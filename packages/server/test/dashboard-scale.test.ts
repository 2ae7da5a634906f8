import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDashboardRouter } from '@vecron/dashboard';
import { createCronSystem, parseJobDefinition } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { testExecutors } from './helpers.js';

/*
 * The dashboard at the size of a bank's scheduler: 10,000 jobs and 1,000,000 executions on real
 * PostgreSQL (seeded with generate_series), read only through the cron system's public API. Each
 * page must answer within a generous budget; the times are printed for the record (speed targets
 * belong in benchmarks, not in tight asserts).
 */
const JOBS = 10_000;
const EXECUTIONS = 1_000_000;
const BUDGET_MS = 10_000;
const schema = `dash_scale_${randomUUID().slice(0, 8)}`;

let storage: PostgresStorage;
let cron: CronSystem;
let base: string;
let close: () => Promise<void>;
const sampleJob: { id: string; name: string } = { id: '', name: '' };

beforeAll(async () => {
  storage = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 4 });
  const template = parseJobDefinition({
    name: 'template', description: 'nightly settlement batch', tags: ['batch'],
    schedule: { type: 'cron', expression: '0 0 2 * * ?', timezone: 'Asia/Ho_Chi_Minh' },
    steps: [{ id: 'say', type: 'echo', config: { message: 'x' } }],
  });
  // The seed runs longer than the pool's statement timeout: one client without it.
  const pool = await storage.pool.connect();
  await pool.query('SET statement_timeout = 0');
  const started = Date.now();
  await pool.query(
    `INSERT INTO vecron_jobs (id, name, definition, enabled, version, created_at, updated_at)
     SELECT gen_random_uuid(), 'job-' || lpad(i::text, 5, '0'),
            jsonb_set(jsonb_set($1::jsonb, '{name}', to_jsonb('job-' || lpad(i::text, 5, '0'))), '{tags}', jsonb_build_array('batch', 'team-' || (i % 50))),
            i % 10 <> 0, 1, now() - interval '60 days', now() - interval '60 days'
     FROM generate_series(1, $2::int) AS i`,
    [JSON.stringify(template), JOBS],
  );
  await pool.query(`INSERT INTO vecron_schedules (job_id, next_fire_at, anchor_at) SELECT id, now() + interval '1 day', created_at FROM vecron_jobs`);
  // Executions spread over 30 days, newest first by i; 1 % failed, 0.2 % dead letters, the rest success.
  await pool.query(
    `WITH j AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM vecron_jobs)
     INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, trigger_metadata, context, available_at, created_at, started_at, finished_at, error)
     SELECT gen_random_uuid(), j.id, 'seed:' || i,
            CASE WHEN i % 500 = 0 THEN 'dead_letter' WHEN i % 100 = 0 THEN 'failed' ELSE 'success' END,
            'scheduled', '{}'::jsonb, '{"steps":{}}'::jsonb,
            now() - (i * interval '2.5 seconds'), now() - (i * interval '2.5 seconds'), now() - (i * interval '2.5 seconds'), now() - (i * interval '2.5 seconds') + interval '3 seconds',
            CASE WHEN i % 100 = 0 THEN jsonb_build_object('name', 'StepError', 'code', CASE WHEN i % 300 = 0 THEN 'TIMEOUT' ELSE 'HTTP_502' END, 'message', 'upstream failed', 'retryable', false) END
     FROM generate_series($1::int, $2::int) AS i JOIN j ON j.n = i % $3::int`,
    [1, EXECUTIONS, JOBS],
  );
  await pool.query('ANALYZE');
  pool.release();
  process.stdout.write(`seeded ${JOBS} jobs and ${EXECUTIONS} executions in ${Date.now() - started} ms\n`);
  const { rows } = await storage.pool.query<{ id: string; name: string }>(`SELECT id, name FROM vecron_jobs WHERE name = 'job-04242'`);
  Object.assign(sampleJob, rows[0]);

  cron = createCronSystem({ storage, executors: testExecutors() });
  const app = express();
  app.use('/dash', createDashboardRouter({ cron, onError: (err) => process.stderr.write(`dashboard error: ${String(err)}\n`) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dash`;
  close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
}, 600_000);

afterAll(async () => {
  await close?.();
  await storage?.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  // Stopping the cron system closes its store.
  await cron?.stop({ graceMs: 0 });
});

const timed = async (path: string): Promise<{ ms: number; text: string }> => {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  const ms = Math.round(performance.now() - t0);
  expect(res.status, path).toBe(200);
  return { ms, text };
};
const rowsOf = (h: string, attr: string): string[] => [...h.matchAll(new RegExp(`<tr data-${attr}="([^"]+)"`, 'g'))].map((m) => m[1]!);

it(`pages stay usable at ${JOBS} jobs and ${EXECUTIONS} executions (times reported)`, async () => {
  const times: Array<[string, number]> = [];
  const check = async (label: string, path: string, rows?: { attr: string; min: number }): Promise<string> => {
    await timed(path); // warm the plan cache once; the second answer is the one reported
    const { ms, text } = await timed(path);
    times.push([label, ms]);
    if (rows) expect(rowsOf(text, rows.attr).length, label).toBeGreaterThanOrEqual(rows.min);
    expect(ms, label).toBeLessThan(BUDGET_MS);
    return text;
  };
  await check('jobs page 1 (50 rows, next fires, last run, counters)', '/', { attr: 'job-id', min: 50 });
  await check('jobs page 150 (offset 7450)', '/?page=150', { attr: 'job-id', min: 50 });
  const found = await check('jobs search by name', '/?q=job-0424', { attr: 'job-id', min: 10 });
  expect(rowsOf(found, 'job-id')).toContain(sampleJob.id);
  await check('jobs search by tag, disabled only', '/?q=team-10&enabled=false', { attr: 'job-id', min: 10 });
  await check('job typeahead', '/fragments/job-options?job=job-0424');
  await check('executions page 1', '/executions', { attr: 'execution-id', min: 25 });
  await check('executions status=failed', '/executions?status=failed', { attr: 'execution-id', min: 25 });
  await check('executions of one job', `/executions?job=${sampleJob.id}`, { attr: 'execution-id', min: 25 });
  await check('executions of one job by name, failed', `/executions?job=${sampleJob.name}&status=success`, { attr: 'execution-id', min: 25 });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 10 * 86_400_000));
  await check('executions of one day (date range)', `/executions?from=${today}&to=${today}`, { attr: 'execution-id', min: 25 });
  // 40 pages deep by keyset: the 40th answers like the first.
  let path = '/executions?status=success';
  for (let i = 0; i < 40; i++) {
    const { text } = await timed(path);
    path = /rel="next" href="\/dash([^"]+)"/.exec(text)![1]!.replace(/&amp;/g, '&');
  }
  await check('executions page 41 by keyset', path, { attr: 'execution-id', min: 25 });
  await check('dead letters (open, not replayed)', '/dead-letters', { attr: 'execution-id', min: 25 });
  await check('counters', '/fragments/counters');
  await check('job detail (explain, ledger, recent runs, history grid and charts)', `/jobs/${sampleJob.id}`);
  await check('job detail, failure rate over 30 days', `/jobs/${sampleJob.id}?days=30`);
  const night = await check('timeline of last night (Gantt, 200 job rows)', '/timeline');
  expect(night).toContain('data-testid="gantt"');
  await check('upcoming fires, 7 days (explain of 300 enabled jobs)', '/upcoming?days=7');
  process.stdout.write(`dashboard at ${JOBS} jobs / ${EXECUTIONS} executions (PostgreSQL, warm):\n${times.map(([l, ms]) => `  ${String(ms).padStart(5)} ms  ${l}`).join('\n')}\n`);
}, 600_000);
