import { randomUUID } from 'node:crypto';
import { testServers } from '@vecron/test-servers';
import { afterAll } from 'vitest';
import { embeddedStorage } from '../../src/index.js';
import type { Storage } from '../../src/index.js';
import { postgresStorage } from '../../src/adapters/postgres/index.js';

/**
 * The two SQL storages a storage test runs on, for `describe.each`: PGlite in memory, and the test
 * PostgreSQL in a schema of its own (`<schemaPrefix>_<random>`). Every store they open is closed,
 * and every schema dropped, after the test file (registers an `afterAll`).
 */
export function sqlStorageBackends(schemaPrefix: string): Array<[string, () => Promise<Storage>]> {
  const opened: Storage[] = [];
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
    const admin = await postgresStorage({ connectionString: testServers().postgres, migrate: false });
    for (const schema of schemas) await admin.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.close();
  });
  const kept = (s: Storage): Storage => (opened.push(s), s);
  return [
    ['embedded (PGlite)', async () => kept(await embeddedStorage())],
    ['PostgreSQL', async () => {
      const schema = `${schemaPrefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      schemas.push(schema);
      return kept(await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 2 }));
    }],
  ];
}
