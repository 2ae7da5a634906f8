import { NonRetryableError, RetryAfterError, TransientError, VecronError } from '@vecron/sdk';
import { request, type Dispatcher } from 'undici';
import { HTTP_ERROR_CODES, classifyTransportError, excerpt } from './classify.js';
import { parseRetryAfter } from './retry-after.js';
import { decodeText, readBounded } from './read-body.js';
import type { OAuth2Auth } from './step-config.js';

/** A cached access token. */
interface Token {
  value: string;
  /** Epoch ms after which it is renewed (expiry minus skew). */
  renewAt: number;
}

/** What the cache needs to fetch a token. */
export interface TokenCacheOptions {
  /** Renew this long before expiry, ms. */
  skewMs: number;
  /** Time limit of one token request, ms (it is shared, so no single step's signal bounds it). */
  timeoutMs: number;
  /** Largest token response accepted, bytes. */
  maxBytes: number;
  userAgent: string;
  now?: () => number;
}

/** OAuth2 client-credentials tokens, cached per (token_url, client_id, scope, audience). */
export interface TokenCache {
  /** A valid access token; concurrent callers for one key share one token request. */
  get(auth: OAuth2Auth, dispatcher: Dispatcher, signal: AbortSignal): Promise<string>;
  /** Forgets `token` if it is still the cached one (a 401 proved it stale). */
  invalidate(auth: OAuth2Auth, token: string): void;
  /** Number of token requests sent so far (diagnostics). */
  readonly requests: number;
  /** Drops every token and aborts in-flight token requests. */
  clear(): void;
}

const keyOf = (a: OAuth2Auth): string => JSON.stringify([a.token_url, a.client_id, a.scope ?? '', a.audience ?? '']);

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
const formPart = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');

function waitFor<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/** Creates an OAuth2 token cache. */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const now = options.now ?? Date.now;
  const limits: FetchLimits = { ...options, now };
  const cache = new Map<string, Token>();
  const inflight = new Map<string, Promise<Token>>();
  let closing = new AbortController();
  let requests = 0;

  return {
    get requests() {
      return requests;
    },
    async get(auth, dispatcher, signal) {
      const key = keyOf(auth);
      const cached = cache.get(key);
      if (cached && now() < cached.renewAt) return cached.value;
      let pending = inflight.get(key);
      if (!pending) {
        requests += 1;
        pending = fetchToken(auth, dispatcher, closing.signal, limits).then(
          (t) => {
            cache.set(key, t);
            return t;
          },
        ).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return (await waitFor(pending, signal)).value;
    },
    invalidate(auth, token) {
      const key = keyOf(auth);
      if (cache.get(key)?.value === token) cache.delete(key);
    },
    clear() {
      cache.clear();
      inflight.clear();
      closing.abort(new TransientError('http executor closed', { code: HTTP_ERROR_CODES.oauth2Unavailable }));
      closing = new AbortController();
    },
  };
}

/** The cache's options with its clock resolved. */
type FetchLimits = Omit<TokenCacheOptions, 'now'> & { now: () => number };

/** A token endpoint's answer, body read as text. */
interface TokenResponse {
  status: number;
  text: string;
  retryAfter: string | string[] | undefined;
}

/** One client-credentials request (RFC 6749 §4.4), bounded by the cache's timeout and `closing`. */
async function fetchToken(auth: OAuth2Auth, dispatcher: Dispatcher, closing: AbortSignal, limits: FetchLimits): Promise<Token> {
  const target = new URL(auth.token_url).host;
  const res = await postTokenRequest(auth, dispatcher, closing, limits, target);
  const json = parseJsonObject(res.text);
  if (res.status !== 200) throw tokenEndpointError(auth, target, res, json, limits.now());
  return tokenFromResponse(json, target, limits);
}

