import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PGliteOptions } from '@electric-sql/pglite';
import { StorageError, VecronError } from '../../errors/errors.js';
import type { Storage } from '../port.js';
import { migrate } from '../sql/migrations.js';
import { coreSchema } from '../sql/schema/index.js';
import { createSqlStorage } from '../sql/sql-storage.js';
import { lockDataDir } from './data-dir-lock.js';
import { checkDataDirModes, tightenDataDirModes } from './data-dir-modes.js';
import { pgliteClient } from './pglite-client.js';
import { discardTemplateImage, templateImage } from './template-image.js';

/** Options of {@link embeddedStorage}. */
export interface EmbeddedStorageOptions {
  /**
   * Folder that keeps the database (`{dataDir}/pgdata`) and the lockfile. Omit for an in-memory
   * store that is gone when the process ends.
   */
  dataDir?: string;
  /**
   * PostgreSQL `shared_buffers` of the embedded database, in MiB. PGlite's default (128) costs
   * ~140 MiB more resident memory for a scheduler's working set that fits in far less; the data
   * folder's pages stay in the OS file cache either way. @default 16
   */
  sharedBuffersMb?: number;
}

/** A PGlite created from the migrated template image; a stale cached image is rebuilt once. */
async function fromTemplate(settings: PGliteOptions, dataDir?: string): Promise<PGlite> {
  const existed = dataDir !== undefined && existsSync(dataDir);
  try {
    return await PGlite.create({ ...settings, ...(dataDir ? { dataDir } : {}), loadDataDir: await templateImage() });
  } catch (err) {
    discardTemplateImage();
    // Only a folder this attempt created is removed; anything else is left for a person to look at.
    if (dataDir && !existed) rmSync(dataDir, { recursive: true, force: true });
    try {
      return await PGlite.create({ ...settings, ...(dataDir ? { dataDir } : {}), loadDataDir: await templateImage() });
    } catch {
      throw err;
    }
  }
}

/**
 * The embedded storage: PostgreSQL in WebAssembly (PGlite) inside this process, in memory or in
 * a data folder, no server. Holds a lockfile on the folder so a second process fails with
 * `DataDirLockedError` instead of corrupting it. The folder is kept private (folders 0700, files
 * 0600); one whose reachable contents are group- or world-writable is refused with
 * `DataDirInsecureError` naming the path.
 */
export async function embeddedStorage(options: EmbeddedStorageOptions = {}): Promise<Storage> {
  const settings: PGliteOptions = { postgresqlconf: [`shared_buffers = ${options.sharedBuffersMb ?? 16}MB`] };
  if (!options.dataDir) {
    const db = await fromTemplate(settings);
    return createSqlStorage(pgliteClient(db), { onClose: () => db.close() });
  }
  const dataDir = path.resolve(options.dataDir);
  checkDataDirModes(dataDir);
  const lock = await lockDataDir(dataDir);
  let db: PGlite | undefined;
  try {
    // A new folder starts from the template image (no initdb); an existing one is opened and
    // brought up to date.
    const pgdata = path.join(dataDir, 'pgdata');
    db = existsSync(path.join(pgdata, 'PG_VERSION')) ? await PGlite.create({ ...settings, dataDir: pgdata }) : await fromTemplate(settings, pgdata);
    await migrate(pgliteClient(db), coreSchema);
    // Files PGlite creates from now on are 0666, but inside 0700 folders nobody else reaches them.
    tightenDataDirModes(dataDir);
  } catch (err) {
    await db?.close().catch(() => undefined);
    lock.release();
    throw err instanceof VecronError ? err : new StorageError(`cannot open embedded store in ${dataDir}: ${(err as Error).message}`, { cause: err, retryable: false });
  }
  const opened = db;
  return createSqlStorage(pgliteClient(opened), {
    onClose: async () => {
      try {
        await opened.close();
        tightenDataDirModes(dataDir);
      } finally {
        lock.release();
      }
    },
  });
}
