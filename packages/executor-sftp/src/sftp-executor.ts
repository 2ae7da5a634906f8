import { checkOutboundHost, defineExecutor, StepTimeoutError } from '@vecron/sdk';
import type { Executor, StepContext } from '@vecron/sdk';
import { abortError, raceAbort, settleWithin } from './abort.js';
import { sftpStepConfigSchema } from './config.js';
import type { SftpStepConfig, SftpStepConfigInput } from './config.js';
import { loadCredentials } from './credentials.js';
import { download } from './download.js';
import type { TransferRun } from './download.js';
import { toSftpError } from './errors.js';
import { normalizeKnownHosts, pinsFor } from './host-keys.js';
import type { KnownHosts } from './host-keys.js';
import { parseSftpExecutorOptions } from './options.js';
import type { ResolvedSftpExecutorOptions, SftpExecutorOptions } from './options.js';
import type { SftpStepOutput, SftpTransferredFile } from './output.js';
import { openSession } from './session.js';
import type { SftpSession } from './session.js';
import { createTempFiles } from './temp-files.js';
import { upload } from './upload.js';

/** How long an aborted step keeps its connection to finish in-flight requests and remove temporary files. */
const ABORT_GRACE_MS = 2_000;

/**
 * Creates the executor for steps of `type: "sftp"`: download or upload over SFTP (ssh2), with
 * wildcards, recursion, host-key pinning (on by default), streaming transfers to temporary names,
 * and errors classified as retryable (network) or not (authentication, missing file, host key).
 *
 * @example
 * ```ts
 * const cron = createCronSystem({
 *   executors: [sftpExecutor({ knownHosts: { 'sftp.bank.vn:22': 'SHA256:…' }, privateKeyDirs: ['/etc/vecron/keys'] })],
 * });
 * ```
 * @throws ConfigError when `options` are invalid.
 */
export function sftpExecutor(options?: SftpExecutorOptions): Executor<SftpStepConfig, SftpStepOutput, 'sftp', SftpStepConfigInput> {
  const opts = parseSftpExecutorOptions(options);
  const knownHosts = normalizeKnownHosts(opts.knownHosts);
  return defineExecutor<SftpStepConfig, SftpStepOutput, 'sftp', SftpStepConfigInput>({
    type: 'sftp',
    config: sftpStepConfigSchema,
    execute: (config, ctx) => runSftpStep(config, ctx, opts, knownHosts),
    // Every step opens and ends its own connection: nothing is pooled, so nothing to release.
    close: () => Promise.resolve(),
  });
}

async function runSftpStep(config: SftpStepConfig, ctx: StepContext, opts: ResolvedSftpExecutorOptions, knownHosts: KnownHosts): Promise<SftpStepOutput> {
  if (ctx.signal.aborted) throw abortError(ctx.signal);
  const where = { host: config.host, port: config.port };
  // The outbound policy decides before anything else about this host.
  await checkOutboundHost(config.host, { blockPrivateAddresses: opts.blockPrivateAddresses, allowHosts: opts.allowHosts });
  const pins = pinsFor(config.host, config.port, config.options, knownHosts);
  const credentials = await loadCredentials(config.auth, opts.privateKeyDirs);
  // Refuse a local_path that escapes the file area before touching the network.
  if (config.local_path !== undefined) await ctx.files.resolve(config.local_path);

  const timeoutMs = Math.round((config.timeout_seconds ?? opts.defaultTimeoutSeconds) * 1000);
  const ac = new AbortController();
  const onParentAbort = () => ac.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new StepTimeoutError(ctx.stepId, timeoutMs)), timeoutMs).unref();

  const temps = createTempFiles();
  const started = performance.now();
  let session: SftpSession | undefined;
  let work: Promise<SftpTransferredFile[]> | undefined;
  let destroyTimer: NodeJS.Timeout | undefined;
  try {
    session = await openSession(
      {
        ...where,
        ...credentials,
        pins,
        readyTimeoutMs: Math.min(opts.connectTimeoutSeconds * 1000, timeoutMs),
        keepaliveIntervalMs: opts.keepaliveIntervalSeconds * 1000,
        logger: ctx.logger,
      },
      ac.signal,
    );
    const s = session;
    const run: TransferRun = { session: s, config, ctx, temps, signal: ac.signal, concurrency: opts.concurrency, requestsPerFile: opts.requestsPerFile };
    work = config.operation === 'download' ? download(run) : upload(run);
    // On abort the transfers stop sending requests at once; the connection stays up for a short
    // grace so temporary files (remote ones too) can be removed, then it is dropped regardless.
    const files = await raceAbort(work, ac.signal, () => {
      destroyTimer = setTimeout(() => s.destroy(), ABORT_GRACE_MS).unref();
    });
    ctx.logger.info(
      { operation: config.operation, host: config.host, port: config.port, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), durationMs: Math.round(performance.now() - started) },
      'sftp step finished',
    );
    return { files };
  } catch (err) {
    // Let in-flight transfers notice the dropped connection before their temp files are removed.
    if (work) await settleWithin(work, ABORT_GRACE_MS + 5_000);
    await temps.cleanup(session);
    if (ac.signal.aborted) throw abortError(ac.signal);
    throw toSftpError(err, where);
  } finally {
    clearTimeout(timer);
    clearTimeout(destroyTimer);
    ctx.signal.removeEventListener('abort', onParentAbort);
    session?.end();
  }
}
