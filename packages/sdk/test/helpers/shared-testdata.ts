/**
 * Where the peers' test data lives: the Quartz cron vectors (`quartz-cron/`) and the job files of
 * the system teams migrate from (`seed-jobs/`). They are read in place, never copied into this
 * repository. The folder is `shared/testdata` next to the checkout or next to one of its parent
 * folders (`../shared/testdata` from the repository root of a main checkout, `../../shared/testdata`
 * from a worktree under `wt/`), or wherever `VECRON_SHARED_TESTDATA` points.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `packages/sdk/test/helpers/shared-testdata.ts`). */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Folders searched, in order; the first that exists wins. */
export function sharedTestdataCandidates(): string[] {
  const fromEnv = process.env['VECRON_SHARED_TESTDATA'];
  const out: string[] = fromEnv ? [path.resolve(fromEnv)] : [];
  let dir = path.resolve(REPO_ROOT);
  for (let i = 0; i < 4; i++) {
    const parent = path.dirname(dir);
    out.push(path.join(parent, 'shared', 'testdata'));
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/**
 * Absolute path of `segments` inside the shared test data folder.
 * @throws Error naming every folder searched when the data is not there, so a missing checkout of
 *   the shared data fails the test with a clear reason instead of a bare ENOENT.
 */
export function sharedTestdata(...segments: string[]): string {
  const tried = sharedTestdataCandidates();
  for (const base of tried) {
    const p = path.join(base, ...segments);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `shared test data ${segments.join('/')} not found; looked in:\n  ${tried.join('\n  ')}\n` +
      'Put the peers\' data at ../shared/testdata next to the checkout, or set VECRON_SHARED_TESTDATA.',
  );
}
