import path from 'node:path';
import { parseConfig } from '@vecron/sdk';
import { z } from 'zod';
import { fingerprintListSchema } from './config.js';

/** Options of {@link sftpExecutor}, given by the operator in code (camelCase), not by job authors. */
export const sftpExecutorOptionsSchema = z.strictObject({
  /**
   * Timeout of a whole step (connect + every transfer) when the step sets no `timeout_seconds`.
   * @default 900
   */
  defaultTimeoutSeconds: z.number().positive().default(900),
  /**
   * Time allowed for TCP connect + SSH handshake + authentication.
   * @default 20
   */
  connectTimeoutSeconds: z.number().positive().default(20),
  /**
   * SSH keep-alive interval; three missed answers end a dead connection. 0 turns keep-alives off.
   * @default 15
   */
  keepaliveIntervalSeconds: z.number().min(0).default(15),
  /**
   * Absolute folders from which steps may read `auth.private_key_path`. A path outside all of them
   * (after following symlinks) is refused. Empty: `private_key_path` is refused, only `private_key` works.
   * @default []
   */
  privateKeyDirs: z
    .array(z.string().min(1).refine((p) => path.isAbsolute(p), 'must be an absolute path'))
    .default([]),
  /**
   * Pinned host keys by `host:port` (or `[host]:port`, or `host` for port 22), used when a step has no
   * `options.host_key_fingerprint`. Values as printed by `ssh-keyscan -p PORT host | ssh-keygen -lf -`.
   * @default {}
   */
  knownHosts: z.record(z.string().min(1), fingerprintListSchema).default({}),
  /**
   * Files transferred in parallel within one step (over one SSH connection).
   * @default 4
   */
  concurrency: z.number().int().min(1).max(64).default(4),
  /**
   * SFTP read/write requests of 32 KiB kept in flight per file (memory per file = this × 32 KiB).
   * @default 64
   */
  requestsPerFile: z.number().int().min(1).max(256).default(64),
  /**
   * Refuse hosts whose address is private, loopback, link-local or a metadata address (SSRF
   * guard), checked before connecting. @default false
   */
  blockPrivateAddresses: z.boolean().default(false),
  /** Hosts exempt from `blockPrivateAddresses`: names, IP literals or `*.suffix`. @default [] */
  allowHosts: z.array(z.string().min(1)).default([]),
});

/** What a caller may pass to {@link sftpExecutor}. */
export type SftpExecutorOptions = z.input<typeof sftpExecutorOptionsSchema>;
/** Options after validation, defaults filled in. */
export type ResolvedSftpExecutorOptions = z.output<typeof sftpExecutorOptionsSchema>;

/** Validates the factory options, throwing a `ConfigError` that lists every issue with its path. */
export function parseSftpExecutorOptions(input: SftpExecutorOptions | undefined): ResolvedSftpExecutorOptions {
  return parseConfig(sftpExecutorOptionsSchema, input ?? {}, 'sftpExecutor options');
}
