/**
 * Adapter behaviour beyond the conformance suites, against the shared loopback services, each
 * test in its own schema / stream / key prefix.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError, createCronSystem } from '@vecron/sdk';
import type { Coordination } from '@vecron/sdk';
import { databaseClock, pgPoolClient, postgresQueue, postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresQueue } from '@vecron/sdk/postgres';
import type { QueueMessage } from '@vecron/sdk';
import { markDeadLetter, natsQueue } from '@vecron/sdk/nats';
import type { NatsQueue } from '@vecron/sdk/nats';
import { redisCoordination } from '@vecron/sdk/redis';
import type { RedisCoordination } from '@vecron/sdk/redis';
import { jetstreamManager } from '@nats-io/jetstream';
import { testServers } from '@vecron/test-servers';
import { echoExecutor } from '../helpers/test-executors.js';
import { recordStatements } from '../helpers/recorded-statements.js';
import { privateRedis } from './harness/servers.js';
import { describeCoordination, eventually, until } from '@vecron/sdk/testing';

const { postgres: PG_URL, nats: NATS_URL, redis: REDIS_URL } = testServers();
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
/** Waits until an ioredis-backed coordination is connected (memory: at once). */
async function connected(c: Coordination): Promise<void> {
  const client = (c as { client?: Redis }).client;
  for (let i = 0; client && client.status !== 'ready' && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
}
const tag = (): string => randomUUID().replace(/-/g, '').slice(0, 12);
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await admin.end();
});
const dropSchemaLater = (schema: string): void => void cleanups.push(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
const deleteStreamLater = (q: NatsQueue, stream: string): void => void cleanups.push(async () => {
  const jsm = await jetstreamManager(await q.ready());
  for (const s of [stream, `${stream}_DLQ`]) await jsm.streams.delete(s).catch(() => undefined);
  await q.close();
});

describe('postgresStorage', () => {
  it('8 processes-worth of concurrent start-ups on a fresh schema migrate it exactly once', async () => {
    const schema = `mig_${tag()}`;
    dropSchemaLater(schema);
    const stores = await Promise.all(Array.from({ length: 8 }, () => postgresStorage({ connectionString: PG_URL, schema, poolMax: 2 })));
    const { rows } = await admin.query(`SELECT id, count(*)::int AS n FROM "${schema}".vecron_migrations GROUP BY id ORDER BY id`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const tables = await admin.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'vecron_executions'`, [schema]);
    expect(tables.rows[0].n).toBe(1);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('batches of two processes over the same rows in opposite orders wait for each other, never deadlock', async () => {
    const schema = `dl_${tag()}`;
    dropSchemaLater(schema);
    const [p1, p2] = await Promise.all([0, 1].map(() => postgresStorage({ connectionString: PG_URL, schema, poolMax: 4 })));
    const cron = createCronSystem({ executors: [echoExecutor()], storage: p1! });
    const job = await cron.jobs.create({ name: 'dl', steps: [{ id: 's', type: 'echo', config: { value: 1 } }] });
    const now = new Date();
    const created = await Promise.all(Array.from({ length: 300 }, () => p1!.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: randomUUID(), triggerSource: 'manual', availableAt: now }, now)));
    const ids = created.map((c) => c.execution.id);
    const claims = await Promise.all(ids.map((id) => p1!.claimExecution(id, { owner: 'w', leaseMs: 60_000, now, exclusive: false })));
    const tokens = new Map(claims.map((c) => [c.execution!.id, c.claimed ? c.execution.fencingToken! : -1]));
    const reversed = [...ids].reverse();
    for (let round = 0; round < 10; round++) {
      // Each process sends one multi-row statement per kind, the two in opposite row orders.
      await Promise.all([
        ...ids.map((id) => p1!.extendLease(id, tokens.get(id)!, { leaseMs: 60_000, now })),
        ...reversed.map((id) => p2!.extendLease(id, tokens.get(id)!, { leaseMs: 60_000, now })),
        p1!.markPublished(ids, now),
        p2!.markPublished(reversed, now),
      ]);
    }
    const done = await Promise.all([
      ...ids.slice(0, 150).map((id) => p1!.completeExecution(id, tokens.get(id)!, { status: 'success', error: null, context: { steps: {} }, now })),
      ...[...ids.slice(150)].reverse().map((id) => p2!.completeExecution(id, tokens.get(id)!, { status: 'success', error: null, context: { steps: {} }, now })),
    ]);
    expect(done.every(Boolean)).toBe(true);
    await Promise.all([p1!.close(), p2!.close()]);
  });

  it('keeps every pooled connection on its schema, and two schemas never see each other', async () => {
    const [a, b] = [`iso_${tag()}`, `iso_${tag()}`];
    dropSchemaLater(a);
    dropSchemaLater(b);
    const sa = await postgresStorage({ connectionString: PG_URL, schema: a, poolMax: 4 });
    const sb = await postgresStorage({ connectionString: PG_URL, schema: b, poolMax: 4 });
    const cron = createCronSystem({ executors: [echoExecutor()], storage: sa });
    await Promise.all(Array.from({ length: 12 }, (_, i) => cron.jobs.create({ name: `j${i}`, steps: [{ id: 's', type: 'echo', config: { value: 1 } }] })));
    expect((await sa.listJobs()).length).toBe(12);
    expect((await sb.listJobs()).length).toBe(0);
    const paths = await Promise.all(Array.from({ length: 8 }, () => sa.sql.query<{ search_path: string }>('SHOW search_path')));
    expect(new Set(paths.map((r) => r.rows[0]!.search_path.split(',')[0]!.replace(/"/g, '').trim()))).toEqual(new Set([a]));
    await sa.close();
    await sb.close();
  });

  it('maps a server that cannot be reached to a retryable StorageError, and a statement timeout too', async () => {
    const err = await postgresStorage({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).retryable).toBe(true);

    const schema = `to_${tag()}`;
    dropSchemaLater(schema);
    const s = await postgresStorage({ connectionString: PG_URL, schema, statementTimeoutMs: 200 });
    const slow = await s.sql.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(StorageError);
    expect((slow as StorageError).retryable).toBe(true);
    expect((slow as StorageError).details).toMatchObject({ sqlstate: '57014' });
    // A SQL error is not a connection problem: a StorageError that is not retryable, with its SQLSTATE.
    const syntax = await s.sql.query('SELEC 1').catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(StorageError);
    expect(syntax).toMatchObject({ retryable: false, details: { sqlstate: '42601' } });
    await s.close();
  });

  it('databaseClock follows the database clock within a few ms and costs no query per call', async () => {
    const schema = `clk_${tag()}`;
    dropSchemaLater(schema);
    const s = await postgresStorage({ connectionString: PG_URL, schema });
    const clock = await databaseClock(s, { refreshMs: 60_000 });
    let queries = 0;
    const orig = s.pool.query.bind(s.pool);
    (s.pool as unknown as { query: unknown }).query = (...args: Parameters<typeof orig>) => {
      queries += 1;
      return orig(...args);
    };
    for (let i = 0; i < 1_000; i++) clock.now();
    expect(queries).toBe(0);
    const { rows } = await orig('SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms');
    expect(Math.abs(clock.now().getTime() - Number(rows[0].ms))).toBeLessThan(250);
    clock.close();
    await s.close();
  });
});

describe('pgPoolClient transactions', () => {
  it('send BEGIN with a first statement without parameters (one round trip), alone before one with them, nothing for a transaction of no statement, and roll back what the first statement did', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    cleanups.push(() => pool.end());
    const sent = recordStatements(pool);
    const sql = pgPoolClient(pool);
    await sql.query('CREATE TEMP TABLE tx_probe (v int)');
    const count = async (v: number): Promise<number> => Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM tx_probe WHERE v = $1', [v])).rows[0]!.n);

    sent.length = 0;
    expect(await sql.transaction(async (tx) => {
      const first = await tx.query('INSERT INTO tx_probe VALUES (1) RETURNING v');
      expect(first).toEqual({ rows: [{ v: 1 }], rowCount: 1 });
      return (await tx.query<{ x: number }>('SELECT $1::int AS x', [2])).rows[0]!.x;
    })).toBe(2);
    expect(sent).toEqual(['BEGIN;\nINSERT INTO tx_probe VALUES (1) RETURNING v', 'SELECT $1::int AS x', 'COMMIT']);
    expect(await count(1)).toBe(1);

    sent.length = 0;
    await sql.transaction((tx) => tx.query('INSERT INTO tx_probe VALUES ($1)', [3]));
    expect(sent).toEqual(['BEGIN', 'INSERT INTO tx_probe VALUES ($1)', 'COMMIT']);

    sent.length = 0;
    expect(await sql.transaction(async () => 5)).toBe(5);
    expect(sent).toEqual([]);

    sent.length = 0;
    await expect(sql.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_probe VALUES (2)');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(sent).toEqual(['BEGIN;\nINSERT INTO tx_probe VALUES (2)', 'ROLLBACK']);
    expect(await count(2)).toBe(0);

    // The first statement itself fails: rolled back, the connection usable.
    await expect(sql.transaction((tx) => tx.query('INSERT INTO tx_probe SELECT 1 / 0'))).rejects.toBeInstanceOf(StorageError);
    expect(await count(1)).toBe(1);
  });

  it('send COMMIT with a last statement asked for with `commit` (its values written in, one round trip), roll back when it fails, refuse a statement after it', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    cleanups.push(() => pool.end());
    const sent = recordStatements(pool);
    const sql = pgPoolClient(pool);
    await sql.query('CREATE TEMP TABLE tx_last (v int, s text, a text[])');
    const rows = async (): Promise<unknown[]> => (await sql.query('SELECT v, s, a FROM tx_last ORDER BY v')).rows;

    sent.length = 0;
    const quoted = `it's \\ "$1" $2`;
    expect(await sql.transaction(async (tx) => {
      await tx.query('SELECT 1');
      return (await tx.query('INSERT INTO tx_last VALUES ($1, $2, $3::text[]) RETURNING v, s, a', [1, quoted, ['x,"y"', null, 'z\\']], { commit: true })).rows;
    })).toEqual([{ v: 1, s: quoted, a: ['x,"y"', null, 'z\\'] }]);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe('BEGIN;\nSELECT 1');
    expect(sent[1]).toMatch(/^INSERT INTO tx_last VALUES \('1', .*\) RETURNING v, s, a;\nCOMMIT$/s);
    expect(await rows()).toEqual([{ v: 1, s: quoted, a: ['x,"y"', null, 'z\\'] }]);

    // The last statement fails: COMMIT does not run, the transaction rolls back.
    sent.length = 0;
    await expect(sql.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_last (v) VALUES (2)');
      await tx.query('INSERT INTO tx_last (v) SELECT $1::int / 0', [3], { commit: true });
    })).rejects.toBeInstanceOf(StorageError);
    expect(sent.slice(-1)).toEqual(['ROLLBACK']);
    expect(await rows()).toHaveLength(1);

    // Nothing may follow it: the transaction is over.
    await expect(sql.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('INSERT INTO tx_last (v) VALUES ($1)', [4], { commit: true });
      await tx.query('INSERT INTO tx_last (v) VALUES (5)');
    })).rejects.toThrow(/after the one that committed/);
    expect((await rows()).map((r) => (r as { v: number }).v)).toEqual([1, 4]);

    // Values it does not write in (a Date), or a first statement (no BEGIN sent yet): the usual way.
    sent.length = 0;
    await sql.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('INSERT INTO tx_last (v, s) VALUES ($1, $2::timestamptz::text)', [6, new Date(0)], { commit: true });
    });
    expect(sent).toEqual(['BEGIN;\nSELECT 1', 'INSERT INTO tx_last (v, s) VALUES ($1, $2::timestamptz::text)', 'COMMIT']);
    sent.length = 0;
    await sql.transaction((tx) => tx.query('INSERT INTO tx_last (v) VALUES ($1)', [7], { commit: true }));
    expect(sent).toEqual(['BEGIN', 'INSERT INTO tx_last (v) VALUES ($1)', 'COMMIT']);
    sent.length = 0;
    await sql.transaction((tx) => tx.query('INSERT INTO tx_last (v) VALUES (8)', [], { commit: true }));
    expect(sent).toEqual(['BEGIN;\nINSERT INTO tx_last (v) VALUES (8)', 'COMMIT']);
    expect((await rows()).map((r) => (r as { v: number }).v)).toEqual([1, 4, 6, 7, 8]);
  });
});

