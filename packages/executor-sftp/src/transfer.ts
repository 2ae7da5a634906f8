import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { abortError } from './abort.js';

/** Bytes per SFTP read/write request (what OpenSSH and ssh2 use by default). */
const CHUNK = 32 * 1024;

/** Liveness of the connection a transfer runs on. */
export interface Link {
  readonly sftp: SFTPWrapper;
  /** False once the channel is gone: no request may be sent then (it would never be answered). */
  alive(): boolean;
}

/** Thrown when the connection went away between requests. */
function lost(): Error {
  return new Error('connection lost');
}

function sftpCall<T>(link: Link, fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  if (!link.alive()) return Promise.reject(lost());
  return new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/**
 * Copies a remote file into an open local file with `requests` reads in flight (at most
 * `requests × 32 KiB` in memory), each written at its offset. Stops issuing requests as soon
 * as `signal` aborts or the connection drops, and settles only after every request it sent has
 * been answered (a dropped channel answers them all with an error), so the caller may delete the
 * local file afterwards without a late write re-creating it.
 *
 * @returns the number of bytes copied (the remote size at open).
 */
export async function pullFile(link: Link, remotePath: string, local: FileHandle, requests: number, signal: AbortSignal): Promise<number> {
  const handle = await sftpCall<Buffer>(link, (cb) => link.sftp.open(remotePath, 'r', cb));
  try {
    const size = (await sftpCall<{ size: number }>(link, (cb) => link.sftp.fstat(handle, cb)).catch(() => sftpCall<{ size: number }>(link, (cb) => link.sftp.stat(remotePath, cb)))).size;
    let next = 0;
    let copied = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      const buf = Buffer.allocUnsafe(CHUNK);
      while (!failed && next < size) {
        if (signal.aborted) throw abortError(signal);
        const offset = next;
        const len = Math.min(CHUNK, size - offset);
        next += len;
        let done = 0;
        while (done < len) {
          const n = await sftpCall<number>(link, (cb) => link.sftp.read(handle, buf, done, len - done, offset + done, cb));
          if (n === 0) throw Object.assign(new Error(`remote file ${remotePath} ended at ${offset + done} bytes, expected ${size}`), { code: 'SHORT_READ' });
          done += n;
        }
        await local.write(buf, 0, len, offset);
        copied += len;
      }
    };
    await runAll(requests, worker, () => (failed = true));
    return copied;
  } finally {
    if (link.alive()) await sftpCall<void>(link, (cb) => link.sftp.close(handle, cb)).catch(() => undefined);
  }
}

/**
 * Copies a local file to a remote path (created or truncated) with `requests` writes in flight.
 * Same abort and settling rules as {@link pullFile}.
 *
 * @returns the number of bytes copied.
 */
export async function pushFile(link: Link, localPath: string, remotePath: string, requests: number, signal: AbortSignal): Promise<number> {
  const local = await open(localPath, 'r');
  try {
    const size = (await local.stat()).size;
    const handle = await sftpCall<Buffer>(link, (cb) => link.sftp.open(remotePath, 'w', cb));
    let failure: { error: unknown } | undefined;
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      const buf = Buffer.allocUnsafe(CHUNK);
      while (!failed && next < size) {
        if (signal.aborted) throw abortError(signal);
        const offset = next;
        const len = Math.min(CHUNK, size - offset);
        next += len;
        const { bytesRead } = await local.read(buf, 0, len, offset);
        if (bytesRead !== len) throw Object.assign(new Error(`local file ${localPath} changed while being sent`), { code: 'SHORT_READ' });
        await sftpCall<void>(link, (cb) => link.sftp.write(handle, buf, 0, len, offset, cb));
      }
    };
    await runAll(requests, worker, () => (failed = true)).catch((error: unknown) => (failure = { error }));
    // The close is where a server reports a failed flush: wait for it, and report it unless something failed first.
    if (link.alive()) {
      await sftpCall<void>(link, (cb) => link.sftp.close(handle, cb)).catch((error: unknown) => (failure ??= { error }));
    }
    if (failure) throw failure.error;
    return size;
  } finally {
    await local.close();
  }
}

/** Runs `n` copies of `worker`; on the first failure calls `onFail` (so the others stop) and rethrows it after all settle. */
async function runAll(n: number, worker: () => Promise<void>, onFail: () => void): Promise<void> {
  let first: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: n }, () =>
      worker().catch((error: unknown) => {
        first ??= { error };
        onFail();
      }),
    ),
  );
  if (first) throw first.error;
}
