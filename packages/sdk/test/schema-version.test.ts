import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedStorage } from '@vecron/sdk';
import { postgresStorage } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { afterAll, describe, expect, it } from 'vitest';

/** Issue 17: an older binary refuses a schema that a newer vecron migrated further. */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('schema newer than the code', () => {
  it('PostgreSQL: opening a schema with a migration this code does not know fails naming it, and nothing is changed', async () => {
    const schema = `vecron_sv_${randomUUID().slice(0, 8)}`;
    const first = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 2 });
    try {
      await first.sql.query(`INSERT INTO vecron_migrations (id, name) VALUES (9001, 'from_a_newer_vecron')`);
      const err = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 2 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORAGE_FAILED', retryable: false, details: { unknownMigrations: [9001] } });
      expect((err as Error).message).toContain('9001_from_a_newer_vecron');
      const { rows } = await first.sql.query<{ n: string }>('SELECT count(*) AS n FROM vecron_migrations WHERE id = 9001');
      expect(Number(rows[0]!.n)).toBe(1);
    } finally {
      await first.sql.query(`DROP SCHEMA "${schema}" CASCADE`);
      await first.close();
    }
  });

  it('embedded: a data folder migrated by a newer vecron is refused', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vecron-sv-'));
    dirs.push(dataDir);
    const s = await embeddedStorage({ dataDir });
    await s.sql!.query(`INSERT INTO vecron_migrations (id, name) VALUES (9002, 'from_a_newer_vecron')`);
    await s.close();
    await expect(embeddedStorage({ dataDir })).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringContaining('9002_from_a_newer_vecron') });
  });
});
