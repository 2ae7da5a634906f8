import { z } from 'zod';
import { expectedStatusSchema } from './expected-status.js';

// RFC 9110 token characters: any registered or extension method.
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 field-name token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const urlSchema = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, ctx) => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `scheme "${u.protocol}" is not allowed; use http: or https:` });
    }
    if (u.username !== '' || u.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'credentials in the URL are not allowed; use `auth`' });
    }
  });

const primitive = z.union([z.string(), z.number(), z.boolean()]);

/** `{type: basic, username, password}` — HTTP Basic (RFC 7617). */
export const basicAuthSchema = z.object({
  type: z.literal('basic'),
  username: z.string().refine((u) => !u.includes(':'), 'must not contain ":" (RFC 7617)'),
  password: z.string(),
});

/** `{type: bearer, token}` — a static bearer token (RFC 6750). */
export const bearerAuthSchema = z.object({
  type: z.literal('bearer'),
  token: z.string().min(1),
});

/** `{type: oauth2, …}` — OAuth 2.0 client-credentials grant (RFC 6749 §4.4). */
export const oauth2AuthSchema = z.object({
  type: z.literal('oauth2'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  token_url: urlSchema,
  /** Space-separated scopes. */
  scope: z.string().optional(),
  /** Sent as `audience` (Auth0, Okta and others require it). */
  audience: z.string().optional(),
  /**
   * How the client authenticates to the token endpoint (RFC 6749 §2.3.1): `basic` sends an
   * `Authorization: Basic` header, `body` sends `client_id` and `client_secret` as form fields.
   * @default 'basic'
   */
  client_auth: z.enum(['basic', 'body']).default('basic'),
});

/** The `auth` field of an http step. */
export const authSchema = z.discriminatedUnion('type', [basicAuthSchema, bearerAuthSchema, oauth2AuthSchema]);

/** `tls`: trust and client-certificate (mTLS) settings, PEM strings. */
export const tlsSchema = z
  .object({
    /** Trusted CA certificate(s), PEM; replaces the default trust store for this step. */
    ca: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Client certificate chain, PEM (mTLS). */
    cert: z.string().min(1).optional(),
    /** Client private key, PEM (mTLS). */
    key: z.string().min(1).optional(),
    /** Passphrase of an encrypted `key`. */
    passphrase: z.string().optional(),
    /** Verify the server's certificate. Turning this off is logged as a warning. @default true */
    reject_unauthorized: z.boolean().default(true),
    /** TLS server name (SNI and certificate check) when it differs from the URL host. */
    servername: z.string().min(1).optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: '`cert` and `key` must be given together',
    path: ['cert'],
  });

/** Config of a `type: "http"` step (docs/architecture.md#the-job-format), after template substitution. */
export const httpStepConfigSchema = z
  .object({
    /** Any HTTP method; upper-cased. @default 'GET' */
    method: z
      .string()
      .regex(METHOD, 'must be an HTTP method token such as GET or POST')
      .transform((m) => m.toUpperCase())
      .default('GET'),
    /** Absolute http(s) URL. */
    url: urlSchema,
    /** Request headers; they override the executor's default headers. */
    headers: z
      .record(z.string().regex(HEADER_NAME, 'must be a valid header name'), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .default({}),
    /** Query parameters appended to the URL (an array repeats the key). */
    query: z.record(z.string(), z.union([primitive, z.array(primitive)])).optional(),
    /** Request body: a string, or any JSON value. */
    body: z.unknown().optional(),
    /**
     * How `body` is encoded: `json` (default for non-strings), `form`
     * (`application/x-www-form-urlencoded` from an object), `text` (default for strings,
     * `text/plain`), `raw` (the string as is, no Content-Type added).
     */
    body_type: z.enum(['json', 'form', 'text', 'raw']).optional(),
    auth: authSchema.optional(),
    /** Timeout of the whole request (token fetch, redirects and body included), seconds. */
    timeout_seconds: z.number().positive().max(86_400).optional(),
    /** Accepted statuses: `200`, `"2xx"`, `"200-204"` or a list of them. @default "2xx" */
    expected_status: expectedStatusSchema.optional(),
    tls: tlsSchema.optional(),
    /** Follow 301/302/303/307/308 (at most `maxRedirects` hops). @default true */
    follow_redirects: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const t = c.body_type;
    if (c.body === undefined) return;
    if ((t === 'text' || t === 'raw') && typeof c.body !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['body'], message: `body_type "${t}" needs a string body` });
    }
    if (t === 'form' && typeof c.body !== 'string' && (typeof c.body !== 'object' || c.body === null || Array.isArray(c.body))) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'body_type "form" needs an object (or an already-encoded string)' });
    }
    if (c.method === 'HEAD') ctx.addIssue({ code: 'custom', path: ['body'], message: 'a HEAD request cannot have a body' });
  });

/** A validated http step config. */
export type HttpStepConfig = z.output<typeof httpStepConfigSchema>;
/** An http step config as written in a job file (defaults not yet applied). */
export type HttpStepConfigInput = z.input<typeof httpStepConfigSchema>;
/** The `auth` field. */
export type HttpAuth = z.output<typeof authSchema>;
/** The `auth` field of type `oauth2`. */
export type OAuth2Auth = z.output<typeof oauth2AuthSchema>;
/** The `tls` field. */
export type HttpTls = z.output<typeof tlsSchema>;

/** What an http step returns; later steps read it as `{{steps.<id>.output.status}}` etc. */
export interface HttpStepOutput {
  /** Final HTTP status (after redirects). */
  status: number;
  /** Response headers, names lower-cased; repeated headers joined with `", "`. */
  headers: Record<string, string>;
  /** Parsed JSON when the Content-Type is JSON (`application/json`, `*+json`), else text (`null` for an empty JSON body). */
  body: unknown;
}
