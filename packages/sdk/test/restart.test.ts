import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem, DataDirLockedError, embeddedStorage, memoryQueue } from '@vecron/sdk';
import type { Queue } from '@vecron/sdk';
import { until } from '@vecron/sdk/testing';
import { createCallLog, echoExecutor, sleepExecutor } from './helpers/test-executors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vecron-restart-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('restart on a data folder', () => {
  it('keeps jobs, history and pending executions; the pending ones run after the restart', async () => {
    const dataDir = await tempDir();
    const log = createCallLog();
    const first = createCronSystem({ dataDir, executors: [echoExecutor(log)] });
    await first.start({ scheduler: false, worker: false });
    const job = await first.jobs.create({ name: 'survivor', steps: [{ id: 'e', type: 'echo', config: { value: '{{execution_id}}' } }] });
    const pending = [await first.trigger(job.id), await first.trigger(job.id), await first.trigger(job.id)];
    await first.stop();
    expect(log.calls).toHaveLength(0);

    const second = createCronSystem({ dataDir, executors: [echoExecutor(log)] });
    cleanups.push(() => second.stop({ graceMs: 0 }));
    await second.start();
    expect((await second.jobs.getByName('survivor'))?.id).toBe(job.id);
    for (const p of pending) expect((await second.executions.wait(p.executionId, { timeoutMs: 15_000 })).status).toBe('success');
    expect(log.calls.map((c) => c.executionId).sort()).toEqual(pending.map((p) => p.executionId).sort());
    expect(await second.executions.list({ jobId: job.id })).toHaveLength(3);
  });

  it('start() publishes every pending execution again for an in-process queue, but only the never-published ones for a durable queue', async () => {
    const dataDir = await tempDir();
    const first = createCronSystem({ dataDir, executors: [echoExecutor()] });
    await first.start({ scheduler: false, worker: false });
    const job = await first.jobs.create({ name: 'kept', steps: [{ id: 'e', type: 'echo', config: { value: 1 } }] });
    for (let i = 0; i < 3; i++) await first.trigger(job.id); // published (to the first process's queue)
    await first.stop();

    // A queue that counts publishes; `durable` as a server-side queue says.
    const counting = (durable: boolean): { queue: Queue; published: string[] } => {
      const inner = memoryQueue();
      const published: string[] = [];
      return { published, queue: { ...inner, durable, publish: async (id, o) => void (published.push(id), await inner.publish(id, o)) } };
    };
    const durable = counting(true);
    const second = createCronSystem({ dataDir, executors: [echoExecutor()], queue: durable.queue });
    await second.start({ scheduler: true, worker: false });
    await second.stop();
    expect(durable.published).toEqual([]);

    const inProcess = counting(false);
    const third = createCronSystem({ dataDir, executors: [echoExecutor()], queue: inProcess.queue });
    await third.start({ scheduler: true, worker: false });
    await third.stop();
    expect(inProcess.published).toHaveLength(3);
  });

  it('stop() while a step runs: finishes it within the grace period', async () => {
    const dataDir = await tempDir();
    const log = createCallLog();
    const cron = createCronSystem({ dataDir, executors: [sleepExecutor(log)] });
    await cron.start();
    const job = await cron.jobs.create({ name: 'graceful', steps: [{ id: 's', type: 'sleep', config: { ms: 400 } }] });
    const { executionId } = await cron.trigger(job.id);
    const finished: string[] = [];
    cron.on('execution.finished', (e) => finished.push(`${e.executionId}:${e.status}`));
    await until(() => log.calls.length === 1, { timeoutMs: 10_000, what: 'step started' });
    await cron.stop({ graceMs: 10_000 });
    expect(finished).toEqual([`${executionId}:success`]);
    const reopened = createCronSystem({ dataDir, executors: [sleepExecutor(log)] });
    cleanups.push(() => reopened.stop({ graceMs: 0 }));
    expect((await reopened.executions.get(executionId))?.status).toBe('success');
    expect(log.calls).toHaveLength(1);
  });

  it('stop() past the grace period leaves the execution resumable: it resumes after a restart without re-running done steps', async () => {
    const dataDir = await tempDir();
    const log = createCallLog();
    const executors = () => [echoExecutor(log), sleepExecutor(log)];
    const first = createCronSystem({ dataDir, executors: executors() });
    await first.start();
    const job = await first.jobs.create({
      name: 'long-running',
      steps: [
        { id: 'before', type: 'echo', config: { value: 1 } },
        { id: 'long', type: 'sleep', config: { ms: 1_500 } },
      ],
    });
    const { executionId } = await first.trigger(job.id);
    await until(() => log.calls.some((c) => c.stepId === 'long'), { timeoutMs: 10_000, what: 'long step started' });
    await first.stop({ graceMs: 100 });
    const second = createCronSystem({ dataDir, executors: executors() });
    cleanups.push(() => second.stop({ graceMs: 0 }));
    await second.start({ scheduler: false, worker: false });
    const released = await second.executions.get(executionId);
    expect(released?.status).toBe('pending');
    expect(released?.context.steps.before?.status).toBe('succeeded');
    expect(released?.attempt).toBe(1);
    await second.stop();

    const third = createCronSystem({ dataDir, executors: executors() });
    cleanups.push(() => third.stop({ graceMs: 0 }));
    await third.start();
    const done = await third.executions.wait(executionId, { timeoutMs: 15_000 });
    expect(done.status).toBe('success');
    expect(log.calls.filter((c) => c.stepId === 'before')).toHaveLength(1);
    expect(log.calls.filter((c) => c.stepId === 'long')).toHaveLength(2);
  });

  it('a second process on the same data folder fails with a clear error', async () => {
    const dataDir = await tempDir();
    const holder = await embeddedStorage({ dataDir });
    cleanups.push(() => holder.close());
    await expect(embeddedStorage({ dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
    const child = spawnSync(
      process.execPath,
      ['--conditions=vecron-source', '--import', 'tsx', path.join(here, 'helpers/open-data-dir.ts'), dataDir],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.status).toBe(3);
    expect(child.stderr).toContain('DATA_DIR_LOCKED');
    expect(child.stderr).toContain(`in use by another vecron process (pid ${process.pid}`);
  });
});

