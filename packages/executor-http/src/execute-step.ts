import { TransientError, VecronError, isRetryable, type CircuitBreakers, type StepContext } from '@vecron/sdk';
import type { Dispatcher } from 'undici';
import { HTTP_ERROR_CODES, classifyTransportError, errorForStatus } from './classify.js';
import type { Dispatchers } from './dispatchers.js';
import { isExpectedStatus } from './expected-status.js';
import type { TokenCache } from './oauth2-tokens.js';
import type { ResolvedHttpExecutorOptions } from './options.js';
import { decodeBody, decodeText } from './read-body.js';
import { buildUrl, encodeBody } from './request-body.js';
import { send, type OutgoingRequest, type RawResponse } from './send.js';
import type { HttpStepConfig, HttpStepOutput, OAuth2Auth } from './step-config.js';

/** What every step of one executor shares: its options, undici agents, breakers and token cache. */
export interface HttpStepDeps {
  readonly opts: ResolvedHttpExecutorOptions;
  readonly dispatchers: Dispatchers;
  /** Undefined when the executor runs with `circuitBreaker: false`. */
  readonly breakers: CircuitBreakers | undefined;
  readonly tokens: TokenCache;
}

/** One step's request, built once and sent once (or twice, after an OAuth2 refresh). */
interface PreparedStep {
  readonly config: HttpStepConfig;
  readonly ctx: StepContext;
  /** Headers without the OAuth2 bearer, names lower-case. */
  readonly request: OutgoingRequest;
  /** `host[:port]` of the URL: the breaker key and what errors name. */
  readonly target: string;
  readonly dispatcher: Dispatcher;
  /** The step's signal and the timeout together. */
  readonly signal: AbortSignal;
  readonly timeout: AbortSignal;
  readonly timeoutMs: number;
}

type Attempt = { kind: 'done'; output: HttpStepOutput; redirects: number } | { kind: 'unauthorized' };

/**
 * Runs one http step: build the request, send it through the target's circuit breaker (OAuth2: with
 * a cached token, refreshed once on a 401), and return the response when its status is expected.
 *
 * @throws the error the worker should see (see `classify.ts` for transport errors and statuses).
 */
export async function executeHttpStep(deps: HttpStepDeps, config: HttpStepConfig, ctx: StepContext): Promise<HttpStepOutput> {
  if (ctx.signal.aborted) throw abortedBy(ctx.signal.reason);
  const step = prepareStep(deps, config, ctx);
  const started = performance.now();
  const auth = config.auth;
  const result = auth?.type === 'oauth2' ? await sendWithOAuth2(deps, step, auth) : await guarded(deps, step, () => attempt(deps, step, undefined, false));
  if (result.kind !== 'done') throw new Error('unreachable: 401 after refresh is classified in attempt()');
  ctx.logger.debug(
    { method: config.method, target: step.target, status: result.output.status, redirects: result.redirects, durationMs: Math.round(performance.now() - started) },
    'http step finished',
  );
  return result.output;
}

/** The error for an aborted `ctx.signal`: its vecron reason as is, anything else as a retryable abort. */
function abortedBy(reason: unknown): VecronError {
  if (reason instanceof VecronError) return reason;
  const why = reason instanceof Error ? reason.message : String(reason);
  return new TransientError(`http step aborted: ${why}`, { code: HTTP_ERROR_CODES.aborted, cause: reason });
}

function prepareStep(deps: HttpStepDeps, config: HttpStepConfig, ctx: StepContext): PreparedStep {
  const timeoutMs = (config.timeout_seconds ?? deps.opts.timeoutSeconds) * 1000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const url = buildUrl(config.url, config.query);
  const target = url.host;
  const dispatcher = deps.dispatchers.get(config.tls);
  if (config.tls?.reject_unauthorized === false) ctx.logger.warn({ target }, 'TLS certificate verification is off for this step');
  const encoded = encodeBody(config);
  const headers = requestHeaders(deps.opts, config, encoded.contentType, ctx.idempotencyKey);
  return { config, ctx, request: { url, method: config.method, headers, body: encoded.body }, target, dispatcher, signal, timeout, timeoutMs };
}

