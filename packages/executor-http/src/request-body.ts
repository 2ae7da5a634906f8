import type { HttpStepConfig } from './step-config.js';

/** An encoded request body and the Content-Type it implies (`undefined`: add none). */
export interface EncodedBody {
  body: string | undefined;
  contentType: string | undefined;
}

function formEncode(value: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      params.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  return params.toString();
}

/**
 * Encodes `config.body` by `config.body_type` (default: `text` for strings, `json` for anything
 * else). A string with `json` is treated as a JSON string value; to send pre-serialised JSON,
 * use a string body with a `Content-Type: application/json` header (or `raw`).
 */
export function encodeBody(config: Pick<HttpStepConfig, 'body' | 'body_type'>): EncodedBody {
  const { body } = config;
  if (body === undefined) return { body: undefined, contentType: undefined };
  const type = config.body_type ?? (typeof body === 'string' ? 'text' : 'json');
  switch (type) {
    case 'json':
      return { body: JSON.stringify(body), contentType: 'application/json' };
    case 'form':
      return {
        body: typeof body === 'string' ? body : formEncode(body as Record<string, unknown>),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'text':
      return { body: String(body), contentType: 'text/plain; charset=utf-8' };
    case 'raw':
      return { body: String(body), contentType: undefined };
  }
}

/** Appends `query` to `url` (arrays repeat the key), keeping the URL's own parameters. */
export function buildUrl(url: string, query: HttpStepConfig['query']): URL {
  const u = new URL(url);
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(item));
  }
  return u;
}
