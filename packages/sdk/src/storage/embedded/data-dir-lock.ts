import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataDirLockedError } from '../../errors/errors.js';

/** A held lock on an embedded data folder. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `{dataDir}/vecron.lock` exclusively (`O_CREAT | O_EXCL`). PGlite does not lock its
 * folder itself, and two processes writing one folder corrupt it; a lock left by a process that
 * no longer runs on this host is taken over.
 *
 * @throws DataDirLockedError when a live process holds the folder.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'vecron.lock');
  const me = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          try {
            const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
            if (holder.pid === process.pid) unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; host?: string; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // A lock being written right now, or garbage: treat as held unless it stays unreadable.
      }
      const sameHost = !holder.host || holder.host === os.hostname();
      if (holder.pid && sameHost && !alive(holder.pid)) {
        try {
          unlinkSync(file);
        } catch {
          // Another process removed it first; retry the exclusive create.
        }
        continue;
      }
      throw new DataDirLockedError(dataDir, holder.pid ? `pid ${holder.pid} on ${holder.host ?? 'this host'} since ${holder.since ?? '?'}` : 'unknown holder');
    }
  }
  throw new DataDirLockedError(dataDir, 'lock contended');
}
