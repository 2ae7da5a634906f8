import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import { echoExecutor } from './helpers/test-executors.js';

/** Issue 17: worker log lines name the job and say how long the execution took. */

let cron: CronSystem | null = null;
afterEach(async () => {
  await cron?.stop({ graceMs: 0 });
});

describe('worker logs', () => {
  it('"execution finished" carries executionId, jobId, jobName, status and durationMs', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    cron = createCronSystem({ executors: [echoExecutor()], logger });
    await cron.start({ scheduler: false });
    const job = await cron.jobs.create({ name: 'nightly-report', steps: [{ id: 'a', type: 'echo', config: { value: 1 } }] });
    const { executionId } = await cron.trigger(job.id);
    await cron.executions.wait(executionId, { timeoutMs: 10_000 });
    const finished = lines.find((l) => l.msg === 'execution finished' && l.executionId === executionId);
    expect(finished).toMatchObject({ jobId: job.id, jobName: 'nightly-report', status: 'success', durationMs: expect.any(Number) });
    expect(finished!.durationMs as number).toBeGreaterThanOrEqual(0);
  });
});
