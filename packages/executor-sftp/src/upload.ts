import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { NonRetryableError, TransientError } from '@vecron/sdk';
import type { TransferRun } from './download.js';
import { toSftpError } from './errors.js';
import { makeNameFilter } from './glob.js';
import type { SftpTransferredFile } from './output.js';
import { runPool } from './pool.js';
import { pushFile } from './transfer.js';
import type { SftpSession } from './session.js';
import { tempName } from './temp-files.js';

interface LocalItem {
  local: string;
  rel: string[];
}

/**
 * Uploads `local_path` (a file in the execution's file area, or a folder filtered by
 * `wildcard_pattern`, optionally recursive) to `remote_path`. With `atomic_upload` each file is
 * written under a hidden temporary name, its size checked, then renamed over the final name.
 */
export async function upload(run: TransferRun): Promise<SftpTransferredFile[]> {
  const { session, config, ctx } = run;
  const where = { host: config.host, port: config.port };
  const o = config.options;
  const localRoot = await ctx.files.resolve(config.local_path!);
  const rootStat = await stat(localRoot).catch((err: unknown) => {
    throw toSftpError(err, { ...where, localPath: localRoot });
  });

  let items: LocalItem[];
  let single = false;
  if (rootStat.isDirectory()) {
    items = [];
    await walkLocal(run, localRoot, [], makeNameFilter(o.wildcard_pattern), o.recursive, items);
  } else if (o.wildcard_pattern !== undefined) {
    throw new NonRetryableError(`local_path ${config.local_path} must be a folder when wildcard_pattern is set`, { code: 'LOCAL_NOT_A_DIRECTORY', details: { localPath: localRoot } });
  } else if (rootStat.isFile()) {
    items = [{ local: localRoot, rel: [path.basename(localRoot)] }];
    single = true;
  } else {
    throw new NonRetryableError(`local_path ${config.local_path} is not a regular file or folder`, { code: 'LOCAL_IO_FAILED', details: { localPath: localRoot } });
  }
  if (items.length === 0) {
    if (o.allow_empty) return [];
    throw new NonRetryableError(`no local file${o.wildcard_pattern ? ` matching ${o.wildcard_pattern}` : ''} found in ${config.local_path}`, {
      code: 'LOCAL_NOT_FOUND',
      details: { localPath: localRoot, pattern: o.wildcard_pattern },
    });
  }

  const remoteRoot = config.remote_path;
  let targets: string[];
  if (single) {
    let intoFolder = remoteRoot.endsWith('/');
    if (!intoFolder) {
      const st = await session.stat(remoteRoot).catch((err: { code?: unknown }) => {
        if (err.code === 2) return undefined;
        throw toSftpError(err, { ...where, remotePath: remoteRoot });
      });
      intoFolder = st?.isDirectory() ?? false;
    }
    targets = [intoFolder ? path.posix.join(remoteRoot, items[0]!.rel[0]!) : remoteRoot];
  } else {
    targets = items.map((i) => path.posix.join(remoteRoot, ...i.rel));
  }

  await prepareRemoteDirs(session, [...new Set(targets.map((t) => path.posix.dirname(t)))], o.create_directories, where);

  return runPool(items, run.concurrency, (item, i) => uploadOne(run, item.local, targets[i]!));
}

async function uploadOne(run: TransferRun, local: string, target: string): Promise<SftpTransferredFile> {
  const { session, temps, config } = run;
  const where = { host: config.host, port: config.port, remotePath: target, localPath: local };
  const dir = path.posix.dirname(target);
  const name = path.posix.basename(target);
  const dest = config.options.atomic_upload ? path.posix.join(dir, tempName(name)) : target;
  try {
    const { size } = await stat(local);
    if (dest !== target) temps.addRemote(dest);
    await pushFile(session.link, local, dest, run.requestsPerFile, run.signal);
    const written = await session.stat(dest);
    if (written.size !== size) {
      throw new TransientError(`uploaded ${size} bytes to ${dest} but the server reports ${written.size}`, {
        code: 'SFTP_SIZE_MISMATCH',
        details: { ...where, expected: size, actual: written.size },
      });
    }
    if (dest !== target) {
      await session.rename(dest, target);
      temps.dropRemote(dest);
    }
    run.ctx.logger.debug({ remotePath: target, path: local, size }, 'sftp file uploaded');
    return { filename: name, size, remote_path: target, path: local };
  } catch (err) {
    throw toSftpError(err, where);
  }
}

async function walkLocal(run: TransferRun, dir: string, rel: string[], filter: (name: string) => boolean, recursive: boolean, out: LocalItem[]): Promise<void> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) await walkLocal(run, full, [...rel, entry.name], filter, recursive, out);
    } else if (entry.isSymbolicLink()) {
      if (!filter(entry.name)) continue;
      // A link must stay inside the file area (resolve throws PATH_ESCAPE otherwise); linked folders are not followed.
      const real = await run.ctx.files.resolve(full);
      const st = await stat(real).catch(() => undefined);
      if (st?.isFile()) out.push({ local: real, rel: [...rel, entry.name] });
    } else if (entry.isFile() && filter(entry.name)) {
      out.push({ local: full, rel: [...rel, entry.name] });
    }
  }
}

/** Makes sure every remote folder exists: creates missing ones (`mkdir -p`) or fails with a hint. */
async function prepareRemoteDirs(session: SftpSession, dirs: string[], create: boolean, where: { host: string; port: number }): Promise<void> {
  const known = new Set<string>();
  const ensure = async (dir: string): Promise<void> => {
    if (known.has(dir) || dir === '.' || dir === '/' || dir === '') return;
    const st = await session.stat(dir).catch((err: { code?: unknown }) => {
      if (err.code === 2) return undefined;
      throw toSftpError(err, { ...where, remotePath: dir });
    });
    if (st) {
      if (!st.isDirectory()) {
        throw new NonRetryableError(`remote path ${dir} exists and is not a folder`, { code: 'SFTP_NOT_A_DIRECTORY', details: { ...where, remotePath: dir } });
      }
    } else if (!create) {
      throw new NonRetryableError(`remote folder ${dir} does not exist on ${where.host}:${where.port}; create it or set options.create_directories: true`, {
        code: 'SFTP_NOT_FOUND',
        details: { ...where, remotePath: dir },
      });
    } else {
      await ensure(path.posix.dirname(dir));
      await session.mkdir(dir).catch(async (err: unknown) => {
        // Another file (or another worker) may have created it meanwhile.
        const again = await session.stat(dir).catch(() => undefined);
        if (!again?.isDirectory()) throw toSftpError(err, { ...where, remotePath: dir });
      });
    }
    known.add(dir);
  };
  for (const dir of dirs.sort()) await ensure(dir);
}
