import {
  ShutdownError,
  TransientError,
  VecronError,
  createCircuitBreakers,
  defineExecutor,
  isRetryable,
  type Executor,
  type StepContext,
} from '@vecron/sdk';
import { HTTP_ERROR_CODES, classifyTransportError, errorForStatus } from './classify.js';
import { createDispatchers } from './dispatchers.js';
import { isExpectedStatus } from './expected-status.js';
import { createTokenCache } from './oauth2-tokens.js';
import { parseHttpExecutorOptions, type HttpExecutorOptions } from './options.js';
import { decodeBody, decodeText } from './read-body.js';
import { buildUrl, encodeBody } from './request-body.js';
import { send, type RawResponse } from './send.js';
import { httpStepConfigSchema, type HttpStepConfig, type HttpStepConfigInput, type HttpStepOutput } from './step-config.js';

function flattenHeaders(h: RawResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const firstHeader = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The error for an aborted `ctx.signal`: its vecron reason as is, anything else as a retryable abort. */
function abortedBy(reason: unknown): VecronError {
  if (reason instanceof VecronError) return reason;
  const why = reason instanceof Error ? reason.message : String(reason);
  return new TransientError(`http step aborted: ${why}`, { code: HTTP_ERROR_CODES.aborted, cause: reason });
}

/**
 * Creates the executor for steps of `type: "http"`.
 *
 * @example
 * ```ts
 * import { createCronSystem } from '@vecron/sdk';
 * import { httpExecutor } from '@vecron/executor-http';
 *
 * const cron = createCronSystem({ executors: [httpExecutor({ blockPrivateAddresses: true })] });
 * ```
 *
 * @throws ConfigError when `options` are invalid (every issue listed with its path).
 */
export function httpExecutor(options: HttpExecutorOptions = {}): Executor<HttpStepConfig, HttpStepOutput, 'http', HttpStepConfigInput> {
  const opts = parseHttpExecutorOptions(options);
  const dispatchers = createDispatchers({
    blockPrivateAddresses: opts.blockPrivateAddresses,
    allowHosts: opts.allowHosts,
    resolve: opts.resolve,
    connections: opts.connections,
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  const breakers = opts.circuitBreaker === false ? undefined : createCircuitBreakers(opts.circuitBreaker);
  const tokens = createTokenCache({
    skewMs: opts.oauth2ExpirySkewSeconds * 1000,
    timeoutMs: opts.timeoutSeconds * 1000,
    maxBytes: Math.min(opts.maxResponseBytes, 1024 * 1024),
    userAgent: opts.userAgent,
  });
  let closed = false;

  async function execute(config: HttpStepConfig, ctx: StepContext): Promise<HttpStepOutput> {
    if (closed) throw new ShutdownError();
    if (ctx.signal.aborted) throw abortedBy(ctx.signal.reason);

    const timeoutMs = (config.timeout_seconds ?? opts.timeoutSeconds) * 1000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const url = buildUrl(config.url, config.query);
    const target = url.host;
    const dispatcher = dispatchers.get(config.tls);
    if (config.tls?.reject_unauthorized === false) ctx.logger.warn({ target }, 'TLS certificate verification is off for this step');

    const encoded = encodeBody(config);
    const headers: Record<string, string> = { 'user-agent': opts.userAgent };
    for (const [k, v] of Object.entries(opts.headers)) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(config.headers)) headers[k.toLowerCase()] = v;
    if (encoded.contentType && headers['content-type'] === undefined) headers['content-type'] = encoded.contentType;
    headers['idempotency-key'] ??= ctx.idempotencyKey;
    const auth = config.auth;
    if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;

    /** Turns whatever went wrong into the error the worker should see. */
    const toStepError = (err: unknown): VecronError => {
      if (ctx.signal.aborted) return abortedBy(ctx.signal.reason);
      if (timeout.aborted) {
        return new TransientError(`request to ${target} timed out after ${timeoutMs} ms`, {
          code: HTTP_ERROR_CODES.timeout,
          cause: err,
          details: { target, timeoutMs },
        });
      }
      if (err instanceof VecronError) return err;
      return classifyTransportError(err, target);
    };

    type Attempt = { kind: 'done'; output: HttpStepOutput; redirects: number } | { kind: 'unauthorized' };
    const attempt = async (bearer: string | undefined, mayRefresh: boolean): Promise<Attempt> => {
      try {
        const reqHeaders = bearer === undefined ? headers : { ...headers, authorization: `Bearer ${bearer}` };
        const res = await send(
          { url, method: config.method, headers: reqHeaders, body: encoded.body },
          { dispatcher, signal, followRedirects: config.follow_redirects, maxRedirects: opts.maxRedirects, maxResponseBytes: opts.maxResponseBytes },
        );
        const contentType = firstHeader(res.headers['content-type']);
        if (isExpectedStatus(res.status, config.expected_status)) {
          return { kind: 'done', output: { status: res.status, headers: flattenHeaders(res.headers), body: decodeBody(res.body, contentType) }, redirects: res.redirects };
        }
        if (res.status === 401 && mayRefresh) return { kind: 'unauthorized' };
        throw errorForStatus(res.status, res.headers['retry-after'], decodeText(res.body, contentType), res.url.host);
      } catch (err) {
        throw toStepError(err);
      }
    };
    // Only failures that say something about the target move its breaker; a cancelled step does not.
    const countsAsFailure = (err: unknown): boolean => isRetryable(err) && !ctx.signal.aborted;
    const guarded = (fn: () => Promise<Attempt>): Promise<Attempt> => (breakers ? breakers.run(target, fn, countsAsFailure) : fn());

    const started = performance.now();
    let result: Attempt;
    if (auth?.type === 'oauth2') {
      const getToken = async (): Promise<string> => {
        try {
          return await tokens.get(auth, dispatcher, signal);
        } catch (err) {
          throw toStepError(err);
        }
      };
      const first = await getToken();
      result = await guarded(() => attempt(first, true));
      if (result.kind === 'unauthorized') {
        // A 401 with a token we believed valid: revoked or rotated early. Refresh once, retry once.
        ctx.logger.debug({ target }, 'OAuth2 token refused with 401; refreshing once');
        tokens.invalidate(auth, first);
        const second = await getToken();
        result = await guarded(() => attempt(second, false));
      }
    } else {
      result = await guarded(() => attempt(undefined, false));
    }
    if (result.kind !== 'done') throw new Error('unreachable: 401 after refresh is classified in attempt()');
    ctx.logger.debug(
      { method: config.method, target, status: result.output.status, redirects: result.redirects, durationMs: Math.round(performance.now() - started) },
      'http step finished',
    );
    return result.output;
  }

  return defineExecutor<HttpStepConfig, HttpStepOutput, 'http', HttpStepConfigInput>({
    type: 'http',
    config: httpStepConfigSchema,
    execute,
    async close() {
      if (closed) return;
      closed = true;
      tokens.clear();
      await dispatchers.close();
    },
  });
}
