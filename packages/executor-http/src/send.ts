import { NonRetryableError } from '@vecron/sdk';
import { request, type Dispatcher } from 'undici';
import { HTTP_ERROR_CODES } from './classify.js';
import { readBounded } from './read-body.js';

/** One request as the redirect loop sees it; header names lower-case. */
export interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The final response, body fully read. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** URL of the final hop. */
  url: URL;
  /** Redirect hops followed. */
  redirects: number;
}

/** Limits of one send. */
export interface SendOptions {
  dispatcher: Dispatcher;
  signal: AbortSignal;
  followRedirects: boolean;
  maxRedirects: number;
  maxResponseBytes: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Dropped when a redirect leaves the origin, as fetch does, so credentials never follow to a third party.
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Sends `req`, following redirects by hand so that every hop goes through the same dispatcher (and
 * so the private-address check), with fetch's method rules: 303 → GET (HEAD stays HEAD), 301/302
 * after POST → GET, 307/308 keep method and body.
 */
export async function send(req: OutgoingRequest, opts: SendOptions): Promise<RawResponse> {
  let { url, method, body } = req;
  const headers = { ...req.headers };
  for (let hop = 0; ; hop++) {
    const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: opts.dispatcher, signal: opts.signal });
    const location = res.headers.location;
    if (opts.followRedirects && REDIRECTS.has(res.statusCode) && typeof location === 'string' && location !== '') {
      // The body of a redirect is never used; discard it without keeping much of it.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (hop >= opts.maxRedirects) {
        throw new NonRetryableError(`more than ${opts.maxRedirects} redirects starting at ${req.url.host}`, {
          code: HTTP_ERROR_CODES.redirect,
          details: { maxRedirects: opts.maxRedirects },
        });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new NonRetryableError(`${url.host} redirected to an invalid URL`, { code: HTTP_ERROR_CODES.redirect });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new NonRetryableError(`${url.host} redirected to a ${next.protocol} URL`, { code: HTTP_ERROR_CODES.redirect });
      }
      const status = res.statusCode;
      if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      }
      if (next.origin !== url.origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
      url = next;
      continue;
    }
    const bytes = await readBounded(res.body, res.headers['content-length'], opts.maxResponseBytes, url.host);
    return { status: res.statusCode, headers: res.headers, body: bytes, url, redirects: hop };
  }
}
