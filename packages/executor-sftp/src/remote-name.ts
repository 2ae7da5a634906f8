import { NonRetryableError } from '@vecron/sdk';

/**
 * True when a directory entry name returned by a server is a plain file name that cannot leave
 * the folder it is written into: not empty, not `.` or `..`, and free of `/`, `\` and NUL.
 */
export function isSafeEntryName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/**
 * Throws when a server-supplied entry name could escape the local download folder
 * (a hostile or broken server returning `../x` or `a/b`).
 */
export function assertSafeEntryName(name: string, remoteDir: string): void {
  if (!isSafeEntryName(name)) {
    throw new NonRetryableError(
      `SFTP server listed an unsafe entry name ${JSON.stringify(name)} in ${remoteDir}; refusing to write it locally`,
      { code: 'SFTP_UNSAFE_REMOTE_NAME', details: { name, remoteDir } },
    );
  }
}
