import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { describeQueue, describeStorage } from '@vecron/sdk/testing';
import { postgresQueue, postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresQueue } from '@vecron/sdk/postgres';
import { natsQueue } from '@vecron/sdk/nats';
import type { NatsQueue } from '@vecron/sdk/nats';
import { jetstreamManager } from '@nats-io/jetstream';
import { testServers } from '@vecron/test-servers';

const { postgres: PG_URL, nats: NATS_URL } = testServers();
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
afterAll(() => admin.end());

const schemas = new WeakMap<object, string>();
describeStorage('PostgreSQL (pg Pool, own schema per test)', {
  async create() {
    const schema = `conf_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const s = await postgresStorage({ connectionString: PG_URL, schema, poolMax: 6 });
    schemas.set(s, schema);
    return s;
  },
  async destroy(s) {
    await admin.query(`DROP SCHEMA IF EXISTS "${schemas.get(s)}" CASCADE`);
  },
});

const streams = new WeakMap<NatsQueue, string>();
describeQueue('NATS JetStream (own stream per test)', {
  async create() {
    const stream = `CONF_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    const q: NatsQueue = natsQueue({ servers: NATS_URL, stream, subject: `${stream.toLowerCase()}.work`, ackWaitMs: 5_000, duplicateWindowMs: 2_000 });
    await q.ready();
    streams.set(q, stream);
    return q;
  },
  async destroy(q) {
    const nc = await (await import('@nats-io/transport-node')).connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const stream = streams.get(q as NatsQueue)!;
    for (const n of [stream, `${stream}_DLQ`]) await jsm.streams.delete(n).catch(() => undefined);
    await nc.close();
  },
});

const queueSchemas = new WeakMap<object, string>();
describeQueue('PostgreSQL (own schema per test, LISTEN/NOTIFY)', {
  async create() {
    const schema = `q_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const q: PostgresQueue = postgresQueue({ connectionString: PG_URL, schema, ackWaitMs: 5_000 });
    await q.ready();
    queueSchemas.set(q, schema);
    return q;
  },
  async destroy(q) {
    await admin.query(`DROP SCHEMA IF EXISTS "${queueSchemas.get(q)}" CASCADE`);
  },
});
