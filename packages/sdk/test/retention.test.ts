import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem, embeddedStorage } from '@vecron/sdk';
import type { CronSystem, RetentionOptions, Storage } from '@vecron/sdk';
import { until } from '@vecron/sdk/testing';
import { fakeClock } from './helpers/fake-clock.js';
import { echoExecutor } from './helpers/test-executors.js';

/** Issue 14: retention of executions, step attempts, logs, files and ledger rows. */

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number): Date => new Date(NOW.getTime() - d * 86_400_000);
const step = [{ id: 's', type: 'echo', config: { value: 1 } }] as const;

const systems: CronSystem[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.stop({ graceMs: 0 });
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

async function setup(retention?: RetentionOptions) {
  const storage = await embeddedStorage();
  const filesDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vecron-retention-'));
  dirs.push(filesDir);
  const clock = fakeClock(NOW);
  const cron = createCronSystem({ storage, clock, filesDir, executors: [echoExecutor()], ...(retention ? { retention } : {}) });
  systems.push(cron);
  return { cron, storage, filesDir, clock };
}

/** A finished execution of `jobId` (finished `ageDays` ago) with a file in its folder. */
async function finishedRun(storage: Storage, filesDir: string, jobId: string, ageDays: number, status: 'success' | 'dead_letter' = 'success'): Promise<string> {
  const id = randomUUID();
  const at = daysAgo(ageDays);
  await storage.createExecution({ id, jobId, idempotencyKey: id, triggerSource: 'manual', availableAt: at }, at);
  const c = await storage.claimExecution(id, { owner: 'w', leaseMs: 10_000, now: at, exclusive: false });
  if (!c.claimed) throw new Error('not claimed');
  expect(await storage.startStepAttempt(id, c.execution.fencingToken!, 's', at)).not.toBeNull();
  await storage.appendStepLogs([{ executionId: id, stepId: 's', attempt: 1, seq: 1, at, level: 'info', message: 'hello', fields: null }]);
  expect(await storage.completeExecution(id, c.execution.fencingToken!, { status, error: null, context: { steps: {} }, now: at })).toBe(true);
  const dir = path.join(filesDir, 'jobs', jobId, 'executions', id);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'out.csv'), 'a,b\n');
  return id;
}

const exists = (p: string): Promise<boolean> => fs.access(p).then(() => true, () => false);

