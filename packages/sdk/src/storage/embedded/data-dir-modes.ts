import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DataDirInsecureError } from '../../errors/errors.js';

/**
 * The embedded data folder holds password hashes, the audit log and execution contexts. PGlite
 * creates its files with mode 0666 and its folders 0755 whatever the umask, so vecron keeps the
 * folder private itself: {@link checkDataDirModes} before opening, {@link tightenDataDirModes}
 * after opening and after closing. Both walk iteratively and never follow symbolic links.
 */

const GROUP_OR_OTHER_WRITE = 0o022;
const GROUP_OR_OTHER_SEARCH = 0o011;

/**
 * Refuses a data folder in which something that other users can reach is writable by them: the
 * folder itself, or an entry whose every parent folder below the data folder lets group or others
 * in. A file that is 0666 inside a 0700 folder was never reachable, so it is not refused (a
 * process that crashed before {@link tightenDataDirModes} leaves such files).
 *
 * @throws DataDirInsecureError naming the first such path.
 */
export function checkDataDirModes(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  const stack: Array<{ p: string; reachable: boolean }> = [{ p: dataDir, reachable: true }];
  while (stack.length) {
    const { p, reachable } = stack.pop()!;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (reachable && (st.mode & GROUP_OR_OTHER_WRITE) !== 0) throw new DataDirInsecureError(p, st.mode);
    if (st.isDirectory()) {
      const childrenReachable = reachable && (st.mode & GROUP_OR_OTHER_SEARCH) !== 0;
      for (const name of readdirSync(p)) stack.push({ p: path.join(p, name), reachable: childrenReachable });
    }
  }
}

/** Makes every folder under (and including) `dataDir` 0700 and every file 0600. */
export function tightenDataDirModes(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  const stack = [dataDir];
  while (stack.length) {
    const p = stack.pop()!;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(p, 0o700);
      for (const name of readdirSync(p)) stack.push(path.join(p, name));
    } else if ((st.mode & 0o777) !== 0o600) {
      chmodSync(p, 0o600);
    }
  }
}