describe('natsQueue', () => {
  const make = (extra: Partial<Parameters<typeof natsQueue>[0]> = {}): { q: NatsQueue; stream: string } => {
    const stream = `T_${tag().toUpperCase()}`;
    const q = natsQueue({ servers: NATS_URL, stream, subject: `${stream.toLowerCase()}.work`, ackWaitMs: 3_000, duplicateWindowMs: 2_000, ...extra });
    deleteStreamLater(q, stream);
    return { q, stream };
  };

  it('provisions idempotently: a second process with the same names (and another ack wait) starts fine', async () => {
    const { q, stream } = make();
    await q.ready();
    const again = natsQueue({ servers: NATS_URL, stream, subject: `${stream.toLowerCase()}.work`, ackWaitMs: 9_000, maxDeliver: 7 });
    await again.ready();
    const jsm = await jetstreamManager(await again.ready());
    const info = await jsm.consumers.info(stream, 'vecron-workers');
    expect(info.config.max_deliver).toBe(7);
    expect((await jsm.streams.info(stream)).config.retention).toBe('workqueue');
    await again.close();
  });

  it('carries the traceparent and job-id headers, and ids only', async () => {
    const { q } = make();
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const jobId = randomUUID();
    await q.publish('e-1', { traceparent: tp, jobId });
    await q.publish('e-2');
    const stop = new AbortController();
    const got: Array<{ id: string; tp: string | undefined; jobId: string | undefined }> = [];
    const done = q.consume(async (m) => {
      got.push({ id: m.executionId, tp: m.traceparent, jobId: m.jobId });
      await m.ack();
      if (got.length === 2) stop.abort();
    }, { concurrency: 1, signal: stop.signal });
    await done;
    expect(got.sort((a, b) => a.id.localeCompare(b.id))).toEqual([{ id: 'e-1', tp, jobId }, { id: 'e-2', tp: undefined, jobId: undefined }]);
  });

  it('publishMany stores each message with the headers publish would give, answers per message and de-duplicates', async () => {
    const { q, stream } = make({ duplicateWindowMs: 60_000 });
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const jobId = randomUUID();
    const later = new Date(Date.now() + 3_600_000);
    const answers = await q.publishMany!([
      { executionId: 'e-1', jobId, traceparent: tp, notBefore: later },
      { executionId: 'e-2', notBefore: new Date(Date.now() - 1_000) },
      { executionId: 'e-3', deduplicationId: 'e-3:2', jobId },
      { executionId: 'e-4', traceparent: 'bad\r\nX-Injected: 1' },
      { executionId: 'e-1' },
    ]);
    expect(answers.map((a) => a?.message ?? null)).toEqual([null, null, null, expect.stringMatching(/cannot contain \\r or \\n/), null]);
    const jsm = await jetstreamManager(await q.ready());
    const stored = await Promise.all([1, 2, 3].map((seq) => jsm.streams.getMessage(stream, { seq })));
    expect(stored.map((m) => ({ data: m!.string(), headers: Object.fromEntries(m!.header.keys().map((k) => [k, m!.header.values(k)])) }))).toEqual([
      { data: 'e-1', headers: { 'Nats-Msg-Id': ['e-1'], 'Vecron-Not-Before': [later.toISOString()], traceparent: [tp], 'Vecron-Job-Id': [jobId] } },
      { data: 'e-2', headers: { 'Nats-Msg-Id': ['e-2'] } },
      { data: 'e-3', headers: { 'Nats-Msg-Id': ['e-3:2'], 'Vecron-Job-Id': [jobId] } },
    ]);
    expect(await q.size()).toBe(3);
  });

  it('a message delivered maxDeliver times lands in the DLQ stream and its pending execution becomes dead_letter; a finished one is left alone', async () => {
    const schema = `dlq_${tag()}`;
    dropSchemaLater(schema);
    const storage = await postgresStorage({ connectionString: PG_URL, schema });
    const cron = createCronSystem({ executors: [echoExecutor()], storage });
    const job = await cron.jobs.create({ name: 'poison', steps: [{ id: 's', type: 'echo', config: { value: 1 } }] });
    const pending = (await storage.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: 'a', triggerSource: 'manual', availableAt: new Date() }, new Date())).execution;
    const finished = (await storage.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: 'b', triggerSource: 'manual', availableAt: new Date() }, new Date())).execution;
    const claim = await storage.claimExecution(finished.id, { owner: 't', leaseMs: 10_000, now: new Date(), exclusive: false });
    await storage.completeExecution(finished.id, claim.claimed ? claim.execution.fencingToken! : 0, { status: 'success', error: null, context: { steps: {} }, now: new Date() });

    const dead: Array<{ id: string; marked: boolean }> = [];
    const { q, stream } = make({ maxDeliver: 2, onDeadLetter: async (id) => void dead.push({ id, marked: await markDeadLetter(storage, id) }) });
    await q.publish(pending.id);
    await q.publish(finished.id);
    const stop = new AbortController();
    const done = q.consume(async (m) => m.nak(0), { concurrency: 2, signal: stop.signal });
    const deadline = Date.now() + 10_000;
    while (dead.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await done;
    expect(dead.sort((x, y) => Number(y.marked) - Number(x.marked))).toEqual([{ id: pending.id, marked: true }, { id: finished.id, marked: false }]);
    expect((await storage.getExecution(pending.id))?.status).toBe('dead_letter');
    expect((await storage.getExecution(pending.id))?.error?.code).toBe('MAX_DELIVERIES');
    expect((await storage.getExecution(finished.id))?.status).toBe('success');
    const jsm = await jetstreamManager(await q.ready());
    expect((await jsm.streams.info(`${stream}_DLQ`)).state.messages).toBe(2);
    expect((await jsm.streams.info(stream)).state.messages).toBe(0);
    await storage.close();
  });

  it('requests build no caller stack traces up front, and a publish nothing stores rejects with the server\'s answer as a retryable QUEUE_UNAVAILABLE', async () => {
    const { q, stream } = make();
    await q.publish('e-1');
    const conn = await q.ready();
    // With async traces on, nats.js builds a RequestError and a TimeoutError with stack traces for
    // every request (publish, ackAck) in case it fails: ~45 % of a publish's client CPU.
    expect((conn as unknown as { options: { noAsyncTraces?: boolean } }).options.noAsyncTraces).toBe(true);
    await (await jetstreamManager(conn)).streams.delete(stream);
    const err = await q.publish('e-2').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUEUE_UNAVAILABLE', retryable: true, message: expect.stringMatching(/^NATS publish failed \(nats:\/\/127\.0\.0\.1:\d+\): no responders: 503/) });
  });

  it('a publishing-only queue whose stream was deleted under it provisions it again: the failed publish is the only one', async () => {
    const { q, stream } = make();
    await q.publish('e-1');
    await (await jetstreamManager(await q.ready())).streams.delete(stream);
    await expect(q.publish('e-2')).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    await q.publish('e-3');
    expect(await q.size()).toBe(1);
  });

  it('a consumer asks for no more messages than it has free slots: what one holding two cannot take, another gets at once', async () => {
    // An ack wait far beyond the test's patience: a message parked in the busy consumer would reach the other one only after it.
    const { q, stream } = make({ ackWaitMs: 60_000 });
    const other = natsQueue({ servers: NATS_URL, stream, subject: `${stream.toLowerCase()}.work`, ackWaitMs: 60_000, duplicateWindowMs: 2_000 });
    cleanups.push(() => other.close());
    const release: Array<() => void> = [];
    const busy: string[] = [];
    const stopBusy = new AbortController();
    const busyDone = q.consume(async (m) => {
      busy.push(m.executionId);
      await new Promise<void>((r) => release.push(r));
      await m.ack();
    }, { concurrency: 2, signal: stopBusy.signal });
    await q.publish('held-1');
    await q.publish('held-2');
    await until(() => busy.length === 2);
    for (const id of ['free-1', 'free-2', 'free-3']) await q.publish(id);
    const free: string[] = [];
    const stopFree = new AbortController();
    const freeDone = other.consume(async (m) => {
      free.push(m.executionId);
      await m.ack();
    }, { concurrency: 10, signal: stopFree.signal });
    await until(() => free.length === 3, { timeoutMs: 10_000, what: 'the second consumer to get the three free messages' });
    expect(free.sort()).toEqual(['free-1', 'free-2', 'free-3']);
    expect(busy.sort()).toEqual(['held-1', 'held-2']);
    for (const r of release) r();
    stopBusy.abort();
    stopFree.abort();
    await Promise.all([busyDone, freeDone]);
    // Acks are fire-and-forget (no ack-ack), and the server applies them to a work-queue stream after
    // it answers other requests: the stream empties shortly after, not by the time consume returns.
    await eventually(async () => expect(await q.size()).toBe(0), { timeoutMs: 5_000 });
  });

  // The system's clock (databaseClock in distributed mode) runs skewMs ahead of this host's: a host
  // 2 s behind the database must not deliver a message due in 200 ms 2 s late, a host 2 s ahead
  // must not deliver it 200 ms early (the storage would refuse the claim and it would come back).
  for (const [host, skewMs] of [['behind', 2_000], ['ahead of', -2_000]] as const) {
    it(`judges Vecron-Not-Before by the system's clock, not the host's: on a host 2 s ${host} it, a message due in 200 ms runs after about 200 ms`, async () => {
      const clock = { now: () => new Date(Date.now() + skewMs) };
      const { q: publisher, stream } = make();
      const worker = natsQueue({ servers: NATS_URL, stream, subject: `${stream.toLowerCase()}.work`, ackWaitMs: 3_000, duplicateWindowMs: 2_000 });
      cleanups.push(() => worker.close());
      publisher.useClock(clock);
      worker.useClock(clock);
      await worker.ready();
      const stop = new AbortController();
      let handledAt = Number.NaN;
      const done = worker.consume(async (m) => {
        handledAt = clock.now().getTime();
        await m.ack();
        stop.abort();
      }, { concurrency: 1, signal: stop.signal });
      const notBefore = clock.now().getTime() + 200;
      await publisher.publish('e-1', { notBefore: new Date(notBefore) });
      await done;
      // The consumer runs a message up to 20 ms early rather than nak it for less.
      expect(handledAt).toBeGreaterThanOrEqual(notBefore - 20);
      // On the host clock it would come 2 s late; the bound leaves a loaded machine 1.3 s.
      expect(handledAt - notBefore).toBeLessThan(1_500);
    });
  }

  it('a consumer whose stream was deleted under it provisions it again and takes new messages', async () => {
    const { q, stream } = make({ fetchExpiresMs: 1_000 });
    const got: string[] = [];
    const stop = new AbortController();
    const done = q.consume(async (m) => {
      got.push(m.executionId);
      await m.ack();
    }, { concurrency: 4, signal: stop.signal });
    await q.publish('before');
    await until(() => got.length === 1);
    await (await jetstreamManager(await q.ready())).streams.delete(stream);
    // The first publish after the deletion fails and provisions again; the consumer does too.
    await until(async () => q.publish('after').then(() => true, () => false));
    await until(() => got.includes('after'), { what: 'the consumer to take a message published after the deletion' });
    stop.abort();
    await done;
    expect(got).toEqual(['before', 'after']);
  });

  it('a publish while the server is unreachable fails fast with a retryable QUEUE_UNAVAILABLE', async () => {
    const q = natsQueue({ servers: 'nats://127.0.0.1:1', publishTimeoutMs: 500 });
    const err = await q.publish('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUEUE_UNAVAILABLE', retryable: true });
    await q.close();
  });
});