/** The request's headers and form body; the client authenticates by Basic or in the form (`client_auth`). */
function tokenRequest(auth: OAuth2Auth, userAgent: string): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  if (auth.audience) form.set('audience', auth.audience);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': userAgent,
  };
  if (auth.client_auth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${formPart(auth.client_id)}:${formPart(auth.client_secret)}`).toString('base64')}`;
  } else {
    form.set('client_id', auth.client_id);
    form.set('client_secret', auth.client_secret);
  }
  return { headers, body: form.toString() };
}

/** Sends the token request and reads the answer (at most `maxBytes`); transport failures as vecron errors. */
async function postTokenRequest(auth: OAuth2Auth, dispatcher: Dispatcher, closing: AbortSignal, limits: FetchLimits, target: string): Promise<TokenResponse> {
  const { headers, body } = tokenRequest(auth, limits.userAgent);
  const signal = AbortSignal.any([closing, AbortSignal.timeout(limits.timeoutMs)]);
  try {
    const res = await request(auth.token_url, { method: 'POST', headers, body, dispatcher, signal });
    const ct = res.headers['content-type'];
    const text = decodeText(await readBounded(res.body, res.headers['content-length'], limits.maxBytes, target), Array.isArray(ct) ? ct[0] : ct);
    return { status: res.statusCode, text, retryAfter: res.headers['retry-after'] };
  } catch (err) {
    if (err instanceof VecronError) throw err;
    if (signal.aborted) {
      throw new TransientError(`OAuth2 token request to ${target} timed out or was aborted`, { code: HTTP_ERROR_CODES.oauth2Unavailable, cause: err });
    }
    throw classifyTransportError(err, target);
  }
}

/** The body as a JSON object; `{}` when it is not one (then there is no access_token). */
function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: treated as an empty object.
  }
  return {};
}

/** A non-200 answer: 400/401/403 refuse the credentials for good, 429 with Retry-After waits, anything else is transient. */
function tokenEndpointError(auth: OAuth2Auth, target: string, res: TokenResponse, json: Record<string, unknown>, now: number): VecronError {
  const { status } = res;
  const why = typeof json.error === 'string' ? `${json.error}${typeof json.error_description === 'string' ? `: ${json.error_description}` : ''}` : excerpt(res.text);
  const message = `OAuth2 token endpoint ${target} answered HTTP ${status}${why ? ` (${why})` : ''}`;
  const details = { status, target, clientId: auth.client_id };
  if (status === 400 || status === 401 || status === 403) return new NonRetryableError(message, { code: HTTP_ERROR_CODES.oauth2Rejected, details });
  const wait = parseRetryAfter(res.retryAfter, now);
  if (status === 429 && wait !== undefined) return new RetryAfterError(message, wait, { details });
  return new TransientError(message, { code: HTTP_ERROR_CODES.oauth2Unavailable, details });
}

/** The Bearer token of a 200 answer, renewed `skewMs` before it expires. */
function tokenFromResponse(json: Record<string, unknown>, target: string, limits: FetchLimits): Token {
  const value = json.access_token;
  if (typeof value !== 'string' || value === '') {
    throw new TransientError(`OAuth2 token endpoint ${target} returned no access_token`, { code: HTTP_ERROR_CODES.oauth2Unavailable, details: { target } });
  }
  const tokenType = typeof json.token_type === 'string' ? json.token_type : 'Bearer';
  if (tokenType.toLowerCase() !== 'bearer') {
    throw new NonRetryableError(`OAuth2 token endpoint ${target} issued a "${tokenType}" token; only Bearer is supported`, {
      code: HTTP_ERROR_CODES.oauth2Rejected,
      details: { target },
    });
  }
  const expiresIn = Number(json.expires_in);
  // No expires_in (RFC 6749 §5.1 makes it optional): assume five minutes.
  const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 300_000;
  // A lifetime shorter than twice the skew would be stale on arrival; keep it for half its life.
  const usableMs = lifetimeMs > 2 * limits.skewMs ? lifetimeMs - limits.skewMs : lifetimeMs / 2;
  return { value, renewAt: limits.now() + usableMs };
}
