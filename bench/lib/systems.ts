/**
 * The four systems under test behind one small interface: add a no-op job, start workers that
 * report when a job starts and when its completion is durable, close and clean up.
 *
 * - vecron-distributed: PostgreSQL storage (own schema), NATS JetStream queue (own stream),
 *   Redis coordination (own key prefix), database clock; worker concurrency 100.
 * - vecron-postgres: PostgreSQL storage and the PostgreSQL queue (`postgresQueue`, sharing the
 *   storage's pool), database clock, no NATS and no Redis; worker concurrency 100.
 * - vecron-embedded: the default PGlite in memory and the in-process queue; concurrency 100.
 * - bullmq: Queue + Worker (concurrency 100, removeOnComplete/removeOnFail), own key prefix.
 * - pg-boss: own schema, 4 × work() with batchSize 500 and the minimum polling interval (0.5 s).
 *
 * With `attach: true` a system joins one that another process created with the same `id` (its
 * schema, stream, key prefix, job): the worker processes of the multi-process runs. An attached
 * system cleans nothing up; the creating process does.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createCronSystem, defineExecutor } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import { databaseClock, postgresQueue, postgresStorage } from '@vecron/sdk/postgres';
import { natsQueue } from '@vecron/sdk/nats';
import { redisCoordination } from '@vecron/sdk/redis';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import PgBoss from 'pg-boss';
import { NATS_URL, REDIS_URL, pgUrl, pool } from './env.js';
import { dropNatsStreams } from './nats-streams.js';

export const SYSTEMS = ['vecron-distributed', 'vecron-postgres', 'vecron-embedded', 'bullmq', 'pg-boss'] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface Hooks {
  onStart(id: string): void;
  onDone(id: string): void;
}

export interface BenchSystem {
  readonly name: SystemName;
  /** Whether its state lives in the benchmark's PostgreSQL database (commits are counted). */
  readonly usesPg: boolean;
  /** Adds one no-op job; resolves with its id once the add is acknowledged. */
  add(): Promise<string>;
  /** Adds `n` jobs as fast as the system allows (setup of the drain scenario, not timed). */
  addMany(n: number): Promise<void>;
  /**
   * Starts the workers; with `{ worker: false }` only what the producing process of a
   * multi-process run needs (vecron: the scheduler role; the others: nothing).
   */
  start(hooks: Hooks, roles?: { worker: boolean }): Promise<void>;
  /** Resolves once `n` completions are durable (for pg-boss: checked in its table). */
  settle?(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface SystemConfig {
  /** Benchmark database (created by the runner). */
  db: string;
  /** Unique id of this scenario run: schema, stream, key prefix. */
  id: string;
  concurrency?: number;
  /** vecron lease, ms (scenario f). */
  leaseMs?: number;
  /** Join the system another process created with this `id` (workers of a multi-process run). */
  attach?: boolean;
}

let hooks: Hooks | null = null;
const noop = defineExecutor({
  type: 'noop',
  config: z.object({}).passthrough(),
  async execute(_config, ctx) {
    hooks?.onStart(ctx.executionId);
    return {};
  },
});

async function vecron(cfg: SystemConfig, mode: 'distributed' | 'postgres' | 'embedded'): Promise<BenchSystem> {
  const schema = `vb_${cfg.id}`;
  const stream = `VB_${cfg.id.toUpperCase()}`;
  const distributed = mode !== 'embedded';
  let cron: CronSystem;
  let cleanup = async (): Promise<void> => undefined;
  if (mode === 'postgres') {
    const storage = await postgresStorage({ connectionString: pgUrl(cfg.db), schema, poolMax: 20, applicationName: 'vecron-bench' });
    cron = createCronSystem({
      executors: [noop], storage, clock: await databaseClock(storage),
      queue: postgresQueue({ pool: storage.pool, schema, ackWaitMs: 30_000 }),
      pollIntervalMs: 100, dispatchIntervalMs: 1_000, ...(cfg.leaseMs ? { leaseMs: cfg.leaseMs } : {}),
    });
  } else if (distributed) {
    const storage = await postgresStorage({ connectionString: pgUrl(cfg.db), schema, poolMax: 20, applicationName: 'vecron-bench' });
    const clock = await databaseClock(storage);
    const coordination = redisCoordination({ url: REDIS_URL, keyPrefix: `vb:${cfg.id}:` });
    cron = createCronSystem({
      executors: [noop], storage, clock, coordination,
      queue: natsQueue({ servers: NATS_URL, stream, subject: `vb.${cfg.id}.work`, consumer: 'workers', ackWaitMs: 30_000, duplicateWindowMs: 10_000 }),
      pollIntervalMs: 100, dispatchIntervalMs: 1_000, ...(cfg.leaseMs ? { leaseMs: cfg.leaseMs } : {}),
    });
    if (!cfg.attach) {
      cleanup = async () => {
        await dropNatsStreams([stream, `${stream}_DLQ`]);
        await delRedisPrefix(`vb:${cfg.id}:`);
      };
    }
  } else {
    cron = createCronSystem({ executors: [noop], pollIntervalMs: 100, dispatchIntervalMs: 1_000 });
  }
  const job = cfg.attach
    ? null
    : await cron.jobs.create({ name: `bench-${cfg.id}`, triggers: { manual: true, scheduled: false }, max_retries: 0, steps: [{ id: 'noop', type: 'noop' }] });
  const jobId = (): string => {
    if (!job) throw new Error('an attached system only works; the creating process adds');
    return job.id;
  };
  return {
    name: mode === 'embedded' ? 'vecron-embedded' : mode === 'postgres' ? 'vecron-postgres' : 'vecron-distributed',
    usesPg: distributed,
    async add() {
      return (await cron.trigger(jobId())).executionId;
    },
    async addMany(n) {
      await pool(n, 64, async () => void (await cron.trigger(jobId())));
    },
    async start(h, roles = { worker: true }) {
      hooks = h;
      cron.on('execution.finished', (e) => h.onDone(e.executionId));
      // The creating process of a multi-process run also runs the scheduler role (dispatcher, reaper).
      await cron.start({ scheduler: roles.worker ? false : true, worker: roles.worker ? { concurrency: cfg.concurrency ?? 100 } : false });
    },
    async close() {
      await cron.stop({ graceMs: 2_000 });
      await cleanup();
    },
  };
}

async function bullmq(cfg: SystemConfig): Promise<BenchSystem> {
  const prefix = `vb:${cfg.id}:bull`;
  const u = new URL(REDIS_URL);
  const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
  const queue = new BullQueue('bench', { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  let worker: BullWorker | null = null;
  return {
    name: 'bullmq',
    usesPg: false,
    async add() {
      return (await queue.add('noop', {})).id!;
    },
    async addMany(n) {
      for (let i = 0; i < n; i += 1_000) await queue.addBulk(Array.from({ length: Math.min(1_000, n - i) }, () => ({ name: 'noop', data: {} })));
    },
    async start(h, roles = { worker: true }) {
      if (!roles.worker) return;
      worker = new BullWorker('bench', async (j) => void h.onStart(j.id!), {
        connection, prefix, concurrency: cfg.concurrency ?? 100, removeOnComplete: { count: 0 }, removeOnFail: { count: 0 },
      });
      worker.on('completed', (j) => h.onDone(j.id!));
      await worker.waitUntilReady();
    },
    async close() {
      await worker?.close(true);
      if (!cfg.attach) await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      if (!cfg.attach) await delRedisPrefix(`${prefix}:`);
    },
  };
}

async function pgBoss(cfg: SystemConfig): Promise<BenchSystem> {
  const schema = `pgb_${cfg.id}`;
  const boss = new PgBoss({ connectionString: pgUrl(cfg.db), schema, max: 20, schedule: false, supervise: false });
  boss.on('error', () => undefined);
  await boss.start();
  const name = 'bench';
  if (!cfg.attach) await boss.createQueue(name);
  return {
    name: 'pg-boss',
    usesPg: true,
    async add() {
      return (await boss.send(name, {}))!;
    },
    async addMany(n) {
      for (let i = 0; i < n; i += 1_000) await boss.insert(Array.from({ length: Math.min(1_000, n - i) }, () => ({ name, data: {}, id: randomUUID() })));
    },
    async start(h, roles = { worker: true }) {
      if (!roles.worker) return;
      // pg-boss completes a batch after the handler resolves; `settle` waits for those commits.
      for (let w = 0; w < 4; w += 1) {
        await boss.work(name, { batchSize: 500, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const j of jobs) h.onStart(j.id);
          queueMicrotask(() => jobs.forEach((j) => h.onDone(j.id)));
        });
      }
    },
    async settle(n) {
      const db = boss.getDb();
      for (;;) {
        const r = (await db.executeSql(`SELECT count(*)::int AS n FROM ${schema}.job WHERE name = $1 AND state = 'completed'`, [name])) as { rows: Array<{ n: number }> };
        if ((r.rows[0]?.n ?? 0) >= n) return;
        await new Promise((res) => setTimeout(res, 25));
      }
    },
    async close() {
      await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    },
  };
}

export async function createSystem(name: SystemName, cfg: SystemConfig): Promise<BenchSystem> {
  switch (name) {
    case 'vecron-distributed':
      return vecron(cfg, 'distributed');
    case 'vecron-postgres':
      return vecron(cfg, 'postgres');
    case 'vecron-embedded':
      return vecron(cfg, 'embedded');
    case 'bullmq':
      return bullmq(cfg);
    case 'pg-boss':
      return pgBoss(cfg);
  }
}

/** Deletes every Redis key under `prefix` (SCAN, never KEYS). */
export async function delRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

