/**
 * g — the first hour of an npm user (issue 12): how long `start()` takes, how long until the first
 * job has run, and the idle resident memory afterwards, for the embedded default (a new data
 * folder, the same folder reopened, in memory) side by side with BullMQ (Queue + Worker ready) and
 * pg-boss (`start()`; its first start in a schema installs it). One process per run, so each starts
 * cold (module imports are timed apart from `start()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pgUrl, REDIS_URL, sleep } from '../lib/env.js';

export interface StartupArgs {
  system: 'vecron-embedded-new-dir' | 'vecron-embedded-reopen' | 'vecron-embedded-memory' | 'bullmq' | 'pg-boss-first' | 'pg-boss-again';
  db: string;
  id: string;
  /** Data folder (vecron reopen) or schema (pg-boss again) prepared by an earlier run. */
  shared?: string;
}

const mb = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;

async function idleRss(): Promise<{ rssMiB: number; peakRssMiB: number }> {
  await sleep(2_000);
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(500);
  const status = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  return { rssMiB: mb(process.memoryUsage().rss), peakRssMiB: mb(hwm) };
}

export async function startup(a: StartupArgs): Promise<Record<string, number>> {
  (globalThis as { gc?: () => void }).gc?.();
  // The harness process before any system is loaded (node + tsx + this scenario), to subtract.
  const baseRssMiB = mb(process.memoryUsage().rss);
  const t0 = performance.now();
  if (a.system.startsWith('vecron')) {
    const { createCronSystem, defineExecutor } = await import('@vecron/sdk');
    const { z } = await import('zod');
    const importMs = performance.now() - t0;
    const noop = defineExecutor({ type: 'noop', config: z.object({}), async execute() { return {}; } });
    const dataDir = a.system === 'vecron-embedded-memory' ? undefined : a.shared ?? mkdtempSync(path.join(os.tmpdir(), 'vecron-bench-startup-'));
    const s0 = performance.now();
    const cron = createCronSystem({ executors: [noop], ...(dataDir ? { dataDir } : {}), dispatchIntervalMs: 100 });
    await cron.start();
    const startMs = performance.now() - s0;
    const job = await cron.jobs.create({ name: `startup-${a.id}`, steps: [{ id: 'a', type: 'noop' }] });
    const done = await cron.executions.wait((await cron.trigger(job.id)).executionId, { timeoutMs: 60_000 });
    const firstJobMs = performance.now() - s0;
    if (done.status !== 'success') throw new Error(`first job ${done.status}`);
    const mem = await idleRss();
    await cron.stop();
    if (dataDir && !a.shared) rmSync(dataDir, { recursive: true, force: true });
    return { importMs, startMs, firstJobMs, ...mem, baseRssMiB, addedRssMiB: Math.round((mem.rssMiB - baseRssMiB) * 10) / 10 };
  }
  if (a.system === 'bullmq') {
    const { Queue, Worker, QueueEvents } = await import('bullmq');
    const importMs = performance.now() - t0;
    const u = new URL(REDIS_URL);
    const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
    const prefix = `vb:${a.id}:startup`;
    const s0 = performance.now();
    const queue = new Queue('startup', { connection, prefix });
    const worker = new Worker('startup', async () => ({}), { connection, prefix });
    const events = new QueueEvents('startup', { connection, prefix });
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady(), events.waitUntilReady()]);
    const startMs = performance.now() - s0;
    const job = await queue.add('noop', {});
    await job.waitUntilFinished(events, 60_000);
    const firstJobMs = performance.now() - s0;
    const mem = await idleRss();
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    return { importMs, startMs, firstJobMs, ...mem, baseRssMiB, addedRssMiB: Math.round((mem.rssMiB - baseRssMiB) * 10) / 10 };
  }
  const { default: PgBoss } = await import('pg-boss');
  const importMs = performance.now() - t0;
  const schema = a.shared ?? `pgboss_startup_${a.id}`;
  const s0 = performance.now();
  const boss = new PgBoss({ connectionString: pgUrl(a.db), schema, schedule: false, supervise: false });
  boss.on('error', () => undefined);
  await boss.start();
  const startMs = performance.now() - s0;
  await boss.createQueue('startup');
  let resolveDone: () => void = () => undefined;
  const ran = new Promise<void>((r) => (resolveDone = r));
  await boss.work('startup', { pollingIntervalSeconds: 0.5 }, async () => resolveDone());
  await boss.send('startup', {});
  await ran;
  const firstJobMs = performance.now() - s0;
  const mem = await idleRss();
  await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
  return { importMs, startMs, firstJobMs, ...mem, baseRssMiB, addedRssMiB: Math.round((mem.rssMiB - baseRssMiB) * 10) / 10 };
}
