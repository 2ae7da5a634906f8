/**
 * A vecron distributed system for the schedule scenarios (c, d, e, f), plus bulk fixtures:
 * N jobs cloned in SQL from one job created through the API (same stored definition bytes as N
 * API calls would write, in seconds instead of minutes).
 */
import { z } from 'zod';
import { createCronSystem, defineExecutor } from '@vecron/sdk';
import type { CronSystem, PublishOptions, Queue, StartOptions } from '@vecron/sdk';
import { databaseClock, postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { natsQueue } from '@vecron/sdk/nats';
import { redisCoordination } from '@vecron/sdk/redis';
import { NATS_URL, REDIS_URL, pgUrl } from './env.js';
import { dropNatsStreams } from './nats-streams.js';
import { delRedisPrefix } from './systems.js';

export interface VecronRig {
  cron: CronSystem;
  storage: PostgresStorage;
  schema: string;
  close(): Promise<void>;
}

/** Executor `sleep` (config `ms`), reporting each start. */
export function sleepExecutor(onStart?: (executionId: string) => void) {
  return defineExecutor({
    type: 'sleep',
    config: z.object({ ms: z.number().int().min(0).default(0) }),
    async execute(config, ctx) {
      onStart?.(ctx.executionId);
      if (config.ms > 0) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, config.ms);
          ctx.signal.addEventListener('abort', () => (clearTimeout(t), reject(ctx.signal.reason)), { once: true });
        });
      }
      return {};
    },
  });
}

export async function vecronRig(o: {
  db: string; id: string; pollIntervalMs?: number; dispatchIntervalMs?: number; leaseMs?: number; onStart?: (id: string) => void;
  /** Called when a publish of an execution id has been acknowledged by the server. */
  onPublished?: (executionId: string) => void;
}): Promise<VecronRig> {
  const schema = `vb_${o.id}`;
  const stream = `VB_${o.id.toUpperCase()}`;
  const storage = await postgresStorage({ connectionString: pgUrl(o.db), schema, poolMax: 20, applicationName: 'vecron-bench', statementTimeoutMs: 600_000 });
  const clock = await databaseClock(storage);
  const cron = createCronSystem({
    executors: [sleepExecutor(o.onStart)], storage, clock,
    coordination: redisCoordination({ url: REDIS_URL, keyPrefix: `vb:${o.id}:` }),
    queue: observed(natsQueue({ servers: NATS_URL, stream, subject: `vb.${o.id}.work`, consumer: 'workers', ackWaitMs: 30_000, duplicateWindowMs: 5_000 }), o.onPublished),
    pollIntervalMs: o.pollIntervalMs ?? 250, dispatchIntervalMs: o.dispatchIntervalMs ?? 1_000, republishAfterMs: 10_000,
    ...(o.leaseMs ? { leaseMs: o.leaseMs } : {}),
  });
  return {
    cron, storage, schema,
    async close() {
      await cron.stop({ graceMs: 1_000 });
      await dropNatsStreams([stream, `${stream}_DLQ`]);
      await delRedisPrefix(`vb:${o.id}:`);
    },
  };
}

/** The queue, reporting each acknowledged publish (one by one or through `publishMany`) to `onPublished`. */
function observed(queue: Queue, onPublished?: (executionId: string) => void): Queue {
  if (!onPublished) return queue;
  const publishMany = queue.publishMany?.bind(queue);
  return Object.assign(Object.create(queue) as Queue, {
    async publish(executionId: string, options?: PublishOptions) {
      await queue.publish(executionId, options);
      onPublished(executionId);
    },
    ...(publishMany ? {
      async publishMany(messages: ReadonlyArray<{ executionId: string } & PublishOptions>) {
        const answers = await publishMany(messages);
        answers.forEach((err, i) => {
          if (err === null) onPublished(messages[i]!.executionId);
        });
        return answers;
      },
    } : {}),
  });
}

/** Starts roles (wrapper so callers read well). */
export const startRoles = (rig: VecronRig, s: StartOptions): Promise<void> => rig.cron.start(s);

/**
 * Creates `n` cron jobs (`0 0 0 1 1 ?`, yearly, one no-op step) named `${prefix}${1..n}`: one through the
 * API, cloned in SQL. `nextFire(g)` returns the SQL of each one's `next_fire_at` given the SQL of its number `g`.
 */
export async function cloneJobs(rig: VecronRig, n: number, prefix: string, nextFire: (g: string) => string, params: unknown[] = []): Promise<void> {
  const model = await rig.cron.jobs.create({
    name: `${prefix}model`, schedule: { type: 'cron', expression: '0 0 0 1 1 ?', timezone: 'UTC' },
    max_retries: 0, steps: [{ id: 's', type: 'sleep', config: { ms: 0 } }],
  });
  await rig.cron.jobs.delete(model.id);
  const def = { ...model.definition } as Record<string, unknown>;
  const sql = rig.storage.sql;
  for (let from = 1; from <= n; from += 100_000) {
    const to = Math.min(n, from + 99_999);
    await sql.query(
      `WITH j AS (
         INSERT INTO vecron_jobs (id, name, definition, enabled, version, created_at, updated_at)
         SELECT gen_random_uuid(), $3 || g, jsonb_set($4::jsonb, '{name}', to_jsonb($3 || g)), true, 1, now(), now()
         FROM generate_series($1::int, $2::int) g
         RETURNING id, name)
       INSERT INTO vecron_schedules (job_id, next_fire_at, anchor_at)
       SELECT j.id, ${nextFire(`substr(j.name, ${prefix.length + 1})::int`)}, now() FROM j`,
      [from, to, prefix, JSON.stringify(def), ...params],
    );
  }
  await sql.query('ANALYZE vecron_jobs');
  await sql.query('ANALYZE vecron_schedules');
}

/** Bytes of every table and index in the schema. */
export async function schemaBytes(rig: VecronRig | { storage: { sql: PostgresStorage['sql'] } }, schema: string): Promise<number> {
  const { rows } = await rig.storage.sql.query<{ b: string }>(
    `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::text AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r','p','m')`,
    [schema],
  );
  return Number(rows[0]?.b ?? 0);
}
