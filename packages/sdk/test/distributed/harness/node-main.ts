/**
 * One vecron process of the fault harness: scheduler and/or worker against PostgreSQL, NATS and
 * (optionally) Redis. Configured by the HARNESS_CONFIG env var (JSON, see {@link NodeConfig}).
 * Every step side effect goes to `harness_sink` in the run's schema; a crash can be injected
 * between commit and publish or between commit and ack (`kill -9` of itself).
 */
import { pino } from 'pino';
import { z } from 'zod';
import { createCronSystem, defineExecutor } from '@vecron/sdk';
import type { Coordination, Queue, QueueMessage } from '@vecron/sdk';
import { databaseClock, postgresQueue, postgresStorage } from '@vecron/sdk/postgres';
import { markDeadLetter, natsQueue } from '@vecron/sdk/nats';
import { redisCoordination } from '@vecron/sdk/redis';

export interface NodeConfig {
  role: 'scheduler' | 'worker';
  pgUrl: string;
  schema: string;
  natsUrl: string;
  stream: string;
  redisUrl: string | null;
  prefix: string;
  /** Which queue: NATS JetStream (default) or the PostgreSQL queue (a table in the run's schema). */
  queue?: 'nats' | 'postgres';
  leaseMs: number;
  ackWaitMs: number;
  concurrency: number;
  crash?: { at: 'before-publish' | 'after-publish' | 'before-ack'; nth: number };
}

const cfg = JSON.parse(process.env.HARNESS_CONFIG ?? '{}') as NodeConfig;
const logger = pino({ level: 'info', base: { pid: process.pid, role: cfg.role } });
const die = (where: string): never => {
  logger.warn({ where }, 'harness: injected crash (kill -9 of myself)');
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

const storage = await postgresStorage({ connectionString: cfg.pgUrl, schema: cfg.schema, poolMax: 12, statementTimeoutMs: 10_000, connectionTimeoutMs: 3_000, logger });
const clock = await databaseClock(storage, { refreshMs: 5_000, logger });
const inner: Queue = cfg.queue === 'postgres'
  ? postgresQueue({
    connectionString: cfg.pgUrl, schema: cfg.schema, ackWaitMs: cfg.ackWaitMs, maxDeliver: 1_000, logger, pollIntervalMs: 500,
    statementTimeoutMs: 10_000, connectionTimeoutMs: 3_000, onDeadLetter: async (id) => void (await markDeadLetter(storage, id, { clock })),
  })
  : natsQueue({
    servers: cfg.natsUrl, stream: cfg.stream, subject: `${cfg.stream.toLowerCase()}.work`, consumer: 'workers',
    ackWaitMs: cfg.ackWaitMs, duplicateWindowMs: 2_000, maxDeliver: 1_000, logger, reconnectTimeWaitMs: 250, publishTimeoutMs: 2_000,
    fetchExpiresMs: 1_000, onDeadLetter: async (id) => void (await markDeadLetter(storage, id, { clock })),
  });
let publishes = 0;
let acks = 0;
const queue: Queue = {
  ...inner,
  async publish(id, o) {
    // Publishes run in parallel: remember which one this is before awaiting.
    const n = ++publishes;
    if (cfg.crash?.at === 'before-publish' && n === cfg.crash.nth) die('after commit, before publish');
    await inner.publish(id, o);
    if (cfg.crash?.at === 'after-publish' && n === cfg.crash.nth) die('after publish, before markPublished');
  },
  // The scheduler's announce and the dispatcher publish through publishMany where the queue has
  // it: its messages count as publishes too, so the crash hits whichever path publishes the nth.
  ...(inner.publishMany ? {
    async publishMany(messages: Parameters<NonNullable<Queue['publishMany']>>[0]) {
      const first = publishes + 1;
      publishes += messages.length;
      const hit = (at: 'before-publish' | 'after-publish'): boolean => cfg.crash?.at === at && cfg.crash.nth >= first && cfg.crash.nth <= publishes;
      if (hit('before-publish')) die('after commit, before publish');
      const answers = await inner.publishMany!(messages);
      if (hit('after-publish')) die('after publish, before markPublished');
      return answers;
    },
  } : {}),
  consume(handler, o) {
    return inner.consume((m) => handler({
      executionId: m.executionId, deliveryCount: m.deliveryCount, inProgress: () => m.inProgress(), nak: (d) => m.nak(d),
      async ack() {
        acks += 1;
        if (cfg.crash?.at === 'before-ack' && acks === cfg.crash.nth) die('after completion commit, before ack');
        return m.ack();
      },
    } satisfies QueueMessage), o);
  },
};
const coordination: Coordination | undefined = cfg.redisUrl ? redisCoordination({ url: cfg.redisUrl, keyPrefix: cfg.prefix, logger }) : undefined;

const sql = storage.sql;
const sink = defineExecutor({
  type: 'sink',
  config: z.object({ ms: z.number().int().min(0), first_ms: z.number().int().min(0).optional() }),
  async execute(config, ctx) {
    await sql.query(`INSERT INTO harness_sink (execution_id, step_id, attempt, pid) VALUES ($1, $2, $3, $4)`, [ctx.executionId, ctx.stepId, ctx.attempt, process.pid]);
    const ms = ctx.attempt === 1 && config.first_ms !== undefined ? config.first_ms : config.ms;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        const code = (ctx.signal.reason as { code?: string })?.code ?? 'ABORTED';
        logger.warn({ executionId: ctx.executionId, code }, 'harness: step signal aborted');
        sql.query(`UPDATE harness_sink SET aborted = $4 WHERE execution_id = $1 AND step_id = $2 AND attempt = $3`, [ctx.executionId, ctx.stepId, ctx.attempt, code])
          .finally(() => reject(ctx.signal.reason));
      }, { once: true });
    });
    return { ms };
  },
});

const cron = createCronSystem({
  executors: [sink], storage, queue, clock, logger, leaseMs: cfg.leaseMs, ...(coordination ? { coordination } : {}),
  pollIntervalMs: 200, dispatchIntervalMs: 500, republishAfterMs: 4_000, shutdownGraceMs: 1_000,
  backoff: { baseMs: 100, factor: 2, capMs: 1_000 },
  // Some runs start workers while Redis is down on purpose: the tolerant start for Redis.
  strict: false,
});
// The cron system reports background failures as 'error' events; without a listener an
// EventEmitter 'error' would end the process.
cron.on('error', (e) => logger.error({ where: e.where, err: { message: (e.error as Error)?.message } }, 'harness: background error'));
await cron.start({ scheduler: cfg.role === 'scheduler', worker: cfg.role === 'worker' ? { concurrency: cfg.concurrency } : false });
// A long-running process, as `vecron scheduler|worker` is (its HTTP and metrics listeners hold it
// open). The cron system's own loops do not hold the process open, so with PostgreSQL alone
// (no NATS or Redis connection) a restart of the server would leave nothing that does.
const keepAlive = setInterval(() => undefined, 60_000);
logger.info('harness: ready');
process.stdout.write('HARNESS_READY\n');

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    void cron.stop({ graceMs: 500 }).then(async () => {
      clearInterval(keepAlive);
      clock.close();
      await coordination?.close();
      process.exit(0);
    });
  });
}
