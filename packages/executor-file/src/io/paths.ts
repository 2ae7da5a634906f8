import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NonRetryableError, resolveInside } from '@vecron/sdk';
import type { FileArea } from '@vecron/sdk';
import { FILE_ERROR_CODES } from '../errors.js';

/**
 * Resolves a path from a step config. An absolute path inside one of `allowedRoots` is confined
 * to that root; every other path goes through the execution's file area (relative paths are
 * relative to it). Both reject `..`, encoded `..`, NUL bytes and symlink escapes.
 *
 * @throws PathEscapeError when the path leaves its root.
 */
export async function resolveStepPath(p: string, files: FileArea, allowedRoots: readonly string[]): Promise<string> {
  if (path.isAbsolute(p)) {
    const abs = path.resolve(p);
    for (const root of allowedRoots) {
      const rel = path.relative(root, abs);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return resolveInside(root, p);
    }
  }
  return files.resolve(p);
}

/**
 * Checks that `file` exists and is a regular file; returns its size.
 *
 * @throws NonRetryableError `FILE_NOT_FOUND`.
 */
export async function requireFile(file: string, shown: string): Promise<number> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NonRetryableError(`source file not found: ${shown}`, { code: FILE_ERROR_CODES.FILE_NOT_FOUND, details: { path: shown }, cause: err });
    }
    throw err;
  }
  if (!st.isFile()) throw new NonRetryableError(`not a regular file: ${shown}`, { code: FILE_ERROR_CODES.FILE_NOT_FOUND, details: { path: shown } });
  return st.size;
}
