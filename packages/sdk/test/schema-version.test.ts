import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { embeddedStorage } from '@vecron/sdk';
import type { SchemaDefinition } from '@vecron/sdk';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { coreSchema } from '../src/storage/sql/schema/index.js';

/**
 * Migrations are bundled modules keyed by (owner, id): a database migrated by a vecron before
 * owners upgrades in place and keeps its data; a database newer than the code is refused at start.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const legacySql = readFileSync(path.join(here, 'fixtures/legacy-schema/v4-before-owners.sql'), 'utf8');
const label = (m: { id: number; name: string }): string => `${String(m.id).padStart(4, '0')}_${m.name}`;
const CORE = coreSchema.migrations;
const NEWEST = CORE.at(-1)!;
const CORE_TABLES = ['vecron_calendars', 'vecron_cluster_settings', 'vecron_dlq_discards', 'vecron_executions', 'vecron_fire_ledger', 'vecron_jobs', 'vecron_migrations', 'vecron_schedules', 'vecron_step_attempts', 'vecron_step_attempts_all', 'vecron_step_logs', 'vecron_variables'];

const dirs: string[] = [];
const opened: PostgresStorage[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const admin = await postgresStorage({ connectionString: testServers().postgres, migrate: false, poolMax: 1 });
  for (const s of schemas) await admin.pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.close();
  for (const s of opened) await s.close().catch(() => undefined);
});

/** A fresh PostgreSQL schema of its own, nothing migrated. */
async function bareSchema(): Promise<{ schema: string; db: PostgresStorage }> {
  const schema = `vecron_mig_${randomUUID().slice(0, 8)}`;
  schemas.push(schema);
  const db = await postgresStorage({ connectionString: testServers().postgres, schema, migrate: false, poolMax: 2 });
  opened.push(db);
  return { schema, db };
}

const open = async (schema: string): Promise<PostgresStorage> => {
  const s = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 2 });
  opened.push(s);
  return s;
};

