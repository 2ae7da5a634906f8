/**
 * A server configured with PostgreSQL and nothing else (no NATS, no Redis) uses the PostgreSQL
 * queue: roles built from the same configuration in separate systems hand executions over
 * through it, each run once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { defineExecutor } from '@vecron/sdk';
import { generateSecretKey } from '@vecron/sdk/crypto';
import type { AnyExecutor } from '@vecron/sdk';
import { z } from 'zod';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { loadConfig } from '../src/config/load-config.js';
import { buildCronSystem } from '../src/runtime/build-system.js';
import type { BuiltSystem } from '../src/runtime/build-system.js';
import { pino } from 'pino';

const PG_URL = testServers().postgres;
const schema = `srv_pgonly_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
let db: PostgresStorage | null = null;
const admin = async (): Promise<PostgresStorage['pool']> => (db ??= await postgresStorage({ connectionString: PG_URL, migrate: false, poolMax: 1 })).pool;
const built: BuiltSystem[] = [];
afterAll(async () => {
  for (const b of built) {
    await b.cron.stop({ graceMs: 500 }).catch(() => undefined);
    await b.close();
  }
  await (await admin()).query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db?.close();
});

describe('server with PostgreSQL only', () => {
  it('builds the PostgreSQL queue, and a scheduler/API system and a worker system run 100 executions once each', async () => {
    const config = loadConfig({
      configDir: '/nonexistent',
      env: { VECRON__STORAGE__DATABASE_URL: PG_URL, VECRON__STORAGE__SCHEMA: schema, VECRON__SECURITY__ENCRYPTION_KEY: generateSecretKey() },
    });
    const logger = pino({ level: 'silent' });
    const noop = defineExecutor({ type: 'noop', config: z.object({}), execute: async () => ({}) }) as AnyExecutor;
    const api = await buildCronSystem(config, { logger, executors: [noop] });
    built.push(api);
    const worker = await buildCronSystem(config, { logger, executors: [noop] });
    built.push(worker);
    expect(api.natsQueue).toBeNull();
    expect(api.queue?.durable).toBe(true);
    await api.checks.queue!();

    const finished = new Map<string, number>();
    worker.cron.on('execution.finished', (e) => void finished.set(e.executionId, (finished.get(e.executionId) ?? 0) + 1));
    await worker.cron.start({ scheduler: false, worker: { concurrency: 8 } });
    await api.cron.start({ scheduler: true, worker: false });
    const job = await api.cron.jobs.create({ name: 'pg-only', steps: [{ id: 'n', type: 'noop' }] });
    const ids = await Promise.all(Array.from({ length: 100 }, async () => (await api.cron.trigger(job.id)).executionId));
    const deadline = Date.now() + 60_000;
    while (finished.size < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(finished.size).toBe(100);
    expect([...finished.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await (await admin()).query(`SELECT count(*)::int AS n FROM "${schema}".vecron_executions WHERE id = ANY($1::uuid[]) AND finished_at IS NOT NULL`, [ids]);
    expect(rows[0].n).toBe(100);
    const { rows: left } = await (await admin()).query(`SELECT count(*)::int AS n FROM "${schema}".vecron_queue`);
    expect(left[0].n).toBe(0);
  });
});
