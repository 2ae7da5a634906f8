/**
 * Ceilings measured in the same run, on the same servers:
 * - pgbench: single-row INSERT, one commit each (8 clients);
 * - pgbench: SKIP LOCKED claim + complete of a prefilled queue table (two commits per job, 8 clients);
 * - redis-benchmark: SET and LPUSH, 50 clients, pipelining 1;
 * - NATS JetStream: publish with ack, one at a time and 100 in flight.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NATS_URL, PG_ADMIN_URL, REDIS_URL, pgUrl, round, withPg } from '../lib/env.js';

export interface CeilingArgs { db: string; id: string; seconds: number; queueRows?: number }

function pgbenchBin(): string {
  for (const v of ['17', '16', '15', '14']) {
    const p = `/usr/lib/postgresql/${v}/bin/pgbench`;
    if (existsSync(p)) return p;
  }
  return 'pgbench';
}

function tps(out: string): number {
  return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
}

export async function ceilings(a: CeilingArgs): Promise<Record<string, unknown>> {
  const u = new URL(PG_ADMIN_URL);
  const schema = `ceil_${a.id}`;
  const url = pgUrl(a.db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vb-ceil-'));
  const result: Record<string, unknown> = {};
  try {
    await withPg(url, async (c) => {
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(`CREATE TABLE ${schema}.ins (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
      await c.query(`CREATE TABLE ${schema}.q (id bigserial PRIMARY KEY, status text NOT NULL DEFAULT 'pending', owner int, finished_at timestamptz)`);
      await c.query(`CREATE INDEX ON ${schema}.q (id) WHERE status = 'pending'`);
      await c.query(`INSERT INTO ${schema}.q (status) SELECT 'pending' FROM generate_series(1, $1::int)`, [a.queueRows ?? 2_000_000]);
      await c.query(`VACUUM ANALYZE ${schema}.q`);
    });
    writeFileSync(path.join(dir, 'insert.sql'), `INSERT INTO ${schema}.ins (payload) VALUES ('{"steps":{}}');\n`);
    writeFileSync(path.join(dir, 'claim.sql'),
      `UPDATE ${schema}.q SET status = 'running', owner = :client_id WHERE id = (SELECT id FROM ${schema}.q WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id \\gset\n` +
      `UPDATE ${schema}.q SET status = 'done', finished_at = now() WHERE id = :id;\n`);
    const common = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), '-n', '-c', '8', '-j', '2', '-T', String(a.seconds), a.db];
    const run = (file: string): string => execFileSync(pgbenchBin(), ['-f', path.join(dir, file), ...common], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    result.pgInsertCommitsPerSec = round(tps(run('insert.sql')), 0);
    result.pgSkipLockedClaimCompleteJobsPerSec = round(tps(run('claim.sql')), 0);
  } finally {
    await withPg(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    rmSync(dir, { recursive: true, force: true });
  }
  const r = new URL(REDIS_URL);
  const rb = execFileSync('redis-benchmark', ['-h', r.hostname, '-p', r.port || '6379', '-t', 'set,lpush', '-n', String(a.seconds * 40_000), '-c', '50', '-q'], { encoding: 'utf8' });
  for (const line of rb.split(/\r|\n/)) {
    const m = /^(SET|LPUSH): ([\d.]+) requests per second/.exec(line.trim());
    if (m) result[`redis${m[1] === 'SET' ? 'Set' : 'Lpush'}PerSec`] = round(Number(m[2]), 0);
  }
  // redis-benchmark leaves its keys (key:__rand_int__, mylist) behind: remove them.
  execFileSync('redis-cli', ['-h', r.hostname, '-p', r.port || '6379', 'DEL', 'key:__rand_int__', 'mylist', 'counter:__rand_int__'], { encoding: 'utf8' });

  const nc = await connect({ servers: NATS_URL });
  const stream = `VB_CEIL_${a.id.toUpperCase()}`;
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`vbceil.${a.id}`] });
    const js = jetstream(nc);
    const subj = `vbceil.${a.id}`;
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < a.seconds * 500) {
      await js.publish(subj, 'x', { msgID: `s${n}` });
      n += 1;
    }
    result.natsPublishAckSerialPerSec = round((n / (performance.now() - t0)) * 1000, 0);
    const t1 = performance.now();
    let m = 0;
    const lanes = Array.from({ length: 100 }, async () => {
      while (performance.now() - t1 < a.seconds * 500) {
        const i = m++;
        await js.publish(subj, 'x', { msgID: `p${i}` });
      }
    });
    await Promise.all(lanes);
    result.natsPublishAck100InFlightPerSec = round((m / (performance.now() - t1)) * 1000, 0);
    await jsm.streams.delete(stream);
  } finally {
    await nc.close();
  }
  return result;
}
