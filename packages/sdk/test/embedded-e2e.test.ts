import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import { createCallLog, echoExecutor, flakyExecutor, sleepExecutor } from './helpers/test-executors.js';

const systems: CronSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.stop({ graceMs: 0 })));
});

function track(s: CronSystem): CronSystem {
  systems.push(s);
  return s;
}

describe('embedded end to end', () => {
  it('runs a fixed_rate 1 s job of 3 steps at least 5 times with outputs flowing between steps', async () => {
    const log = createCallLog();
    const cron = track(createCronSystem({ executors: [echoExecutor(log)], pollIntervalMs: 50, dispatchIntervalMs: 100 }));
    await cron.start({ worker: { concurrency: 2 } });
    const job = await cron.jobs.create({
      name: 'three-steps',
      schedule: { type: 'fixed_rate', interval_seconds: 1 },
      steps: [
        { id: 'a', type: 'echo', config: { value: { n: 41, id: '{{execution_id}}' } } },
        { id: 'b', type: 'echo', config: { value: '{{steps.a.output.value.n}}' } },
        { id: 'c', type: 'echo', config: { value: 'b said {{steps.b.output.value}} for {{steps.a.response.value.id}}' } },
      ],
    });
    const finished: string[] = [];
    cron.on('execution.finished', (e) => {
      if (e.status === 'success') finished.push(e.executionId);
    });
    const deadline = Date.now() + 15_000;
    while (finished.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(finished.length).toBeGreaterThanOrEqual(5);
    for (const id of finished.slice(0, 5)) {
      const e = await cron.executions.get(id);
      expect(e?.status).toBe('success');
      expect(e?.triggerSource).toBe('scheduled');
      expect(e?.context.steps.b?.output).toEqual({ value: 41 });
      expect(e?.context.steps.c?.output).toEqual({ value: `b said 41 for ${id}` });
    }
    const ledger = await cron.ledger(job.id);
    expect(ledger.filter((l) => l.outcome === 'fired').length).toBeGreaterThanOrEqual(5);
  });

  it('a step that always fails reaches dead_letter after max_retries with its backoff recorded; replay succeeds once fixed', async () => {
    const faults = { failing: true };
    const cron = track(createCronSystem({
      executors: [flakyExecutor(faults), echoExecutor()],
      backoff: { baseMs: 20, factor: 2, capMs: 200 },
      dispatchIntervalMs: 50,
    }));
    await cron.start();
    const job = await cron.jobs.create({
      name: 'always-fails', max_retries: 3,
      steps: [{ id: 'ok', type: 'echo', config: { value: 1 } }, { id: 'bad', type: 'flaky', config: {} }],
    });
    const { executionId } = await cron.trigger(job.id);
    const dead = await cron.executions.wait(executionId, { timeoutMs: 20_000 });
    expect(dead.status).toBe('dead_letter');
    expect(dead.attempt).toBe(4);
    expect(dead.error?.code).toBe('TRANSIENT');
    const attempts = (await cron.executions.steps(executionId)).filter((a) => a.stepId === 'bad');
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    const delays = attempts.map((a) => a.retryDelayMs);
    expect(delays.slice(0, 3).every((d) => d !== null && d >= 0 && d <= 200)).toBe(true);
    expect(delays[3]).toBeNull();
    expect(dead.context.retry_delays_ms).toEqual(delays.slice(0, 3));

    faults.failing = false;
    const replay = await cron.executions.replay(executionId);
    const ok = await cron.executions.wait(replay.executionId, { timeoutMs: 10_000 });
    expect(ok.status).toBe('success');
    expect(ok.triggerSource).toBe('replay');
    expect(ok.replayOf).toBe(executionId);
  });

  it('a job timeout aborts the running step through its signal', async () => {
    let sawAbort: unknown = null;
    const cron = track(createCronSystem({
      executors: [sleepExecutor(createCallLog(), { onStart: (ctx) => ctx.signal.addEventListener('abort', () => (sawAbort = ctx.signal.reason)) })],
    }));
    await cron.start();
    const job = await cron.jobs.create({ name: 'slow', timeout_seconds: 2, steps: [{ id: 's', type: 'sleep', config: { ms: 10_000 } }] });
    const { executionId } = await cron.trigger(job.id);
    const e = await cron.executions.wait(executionId, { timeoutMs: 10_000 });
    expect(e.status).toBe('timeout');
    expect(e.error?.code).toBe('JOB_TIMEOUT');
    expect((sawAbort as { code?: string } | null)?.code).toBe('JOB_TIMEOUT');
  });
});
