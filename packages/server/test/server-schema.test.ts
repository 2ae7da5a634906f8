/**
 * The server owns its tables: they are migrated by the server (owner `vecron-server`), not by the
 * SDK; a database migrated by a vecron before owners keeps the server's data; a database whose
 * server schema is newer than this code is refused at start.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecretKey } from '@vecron/sdk/crypto';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateCommand } from '../src/cli/commands.js';
import { loadConfig } from '../src/config/load-config.js';
import { startServer } from '../src/runtime/start-server.js';
import { serverSchema } from '../src/store/schema/index.js';
import { testExecutors } from './helpers.js';
// The core's own list (test-only deep import), so a new core migration does not break this test.
import { coreSchema } from '../../sdk/src/storage/sql/schema/index.js';

const CORE = coreSchema.migrations;
const label = (m: { id: number; name: string }): string => `${String(m.id).padStart(4, '0')}_${m.name}`;

const here = path.dirname(fileURLToPath(import.meta.url));
const legacySql = readFileSync(path.join(here, '../../sdk/test/fixtures/legacy-schema/v4-before-owners.sql'), 'utf8');
const PG_URL = testServers().postgres;
const SERVER_TABLES = ['vecron_audit_log', 'vecron_processes', 'vecron_roles', 'vecron_user_roles', 'vecron_users', 'vecron_webhook_deliveries', 'vecron_webhooks'];

const schemas: string[] = [];
const dbs: PostgresStorage[] = [];
afterAll(async () => {
  const admin = await postgresStorage({ connectionString: PG_URL, migrate: false, poolMax: 1 });
  for (const s of schemas) await admin.pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.close();
  for (const d of dbs) await d.close().catch(() => undefined);
});

async function bareSchema(): Promise<{ schema: string; db: PostgresStorage }> {
  const schema = `srv_schema_${randomUUID().slice(0, 8)}`;
  schemas.push(schema);
  const db = await postgresStorage({ connectionString: PG_URL, schema, migrate: false, poolMax: 2 });
  dbs.push(db);
  return { schema, db };
}

const configFor = (schema: string) => loadConfig({
  configDir: '/nonexistent',
  env: { VECRON__STORAGE__DATABASE_URL: PG_URL, VECRON__STORAGE__SCHEMA: schema, VECRON__SECURITY__ENCRYPTION_KEY: generateSecretKey() },
  overrides: { api: { port: 0 }, metrics: { port: 0 }, log: { level: 'silent' }, auth: { initial_admin_password: 'Initial-Admin-Pass-1' } },
});
const tablesOf = async (db: PostgresStorage, schema: string): Promise<string[]> =>
  (await db.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows.map((r) => r.t);

describe('the server schema (owner vecron-server)', () => {
  it('the SDK alone creates none of the server tables; vecron migrate adds them under owner vecron-server', async () => {
    const { schema, db } = await bareSchema();
    dbs.push(await postgresStorage({ connectionString: PG_URL, schema, poolMax: 1 }));
    expect((await tablesOf(db, schema)).filter((t) => SERVER_TABLES.includes(t))).toEqual([]);
    const r = await migrateCommand(configFor(schema), pino({ level: 'silent' }));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      `schema vecron up to date: ${CORE.map(label).join(', ')}`,
      `schema vecron-server up to date: ${serverSchema.migrations.map((m) => `${String(m.id).padStart(4, '0')}_${m.name}`).join(', ')}`,
    ]);
    expect((await tablesOf(db, schema)).filter((t) => SERVER_TABLES.includes(t))).toEqual(SERVER_TABLES);
  });

  it('a database migrated by the .sql files of a vecron before owners: vecron migrate upgrades it and the server data stays', async () => {
    const { schema, db } = await bareSchema();
    await db.pool.query(legacySql);
    const userId = randomUUID();
    await db.pool.query(`INSERT INTO vecron_users (id, username, password_hash, created_at, updated_at) VALUES ($1, 'ops', 'hash', now(), now())`, [userId]);
    const r = await migrateCommand(configFor(schema), pino({ level: 'silent' }));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(`schema vecron up to date: 0001_init, 0002_server, 0003_calendars, 0004_cluster, ${CORE.slice(4).map(label).join(', ')}`);
    expect(r.lines[1]).toBe('schema vecron-server up to date: 0001_accounts_webhooks_audit, 0002_processes, 0003_process_drain');
    const { rows } = await db.pool.query<{ username: string }>('SELECT username FROM vecron_users WHERE id = $1', [userId]);
    expect(rows).toEqual([{ username: 'ops' }]);
  });

  it('a server schema newer than this code is refused at start with SCHEMA_TOO_NEW naming both versions', async () => {
    const { schema, db } = await bareSchema();
    const config = configFor(schema);
    expect((await migrateCommand(config, pino({ level: 'silent' }))).code).toBe(0);
    await db.pool.query(`INSERT INTO vecron_migrations (owner, id, name) VALUES ('vecron-server', 99, 'from_a_newer_server')`);
    const err = await startServer({ config, role: 'api', executors: testExecutors() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SCHEMA_TOO_NEW', details: { owner: 'vecron-server', databaseVersion: 99 } });
    const newest = serverSchema.migrations.at(-1)!;
    expect((err as Error).message).toContain('0099_from_a_newer_server');
    expect((err as Error).message).toContain(`${String(newest.id).padStart(4, '0')}_${newest.name}`);
  });
});
