import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createCronSystem, defineExecutor } from '@vecron/sdk';
import type { CronSystem, Queue } from '@vecron/sdk';
import { postgresQueue, postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { natsQueue } from '@vecron/sdk/nats';
import type { NatsQueue } from '@vecron/sdk/nats';
import { jetstreamManager } from '@nats-io/jetstream';
import { createHarnessTables } from './checker.js';
import type { NodeConfig } from './node-main.js';

/** A stub of the harness `sink` step type so the test process can validate and create jobs. */
const sinkStub = defineExecutor({
  type: 'sink',
  config: z.object({ ms: z.number().int().min(0), first_ms: z.number().int().min(0).optional() }),
  async execute() {
    throw new Error('the test process runs no steps');
  },
});

/** One isolated run: its own schema, stream and key prefix on the given servers. */
export interface Run {
  readonly schema: string;
  readonly stream: string;
  readonly prefix: string;
  readonly storage: PostgresStorage;
  /** The run's queue: NATS JetStream, or the PostgreSQL queue (table in the run's schema). */
  readonly queue: Queue;
  readonly queueKind: 'nats' | 'postgres';
  /** A cron system with no roles, for creating jobs and triggering. */
  readonly cron: CronSystem;
  nodeConfig(role: NodeConfig['role'], extra?: Partial<NodeConfig>): NodeConfig;
  /** Triggers `n` manual executions of `jobId`, `parallel` at a time; returns their ids. */
  triggerMany(jobId: string, n: number, parallel?: number): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function createRun(
  servers: { pgUrl: string; natsUrl: string; redisUrl: string | null },
  base: { leaseMs: number; ackWaitMs: number; concurrency: number },
  queueKind: 'nats' | 'postgres' = 'nats',
): Promise<Run> {
  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `h_${tag}`;
  const stream = `H_${tag.toUpperCase()}`;
  const prefix = `vecron:h:${tag}:`;
  const storage = await postgresStorage({ connectionString: servers.pgUrl, schema, poolMax: 20 });
  await createHarnessTables(storage.sql);
  let nats: NatsQueue | null = null;
  let queue: Queue;
  if (queueKind === 'nats') {
    nats = natsQueue({ servers: servers.natsUrl, stream, subject: `${stream.toLowerCase()}.work`, consumer: 'workers', ackWaitMs: base.ackWaitMs, duplicateWindowMs: 2_000, maxDeliver: 1_000, reconnectTimeWaitMs: 250, publishTimeoutMs: 2_000 });
    await nats.ready();
    queue = nats;
  } else {
    const pq = postgresQueue({ connectionString: servers.pgUrl, schema, ackWaitMs: base.ackWaitMs, maxDeliver: 1_000 });
    await pq.ready();
    queue = pq;
  }
  const cron = createCronSystem({ executors: [sinkStub], storage, queue });
  return {
    schema, stream, prefix, storage, queue, queueKind, cron,
    nodeConfig: (role, extra = {}) => ({
      role, pgUrl: servers.pgUrl, schema, natsUrl: servers.natsUrl, stream, redisUrl: servers.redisUrl, prefix, queue: queueKind, ...base, ...extra,
    }),
    async triggerMany(jobId, n, parallel = 20) {
      const ids: string[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < n) {
          next += 1;
          for (let tries = 0; ; tries++) {
            try {
              ids.push((await cron.trigger(jobId)).executionId);
              break;
            } catch (err) {
              if (tries > 20) throw err;
              await new Promise((r) => setTimeout(r, 250));
            }
          }
        }
      }));
      return ids;
    },
    async cleanup() {
      const nc = nats ? await nats.ready().catch(() => null) : null;
      if (nc) {
        const jsm = await jetstreamManager(nc);
        for (const s of [stream, `${stream}_DLQ`]) await jsm.streams.delete(s).catch(() => undefined);
      }
      await queue.close();
      await storage.sql.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await storage.close();
    },
  };
}
