import { randomBytes } from 'node:crypto';
import { testServers } from '@vecron/test-servers';
import pg from 'pg';

/** Admin URL of the run's PostgreSQL server (trust auth on loopback). */
export const PG_URL = testServers().postgres;

/** Creates a database `vecron_dbexec_<random>` for one test file; `drop()` removes it (closing any session left on it). */
export async function createPgTestDatabase(): Promise<{ name: string; url: string; query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>; drop(): Promise<void> }> {
  const name = `vecron_dbexec_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    name,
    url,
    query: (sql, params) => client.query(sql, params),
    async drop() {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