describe('postgresQueue', () => {
  const make = (extra: Partial<Parameters<typeof postgresQueue>[0]> = {}): { q: PostgresQueue; schema: string } => {
    const schema = extra.schema ?? `pq_${tag()}`;
    dropSchemaLater(schema);
    const q = postgresQueue({ connectionString: PG_URL, schema, ackWaitMs: 3_000, ...extra });
    cleanups.push(() => q.close());
    return { q, schema };
  };
  const collect = (q: PostgresQueue, onMessage: (m: QueueMessage) => Promise<void>, concurrency = 4) => {
    const stop = new AbortController();
    const done = q.consume(onMessage, { concurrency, signal: stop.signal });
    return { stop: async () => (stop.abort(), await done) };
  };

  it('refuses bad options naming the field', () => {
    expect(() => postgresQueue({ connectionString: PG_URL, schema: 'a-b' })).toThrow(/\$\.schema/);
    expect(() => postgresQueue({ connectionString: PG_URL, table: 'x;drop' })).toThrow(/\$\.table/);
    expect(() => postgresQueue({})).toThrow(/\$\.connectionString/);
    expect(() => postgresQueue({ connectionString: PG_URL, ackWaitMs: 0 })).toThrow(/\$\.ackWaitMs/);
  });

  it('is woken by NOTIFY: with a 60 s poll, a publish from another process-worth of queue is delivered at once', async () => {
    const { q, schema } = make({ pollIntervalMs: 60_000 });
    const publisher = postgresQueue({ connectionString: PG_URL, schema });
    cleanups.push(() => publisher.close());
    const got: string[] = [];
    const c = collect(q, async (m) => void (got.push(m.executionId), await m.ack()));
    await q.ready();
    await new Promise((r) => setTimeout(r, 500)); // the consumer is idle, listening
    for (let i = 0; i < 5; i++) await publisher.publish(`n-${i}`);
    // Far below the poll interval: only a notification can have woken the consumer.
    await until(() => got.length === 5, { timeoutMs: 20_000 });
    await c.stop();
    expect(got.sort()).toEqual(['n-0', 'n-1', 'n-2', 'n-3', 'n-4']);
  });

  it('two consumers on one table: every message handled once while acked; 500 messages in bursts', async () => {
    const { q, schema } = make();
    const other = postgresQueue({ connectionString: PG_URL, schema, ackWaitMs: 3_000 });
    cleanups.push(() => other.close());
    const seen = new Map<string, number>();
    const handler = async (m: QueueMessage): Promise<void> => {
      seen.set(m.executionId, (seen.get(m.executionId) ?? 0) + 1);
      await m.ack();
    };
    const a = collect(q, handler, 20);
    const b = collect(other, handler, 20);
    const ids = Array.from({ length: 500 }, (_, i) => `m-${i}`);
    await Promise.all(ids.map((id) => q.publish(id, { jobId: 'j' })));
    await until(() => seen.size === 500, { timeoutMs: 30_000 });
    await until(async () => (await q.size()) === 0);
    await Promise.all([a.stop(), b.stop()]);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('a consumer that dies holding a message: another gets it after the ack wait, and the late ack of the first delivery changes nothing', async () => {
    const { q, schema } = make({ ackWaitMs: 1_000 });
    const first: QueueMessage[] = [];
    // Concurrency 1 and a handler that never settles: a hung process, which claims nothing more.
    const stuck = collect(q, async (m) => {
      first.push(m);
      await new Promise(() => undefined);
    }, 1);
    await q.publish('held');
    await until(() => first.length === 1);
    void stuck; // left hanging on purpose, as a dead process would
    const other = postgresQueue({ connectionString: PG_URL, schema, ackWaitMs: 60_000 });
    cleanups.push(() => other.close());
    const second: QueueMessage[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = collect(other, async (m) => {
      second.push(m);
      await gate; // settled by the test below
    });
    await until(() => second.length >= 1, { timeoutMs: 10_000 });
    expect(second[0]).toMatchObject({ executionId: 'held', deliveryCount: 2 });
    await first[0]!.ack(); // the stale delivery's ack
    expect(await q.size()).toBe(1);
    await second[0]!.ack();
    expect(await q.size()).toBe(0);
    release();
    await c.stop();
    expect(second).toHaveLength(1);
  });

  it('a table from before generations upgrades in place; a new generation of a held message is delivered at once and the old delivery\'s ack cannot delete it', async () => {
    const schema = `pq_${tag()}`;
    dropSchemaLater(schema);
    // The table as the first release of the queue created it (no generation column), with a row in flight.
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`CREATE TABLE "${schema}".vecron_queue (execution_id text PRIMARY KEY, job_id text, traceparent text,
      available_at timestamptz NOT NULL, deliveries integer NOT NULL DEFAULT 0, in_flight boolean NOT NULL DEFAULT false,
      published_at timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO "${schema}".vecron_queue (execution_id, available_at, deliveries, in_flight) VALUES ('old', now() + interval '1 hour', 1, true)`);
    const { q } = make({ schema, ackWaitMs: 60_000 });
    const got: QueueMessage[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = collect(q, async (m) => {
      got.push(m);
      await gate; // held; the test acks
    });
    await q.publish('old'); // the same generation as the row from before the column: nothing
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toHaveLength(0);
    await q.publish('old', { deduplicationId: 'old:7' }); // the dispatcher's next generation
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ executionId: 'old', deliveryCount: 2 });
    const held = got[0]!;
    // Another generation while this one is held, then the held delivery acks: the waiting row stays.
    await q.publish('old', { deduplicationId: 'old:8' });
    await until(() => got.length === 2);
    await held.ack();
    expect(await q.size()).toBe(1);
    await got[1]!.ack();
    expect(await q.size()).toBe(0);
    release();
    await c.stop();
    expect(got).toHaveLength(2);
  });

  it('inProgress keeps a long-running message from being redelivered', async () => {
    const { q } = make({ ackWaitMs: 1_000 });
    const deliveries: number[] = [];
    const c = collect(q, async (m) => {
      deliveries.push(m.deliveryCount);
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 400));
        await m.inProgress();
      }
      await m.ack();
    });
    await q.publish('long');
    await until(() => deliveries.length === 1);
    await until(async () => (await q.size()) === 0, { timeoutMs: 15_000 });
    await c.stop();
    expect(deliveries).toEqual([1]);
  });

  it('a message delivered maxDeliver times is removed and its pending execution becomes dead_letter', async () => {
    const schema = `pqdl_${tag()}`;
    const storage = await postgresStorage({ connectionString: PG_URL, schema });
    cleanups.push(() => storage.close());
    dropSchemaLater(schema);
    const cron = createCronSystem({ executors: [echoExecutor()], storage });
    const job = await cron.jobs.create({ name: 'poison', steps: [{ id: 's', type: 'echo', config: { value: 1 } }] });
    const pending = (await storage.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: 'a', triggerSource: 'manual', availableAt: new Date() }, new Date())).execution;
    const dead: Array<{ id: string; deliveries: number }> = [];
    const { markDeadLetter: mark } = await import('@vecron/sdk/postgres');
    const q = postgresQueue({
      pool: storage.pool, schema, maxDeliver: 3,
      onDeadLetter: async (id, info) => void (dead.push({ id, deliveries: info.deliveries }), await mark(storage, id)),
    });
    cleanups.push(() => q.close());
    let handled = 0;
    const c = collect(q, async (m) => void (handled++, await m.nak(0)));
    await q.publish(pending.id);
    await until(() => dead.length === 1);
    await c.stop();
    expect(handled).toBe(3);
    expect(dead).toEqual([{ id: pending.id, deliveries: 3 }]);
    expect(await q.size()).toBe(0);
    expect((await storage.getExecution(pending.id))?.status).toBe('dead_letter');
  });

  it('a publish while the server is unreachable fails with a retryable QUEUE_UNAVAILABLE naming the server', async () => {
    const q = postgresQueue({ connectionString: 'postgres://postgres:secret@127.0.0.1:1/db', connectionTimeoutMs: 500 });
    const err = await q.publish('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUEUE_UNAVAILABLE', retryable: true, message: expect.stringMatching(/127\.0\.0\.1:1/) });
    expect((err as Error).message).not.toContain('secret');
    await q.close();
  });

  it('runs a PostgreSQL-only cron system: two workers, 300 executions, each succeeds once', async () => {
    const schema = `pqe2e_${tag()}`;
    dropSchemaLater(schema);
    const systems = await Promise.all([0, 1, 2].map(async () => {
      const storage = await postgresStorage({ connectionString: PG_URL, schema, poolMax: 6 });
      const queue = postgresQueue({ pool: storage.pool, schema });
      return createCronSystem({ executors: [echoExecutor()], storage, queue, clock: await databaseClock(storage) });
    }));
    const [api, w1, w2] = systems as [typeof systems[0], typeof systems[0], typeof systems[0]];
    const finished = new Map<string, number>();
    for (const w of [w1, w2]) w.on('execution.finished', (e) => void finished.set(e.executionId, (finished.get(e.executionId) ?? 0) + 1));
    await Promise.all([w1, w2].map((w) => w.start({ scheduler: false, worker: { concurrency: 10 } })));
    await api.start({ scheduler: true, worker: false });
    const job = await api.jobs.create({ name: 'pg-only', steps: [{ id: 's', type: 'echo', config: { value: 1 } }] });
    const ids = await Promise.all(Array.from({ length: 300 }, async () => (await api.trigger(job.id)).executionId));
    await until(() => finished.size === 300, { timeoutMs: 60_000 });
    const { rows } = await admin.query(`SELECT status, count(*)::int AS n FROM "${schema}".vecron_executions WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
    expect(rows).toEqual([{ status: 'success', n: 300 }]);
    expect([...finished.values()].every((n) => n === 1)).toBe(true);
    for (const s of systems) await s.stop({ graceMs: 1_000 });
  });
});

/** Key prefix of each Redis coordination the suite opens (its peer opens another on the same prefix). */
const prefixes = new WeakMap<Coordination, string>();
/** Opens a Redis coordination and waits until it is connected and subscribed to the prefix's invalidations. */
async function openRedisCoordination(prefix: string): Promise<RedisCoordination> {
  const c = redisCoordination({ url: REDIS_URL, keyPrefix: prefix });
  prefixes.set(c, prefix);
  await connected(c);
  await until(async () => {
    const [, subscribers] = (await c.client.pubsub('NUMSUB', `${prefix}cache:invalidate`)) as [string, number];
    return Number(subscribers) >= 1 && c.client.status === 'ready';
  }, { what: `a subscription to ${prefix}cache:invalidate` });
  return c;
}
describeCoordination('Redis', {
  create: () => openRedisCoordination(`vecron:test:${tag()}:`),
  peer: async (c) => {
    const peer = await openRedisCoordination(prefixes.get(c)!);
    await until(async () => Number(((await peer.client.pubsub('NUMSUB', `${prefixes.get(c)!}cache:invalidate`)) as [string, number])[1]) >= 2, { what: 'both instances subscribed' });
    return peer;
  },
});

describe('redisCoordination across processes', () => {
  it('an invalidation in one instance drops the cached value in another', async () => {
    const prefix = `vecron:test:${tag()}:`;
    const a = redisCoordination({ url: REDIS_URL, keyPrefix: prefix });
    const b = redisCoordination({ url: REDIS_URL, keyPrefix: prefix });
    await new Promise((r) => setTimeout(r, 200));
    let version = 1;
    expect(await b.cached('job:x', 60_000, async () => version)).toBe(1);
    version = 2;
    expect(await b.cached('job:x', 60_000, async () => version)).toBe(1);
    await a.invalidate('job:x');
    const deadline = Date.now() + 2_000;
    let seen = 1;
    while (seen !== 2 && Date.now() < deadline) {
      seen = await b.cached('job:x', 60_000, async () => version);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(2);
    await a.close();
    await b.close();
  });

  it('on a Redis that has never run our Lua scripts (NOSCRIPT on the first EVALSHA), locks, extensions and releases work and the connection stays up', async () => {
    // Regression: reconnectOnError used to reconnect on every error reply, so the NOSCRIPT reply
    // Redlock expects on a fresh server dropped the connection and every later command failed.
    const fresh = await privateRedis();
    try {
      const c = redisCoordination({ url: fresh.url, keyPrefix: 'vecron:fresh:' });
      await connected(c);
      for (let i = 0; i < 3; i++) {
        const a = await c.tryLock(`job:${i}`, 5_000);
        expect(a.status, a.status === 'unavailable' ? String(a.error) : '').toBe('acquired');
        expect((await c.tryLock(`job:${i}`, 5_000)).status).toBe('busy');
        if (a.status === 'acquired') {
          expect(await a.lock.extend(5_000)).toBe(true);
          await a.lock.release();
        }
        expect((await c.tryLock(`job:${i}`, 5_000)).status).toBe('acquired');
        expect((await c.rateLimit(`k:${i}`, { limit: 1, windowMs: 60_000 })).allowed).toBe(true);
      }
      expect(c.client.status).toBe('ready');
      await c.close();
    } finally {
      await fresh.destroy();
    }
  });

  it('two instances contend for one Redlock lock; Redis unreachable reports unavailable, never busy or acquired', async () => {
    const prefix = `vecron:test:${tag()}:`;
    const a = redisCoordination({ url: REDIS_URL, keyPrefix: prefix });
    const b = redisCoordination({ client: new Redis(REDIS_URL), keyPrefix: prefix });
    await Promise.all([connected(a), connected(b)]);
    const results = await Promise.all([a.tryLock('housekeeping', 2_000), b.tryLock('housekeeping', 2_000)]);
    expect(results.map((r) => r.status).sort()).toEqual(['acquired', 'busy']);
    const down = redisCoordination({ url: 'redis://127.0.0.1:1', keyPrefix: prefix });
    expect((await down.tryLock('housekeeping', 2_000)).status).toBe('unavailable');
    await down.invalidate('k'); // never throws
    await Promise.all([a.close(), b.close(), down.close()]);
    b.client.disconnect();
  });
});