describe('owner-keyed, bundled migrations', () => {
  it('PostgreSQL: a fresh database gets only the core tables, recorded under owner vecron', async () => {
    const { schema, db } = await bareSchema();
    const s = await open(schema);
    const { rows } = await db.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
    expect(rows.map((r) => r.t)).toEqual(CORE_TABLES);
    const applied = await s.listMigrations();
    expect(applied.map((m) => `${m.owner}:${m.id}_${m.name}`)).toEqual(CORE.map((m) => `vecron:${m.id}_${m.name}`));
  });

  it('PostgreSQL: a database migrated by the .sql files of a vecron before owners upgrades in place, keeps its data, and an owner adopts its legacy tables', async () => {
    const { schema, db } = await bareSchema();
    await db.pool.query(legacySql);
    const jobId = randomUUID();
    const executionId = randomUUID();
    const definition = { name: 'nightly', steps: [{ id: 's', type: 'echo', config: {} }] };
    await db.pool.query(`INSERT INTO vecron_jobs (id, name, definition, created_at, updated_at) VALUES ($1, 'nightly', $2::jsonb, now(), now())`, [jobId, JSON.stringify(definition)]);
    await db.pool.query(`INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, available_at, created_at) VALUES ($1, $2, 'k', 'dead_letter', 'manual', now(), now())`, [executionId, jobId]);
    await db.pool.query(`INSERT INTO vecron_calendars (name, definition, updated_at) VALUES ('bank', '{"holidays":[]}', now())`);
    await db.pool.query(`INSERT INTO vecron_users (id, username, password_hash, created_at, updated_at) VALUES ($1, 'admin', 'x', now(), now())`, [randomUUID()]);

    const s = await open(schema);
    expect((await s.getJob(jobId))?.name).toBe('nightly');
    expect((await s.getExecution(executionId))?.status).toBe('dead_letter');
    expect((await s.listCalendars()).map((c) => c.name)).toEqual(['bank']);
    // The legacy rows stay recorded under the core's owner, with their names.
    expect((await s.listMigrations()).map((m) => `${m.owner}:${m.id}_${m.name}`)).toEqual(['vecron:1_init', 'vecron:2_server', 'vecron:3_calendars', 'vecron:4_cluster', ...CORE.slice(4).map((m) => `vecron:${m.id}_${m.name}`)]);

    // An owner whose tables the legacy 0002_server created: recorded as applied, not run (running
    // it would fail: the table exists), the rows kept.
    const acme: SchemaDefinition = { owner: 'acme-server', migrations: [{ id: 1, name: 'users', legacy: { id: 2, name: 'server' }, sql: 'CREATE TABLE vecron_users (id uuid)' }] };
    const sql = await s.attachSchema(acme);
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM vecron_users');
    expect(rows[0]!.n).toBe(1);
    expect((await s.listMigrations()).filter((m) => m.owner === 'acme-server').map((m) => m.id)).toEqual([1]);

    // Opening again changes nothing.
    const again = await open(schema);
    expect((await again.listMigrations()).length).toBe(CORE.length + 1);
  });

  it('PostgreSQL: a database with a core migration newer than the code is refused at start with SCHEMA_TOO_NEW naming both versions, and nothing is changed', async () => {
    const { schema, db } = await bareSchema();
    await open(schema);
    await db.pool.query(`INSERT INTO vecron_migrations (owner, id, name) VALUES ('vecron', $1, 'from_a_newer_vecron')`, [NEWEST.id + 1]);
    const err = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SCHEMA_TOO_NEW', retryable: false, details: { owner: 'vecron', databaseVersion: NEWEST.id + 1, codeVersion: NEWEST.id, unknownMigrations: [NEWEST.id + 1] } });
    expect((err as Error).message).toContain(label({ id: NEWEST.id + 1, name: 'from_a_newer_vecron' }));
    expect((err as Error).message).toContain(label(NEWEST));
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_migrations`);
    expect(rows[0]!.n).toBe(CORE.length + 1);
  });

  it('attachSchema: an owner whose migrations in the database are newer than the code is refused; the core owner and bad definitions are refused', async () => {
    const { schema } = await bareSchema();
    const s = await open(schema);
    const v2: SchemaDefinition = { owner: 'acme', migrations: [{ id: 1, name: 'a', sql: 'CREATE TABLE acme_a (x int)' }, { id: 2, name: 'b', sql: 'CREATE TABLE acme_b (x int)' }] };
    await s.attachSchema(v2);
    const v1: SchemaDefinition = { owner: 'acme', migrations: [v2.migrations[0]!] };
    await expect(s.attachSchema(v1)).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW', message: expect.stringMatching(/acme is at migration 0002_b.*knows up to 0001_a/) });
    await expect(s.attachSchema({ owner: 'vecron', migrations: v1.migrations })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(s.attachSchema({ owner: 'acme', migrations: [{ id: 2, name: 'b', sql: 'SELECT 1' }] })).rejects.toMatchObject({ code: 'CONFIG_INVALID', issues: [{ path: '$.migrations' }] });
  });

  it('a failing migration rolls back and names the owner and migration; the next one is not applied', async () => {
    const { schema } = await bareSchema();
    const s = await open(schema);
    const bad: SchemaDefinition = { owner: 'acme', migrations: [{ id: 1, name: 'broken', sql: 'CREATE TABLE acme_x (x int); SELECT nope FROM nowhere' }, { id: 2, name: 'later', sql: 'CREATE TABLE acme_y (x int)' }] };
    await expect(s.attachSchema(bad)).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringContaining('acme 0001_broken failed') });
    expect((await s.listMigrations()).filter((m) => m.owner === 'acme')).toEqual([]);
  });

  it('embedded: a data folder migrated by a newer vecron is refused at start', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vecron-sv-'));
    dirs.push(dataDir);
    const s = await embeddedStorage({ dataDir });
    await s.close();
    const db = await PGlite.create({ dataDir: path.join(dataDir, 'pgdata') });
    await db.query(`INSERT INTO vecron_migrations (owner, id, name) VALUES ('vecron', 9002, 'from_a_newer_vecron')`);
    await db.close();
    await expect(embeddedStorage({ dataDir })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW', message: expect.stringContaining('9002_from_a_newer_vecron') });
  });
});
