/**
 * Issue 12, "defineExecutor without a config schema" and "malformed ids": a broken plugin is
 * refused when it is defined, a bug in step preparation is never retried as if transient, and an
 * id that is not a UUID is "not found", never a driver error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createCronSystem, defineExecutor, NotFoundError, VecronError } from '@vecron/sdk';
import type { AnyExecutor, CronSystem } from '@vecron/sdk';
import { echoExecutor } from './helpers/test-executors.js';

let cron: CronSystem | undefined;
afterEach(async () => {
  await cron?.stop({ graceMs: 0 });
  cron = undefined;
});

const rejection = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

describe('defineExecutor checks its definition at once', () => {
  it('refuses a missing config schema, naming the field and the fix', () => {
    const err = rejection(() => defineExecutor({ type: 'ping', async execute() { return {}; } } as unknown as AnyExecutor));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([{ path: '$.config', message: expect.stringContaining('z.object({}) for an executor without config') }]);
    expect((err as ConfigError).message).toContain('executor "ping"');
  });

  it('refuses a config that is not a zod schema, and a missing type or execute', () => {
    const err = rejection(() => defineExecutor({ config: { url: 'string' }, execute: 'no' } as unknown as AnyExecutor)) as ConfigError;
    expect(err.issues.map((i) => i.path)).toEqual(['$.type', '$.execute', '$.config']);
  });

  it('createCronSystem checks executors written by hand the same way', () => {
    const handMade = { type: 'ping', async execute() { return {}; } } as unknown as AnyExecutor;
    const err = rejection(() => createCronSystem({ executors: [handMade] })) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues[0]).toEqual({ path: '$.executors[0]', message: expect.stringContaining('config is required') });
  });
});

describe('a bug while preparing a step is not retried as if transient', () => {
  it('fails the execution at the first attempt with INTERNAL_ERROR', async () => {
    // A schema whose parse throws (once rendered) stands for any exception in vecron's own step plumbing.
    const broken = defineExecutor({
      type: 'broken',
      config: z.object({ boom: z.unknown() }).transform((c) => {
        if (c.boom === true) throw new TypeError("Cannot read properties of undefined (reading 'safeParse')");
        return c;
      }),
      async execute() {
        return {};
      },
    });
    cron = createCronSystem({ executors: [broken], dispatchIntervalMs: 50, backoff: { baseMs: 10, capMs: 20 } });
    await cron.start();
    const job = await cron.jobs.create({ name: 'broken', max_retries: 3, steps: [{ id: 'a', type: 'broken', config: { boom: '{{payload.boom}}' } }] });
    const e = await cron.executions.wait((await cron.trigger(job.id, { payload: { boom: true } })).executionId, { timeoutMs: 60_000 });
    expect(e.status).toBe('failed');
    expect(e.attempt).toBe(1);
    expect(e.error).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false, name: 'InternalError' });
    expect(e.error?.message).toContain('preparing step "a" (type broken) failed: TypeError');
  });
});

describe('an id that is not a UUID names nothing', () => {
  it('reads answer empty and writes answer NotFoundError, never a driver error', async () => {
    cron = createCronSystem({ executors: [echoExecutor()] });
    await cron.start({ scheduler: false, worker: false });
    await cron.jobs.create({ name: 'real', steps: [{ id: 'a', type: 'echo' }] });
    const bad = 'not-a-uuid';
    expect(await cron.jobs.get(bad)).toBeNull();
    expect(await cron.jobs.delete(bad)).toBe(false);
    expect(await cron.executions.get(bad)).toBeNull();
    expect(await cron.executions.list({ jobId: bad })).toEqual([]);
    expect(await cron.executions.steps(bad)).toEqual([]);
    expect(await cron.executions.cancel(bad)).toBeNull();
    expect(await cron.ledger(bad)).toEqual([]);
    for (const call of [
      () => cron!.trigger(bad),
      () => cron!.jobs.update(bad, { name: 'x', steps: [{ id: 'a', type: 'echo' }] }),
      () => cron!.jobs.enable(bad),
      () => cron!.jobs.preview(bad, 3),
      () => cron!.explain(bad),
      () => cron!.executions.wait(bad, { timeoutMs: 1_000 }),
      () => cron!.executions.replay(bad),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toBeInstanceOf(VecronError);
      expect((err as NotFoundError).message).toContain('not-a-uuid not found');
    }
  });
});
