import { mkdir, open, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { NonRetryableError, TransientError } from '@vecron/sdk';
import type { StepContext } from '@vecron/sdk';
import type { SftpStepConfig } from './config.js';
import { toSftpError } from './errors.js';
import { makeNameFilter } from './glob.js';
import type { SftpTransferredFile } from './output.js';
import { runPool } from './pool.js';
import { pullFile } from './transfer.js';
import { assertSafeEntryName } from './remote-name.js';
import type { SftpSession } from './session.js';
import type { TempFiles } from './temp-files.js';
import { tempName } from './temp-files.js';

/** Shared inputs of one transfer run. */
export interface TransferRun {
  session: SftpSession;
  config: SftpStepConfig;
  ctx: StepContext;
  temps: TempFiles;
  /** Aborts on the step's signal or timeout. */
  signal: AbortSignal;
  concurrency: number;
  requestsPerFile: number;
}

interface RemoteItem {
  remote: string;
  /** Path segments below the download root; each one a checked entry name. */
  rel: string[];
  size: number | undefined;
}

/**
 * Downloads `remote_path` (a file, or a folder filtered by `wildcard_pattern`, optionally
 * recursive) into `local_path` inside the execution's file area. Each file is written to a
 * hidden temporary name, its size checked against the server's, then renamed into place.
 */
export async function download(run: TransferRun): Promise<SftpTransferredFile[]> {
  const { session, config, ctx } = run;
  const where = { host: config.host, port: config.port };
  const o = config.options;
  const root = config.remote_path;
  const filter = makeNameFilter(o.wildcard_pattern);

  const rootStat = await session.stat(root).catch((err: unknown) => {
    throw toSftpError(err, { ...where, remotePath: root });
  });
  let items: RemoteItem[];
  let single = false;
  if (rootStat.isDirectory()) {
    items = [];
    await walkRemote(session, root, [], filter, o.recursive, items, where);
  } else if (o.wildcard_pattern !== undefined) {
    throw new NonRetryableError(`remote_path ${root} must be a folder when wildcard_pattern is set`, { code: 'SFTP_NOT_A_DIRECTORY', details: { ...where, remotePath: root } });
  } else {
    const name = path.posix.basename(root);
    assertSafeEntryName(name, path.posix.dirname(root));
    items = [{ remote: root, rel: [name], size: rootStat.size }];
    single = true;
  }
  if (items.length === 0) {
    if (o.allow_empty) return [];
    throw new NonRetryableError(
      `no file${o.wildcard_pattern ? ` matching ${o.wildcard_pattern}` : ''} found in ${root} on ${config.host}:${config.port}${o.recursive ? ' (recursive)' : ''}`,
      { code: 'SFTP_NOT_FOUND', details: { ...where, remotePath: root, pattern: o.wildcard_pattern } },
    );
  }

  const base = config.local_path ?? '.';
  let singleTarget: string | undefined;
  if (single) {
    const resolved = await ctx.files.resolve(base);
    const intoFolder = config.local_path === undefined || /[\\/]$/.test(base) || (await isDirectory(resolved));
    singleTarget = intoFolder ? await ctx.files.resolve(path.join(base, items[0]!.rel[0]!)) : resolved;
  }

  return runPool(items, run.concurrency, async (item) => {
    const target = singleTarget ?? (await ctx.files.resolve(path.join(base, ...item.rel)));
    return downloadOne(run, item, target);
  });
}

async function downloadOne(run: TransferRun, item: RemoteItem, target: string): Promise<SftpTransferredFile> {
  const { session, temps, config } = run;
  const where = { host: config.host, port: config.port, remotePath: item.remote, localPath: target };
  const dir = path.dirname(target);
  const tmp = path.join(dir, tempName(path.basename(target)));
  try {
    await mkdir(dir, { recursive: true });
    temps.addLocal(tmp);
    const fh = await open(tmp, 'w', 0o644);
    try {
      await pullFile(session.link, item.remote, fh, run.requestsPerFile, run.signal);
    } finally {
      await fh.close();
    }
    const { size } = await stat(tmp);
    if (item.size !== undefined && size !== item.size) {
      throw new TransientError(`downloaded ${size} bytes of ${item.remote} but the server listed ${item.size} (was it still being written?)`, {
        code: 'SFTP_SIZE_MISMATCH',
        details: { ...where, expected: item.size, actual: size },
      });
    }
    await rename(tmp, target);
    temps.dropLocal(tmp);
    run.ctx.logger.debug({ remotePath: item.remote, path: target, size }, 'sftp file downloaded');
    return { filename: path.basename(target), size, remote_path: item.remote, path: target };
  } catch (err) {
    throw toSftpError(err, where);
  }
}

async function walkRemote(
  session: SftpSession,
  dir: string,
  rel: string[],
  filter: (name: string) => boolean,
  recursive: boolean,
  out: RemoteItem[],
  where: { host: string; port: number },
): Promise<void> {
  const entries = await session.readdir(dir).catch((err: unknown) => {
    throw toSftpError(err, { ...where, remotePath: dir });
  });
  entries.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  for (const entry of entries) {
    const name = entry.filename;
    if (name === '.' || name === '..') continue;
    assertSafeEntryName(name, dir);
    const full = path.posix.join(dir, name);
    const attrs = entry.attrs;
    if (attrs.isDirectory()) {
      if (recursive) await walkRemote(session, full, [...rel, name], filter, recursive, out, where);
    } else if (attrs.isSymbolicLink()) {
      // Follow links to files; never descend through a linked folder (loops, surprises).
      if (!filter(name)) continue;
      const target = await session.stat(full).catch(() => undefined);
      if (target?.isFile()) out.push({ remote: full, rel: [...rel, name], size: target.size });
    } else if (attrs.isFile() && filter(name)) {
      out.push({ remote: full, rel: [...rel, name], size: attrs.size });
    }
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
