import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { StorageError } from '../../errors/errors.js';
import type { Storage } from '../port.js';
import { migrate } from '../sql/migrations.js';
import { createSqlStorage } from '../sql/sql-storage.js';
import { lockDataDir } from './data-dir-lock.js';
import { pgliteClient } from './pglite-client.js';

/** Options of {@link embeddedStorage}. */
export interface EmbeddedStorageOptions {
  /**
   * Folder that keeps the database (`{dataDir}/pgdata`) and the lockfile. Omit for an in-memory
   * store that is gone when the process ends.
   */
  dataDir?: string;
}

// A migrated, empty database image, built once per process so later in-memory stores start in
// ~0.5 s instead of ~3 s (PGlite's initdb).
let templateImage: Promise<Blob> | null = null;

async function freshInMemory(): Promise<PGlite> {
  templateImage ??= (async () => {
    const db = await PGlite.create();
    await migrate(pgliteClient(db));
    const image = await db.dumpDataDir('none');
    await db.close();
    return image;
  })();
  try {
    return await PGlite.create({ loadDataDir: await templateImage });
  } catch (err) {
    templateImage = null;
    throw err;
  }
}

/**
 * The embedded storage: PostgreSQL in WebAssembly (PGlite) inside this process, in memory or in
 * a data folder, no server. Holds a lockfile on the folder so a second process fails with
 * `DataDirLockedError` instead of corrupting it.
 */
export async function embeddedStorage(options: EmbeddedStorageOptions = {}): Promise<Storage> {
  if (!options.dataDir) {
    const db = await freshInMemory();
    return createSqlStorage(pgliteClient(db), { onClose: () => db.close() });
  }
  const dataDir = path.resolve(options.dataDir);
  const lock = await lockDataDir(dataDir);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ dataDir: path.join(dataDir, 'pgdata') });
    await migrate(pgliteClient(db));
  } catch (err) {
    await db?.close().catch(() => undefined);
    lock.release();
    throw err instanceof StorageError ? err : new StorageError(`cannot open embedded store in ${dataDir}: ${(err as Error).message}`, { cause: err, retryable: false });
  }
  const opened = db;
  return createSqlStorage(pgliteClient(opened), {
    onClose: async () => {
      try {
        await opened.close();
      } finally {
        lock.release();
      }
    },
  });
}
