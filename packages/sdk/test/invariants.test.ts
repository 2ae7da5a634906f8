import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCronSystem, defineExecutor, embeddedStorage, memoryQueue } from '@vecron/sdk';
import type { CronSystem, Queue, Storage, StepContext } from '@vecron/sdk';
import { until } from '@vecron/sdk/testing';
import { fakeClock } from './helpers/fake-clock.js';
import { partitionable } from './helpers/partitionable-storage.js';
import { createCallLog, echoExecutor } from './helpers/test-executors.js';
import { internalsOf } from '../src/internal/cron-internals.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function track(s: CronSystem): CronSystem {
  cleanups.push(() => s.stop({ graceMs: 0 }));
  return s;
}
async function sharedStorage(): Promise<Storage> {
  const s = await embeddedStorage();
  cleanups.push(() => s.close());
  return s;
}

describe('exactly-once invariants on the embedded store', () => {
  it('start() survives a failing first dispatch pass, and the loop publishes what was pending', async () => {
    const base = await sharedStorage();
    const first = track(createCronSystem({ executors: [echoExecutor()], storage: base }));
    const job = await first.jobs.create({ name: 'pending-at-start', steps: [{ id: 'a', type: 'echo', config: { value: 1 } }] });
    const { executionId } = await first.trigger(job.id); // pending; never run (no worker started)
    let failures = 0;
    const flaky: Storage = {
      ...base,
      findExecutionsToDispatch: async (args) => {
        if (failures++ === 0) throw new Error('deadlock detected (simulated)');
        return base.findExecutionsToDispatch(args);
      },
      close: async () => undefined,
    };
    const second = track(createCronSystem({ executors: [echoExecutor()], storage: flaky, dispatchIntervalMs: 50, republishAfterMs: 60_000 }));
    const errors: string[] = [];
    second.on('error', (e) => errors.push(e.where));
    await second.start({ scheduler: false });
    expect((await second.executions.wait(executionId, { timeoutMs: 10_000 })).status).toBe('success');
    expect(errors).toEqual(['dispatcher']);
  });

  it('a queue message naming the wrong job never runs the execution under that job: it runs once, as its own job', async () => {
    const log = createCallLog();
    const inner = memoryQueue();
    let wrongJobId = '';
    // Every message claims to belong to job B (concurrent, like A): the worker's fast path trusts the hint up to the claim.
    const lying: Queue = { ...inner, publish: (id, o = {}) => inner.publish(id, { ...o, jobId: wrongJobId }) };
    const cron = track(createCronSystem({ executors: [echoExecutor(log)], queue: lying, dispatchIntervalMs: 50 }));
    const a = await cron.jobs.create({ name: 'job-a', steps: [{ id: 'a', type: 'echo', config: { value: 'A' } }] });
    const b = await cron.jobs.create({ name: 'job-b', steps: [{ id: 'b', type: 'echo', config: { value: 'B' } }] });
    wrongJobId = b.id;
    await cron.start({ scheduler: false });
    const runs = await Promise.all(Array.from({ length: 5 }, () => cron.trigger(a.id)));
    const done = await Promise.all(runs.map((r) => cron.executions.wait(r.executionId, { timeoutMs: 10_000 })));
    expect(done.map((e) => [e.jobId, e.status, e.context.steps.a?.output])).toEqual(runs.map(() => [a.id, 'success', { value: 'A' }]));
    expect(done.every((e) => e.context.steps.b === undefined)).toBe(true);
    expect(log.calls.map((c) => c.stepId)).toEqual(['a', 'a', 'a', 'a', 'a']);
  });

  it('a job hint that is not a job id only costs the fast path: the execution still runs once', async () => {
    const log = createCallLog();
    const inner = memoryQueue();
    const garbled: Queue = { ...inner, publish: (id, o = {}) => inner.publish(id, { ...o, jobId: 'not-a-uuid' }) };
    const cron = track(createCronSystem({ executors: [echoExecutor(log)], queue: garbled, dispatchIntervalMs: 50 }));
    const a = await cron.jobs.create({ name: 'job-a', steps: [{ id: 'a', type: 'echo', config: { value: 'A' } }] });
    await cron.start({ scheduler: false });
    const { executionId } = await cron.trigger(a.id);
    expect((await cron.executions.wait(executionId, { timeoutMs: 10_000 })).status).toBe('success');
    expect(log.calls).toHaveLength(1);
  });

  it('two schedulers on one store never fire a time twice and miss none (600 fires)', async () => {
    const storage = await sharedStorage();
    const clock = fakeClock(new Date('2026-03-01T00:00:00.000Z'));
    const options = { storage: partitionable(storage).storage, clock, pollIntervalMs: 60_000, dispatchIntervalMs: 60_000, executors: [echoExecutor()] };
    const a = track(createCronSystem(options));
    const b = track(createCronSystem({ ...options, storage: partitionable(storage).storage }));
    await a.start({ scheduler: true, worker: false });
    await b.start({ scheduler: true, worker: false });
    const jobs = [];
    for (let i = 0; i < 12; i++) {
      jobs.push(await a.jobs.create({ name: `every-second-${i}`, schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' }, steps: [{ id: 's', type: 'echo', config: { value: i } }] }));
    }
    for (let tick = 0; tick < 50; tick++) {
      clock.advance(1_000);
      await Promise.all([internalsOf(a).scheduler()!.tick(), internalsOf(b).scheduler()!.tick(), internalsOf(a).scheduler()!.tick()]);
    }
    const executions = await a.executions.list({ limit: 10_000 });
    expect(executions.length).toBe(600);
    for (const job of jobs) {
      const fires = executions.filter((e) => e.jobId === job.id).map((e) => e.scheduledFor!.getTime()).sort((x, y) => x - y);
      expect(new Set(fires).size).toBe(fires.length);
      expect(fires).toHaveLength(50);
      // Consecutive seconds: nothing skipped, nothing doubled.
      fires.slice(1).forEach((f, i) => expect(f - fires[i]!).toBe(1_000));
      const ledger = await a.ledger(job.id);
      expect(ledger.filter((l) => l.outcome === 'fired')).toHaveLength(50);
      expect(ledger.filter((l) => l.outcome !== 'fired')).toEqual([]);
    }
  });

  it('a worker that dies mid-step: another resumes at that step, never re-runs a succeeded one, and the dead worker\'s late writes change nothing', async () => {
    const storage = await sharedStorage();
    const log = createCallLog();
    let blockerCalls = 0;
    let deadWorkerAbortReason: unknown = null;
    const blocker = defineExecutor({
      type: 'blocker',
      config: z.object({}),
      async execute(_c, ctx: StepContext) {
        blockerCalls++;
        if (blockerCalls === 1) {
          // The first worker hangs here until its signal aborts (lease lost).
          await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => {
            deadWorkerAbortReason = ctx.signal.reason;
            reject(ctx.signal.reason);
          }, { once: true }));
        }
        return { resumedBy: ctx.attempt };
      },
    });
    const executors = [echoExecutor(log), blocker];
    const dead = partitionable(storage);
    const a = track(createCronSystem({ storage: dead.storage, executors, leaseMs: 600, dispatchIntervalMs: 100 }));
    await a.start({ scheduler: false, worker: { concurrency: 1 } });
    const job = await a.jobs.create({
      name: 'resume-me',
      steps: [
        { id: 'first', type: 'echo', config: { value: 'one' } },
        { id: 'middle', type: 'blocker', config: {} },
        { id: 'last', type: 'echo', config: { value: '{{steps.first.output.value}}+{{steps.middle.output.resumedBy}}' } },
      ],
    });
    const { executionId } = await a.trigger(job.id);
    await until(() => blockerCalls === 1, { timeoutMs: 10_000, what: 'first worker reached the middle step' });
    dead.partition();
    const before = await storage.getExecution(executionId);
    expect(before?.status).toBe('running');
    const deadToken = before!.fencingToken!;

    await new Promise((r) => setTimeout(r, 900)); // past the 600 ms lease
    const b = track(createCronSystem({ storage: partitionable(storage).storage, executors, leaseMs: 5_000, dispatchIntervalMs: 100 }));
    await b.start({ scheduler: false, worker: { concurrency: 1 } });
    const done = await b.executions.wait(executionId, { timeoutMs: 15_000 });
    expect(done.status).toBe('success');
    expect(done.fencingToken).toBeGreaterThan(deadToken);
    expect(log.calls.filter((c) => c.stepId === 'first')).toHaveLength(1);
    expect(blockerCalls).toBe(2);
    expect(done.context.steps.last?.output).toEqual({ value: 'one+2' });

    const settled = await storage.getExecution(executionId);
    dead.heal(); // the frozen worker's queued writes now reach the database
    await until(() => deadWorkerAbortReason !== null, { timeoutMs: 10_000, what: 'dead worker saw its signal abort' });
    expect((deadWorkerAbortReason as { code?: string }).code).toBe('LEASE_LOST');
    await new Promise((r) => setTimeout(r, 300));
    expect(await storage.getExecution(executionId)).toEqual(settled);
    const attempts = await storage.listStepAttempts(executionId);
    expect(attempts.filter((x) => x.stepId === 'middle').map((x) => x.status)).toEqual(['abandoned', 'succeeded']);
  });

  it('allow_concurrent: false never overlaps over 200 fires and records the skips', async () => {
    const clock = fakeClock(new Date('2026-03-02T00:00:00.000Z'));
    const spans: Array<{ start: number; end: number }> = [];
    let running = 0;
    let maxRunning = 0;
    const work = defineExecutor({
      type: 'work',
      config: z.object({}),
      async execute() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        const start = performance.now();
        await new Promise((r) => setTimeout(r, Math.random() * 25));
        spans.push({ start, end: performance.now() });
        running--;
        return {};
      },
    });
    const cron = track(createCronSystem({ executors: [work], clock, pollIntervalMs: 60_000, dispatchIntervalMs: 20, leaseMs: 600_000 }));
    await cron.start({ scheduler: true, worker: { concurrency: 8 } });
    const job = await cron.jobs.create({ name: 'exclusive', allow_concurrent: false, schedule: { type: 'fixed_rate', interval_seconds: 1 }, steps: [{ id: 'w', type: 'work', config: {} }] });
    // Manual triggers race with the schedule too; the claim must serialise them.
    for (let i = 0; i < 5; i++) await cron.trigger(job.id);
    for (let tick = 0; tick < 200; tick++) {
      await internalsOf(cron).scheduler()!.tick();
      await new Promise((r) => setTimeout(r, Math.random() * 12));
      clock.advance(1_000);
    }
    await until(async () => (await cron.executions.list({ jobId: job.id, status: ['pending', 'running'] })).length === 0, { timeoutMs: 20_000, what: 'all executions finished' });
    const ledger = await cron.ledger(job.id);
    const fired = ledger.filter((l) => l.outcome === 'fired');
    const skipped = ledger.filter((l) => l.outcome === 'skipped');
    expect(fired.length + skipped.length).toBe(200);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((s) => s.reason === 'overlap')).toBe(true);
    expect(maxRunning).toBe(1);
    const sorted = [...spans].sort((x, y) => x.start - y.start);
    sorted.slice(1).forEach((s, i) => expect(s.start).toBeGreaterThanOrEqual(sorted[i]!.end));
    const all = await cron.executions.list({ jobId: job.id, limit: 1000 });
    expect(all.filter((e) => e.status === 'success')).toHaveLength(fired.length + 5);
  });
});
