/**
 * Starts OpenSSH's real `sshd` for the integration tests: its own host key, a dedicated system
 * user with a random password (created with useradd, removed on stop), a client key pair, a high
 * loopback port. Needs root and the Debian `openssh-server` package; fails loudly without them.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@vecron/sdk/testing';

const SSHD = '/usr/sbin/sshd';

export interface SshdServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Temp folder holding config, keys and the user's home. */
  readonly dir: string;
  /** The test user's home (its SFTP login folder); remote paths in tests live under it. */
  readonly home: string;
  readonly username: string;
  readonly password: string;
  readonly uid: number;
  readonly gid: number;
  /** Unencrypted client private key (OpenSSH format) and its path. */
  readonly clientKey: string;
  readonly clientKeyPath: string;
  /** Passphrase-protected client key, its path and passphrase. */
  readonly encryptedKeyPath: string;
  readonly keyPassphrase: string;
  /** `SHA256:…` of the host key, from `ssh-keygen -lf` on the public key file. */
  readonly hostFingerprint: string;
  /** Creates a folder under the home owned by the test user (so uploads can write there). */
  mkdirRemote(rel: string): Promise<string>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} failed to start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function requirePrerequisites(): void {
  const missing: string[] = [];
  if (!existsSync(SSHD)) missing.push(`${SSHD} (apt-get install -y openssh-server)`);
  for (const tool of ['ssh-keygen', 'ssh-keyscan', 'useradd', 'userdel', 'chpasswd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
  }
  if (missing.length > 0) {
    throw new Error(`SFTP integration tests need OpenSSH's sshd and user tools; missing: ${missing.join(', ')}`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('SFTP integration tests must run as root: they start sshd and create a dedicated test user');
  }
}

export { freePort };

/** Starts sshd; call `stop()` in afterAll. */
export async function startSshd(): Promise<SshdServer> {
  requirePrerequisites();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vecron-sftp-'));
  let child: ChildProcess | undefined;
  const username = `vsftp-${randomBytes(4).toString('hex')}`;
  let userCreated = false;
  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child?.kill('SIGKILL'), 3_000).unref();
      await exited;
      clearTimeout(t);
    }
    if (userCreated) spawnSync('userdel', ['-f', username]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await chmod(dir, 0o755);
    await mkdir('/run/sshd', { recursive: true });
    const hostKeyPath = path.join(dir, 'host_ed25519');
    const clientKeyPath = path.join(dir, 'client_ed25519');
    const encryptedKeyPath = path.join(dir, 'client_rsa_enc');
    const keyPassphrase = randomBytes(9).toString('base64url');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vecron-test-host', '-f', hostKeyPath]);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vecron-test-client', '-f', clientKeyPath]);
    run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', keyPassphrase, '-C', 'vecron-test-enc', '-f', encryptedKeyPath]);
    const authorized = path.join(dir, 'authorized_keys');
    await writeFile(authorized, (await readFile(`${clientKeyPath}.pub`, 'utf8')) + (await readFile(`${encryptedKeyPath}.pub`, 'utf8')), { mode: 0o644 });
    await chmod(authorized, 0o644);

    const home = path.join(dir, 'home');
    const password = randomBytes(12).toString('base64url');
    run('useradd', ['-M', '-d', home, '-s', '/usr/sbin/nologin', username]);
    userCreated = true;
    run('chpasswd', [], `${username}:${password}\n`);
    const uid = Number(run('id', ['-u', username]).trim());
    const gid = Number(run('id', ['-g', username]).trim());
    await mkdir(home, { mode: 0o755 });
    await chown(home, uid, gid);

    const port = await freePort();
    const configPath = path.join(dir, 'sshd_config');
    await writeFile(
      configPath,
      [
        `ListenAddress 127.0.0.1`,
        `HostKey ${hostKeyPath}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        `AuthorizedKeysFile ${authorized}`,
        'PermitRootLogin no',
        `AllowUsers ${username}`,
        'Subsystem sftp internal-sftp',
        'ForceCommand internal-sftp',
        'DisableForwarding yes',
        'MaxStartups 100',
        'MaxSessions 50',
        'LogLevel INFO',
        '',
      ].join('\n'),
    );
    const proc = spawn(SSHD, ['-D', '-e', '-f', configPath, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start listening within 10 s:\n${log}`)), 10_000);
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (/Server listening on 127\.0\.0\.1 port/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code} before listening:\n${log}`));
      });
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    // Keep draining stderr so sshd never blocks on a full pipe.
    proc.stderr!.on('data', () => undefined);

    const hostFingerprint = run('ssh-keygen', ['-lf', `${hostKeyPath}.pub`]).split(/\s+/)[1]!;
    return {
      host: '127.0.0.1',
      port,
      dir,
      home,
      username,
      password,
      uid,
      gid,
      clientKey: await readFile(clientKeyPath, 'utf8'),
      clientKeyPath,
      encryptedKeyPath,
      keyPassphrase,
      hostFingerprint,
      async mkdirRemote(rel) {
        const full = path.join(home, rel);
        await mkdir(full, { recursive: true });
        // chown every created level below home so the user can write anywhere it was asked to.
        let p = full;
        while (p.startsWith(home) && p !== home) {
          await chown(p, uid, gid);
          p = path.dirname(p);
        }
        return full;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
