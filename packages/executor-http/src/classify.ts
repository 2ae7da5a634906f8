import { NonRetryableError, RetryAfterError, TransientError, VecronError } from '@vecron/sdk';
import { parseRetryAfter } from './retry-after.js';

/** Error codes this plugin uses (besides the SDK's `RETRY_AFTER`, `CIRCUIT_OPEN`, `CONFIG_INVALID`). */
export const HTTP_ERROR_CODES = {
  /** 4xx other than 408/429, or 401 after one OAuth2 refresh. Not retried. */
  clientError: 'HTTP_CLIENT_ERROR',
  /** 5xx or 408 without `Retry-After`. Retried. */
  serverError: 'HTTP_SERVER_ERROR',
  /** 429 without a usable `Retry-After`. Retried with backoff. */
  tooManyRequests: 'HTTP_TOO_MANY_REQUESTS',
  /** A status outside `expected_status` that is neither 4xx nor 5xx (e.g. 200 when 201 was expected). Not retried. */
  unexpectedStatus: 'HTTP_UNEXPECTED_STATUS',
  /** Connection refused/reset, DNS failure, socket closed. Retried. */
  network: 'HTTP_NETWORK',
  /** `ctx.signal` aborted with a reason that is not a vecron error. Retried. */
  aborted: 'HTTP_ABORTED',
  /** `timeout_seconds` elapsed. Retried. */
  timeout: 'HTTP_TIMEOUT',
  /** Certificate verification or TLS handshake failed. Not retried. */
  tls: 'HTTP_TLS_FAILED',
  /** Response body larger than `maxResponseBytes`. Not retried. */
  tooLarge: 'HTTP_RESPONSE_TOO_LARGE',
  /** More than `maxRedirects` hops, or a redirect to a non-http(s) URL. Not retried. */
  redirect: 'HTTP_REDIRECT_FAILED',
  /** The private-address policy refused the target. Not retried. */
  addressBlocked: 'ADDRESS_BLOCKED',
  /** The OAuth2 token endpoint rejected the client (400/401/403). Not retried. */
  oauth2Rejected: 'OAUTH2_TOKEN_REJECTED',
  /** The OAuth2 token endpoint failed transiently (5xx, 429, network) or answered garbage. */
  oauth2Unavailable: 'OAUTH2_TOKEN_UNAVAILABLE',
  /** undici refused the request as malformed (bad header value, …). Not retried. */
  invalidRequest: 'HTTP_INVALID_REQUEST',
} as const;

/** First ~200 characters of a body, on one line, for error messages. */
export function excerpt(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/**
 * The error for a response whose status is not expected: 429 → `RetryAfterError` (or
 * `TransientError` without a usable header), 5xx/408 → `TransientError` (a `Retry-After` on 503 is
 * honoured), other 4xx → `NonRetryableError`, anything else → `NonRetryableError`.
 */
export function errorForStatus(
  status: number,
  retryAfterHeader: string | string[] | undefined,
  body: string,
  target: string,
  now: number = Date.now(),
): VecronError {
  const snippet = excerpt(body);
  const message = `${target} answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  const details = { status, target };
  const retryAfterMs = parseRetryAfter(retryAfterHeader, now);
  if (status === 429 || ((status === 503 || status === 408) && retryAfterMs !== undefined)) {
    if (retryAfterMs !== undefined) return new RetryAfterError(message, retryAfterMs, { details });
    return new TransientError(message, { code: HTTP_ERROR_CODES.tooManyRequests, details });
  }
  if (status >= 500 || status === 408) return new TransientError(message, { code: HTTP_ERROR_CODES.serverError, details });
  if (status >= 400) return new NonRetryableError(message, { code: HTTP_ERROR_CODES.clientError, details });
  return new NonRetryableError(`${message} (not in expected_status)`, { code: HTTP_ERROR_CODES.unexpectedStatus, details });
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH$)/;

/** The first VecronError in `err`'s cause chain, if any. */
export function findVecronError(err: unknown): VecronError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e !== undefined && e !== null; depth++) {
    if (e instanceof VecronError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function codeChain(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e !== undefined && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * Maps an error thrown by undici (or the socket under it) to a vecron error. A VecronError found in
 * the cause chain (e.g. `ADDRESS_BLOCKED` from the connector) is returned as is. TLS verification
 * failures and malformed requests are permanent; everything else at this layer (refused, reset,
 * DNS, closed socket, connect timeout) is transient.
 */
export function classifyTransportError(err: unknown, target: string): VecronError {
  const known = findVecronError(err);
  if (known) return known;
  const codes = codeChain(err);
  const message = err instanceof Error ? err.message : String(err);
  const details = { target, errorCode: codes[0] ?? null };
  if (codes.some((c) => TLS_CODES.test(c))) {
    return new NonRetryableError(`TLS with ${target} failed: ${message}`, { code: HTTP_ERROR_CODES.tls, cause: err, details });
  }
  if (codes.includes('UND_ERR_INVALID_ARG') || codes.includes('UND_ERR_NOT_SUPPORTED') || codes.includes('ERR_INVALID_ARG_TYPE')) {
    return new NonRetryableError(`request to ${target} is invalid: ${message}`, { code: HTTP_ERROR_CODES.invalidRequest, cause: err, details });
  }
  return new TransientError(`request to ${target} failed: ${message}${codes[0] ? ` (${codes[0]})` : ''}`, {
    code: HTTP_ERROR_CODES.network,
    cause: err,
    details,
  });
}
