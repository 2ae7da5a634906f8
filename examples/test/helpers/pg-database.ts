/** A throw-away PostgreSQL database per test file, with the examples' schema applied. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';

export interface TestDatabase {
  /** Connection string of the new database (what the jobs get as `${…_DB_URL}`). */
  readonly url: string;
  readonly name: string;
  /** Runs a query on the test database. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

/** Creates `vecron_examples_<random>` on the server of `adminUrl` and runs `schemaFile` in it. */
export async function createTestDatabase(adminUrl: string, schemaFile: string): Promise<TestDatabase> {
  const name = `vecron_examples_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(await readFile(schemaFile, 'utf8'));
  return {
    url,
    name,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await client.query<R>(sql, params)).rows;
    },
    async drop() {
      await client.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
