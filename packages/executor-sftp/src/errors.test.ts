import { NonRetryableError } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { toSftpError } from './errors.js';

const where = { host: 'h', port: 22, remotePath: '/r', localPath: '/l' };
const withProps = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);

describe('toSftpError', () => {
  it.each([
    [withProps('All configured authentication methods failed', { level: 'client-authentication' }), 'SFTP_AUTH_FAILED', false],
    [withProps('Timed out while waiting for handshake', { level: 'client-timeout' }), 'SFTP_TIMEOUT', true],
    [withProps('getaddrinfo EAI_AGAIN', { level: 'client-dns', code: 'EAI_AGAIN' }), 'SFTP_CONNECTION_FAILED', true],
    [withProps('Handshake failed: no matching key exchange algorithm', { level: 'handshake' }), 'SFTP_HANDSHAKE_FAILED', false],
    [withProps('connect ECONNREFUSED', { level: 'client-socket', code: 'ECONNREFUSED' }), 'SFTP_CONNECTION_FAILED', true],
    [withProps('read ECONNRESET', { code: 'ECONNRESET' }), 'SFTP_CONNECTION_FAILED', true],
    [withProps('No such file', { code: 2 }), 'SFTP_NOT_FOUND', false],
    [withProps('Permission denied', { code: 3 }), 'SFTP_PERMISSION_DENIED', false],
    [withProps('Failure', { code: 4 }), 'SFTP_FAILURE', true],
    [withProps('Operation unsupported', { code: 8 }), 'SFTP_UNSUPPORTED', false],
    [withProps('Connection lost', { code: 7 }), 'SFTP_CONNECTION_LOST', true],
    [new Error('No response from server'), 'SFTP_CONNECTION_LOST', true],
    [withProps('ENOENT: no such file', { code: 'ENOENT' }), 'LOCAL_NOT_FOUND', false],
    [withProps('EACCES: permission denied', { code: 'EACCES' }), 'LOCAL_IO_FAILED', false],
    [withProps('ENOSPC: no space left', { code: 'ENOSPC' }), 'LOCAL_IO_FAILED', true],
    [new Error('something odd'), 'SFTP_FAILED', true],
    ['a string', 'SFTP_FAILED', true],
  ])('%s → %s (retryable %s)', (err, code, retryable) => {
    const mapped = toSftpError(err, where);
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.details).toMatchObject({ host: 'h', port: 22 });
  });

  it('passes vecron errors through unchanged', () => {
    const e = new NonRetryableError('x', { code: 'HOST_KEY_MISMATCH' });
    expect(toSftpError(e, where)).toBe(e);
  });
});