/**
 * Headers of the request, names lower-case: the user agent, the executor's headers, the step's
 * (which win), the body's Content-Type unless set, `Idempotency-Key` unless set, Basic or Bearer auth.
 */
function requestHeaders(
  opts: ResolvedHttpExecutorOptions,
  config: HttpStepConfig,
  contentType: string | undefined,
  idempotencyKey: string,
): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': opts.userAgent };
  for (const [k, v] of Object.entries(opts.headers)) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(config.headers)) headers[k.toLowerCase()] = v;
  if (contentType && headers['content-type'] === undefined) headers['content-type'] = contentType;
  headers['idempotency-key'] ??= idempotencyKey;
  const auth = config.auth;
  if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
  if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  return headers;
}

/** Turns whatever went wrong into the error the worker should see. */
function toStepError(step: PreparedStep, err: unknown): VecronError {
  if (step.ctx.signal.aborted) return abortedBy(step.ctx.signal.reason);
  if (step.timeout.aborted) {
    return new TransientError(`request to ${step.target} timed out after ${step.timeoutMs} ms`, {
      code: HTTP_ERROR_CODES.timeout,
      cause: err,
      details: { target: step.target, timeoutMs: step.timeoutMs },
    });
  }
  if (err instanceof VecronError) return err;
  return classifyTransportError(err, step.target);
}

/** Runs `fn` through the target's breaker (when there are breakers). */
function guarded(deps: HttpStepDeps, step: PreparedStep, fn: () => Promise<Attempt>): Promise<Attempt> {
  // Only failures that say something about the target move its breaker; a cancelled step does not.
  const countsAsFailure = (err: unknown): boolean => isRetryable(err) && !step.ctx.signal.aborted;
  return deps.breakers ? deps.breakers.run(step.target, fn, countsAsFailure) : fn();
}

/** OAuth2: send with the cached token; a 401 with a token we believed valid (revoked or rotated early) refreshes once, retries once. */
async function sendWithOAuth2(deps: HttpStepDeps, step: PreparedStep, auth: OAuth2Auth): Promise<Attempt> {
  const getToken = async (): Promise<string> => {
    try {
      return await deps.tokens.get(auth, step.dispatcher, step.signal);
    } catch (err) {
      throw toStepError(step, err);
    }
  };
  const first = await getToken();
  const result = await guarded(deps, step, () => attempt(deps, step, first, true));
  if (result.kind !== 'unauthorized') return result;
  step.ctx.logger.debug({ target: step.target }, 'OAuth2 token refused with 401; refreshing once');
  deps.tokens.invalidate(auth, first);
  const second = await getToken();
  return guarded(deps, step, () => attempt(deps, step, second, false));
}

/** One send; `unauthorized` only for a 401 when `mayRefresh`, any other unexpected status throws. */
async function attempt(deps: HttpStepDeps, step: PreparedStep, bearer: string | undefined, mayRefresh: boolean): Promise<Attempt> {
  const { opts } = deps;
  try {
    const request = bearer === undefined ? step.request : { ...step.request, headers: { ...step.request.headers, authorization: `Bearer ${bearer}` } };
    const res = await send(request, {
      dispatcher: step.dispatcher,
      signal: step.signal,
      followRedirects: step.config.follow_redirects,
      maxRedirects: opts.maxRedirects,
      maxResponseBytes: opts.maxResponseBytes,
    });
    const contentType = firstHeader(res.headers['content-type']);
    if (isExpectedStatus(res.status, step.config.expected_status)) {
      return { kind: 'done', output: { status: res.status, headers: flattenHeaders(res.headers), body: decodeBody(res.body, contentType) }, redirects: res.redirects };
    }
    if (res.status === 401 && mayRefresh) return { kind: 'unauthorized' };
    throw errorForStatus(res.status, res.headers['retry-after'], decodeText(res.body, contentType), res.url.host);
  } catch (err) {
    throw toStepError(step, err);
  }
}

function flattenHeaders(h: RawResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const firstHeader = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
