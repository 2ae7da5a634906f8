import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../sql/migrations.js';
import { coreSchema } from '../sql/schema/index.js';
import { pgliteClient } from './pglite-client.js';

/**
 * The migrated, empty embedded database as a PGlite image (`dumpDataDir('gzip')`). A new store —
 * in memory or in a new data folder — is created from it, so only the first store ever built on a
 * machine pays PGlite's initdb and the migrations (2.5–3 s, and most of the peak memory); later
 * ones open in a few hundred ms.
 *
 * Kept in memory for the process and in a file under the OS temp folder, in a folder of this
 * user's only (mode 0700, owner checked: an image planted by another user is never loaded), keyed
 * by the migrations, so a changed schema never reuses an old image. A file that does not load is
 * deleted and built again.
 */
let image: Promise<Blob> | null = null;

export function templateImage(): Promise<Blob> {
  image ??= loadOrBuild().catch((err: unknown) => {
    image = null;
    throw err;
  });
  return image;
}

/** Forgets the image (after it failed to load) so the next store builds a fresh one. */
export function discardTemplateImage(): void {
  image = null;
  const file = cacheFile();
  if (file) rmSync(file, { force: true });
}

/** Names the image after the migrations it holds. */
function imageName(): string {
  const key = createHash('sha256')
    .update(`${coreSchema.owner}\n${coreSchema.migrations.map((m) => `${m.id}:${m.name}:${m.sql}`).join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  return `pglite-template-${key}.tar.gz`;
}

/** The image shipped in the published package (`dist/`, written by `pnpm build`), when it matches. */
function shippedFile(): string {
  return fileURLToPath(new URL(`./${imageName()}`, import.meta.url));
}

function cacheFile(): string | null {
  try {
    const uid = typeof process.getuid === 'function' ? process.getuid() : null;
    const dir = path.join(os.tmpdir(), `vecron-${uid ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (uid !== null && (st.uid !== uid || (st.mode & 0o077) !== 0)) return null;
    return path.join(dir, imageName());
  } catch {
    return null; // no writable temp folder: build in memory every time
  }
}

async function loadOrBuild(): Promise<Blob> {
  const file = cacheFile();
  for (const candidate of [shippedFile(), file]) {
    if (!candidate) continue;
    try {
      return new Blob([readFileSync(candidate)]);
    } catch {
      // not shipped / not built yet on this machine
    }
  }
  const built = await buildTemplateImage();
  if (file) {
    try {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.from(await built.arrayBuffer()), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // a cache that cannot be written only costs the next process an initdb
    }
  }
  return built;
}

/** Builds the image: initdb, migrations, dump. */
async function buildTemplateImage(): Promise<Blob> {
  const db = await PGlite.create();
  try {
    await migrate(pgliteClient(db), coreSchema);
    return await db.dumpDataDir('gzip');
  } finally {
    await db.close();
  }
}

/** Writes the image into `dir` under its migrations-keyed name (the SDK's build ships it in `dist/`). */
export async function writeTemplateImage(dir: string): Promise<string> {
  const file = path.join(dir, imageName());
  writeFileSync(file, Buffer.from(await (await buildTemplateImage()).arrayBuffer()));
  return file;
}
