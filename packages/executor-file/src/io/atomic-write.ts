import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AbortGuard } from './abort-guard.js';

/**
 * Writes `dest` through a temporary file beside it (`.name.xxxx.part`) and renames it into
 * place only on success, so a crash or an abort never leaves a half-written destination.
 * Parent folders are created. On failure the temporary file is removed.
 */
export async function writeAtomically<T>(dest: string, guard: AbortGuard, write: (tmpPath: string) => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(4).toString('hex')}.part`);
  try {
    const result = await guard.race(write(tmp));
    guard.throwIfAborted();
    await fs.rename(tmp, dest);
    return result;
  } catch (err) {
    // Streams must be closed before the unlink, or a late open() could re-create the file.
    await guard.shutdown(err instanceof Error ? err : undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
