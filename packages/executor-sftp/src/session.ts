import ssh2 from 'ssh2';
import type { ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { NonRetryableError, TransientError } from '@vecron/sdk';
import type { StepContext } from '@vecron/sdk';
import { toSftpError } from './errors.js';
import type { Fingerprint } from './fingerprint.js';
import { formatFingerprint, keyMatches, sha256Fingerprint } from './fingerprint.js';
import { abortError } from './abort.js';
import type { Link } from './transfer.js';

const { Client } = ssh2;

/** What {@link openSession} needs to reach and authenticate to a server. */
export interface SessionParams {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: string | Buffer | undefined;
  passphrase?: string | undefined;
  /** Pinned fingerprints; `null` turns verification off (the presented key is only logged). */
  pins: readonly Fingerprint[] | null;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  logger: StepContext['logger'];
}

/** One authenticated SSH connection with its SFTP channel, as small promise-returning operations. */
export interface SftpSession {
  /** The SHA-256 fingerprint the server presented. */
  readonly hostFingerprint: string;
  stat(path: string): Promise<Stats>;
  readdir(path: string): Promise<FileEntryWithStats[]>;
  mkdir(path: string): Promise<void>;
  /** The raw channel and its liveness, for the streaming transfers in `transfer.ts`. */
  readonly link: Link;
  /** Renames, replacing an existing target (posix-rename@openssh.com when offered). */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** True until the connection ends or fails. */
  readonly alive: boolean;
  /** Ends the connection politely. */
  end(): void;
  /** Drops the connection at once: in-flight requests fail with "No response from server". */
  destroy(): void;
}

/**
 * Connects, verifies the host key against the pins inside ssh2's `hostVerifier` (before any
 * credential is sent), authenticates, and opens the SFTP channel. Rejects with a vecron error:
 * `HOST_KEY_MISMATCH`, `SFTP_AUTH_FAILED`, `SFTP_CONNECTION_FAILED`, `SFTP_TIMEOUT`, … or the
 * signal's reason when aborted.
 */
export function openSession(params: SessionParams, signal: AbortSignal): Promise<SftpSession> {
  const where = { host: params.host, port: params.port };
  const client = new Client();
  let presented: string | undefined;
  let mismatch = false;
  let alive = true;

  // Errors after the connection is up (a reset mid-transfer) surface through the failing request;
  // this listener only keeps an unhandled 'error' event from crashing the process.
  client.on('error', (err) => params.logger.debug({ err }, 'ssh connection error'));
  client.on('close', () => {
    alive = false;
  });

  return new Promise<SftpSession>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      client.destroy();
      fail(abortError(signal));
    };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      client.destroy();
      reject(err);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    client.once('error', (err) => {
      if (mismatch) {
        fail(
          new NonRetryableError(
            `host key of ${params.host}:${params.port} does not match the pinned fingerprint: the server presented ${presented}, ` +
              `expected ${params.pins!.map(formatFingerprint).join(' or ')}. Nothing was sent or transferred. ` +
              'If the server key was changed on purpose, confirm the new fingerprint with its operator and update the pin.',
            { code: 'HOST_KEY_MISMATCH', cause: err, details: { ...where, presented, expected: params.pins!.map(formatFingerprint) } },
          ),
        );
      } else {
        fail(toSftpError(err, where));
      }
    });
    client.once('close', () => fail(new TransientError(`connection to ${params.host}:${params.port} closed during set-up`, { code: 'SFTP_CONNECTION_LOST', details: where })));
    client.once('ready', () => {
      client.sftp((err, sftp) => {
        if (err) {
          fail(toSftpError(err, where));
          return;
        }
        if (settled) {
          client.destroy();
          return;
        }
        settled = true;
        signal.removeEventListener('abort', onAbort);
        sftp.on('end', () => (alive = false));
        sftp.on('close', () => (alive = false));
        resolve(wrap(client, sftp, presented!, () => alive));
      });
    });

    const config: ConnectConfig = {
      host: params.host,
      port: params.port,
      username: params.username,
      readyTimeout: params.readyTimeoutMs,
      keepaliveInterval: params.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer): boolean => {
        presented = formatFingerprint(sha256Fingerprint(key));
        if (params.pins === null) {
          params.logger.warn({ host: params.host, port: params.port, fingerprint: presented }, 'sftp host key NOT verified (verify_host_key: false)');
          return true;
        }
        mismatch = !keyMatches(key, params.pins);
        return !mismatch;
      },
    };
    if (params.password !== undefined) config.password = params.password;
    if (params.privateKey !== undefined) config.privateKey = params.privateKey;
    if (params.passphrase !== undefined) config.passphrase = params.passphrase;
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for an unparsable key or a wrong passphrase.
      fail(new NonRetryableError(`cannot use the SSH private key: ${(err as Error).message}`, { code: 'SFTP_BAD_KEY', cause: err, details: where }));
    }
  });
}

function wrap(client: InstanceType<typeof Client>, sftp: SFTPWrapper, hostFingerprint: string, isAlive: () => boolean): SftpSession {
  // A request sent on a dead channel is never answered: refuse it up front.
  const call = <T>(fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> =>
    isAlive()
      ? new Promise<T>((resolve, reject) => {
          fn((err, value) => (err ? reject(err) : resolve(value as T)));
        })
      : Promise.reject(new Error('connection lost'));
  const posixRename = 'posix-rename@openssh.com' in ((sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {});
  return {
    hostFingerprint,
    get alive() {
      return isAlive();
    },
    stat: (p) => call<Stats>((cb) => sftp.stat(p, cb)),
    readdir: (p) => call<FileEntryWithStats[]>((cb) => sftp.readdir(p, cb)),
    mkdir: (p) => call<void>((cb) => sftp.mkdir(p, cb)),
    link: { sftp, alive: isAlive },
    rename: async (from, to) => {
      if (posixRename) return call<void>((cb) => sftp.ext_openssh_rename(from, to, cb));
      // Plain SFTP v3 rename refuses an existing target: remove it first.
      await call<void>((cb) => sftp.unlink(to, cb)).catch((err: { code?: unknown }) => {
        if (err.code !== 2) throw err;
      });
      return call<void>((cb) => sftp.rename(from, to, cb));
    },
    unlink: (p) => call<void>((cb) => sftp.unlink(p, cb)),
    end: () => client.end(),
    destroy: () => client.destroy(),
  };
}
