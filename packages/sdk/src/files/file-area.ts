import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PathEscapeError } from '../errors/errors.js';

/** The folder where one execution reads and writes its files. */
export interface FileArea {
  /** Absolute path of the folder. */
  readonly root: string;
  /**
   * Resolves a path given by a job (relative to `root`, or absolute but inside `root`) to an
   * absolute path inside `root`. Rejects `..`, percent-encoded `..`, NUL bytes, absolute paths
   * outside the root, and symlinks that lead out of it.
   */
  resolve(relativePath: string): Promise<string>;
  /** Creates `root` (and parents) if missing; `resolve` does it on first use. */
  ensure(): Promise<void>;
}

/** Builds the file area folder for an execution: `{baseDir}/jobs/{jobId}/executions/{executionId}`. */
export function executionFilesDir(baseDir: string, jobId: string, executionId: string): string {
  return path.join(baseDir, 'jobs', safeSegment(jobId), 'executions', safeSegment(executionId));
}

/**
 * The file area of one execution (`executionFilesDir`), its path worked out on first
 * use: most steps never touch files. The ids are checked at once, as `executionFilesDir` does.
 */
export function executionFileArea(baseDir: string, jobId: string, executionId: string): FileArea {
  safeSegment(jobId);
  safeSegment(executionId);
  let area: FileArea | undefined;
  const real = (): FileArea => (area ??= createFileArea(executionFilesDir(baseDir, jobId, executionId)));
  return {
    get root() {
      return real().root;
    },
    resolve: (p) => real().resolve(p),
    ensure: () => real().ensure(),
  };
}

function safeSegment(segment: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(segment) || segment === '.' || segment === '..') {
    throw new PathEscapeError(segment, '(segment)');
  }
  return segment;
}

/**
 * Resolves `candidate` inside `root` and proves it stays there, following symlinks of every
 * existing ancestor. Works for paths that do not exist yet (a file about to be written).
 *
 * @throws PathEscapeError when the path escapes `root`.
 */
export async function resolveInside(root: string, candidate: string): Promise<string> {
  if (typeof candidate !== 'string' || candidate.length === 0) throw new PathEscapeError(String(candidate), root);
  let decoded = candidate;
  // Decode repeatedly so %252e%252e cannot slip through as a literal that a later layer decodes.
  for (let i = 0; i < 3 && /%[0-9a-fA-F]{2}/.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      throw new PathEscapeError(candidate, root);
    }
  }
  if (decoded.includes('\0')) throw new PathEscapeError(candidate, root);
  const segments = decoded.split(/[\\/]+/);
  if (segments.includes('..')) throw new PathEscapeError(candidate, root);
  const absRoot = path.resolve(root);
  const target = path.isAbsolute(decoded) ? path.resolve(decoded) : path.resolve(absRoot, decoded);
  if (!isWithin(absRoot, target)) throw new PathEscapeError(candidate, root);

  const realRoot = await realpathOrSelf(absRoot);
  // Find the deepest existing ancestor and resolve its real path.
  let existing = target;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(existing);
      const full = path.join(real, ...rest.reverse());
      if (!isWithin(realRoot, full)) throw new PathEscapeError(candidate, root);
      return full;
    } catch (err) {
      if (err instanceof PathEscapeError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(existing);
      if (parent === existing) return target;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return p;
  }
}

function isWithin(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Creates the {@link FileArea} of one execution. */
export function createFileArea(root: string): FileArea {
  const absRoot = path.resolve(root);
  // Created on first use: most steps never touch files, and a mkdir per step is measurable.
  let made: Promise<unknown> | null = null;
  const ensure = async (): Promise<void> => {
    made ??= fs.mkdir(absRoot, { recursive: true }).catch((err: unknown) => {
      made = null;
      throw err;
    });
    await made;
  };
  return {
    root: absRoot,
    resolve: async (p) => {
      await ensure();
      return resolveInside(absRoot, p);
    },
    ensure,
  };
}
