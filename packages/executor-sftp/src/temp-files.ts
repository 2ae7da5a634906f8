import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { settleWithin } from './abort.js';
import type { SftpSession } from './session.js';

/** Hidden temporary sibling name for `name`: `.<name>.<random>.vecron-part` (kept under 255 bytes). */
export function tempName(name: string): string {
  return `.${name.slice(0, 200)}.${randomBytes(4).toString('hex')}.vecron-part`;
}

/** Temporary files created by one step, removed when the step fails or is aborted. */
export interface TempFiles {
  addLocal(p: string): void;
  dropLocal(p: string): void;
  addRemote(p: string): void;
  dropRemote(p: string): void;
  /** Removes every local temp file; removes remote ones too while the session is still up. */
  cleanup(session: SftpSession | undefined): Promise<void>;
}

/** Creates an empty {@link TempFiles} tracker. */
export function createTempFiles(): TempFiles {
  const local = new Set<string>();
  const remote = new Set<string>();
  return {
    addLocal: (p) => void local.add(p),
    dropLocal: (p) => void local.delete(p),
    addRemote: (p) => void remote.add(p),
    dropRemote: (p) => void remote.delete(p),
    async cleanup(session) {
      await Promise.all([...local].map((p) => rm(p, { force: true }).catch(() => undefined)));
      local.clear();
      if (session?.alive) {
        await settleWithin(Promise.allSettled([...remote].map((p) => session.unlink(p))), 2_000);
      }
      remote.clear();
    },
  };
}