describe('retention', () => {
  it('purges by age and by count with per-job rules winning; keeps open executions and unhandled dead letters; removes files; dry run deletes nothing', async () => {
    const { cron, storage, filesDir } = await setup({ maxAgeDays: 30, batchSize: 2, pauseMs: 0 });
    const plain = await cron.jobs.create({ name: 'plain', steps: [...step] });
    const longer = await cron.jobs.create({ name: 'longer', steps: [...step], retention: { max_age_days: 365 } });
    const counted = await cron.jobs.create({ name: 'counted', steps: [...step], retention: { keep_last: 2 } });
    const oldPlain = [await finishedRun(storage, filesDir, plain.id, 40), await finishedRun(storage, filesDir, plain.id, 50), await finishedRun(storage, filesDir, plain.id, 60)];
    const recentPlain = await finishedRun(storage, filesDir, plain.id, 5);
    const openDead = await finishedRun(storage, filesDir, plain.id, 90, 'dead_letter');
    const discarded = await finishedRun(storage, filesDir, plain.id, 90, 'dead_letter');
    await cron.executions.discard(discarded);
    const { execution: pending } = await storage.createExecution({ id: randomUUID(), jobId: plain.id, idempotencyKey: 'p', triggerSource: 'manual', availableAt: daysAgo(100) }, daysAgo(100));
    const keptLonger = await finishedRun(storage, filesDir, longer.id, 100);
    const oldLonger = await finishedRun(storage, filesDir, longer.id, 400);
    const countedRuns = [await finishedRun(storage, filesDir, counted.id, 1), await finishedRun(storage, filesDir, counted.id, 2), await finishedRun(storage, filesDir, counted.id, 3), await finishedRun(storage, filesDir, counted.id, 4)];
    for (const [job, ms] of [[plain.id, 60], [plain.id, 10], [longer.id, 100]] as const) {
      await storage.recordLedger({ jobId: job, fireAt: daysAgo(ms), outcome: 'skipped', reason: 'paused', executionId: null, recordedAt: daysAgo(ms) });
    }

    const gone = [...oldPlain, discarded, oldLonger, countedRuns[2]!, countedRuns[3]!];
    const dry = await cron.maintenance.purge({ dryRun: true });
    expect(dry).toEqual({ executions: gone.length, ledger: 1, files: 0 });
    for (const id of gone) expect(await storage.getExecution(id)).not.toBeNull();

    const seen: Array<{ executions: number; ledger: number; files: number }> = [];
    cron.on('retention.purged', (c) => seen.push(c));
    expect(await cron.maintenance.purge()).toEqual({ executions: gone.length, ledger: 1, files: gone.length });
    expect(seen.reduce((n, c) => n + c.executions, 0)).toBe(gone.length);
    expect(seen.every((c) => c.executions <= 2)).toBe(true); // batches of batchSize
    for (const id of gone) expect(await storage.getExecution(id)).toBeNull();
    for (const id of [recentPlain, openDead, pending.id, keptLonger, countedRuns[0]!, countedRuns[1]!]) expect(await storage.getExecution(id)).not.toBeNull();
    expect(await storage.listStepAttempts(oldPlain[0]!)).toEqual([]);
    expect(await storage.listStepLogs(oldPlain[0]!)).toEqual([]);
    expect(await exists(path.join(filesDir, 'jobs', plain.id, 'executions', oldPlain[0]!))).toBe(false);
    expect(await exists(path.join(filesDir, 'jobs', plain.id, 'executions', recentPlain, 'out.csv'))).toBe(true);
    expect((await storage.listLedger(plain.id)).map((l) => l.fireAt)).toEqual([daysAgo(10)]);
    expect(await storage.listLedger(longer.id)).toHaveLength(1);
    expect(await cron.maintenance.purge()).toEqual({ executions: 0, ledger: 0, files: 0 });
  });

  it('an explicit purge applies its own rules to every job (or one job) instead of the configured ones', async () => {
    const { cron, storage, filesDir } = await setup();
    const a = await cron.jobs.create({ name: 'a', steps: [...step], retention: { max_age_days: 365 } });
    const b = await cron.jobs.create({ name: 'b', steps: [...step] });
    const runsA = [await finishedRun(storage, filesDir, a.id, 10), await finishedRun(storage, filesDir, a.id, 20)];
    const runsB = [await finishedRun(storage, filesDir, b.id, 10), await finishedRun(storage, filesDir, b.id, 20)];
    // No system rules and a's own rule keeps 365 days: nothing goes.
    expect(await cron.maintenance.purge()).toEqual({ executions: 0, ledger: 0, files: 0 });
    expect(await cron.maintenance.purge({ maxAgeDays: 15, jobId: b.id, dryRun: true })).toEqual({ executions: 1, ledger: 0, files: 0 });
    expect(await cron.maintenance.purge({ keepLast: 1, jobId: b.id })).toEqual({ executions: 1, ledger: 0, files: 1 });
    expect(await storage.getExecution(runsB[1]!)).toBeNull();
    expect(await cron.maintenance.purge({ maxAgeDays: 15 })).toEqual({ executions: 1, ledger: 0, files: 1 });
    expect(await storage.getExecution(runsA[1]!)).toBeNull();
    expect(await storage.getExecution(runsA[0]!)).not.toBeNull();
    await expect(cron.maintenance.purge({ maxAgeDays: -1 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('the scheduler role runs the loop, which emits its counts and stops cleanly', async () => {
    const { cron, storage, filesDir } = await setup({ maxAgeDays: 1, intervalMs: 20, batchSize: 100, pauseMs: 0 });
    const job = await cron.jobs.create({ name: 'loop', steps: [...step] });
    const runs = [await finishedRun(storage, filesDir, job.id, 3), await finishedRun(storage, filesDir, job.id, 2)];
    const kept = await finishedRun(storage, filesDir, job.id, 0.5);
    const counts = { executions: 0, files: 0 };
    cron.on('retention.purged', (c) => {
      counts.executions += c.executions;
      counts.files += c.files;
    });
    await cron.start({ scheduler: true, worker: false });
    await until(() => counts.executions === 2 && counts.files === 2, { what: 'the loop to purge both old executions' });
    for (const id of runs) expect(await storage.getExecution(id)).toBeNull();
    expect(await storage.getExecution(kept)).not.toBeNull();
    await cron.stop({ graceMs: 0 });
  });
});
