import { randomUUID } from 'node:crypto';
import { testServers } from '@vecron/test-servers';
import { afterAll } from 'vitest';
import { embeddedStorage } from '../../src/index.js';
import type { Storage } from '../../src/index.js';
import { postgresStorage } from '../../src/adapters/postgres/index.js';

/**
 * Stores and PostgreSQL schemas a test file opens, closed and dropped after the file (registers an
 * `afterAll`): `keep` a store, take a fresh `schema` name (`<prefix>_<random>`).
 */
export function storesClosedAfterAll(): { keep: <S extends Storage>(s: S) => S; schema: (prefix: string) => string } {
  const opened: Storage[] = [];
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
    const admin = await postgresStorage({ connectionString: testServers().postgres, migrate: false });
    for (const schema of schemas) await admin.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.close();
  });
  return {
    keep: (s) => (opened.push(s), s),
    schema: (prefix) => {
      const schema = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      schemas.push(schema);
      return schema;
    },
  };
}

/**
 * The two SQL storages a storage test runs on, for `describe.each`: PGlite in memory, and the test
 * PostgreSQL in a schema of its own (`<schemaPrefix>_<random>`). Every store they open is closed,
 * and every schema dropped, after the test file (registers an `afterAll`).
 */
export function sqlStorageBackends(schemaPrefix: string): Array<[string, () => Promise<Storage>]> {
  const { keep, schema } = storesClosedAfterAll();
  return [
    ['embedded (PGlite)', async () => keep(await embeddedStorage())],
    ['PostgreSQL', async () => keep(await postgresStorage({ connectionString: testServers().postgres, schema: schema(schemaPrefix), poolMax: 2 }))],
  ];
}
