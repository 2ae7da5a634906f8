/**
 * `@vecron/executor-sftp` — SFTP download / upload steps for vecron, with wildcards, recursion and
 * host-key pinning (on by default).
 *
 * @example
 * ```ts
 * import { createCronSystem } from '@vecron/sdk';
 * import { sftpExecutor } from '@vecron/executor-sftp';
 *
 * const cron = createCronSystem({
 *   executors: [sftpExecutor({ knownHosts: { 'sftp.bank.example:22': 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s' } })],
 * });
 * // a step: { "id": "dl", "type": "sftp", "config": { "operation": "download", "host": "sftp.bank.example",
 * //   "auth": { "type": "password", "username": "ops", "password": "${SFTP_PASSWORD}" },
 * //   "remote_path": "/outbox", "local_path": "in/", "options": { "wildcard_pattern": "SAO_KE_*.xlsx" } } }
 * // later steps read {{steps.dl.output.files[0].path}}
 * ```
 *
 * Exports: {@link sftpExecutor}, the config schema {@link sftpStepConfigSchema}, the option schema
 * {@link sftpExecutorOptionsSchema}, fingerprint helpers {@link parseFingerprint} and
 * {@link sha256Fingerprint}, and the types of options, config and output.
 *
 * @packageDocumentation
 */
export { sftpExecutor } from './sftp-executor.js';
export { sftpExecutorOptionsSchema } from './options.js';
export type { SftpExecutorOptions, ResolvedSftpExecutorOptions } from './options.js';
export { sftpStepConfigSchema } from './config.js';
export type { SftpStepConfig, SftpStepConfigInput, SftpAuth } from './config.js';
export type { SftpStepOutput, SftpTransferredFile } from './output.js';
export { parseFingerprint, formatFingerprint, sha256Fingerprint } from './fingerprint.js';
export type { Fingerprint } from './fingerprint.js';
