import { NonRetryableError, TransientError, VecronError } from '@vecron/sdk';

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that ssh2 puts in `err.code`. */
const SFTP_STATUS = { EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, BAD_MESSAGE: 5, NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8 } as const;

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
  'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND',
]);

/** Local file-system errors that no retry will fix. */
const LOCAL_PERMANENT = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG', 'ELOOP']);

/** Where an error happened, to word the message. */
export interface ErrorContext {
  host: string;
  port: number;
  /** The remote path being worked on, when there is one. */
  remotePath?: string;
  /** The local path being worked on, when there is one. */
  localPath?: string;
}

/**
 * Maps anything ssh2, the SFTP server or the local file system throws to a vecron error with a
 * stable code and the right `retryable` flag. vecron errors pass through unchanged.
 */
export function toSftpError(err: unknown, where: ErrorContext): VecronError {
  if (err instanceof VecronError) return err;
  const e = (err ?? {}) as { code?: unknown; level?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const target = `${where.host}:${where.port}`;
  const details: Record<string, unknown> = { host: where.host, port: where.port };
  if (where.remotePath !== undefined) details['remotePath'] = where.remotePath;
  if (where.localPath !== undefined) details['localPath'] = where.localPath;
  const opts = { cause: err, details };

  if (e.level === 'client-authentication') {
    return new NonRetryableError(`SFTP authentication failed at ${target}: ${message}`, { ...opts, code: 'SFTP_AUTH_FAILED' });
  }
  if (e.level === 'client-timeout') {
    return new TransientError(`SFTP handshake with ${target} timed out: ${message}`, { ...opts, code: 'SFTP_TIMEOUT' });
  }
  if (e.level === 'client-dns') {
    return new TransientError(`cannot resolve SFTP host ${where.host}: ${message}`, { ...opts, code: 'SFTP_CONNECTION_FAILED' });
  }
  if (e.level === 'handshake' || e.level === 'protocol') {
    // No common algorithm, a bad signature, a broken peer: the same server will answer the same way.
    return new NonRetryableError(`SSH handshake with ${target} failed: ${message}`, { ...opts, code: 'SFTP_HANDSHAKE_FAILED' });
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return new TransientError(`SFTP connection to ${target} failed (${e.code}): ${message}`, { ...opts, code: 'SFTP_CONNECTION_FAILED' });
  }
  if (typeof e.code === 'number') {
    const remote = where.remotePath ?? '(remote)';
    switch (e.code) {
      case SFTP_STATUS.NO_SUCH_FILE:
        return new NonRetryableError(`remote path not found on ${target}: ${remote}`, { ...opts, code: 'SFTP_NOT_FOUND' });
      case SFTP_STATUS.PERMISSION_DENIED:
        return new NonRetryableError(`permission denied on ${target}: ${remote}`, { ...opts, code: 'SFTP_PERMISSION_DENIED' });
      case SFTP_STATUS.OP_UNSUPPORTED:
      case SFTP_STATUS.BAD_MESSAGE:
        return new NonRetryableError(`SFTP server ${target} refused the operation on ${remote}: ${message}`, { ...opts, code: 'SFTP_UNSUPPORTED' });
      case SFTP_STATUS.NO_CONNECTION:
      case SFTP_STATUS.CONNECTION_LOST:
        return new TransientError(`SFTP connection to ${target} lost: ${message}`, { ...opts, code: 'SFTP_CONNECTION_LOST' });
      default:
        // SSH_FX_FAILURE is the server's catch-all (disk full, quota, a lock): worth another try.
        return new TransientError(`SFTP operation on ${target} failed for ${remote}: ${message}`, { ...opts, code: 'SFTP_FAILURE' });
    }
  }
  if (typeof e.code === 'string' && e.code.startsWith('E')) {
    const local = where.localPath ?? '(local)';
    if (e.code === 'ENOENT') {
      return new NonRetryableError(`local file not found: ${local}`, { ...opts, code: 'LOCAL_NOT_FOUND' });
    }
    if (LOCAL_PERMANENT.has(e.code)) {
      return new NonRetryableError(`local file error (${e.code}) on ${local}: ${message}`, { ...opts, code: 'LOCAL_IO_FAILED' });
    }
    return new TransientError(`local file error (${e.code}) on ${local}: ${message}`, { ...opts, code: 'LOCAL_IO_FAILED' });
  }
  if (/no response from server|not connected|connection (lost|closed)/i.test(message)) {
    return new TransientError(`SFTP connection to ${target} lost: ${message}`, { ...opts, code: 'SFTP_CONNECTION_LOST' });
  }
  return new TransientError(`SFTP step against ${target} failed: ${message}`, { ...opts, code: 'SFTP_FAILED' });
}
