import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../../errors/errors.js';
import type { SqlClient } from './sql-client.js';

/** One numbered migration file. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Arbitrary constant for the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK_KEY = 7_260_601_301;

/** Finds the package's `migrations/` folder from source (`src/storage/sql`) or from a bundle (`dist`). */
export function migrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../migrations', '../../migrations', '../../../migrations']) {
    const dir = path.resolve(here, rel);
    if (existsSync(path.join(dir, '0001_init.sql'))) return dir;
  }
  throw new StorageError(`vecron migrations folder not found near ${here}`, { retryable: false });
}

/** Reads `NNNN_name.sql` files in numeric order. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .map((file) => /^(\d+)_([\w-]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: Number(m[1]), name: m[2]!, sql: readFileSync(path.join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Applies pending migrations, each in its own transaction under a transaction-scoped advisory
 * lock, recording them in `vecron_migrations`. Safe when several processes start at once: the
 * second waits for the lock, then sees the migration recorded and skips it.
 */
export async function migrate(client: SqlClient, migrations: Migration[] = loadMigrations()): Promise<number[]> {
  // Under the same lock as the migrations: two processes racing on CREATE TABLE IF NOT EXISTS can
  // otherwise collide on the catalog (23505 / 42710) even though both say "if not exists".
  await client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS vecron_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const { rows } = await tx.query('SELECT 1 FROM vecron_migrations WHERE id = $1', [m.id]);
      if (rows.length) return false;
      try {
        await tx.exec(m.sql);
      } catch (cause) {
        throw new StorageError(`migration ${m.id}_${m.name} failed: ${(cause as Error).message}`, { cause, retryable: false });
      }
      await tx.query('INSERT INTO vecron_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  await refuseNewerSchema(client, migrations);
  return applied;
}

/**
 * Refuses a schema that a newer vecron migrated further than `migrations` go: an older binary
 * would run statements written for an older schema against it (upgrade order: migrate, then roll
 * every process; never roll one back past the schema).
 */
export async function refuseNewerSchema(client: SqlClient, migrations: Migration[] = loadMigrations()): Promise<void> {
  const known = new Set(migrations.map((m) => m.id));
  const { rows } = await client.query<{ id: number; name: string }>('SELECT id, name FROM vecron_migrations ORDER BY id');
  const unknown = rows.filter((r) => !known.has(Number(r.id)));
  if (!unknown.length) return;
  const newest = migrations.at(-1);
  throw new StorageError(
    `the database schema has migration(s) this vecron does not know (${unknown.map((r) => `${r.id}_${r.name}`).join(', ')}; this code knows up to ${newest ? `${newest.id}_${newest.name}` : 'none'}): a newer vecron migrated it, so run that version (or newer) here instead of this one`,
    { retryable: false, details: { unknownMigrations: unknown.map((r) => Number(r.id)), knownUpTo: newest?.id ?? 0 } },
  );
}
