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
  const client = new Client();
  const hostKey: HostKeyCheck = { presented: undefined, mismatch: false };
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
    const setup = settleOnce(client, signal, reject);
    watchSetup(client, params, hostKey, setup, (sftp) => {
      sftp.on('end', () => (alive = false));
      sftp.on('close', () => (alive = false));
      resolve(wrap(client, sftp, hostKey.presented!, () => alive));
    });
    const config = connectConfig(params, hostKey);
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for an unparsable key or a wrong passphrase.
      setup.fail(new NonRetryableError(`cannot use the SSH private key: ${(err as Error).message}`, { code: 'SFTP_BAD_KEY', cause: err, details: whereOf(params) }));
    }
  });
}

/** What the host verifier saw: the presented key's fingerprint, and whether it failed the pins. */
interface HostKeyCheck {
  presented: string | undefined;
  mismatch: boolean;
}

/** The set-up's outcome, settled once: by the first failure (which destroys the client) or by {@link SetupOutcome.claim}. */
interface SetupOutcome {
  fail(err: unknown): void;
  /** Takes the success; false when the set-up already failed (or was aborted). */
  claim(): boolean;
}

const whereOf = (params: SessionParams): { host: string; port: number } => ({ host: params.host, port: params.port });

/** Settles the set-up once; an abort of `signal` destroys the client and rejects with its reason. */
function settleOnce(client: InstanceType<typeof Client>, signal: AbortSignal, reject: (err: unknown) => void): SetupOutcome {
  let settled = false;
  const onAbort = (): void => {
    client.destroy();
    fail(abortError(signal));
  };
  const fail = (err: unknown): void => {
    if (settled) return;
    settled = true;
    signal.removeEventListener('abort', onAbort);
    client.destroy();
    reject(err);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    fail,
    claim() {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      return true;
    },
  };
}

/** Fails the set-up on an error or an early close; on 'ready', opens the SFTP channel and hands it to `onChannel`. */
function watchSetup(
  client: InstanceType<typeof Client>,
  params: SessionParams,
  hostKey: HostKeyCheck,
  setup: SetupOutcome,
  onChannel: (sftp: SFTPWrapper) => void,
): void {
  const where = whereOf(params);
  client.once('error', (err) => setup.fail(hostKey.mismatch ? hostKeyMismatch(params, hostKey.presented, err) : toSftpError(err, where)));
  client.once('close', () => setup.fail(new TransientError(`connection to ${params.host}:${params.port} closed during set-up`, { code: 'SFTP_CONNECTION_LOST', details: where })));
  client.once('ready', () => {
    client.sftp((err, sftp) => {
      if (err) {
        setup.fail(toSftpError(err, where));
        return;
      }
      if (!setup.claim()) {
        client.destroy();
        return;
      }
      onChannel(sftp);
    });
  });
}

function hostKeyMismatch(params: SessionParams, presented: string | undefined, cause: unknown): NonRetryableError {
  const expected = params.pins!.map(formatFingerprint);
  return new NonRetryableError(
    `host key of ${params.host}:${params.port} does not match the pinned fingerprint: the server presented ${presented}, ` +
      `expected ${expected.join(' or ')}. Nothing was sent or transferred. ` +
      'If the server key was changed on purpose, confirm the new fingerprint with its operator and update the pin.',
    { code: 'HOST_KEY_MISMATCH', cause, details: { ...whereOf(params), presented, expected } },
  );
}

/** ssh2's connect options; the host key is checked against the pins inside `hostVerifier`, before any credential is sent. */
function connectConfig(params: SessionParams, hostKey: HostKeyCheck): ConnectConfig {
  const config: ConnectConfig = {
    host: params.host,
    port: params.port,
    username: params.username,
    readyTimeout: params.readyTimeoutMs,
    keepaliveInterval: params.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer): boolean => {
      hostKey.presented = formatFingerprint(sha256Fingerprint(key));
      if (params.pins === null) {
        params.logger.warn({ host: params.host, port: params.port, fingerprint: hostKey.presented }, 'sftp host key NOT verified (verify_host_key: false)');
        return true;
      }
      hostKey.mismatch = !keyMatches(key, params.pins);
      return !hostKey.mismatch;
    },
  };
  if (params.password !== undefined) config.password = params.password;
  if (params.privateKey !== undefined) config.privateKey = params.privateKey;
  if (params.passphrase !== undefined) config.passphrase = params.passphrase;
  return config;
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
