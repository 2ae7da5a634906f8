import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCronSystem, defineExecutor, TransientError } from '@vecron/sdk';
import type { CronSystem, StoredStepLogLine } from '@vecron/sdk';
import { internalsOf } from '../src/internal/cron-internals.js';

/** Issue 13: what a step logs through ctx.logger is kept per attempt, scrubbed and bounded. */

let cron: CronSystem | null = null;
afterEach(async () => {
  await cron?.stop({ graceMs: 0 });
  cron = null;
});

const chatty = defineExecutor({
  type: 'chatty',
  config: z.object({ lines: z.number().int(), fail_first: z.boolean().default(false) }),
  async execute(config, ctx) {
    for (let i = 1; i <= config.lines; i++) ctx.logger.info({ i, token: 'literal-field-secret' }, 'line %d with %s', i, ctx.variables.API_TOKEN);
    ctx.logger.child({ part: 'tail' }).warn('done');
    if (config.fail_first && ctx.attempt === 1) throw new TransientError('first try fails');
    return { ok: true };
  },
});

async function logsOf(c: CronSystem, id: string, n: number): Promise<StoredStepLogLine[]> {
  // Lines are written after the attempt without holding up the execution: wait for them.
  await expect.poll(async () => (await c.executions.logs(id)).length, { timeout: 10_000 }).toBe(n);
  return c.executions.logs(id);
}

describe('step logs', () => {
  it('keeps each attempt\'s lines apart, with the sensitive variable masked, and lists them per attempt', async () => {
    cron = createCronSystem({ executors: [chatty], encryptionKey: randomBytes(32).toString('hex'), backoff: { baseMs: 10, capMs: 10 }, dispatchIntervalMs: 50 });
    await cron.start({ scheduler: false });
    await cron.variables.set({ name: 'API_TOKEN', value: 'super-secret-token-123', sensitive: true });
    const job = await cron.jobs.create({ name: 'chatty', steps: [{ id: 'talk', type: 'chatty', retry_count: 1, config: { lines: 3, fail_first: true } }] });
    const { executionId } = await cron.trigger(job.id);
    expect((await cron.executions.wait(executionId, { timeoutMs: 15_000 })).status).toBe('success');
    // Attempt 1: 3 lines, "done", and the worker's "step failed"; attempt 2: 3 lines and "done".
    const lines = await logsOf(cron, executionId, 9);
    expect(lines.filter((l) => l.attempt === 1).map((l) => l.message)).toEqual([
      'line 1 with ••••••', 'line 2 with ••••••', 'line 3 with ••••••', 'done', 'step failed',
    ]);
    expect(lines.filter((l) => l.attempt === 2).map((l) => [l.seq, l.level])).toEqual([[1, 'info'], [2, 'info'], [3, 'info'], [4, 'warn']]);
    expect(lines[0]!.fields).toEqual({ i: 1, token: '••••••' });
    expect(lines[3]!.fields).toEqual({ part: 'tail' });
    expect(JSON.stringify(lines)).not.toContain('super-secret');
    expect(JSON.stringify(lines)).not.toContain('literal-field-secret');
    expect(await cron.executions.logs(executionId, { stepId: 'talk', attempt: 2 })).toHaveLength(4);
    expect(await cron.executions.logs('not-a-uuid')).toEqual([]);
    expect(cron.stepLogStats()).toMatchObject({ written: 9, dropped: 0, failedWrites: 0 });
  });

  it('bounds an attempt at stepLogs.maxLines with a truncated line; level false keeps none', async () => {
    cron = createCronSystem({ executors: [chatty], stepLogs: { maxLines: 10 }, dispatchIntervalMs: 50 });
    await cron.start({ scheduler: false });
    const job = await cron.jobs.create({ name: 'flood', steps: [{ id: 'talk', type: 'chatty', config: { lines: 5000 } }] });
    const { executionId } = await cron.trigger(job.id);
    await cron.executions.wait(executionId, { timeoutMs: 15_000 });
    const lines = await logsOf(cron, executionId, 11);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', fields: { truncated: true, dropped_lines: 4991 } });
    await cron.stop({ graceMs: 0 });

    cron = createCronSystem({ executors: [chatty], stepLogs: { level: false }, dispatchIntervalMs: 50 });
    await cron.start({ scheduler: false });
    const quiet = await cron.jobs.create({ name: 'quiet', steps: [{ id: 'talk', type: 'chatty', config: { lines: 3 } }] });
    const run = await cron.trigger(quiet.id);
    await cron.executions.wait(run.executionId, { timeoutMs: 15_000 });
    await internalsOf(cron).worker()!.flushStepLogs();
    expect(await cron.executions.logs(run.executionId)).toEqual([]);
  });

  it('refuses bad stepLogs options naming the field', () => {
    expect(() => createCronSystem({ stepLogs: { maxLines: 0 } })).toThrow(/stepLogs\.maxLines/);
    expect(() => createCronSystem({ stepLogs: { level: 'loud' as never } })).toThrow(/stepLogs\.level/);
  });
});
