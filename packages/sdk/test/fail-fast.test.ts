/**
 * Issue 12, "a wrong NATS URL is not reported": `start()` checks storage, queue and coordination
 * with a deadline and rejects naming the server (never its password) and the cause;
 * `strict: false` keeps the tolerant start for Redis; without a logger, background errors still
 * reach stderr once per kind (as `VecronWarning` process warnings).
 * Nothing listens on the "wrong" ports (each is taken from the OS and released first).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import { createCronSystem, defineExecutor, VecronError } from '@vecron/sdk';
import type { CronSystem, Queue } from '@vecron/sdk';
import { postgresStorage } from '@vecron/sdk/postgres';
import { natsQueue } from '@vecron/sdk/nats';
import { redisCoordination } from '@vecron/sdk/redis';

const noop = defineExecutor({ type: 'noop', config: z.object({}), async execute() { return {}; } });
let cron: CronSystem | undefined;
afterEach(async () => {
  await cron?.stop({ graceMs: 0 });
  cron = undefined;
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('start() fails fast, naming the server', () => {
  it('a wrong NATS address: QUEUE_UNAVAILABLE naming it, instead of a start that resolves and runs nothing', async () => {
    const port = await closedPort();
    cron = createCronSystem({ executors: [noop], queue: natsQueue({ servers: `nats://127.0.0.1:${port}` }), startTimeoutMs: 3_000 });
    const err = await cron.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VecronError);
    expect(err).toMatchObject({ code: 'QUEUE_UNAVAILABLE', details: { server: `nats://127.0.0.1:${port}` } });
    expect((err as Error).message).toContain(`nats://127.0.0.1:${port}`);
  });

  it('a wrong Redis address: COORDINATION_UNAVAILABLE naming it; strict: false starts anyway and reports it', async () => {
    const port = await closedPort();
    cron = createCronSystem({ executors: [noop], coordination: redisCoordination({ url: `redis://127.0.0.1:${port}` }), startTimeoutMs: 1_500 });
    const err = await cron.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'COORDINATION_UNAVAILABLE' });
    expect((err as Error).message).toContain(`redis://127.0.0.1:${port}`);

    cron = createCronSystem({ executors: [noop], coordination: redisCoordination({ url: `redis://127.0.0.1:${port}` }), startTimeoutMs: 1_500, strict: false, logger: pino({ level: 'silent' }) });
    const reported: unknown[] = [];
    cron.on('error', (e) => reported.push(e.error));
    await cron.start({ scheduler: false, worker: false });
    expect(reported).toEqual([expect.objectContaining({ code: 'COORDINATION_UNAVAILABLE' })]);
  });

  it('a wrong PostgreSQL address: STORAGE_FAILED naming the server without its password', async () => {
    const port = await closedPort();
    cron = createCronSystem({ executors: [noop], storage: postgresStorage({ connectionString: `postgres://app:s3cret@127.0.0.1:${port}/core`, connectionTimeoutMs: 2_000 }) });
    const err = await cron.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_FAILED' });
    expect((err as Error).message).toContain(`postgres://app:***@127.0.0.1:${port}/core`);
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });
});

describe('without a logger, errors still reach stderr once per kind', () => {
  it('a queue that fails every publish gives one VecronWarning, not none and not one per failure', async () => {
    const failing: Queue = {
      async publish() {
        throw new VecronError('QUEUE_UNAVAILABLE', 'NATS publish failed (nats://10.0.0.9:4222): timed out after 5000 ms', { retryable: true });
      },
      async consume(_h, { signal }) {
        await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      },
      async size() {
        return 0;
      },
      async close() {},
    };
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      if (w.name === 'VecronWarning') warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      cron = createCronSystem({ executors: [noop], queue: failing, dispatchIntervalMs: 20, republishAfterMs: 100 });
      await cron.start({ scheduler: true, worker: false });
      const job = await cron.jobs.create({ name: 'never-published', steps: [{ id: 'a', type: 'noop' }] });
      for (let i = 0; i < 3; i++) await cron.trigger(job.id).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining('nats://10.0.0.9:4222')]);
    expect((warnings[0] as Error & { code?: string }).code).toBe('QUEUE_UNAVAILABLE');
  });
});
