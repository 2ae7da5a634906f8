import { z } from 'zod';
import { SchemaTooNewError, StorageError } from '../../errors/errors.js';
import { parseConfig } from '../../errors/zod-issues.js';
import { CORE_OWNER, coreSchema } from './schema/index.js';
import type { SqlClient } from './sql-client.js';

/** One numbered migration of a schema owner, bundled with the code (no files to find at run time). */
export interface Migration {
  /** Position in the owner's sequence: 1, 2, 3, … */
  id: number;
  /** Short snake_case name, shown by `vecron migrate`. */
  name: string;
  /** The statements, run as one script in one transaction. */
  sql: string;
  /**
   * The core migration (`id`, `name`) that created these tables in a database migrated before
   * migrations had owners: when that row is recorded, this migration is recorded as applied
   * without running (its tables exist).
   */
  legacy?: { id: number; name: string };
}

/** The migrations of one owner (`vecron` for the core, e.g. `vecron-server` for the reference server). */
export interface SchemaDefinition {
  owner: string;
  migrations: readonly Migration[];
}

/** One row of the migrations table. */
export interface AppliedMigration {
  owner: string;
  id: number;
  name: string;
  appliedAt: Date;
}

const migrationSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'snake_case'),
  sql: z.string().min(1),
  legacy: z.object({ id: z.number().int().positive(), name: z.string().min(1) }).strict().optional(),
}).strict();

const schemaDefinitionSchema = z.object({
  owner: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lower case letters, digits and "-", starting with a letter'),
  migrations: z.array(migrationSchema).min(1).refine((ms) => ms.every((m, i) => m.id === i + 1), 'ids must be 1, 2, 3, … in order'),
}).strict();

/** Arbitrary constant for the advisory lock that serialises every owner's migrations across processes. */
const MIGRATION_LOCK_KEY = 7_260_601_301;

const label = (m: { id: number; name: string }): string => `${String(m.id).padStart(4, '0')}_${m.name}`;

/**
 * Creates the migrations table, or brings the one of a vecron that keyed migrations by id alone
 * up to `(owner, id)`: its rows were the core's and stay recorded under `vecron`.
 */
async function ensureMigrationsTable(tx: SqlClient): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS vecron_migrations (
    owner text NOT NULL, id integer NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, id))`);
  const { rows } = await tx.query(`SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('vecron_migrations') AND attname = 'owner' AND NOT attisdropped`);
  if (rows.length) return;
  await tx.query(`ALTER TABLE vecron_migrations ADD COLUMN owner text NOT NULL DEFAULT '${CORE_OWNER}'`);
  await tx.query('ALTER TABLE vecron_migrations DROP CONSTRAINT vecron_migrations_pkey');
  await tx.query('ALTER TABLE vecron_migrations ADD PRIMARY KEY (owner, id)');
  await tx.query('ALTER TABLE vecron_migrations ALTER COLUMN owner DROP DEFAULT');
}

/**
 * Refuses a database in which `owner` has a migration this code does not know: a newer version
 * migrated it, and this code would run statements written for an older schema against it
 * (upgrade order: migrate, then roll every process; never roll one back past the schema).
 */
async function refuseNewerSchema(client: SqlClient, schema: SchemaDefinition): Promise<void> {
  const known = new Set(schema.migrations.map((m) => m.id));
  const { rows } = await client.query<{ id: number; name: string }>('SELECT id, name FROM vecron_migrations WHERE owner = $1 ORDER BY id', [schema.owner]);
  const unknown = rows.map((r) => ({ id: Number(r.id), name: r.name })).filter((r) => !known.has(r.id));
  if (!unknown.length) return;
  const newest = schema.migrations.at(-1)!;
  throw new SchemaTooNewError(schema.owner, { id: unknown.at(-1)!.id, label: label(unknown.at(-1)!) }, { id: newest.id, label: label(newest) }, unknown.map((m) => m.id));
}

/**
 * Applies the pending migrations of one owner, each in its own transaction under a
 * transaction-scoped advisory lock shared by every owner, recording them in `vecron_migrations`
 * keyed by `(owner, id)`. Safe when several processes start at once: the second waits for the
 * lock, then sees the migration recorded and skips it. Throws {@link SchemaTooNewError} (before
 * changing anything) when the database holds a migration of the owner that this code does not know.
 * Returns the ids it applied. Without `schema`, the core's own (owner `vecron`): what a
 * `createSqlStorage` over your own `SqlClient` expects.
 */
export async function migrate(client: SqlClient, schema: SchemaDefinition = coreSchema): Promise<number[]> {
  const def = parseConfig(schemaDefinitionSchema, schema, `schema migrations of ${JSON.stringify((schema as { owner?: unknown })?.owner ?? '?')}`) as SchemaDefinition;
  // Under the same lock as the migrations: two processes racing on CREATE TABLE IF NOT EXISTS can
  // otherwise collide on the catalog (23505 / 42710) even though both say "if not exists".
  await client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await ensureMigrationsTable(tx);
    await refuseNewerSchema(tx, def);
  });
  const applied: number[] = [];
  for (const m of def.migrations) {
    const done = await client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const { rows } = await tx.query('SELECT 1 FROM vecron_migrations WHERE owner = $1 AND id = $2', [def.owner, m.id]);
      if (rows.length) return false;
      const adopted = m.legacy
        ? (await tx.query('SELECT 1 FROM vecron_migrations WHERE owner = $1 AND id = $2 AND name = $3', [CORE_OWNER, m.legacy.id, m.legacy.name])).rows.length > 0
        : false;
      if (!adopted) {
        try {
          await tx.exec(m.sql);
        } catch (cause) {
          throw new StorageError(`migration ${def.owner} ${label(m)} failed: ${(cause as Error).message}`, { cause, retryable: false, details: { owner: def.owner, migration: m.id } });
        }
      }
      await tx.query('INSERT INTO vecron_migrations (owner, id, name) VALUES ($1, $2, $3)', [def.owner, m.id, m.name]);
      return !adopted;
    });
    if (done) applied.push(m.id);
  }
  await refuseNewerSchema(client, def);
  return applied;
}

/** Every recorded migration, by owner and id. */
export async function listMigrations(client: SqlClient): Promise<AppliedMigration[]> {
  const { rows } = await client.query<{ owner: string; id: number; name: string; applied_at: string | Date }>(
    'SELECT owner, id, name, applied_at FROM vecron_migrations ORDER BY owner, id',
  );
  return rows.map((r) => ({ owner: r.owner, id: Number(r.id), name: r.name, appliedAt: new Date(r.applied_at) }));
}
