import { open } from 'node:fs/promises';
import ssh2 from 'ssh2';
import { NonRetryableError, PathEscapeError, resolveInside } from '@vecron/sdk';
import type { SftpAuth } from './config.js';

/** Private keys are small; anything larger is not a key. */
const MAX_KEY_BYTES = 64 * 1024;

/** Credentials ready for ssh2. */
export interface LoadedCredentials {
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

/**
 * Turns the step's `auth` block into ssh2 credentials: reads `private_key_path` from one of the
 * operator's `privateKeyDirs`, and checks that the key parses (and the passphrase opens it) before
 * any connection is made. Never puts key material in an error message.
 */
export async function loadCredentials(auth: SftpAuth, privateKeyDirs: readonly string[]): Promise<LoadedCredentials> {
  if (auth.type === 'password') return { username: auth.username, password: auth.password };
  let key: string;
  if (auth.private_key !== undefined) {
    // A key pasted into a single-line variable often arrives with literal "\n".
    key = !auth.private_key.includes('\n') && auth.private_key.includes('\\n') ? auth.private_key.replaceAll('\\n', '\n') : auth.private_key;
  } else {
    key = await readKeyFile(auth.private_key_path!, privateKeyDirs);
  }
  const parsed = ssh2.utils.parseKey(key, auth.passphrase);
  if (parsed instanceof Error) {
    const hint = /passphrase|encrypted|decrypt/i.test(parsed.message) ? ' (wrong or missing passphrase?)' : '';
    throw new NonRetryableError(`cannot use the SSH private key${hint}: ${parsed.message}`, { code: 'SFTP_BAD_KEY' });
  }
  const out: LoadedCredentials = { username: auth.username, privateKey: key };
  if (auth.passphrase !== undefined) out.passphrase = auth.passphrase;
  return out;
}

async function readKeyFile(keyPath: string, dirs: readonly string[]): Promise<string> {
  if (dirs.length === 0) {
    throw new NonRetryableError(
      'auth.private_key_path is not allowed: this executor has no privateKeyDirs configured. ' +
        'Pass the key text in auth.private_key (from a sensitive variable), or configure sftpExecutor({ privateKeyDirs: ["/etc/vecron/keys"] }).',
      { code: 'SFTP_KEY_PATH_NOT_ALLOWED', details: { privateKeyPath: keyPath } },
    );
  }
  let escaped = true;
  for (const dir of dirs) {
    let resolved: string;
    try {
      resolved = await resolveInside(dir, keyPath);
    } catch (err) {
      if (err instanceof PathEscapeError) continue;
      throw err;
    }
    escaped = false;
    let handle;
    try {
      handle = await open(resolved, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new NonRetryableError(`cannot read private_key_path ${keyPath}: ${(err as Error).message}`, { code: 'SFTP_BAD_KEY', cause: err });
    }
    try {
      const st = await handle.stat();
      if (!st.isFile() || st.size > MAX_KEY_BYTES) {
        throw new NonRetryableError(`private_key_path ${keyPath} is not a private key file`, { code: 'SFTP_BAD_KEY' });
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }
  if (escaped) {
    throw new NonRetryableError(`private_key_path ${keyPath} is outside the allowed key folders (${dirs.join(', ')})`, {
      code: 'SFTP_KEY_PATH_NOT_ALLOWED',
      details: { privateKeyPath: keyPath },
    });
  }
  throw new NonRetryableError(`private_key_path ${keyPath} not found in ${dirs.join(', ')}`, { code: 'SFTP_BAD_KEY', details: { privateKeyPath: keyPath } });
}
