import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PathEscapeError } from '../errors/errors.js';
import type { Execution } from '../model/execution.js';
import { executionFilesDir, resolveInside } from './file-area.js';

/** A file an execution's step wrote or fetched into the execution's file area, as its output names it. */
export interface ExecutionFile {
  /** Path inside the execution's file area, `/`-separated (`out/report.csv`): the name to download it by. */
  name: string;
  /** The step whose output names it (the first one, when several do). */
  stepId: string;
  /** Size in bytes now. */
  size: number;
  /** Absolute path on this machine. */
  path: string;
}

/** The `path`s a step output names the way vecron's executors do: `files: [{ path }]` and `file: { path }`. */
function namedPaths(output: unknown): string[] {
  if (output === null || typeof output !== 'object') return [];
  const o = output as { files?: unknown; file?: unknown };
  const entries = [...(Array.isArray(o.files) ? o.files : []), ...(o.file !== undefined ? [o.file] : [])];
  return entries.flatMap((f) => (f !== null && typeof f === 'object' && typeof (f as { path?: unknown }).path === 'string' ? [(f as { path: string }).path] : []));
}

/**
 * The files an execution recorded: every `files[].path` and `file.path` in its steps' outputs that
 * is a regular file inside the execution's own file area (`{filesDir}/jobs/{job}/executions/{id}`,
 * symlinks resolved) and still exists there. A path outside it (a remote SFTP path, another
 * folder) is never listed, so it can never be served.
 */
export async function recordedFiles(filesDir: string, execution: Execution): Promise<ExecutionFile[]> {
  const root = executionFilesDir(filesDir, execution.jobId, execution.id);
  const realRoot = await fs.realpath(root).catch(() => null);
  if (!realRoot) return [];
  const out = new Map<string, ExecutionFile>();
  for (const [stepId, state] of Object.entries(execution.context.steps ?? {})) {
    for (const named of namedPaths(state.output)) {
      if (!path.isAbsolute(named)) continue;
      let resolved: string;
      try {
        resolved = await resolveInside(root, named);
      } catch (err) {
        if (err instanceof PathEscapeError) continue;
        throw err;
      }
      const st = await fs.stat(resolved).catch(() => null);
      if (!st?.isFile()) continue;
      const name = path.relative(realRoot, resolved).split(path.sep).join('/');
      if (!name || name.startsWith('..') || out.has(name)) continue;
      out.set(name, { name, stepId, size: st.size, path: resolved });
    }
  }
  return [...out.values()];
}
