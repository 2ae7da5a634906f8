import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpExecutor } from '../src/index.js';
import { createStepRunner, rejectionOf, type StepRunner } from './helpers/run.js';
import { json, startServer, type Handler, type TestServer } from './helpers/server.js';

let api: TestServer;
let idp: TestServer;
let steps: StepRunner;

/** Tokens the identity provider issued, in order; the API accepts only those not revoked. */
const issued: string[] = [];
const revoked = new Set<string>();
let tokenDelayMs = 0;

const basicOf = (req: IncomingMessage): [string, string] | undefined => {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return [decoded.slice(0, i), decoded.slice(i + 1)];
};

const tokenEndpoint: Handler = (req, res, body) => {
  const form = new URLSearchParams(body);
  const basic = basicOf(req);
  const id = basic ? decodeURIComponent(basic[0].replace(/\+/g, ' ')) : form.get('client_id');
  const secret = basic ? decodeURIComponent(basic[1].replace(/\+/g, ' ')) : form.get('client_secret');
  if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' })(req, res, body);
  if (id !== 'vecron app' || secret !== 's3cr:et&') return json(401, { error: 'invalid_client', error_description: 'bad credentials' })(req, res, body);
  const token = `tok-${issued.length + 1}-${form.get('scope') ?? ''}`;
  issued.push(token);
  setTimeout(() => json(200, { access_token: token, token_type: 'bearer', expires_in: 3600 })(req, res, body), tokenDelayMs);
};

beforeAll(async () => {
  steps = await createStepRunner();
  idp = await startServer({ '/token': tokenEndpoint, '/token-broken': json(503, { error: 'temporarily_unavailable' }) });
  api = await startServer({
    '/basic': (req, res, body) => {
      const b = basicOf(req);
      if (b?.[0] === 'ana' && b[1] === 'p:ss wörd') json(200, { user: b[0] })(req, res, body);
      else json(401, { error: 'who are you' }, { 'www-authenticate': 'Basic' })(req, res, body);
    },
    '/bearer': (req, res, body) => {
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (token === 'static-token' || (issued.includes(token) && !revoked.has(token))) json(200, { token })(req, res, body);
      else json(401, { error: 'invalid_token' })(req, res, body);
    },
    '/always-401': json(401, { error: 'nope' }),
  });
});

afterAll(async () => {
  await api.close();
  await idp.close();
  await steps.cleanup();
});

beforeEach(() => {
  revoked.clear();
  tokenDelayMs = 0;
});

const oauth = (extra: Record<string, unknown> = {}) => ({
  type: 'oauth2', client_id: 'vecron app', client_secret: 's3cr:et&', token_url: `${idp.origin}/token`, ...extra,
});

describe('basic and bearer', () => {
  const http = httpExecutor({ circuitBreaker: false });
  afterAll(() => http.close?.());

  it('sends Basic credentials (UTF-8, colon in the password)', async () => {
    const out = (await steps.run(http, { url: `${api.origin}/basic`, auth: { type: 'basic', username: 'ana', password: 'p:ss wörd' } })) as { body: unknown };
    expect(out.body).toEqual({ user: 'ana' });
  });

  it('fails permanently with wrong Basic credentials, quoting the status and body', async () => {
    const err = await rejectionOf(steps.run(http, { url: `${api.origin}/basic`, auth: { type: 'basic', username: 'ana', password: 'x' } }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('401');
    expect(err.message).toContain('who are you');
  });

  it('sends a static bearer token and overrides an Authorization header', async () => {
    const out = (await steps.run(http, {
      url: `${api.origin}/bearer`, headers: { Authorization: 'Bearer wrong' }, auth: { type: 'bearer', token: 'static-token' },
    })) as { body: unknown };
    expect(out.body).toEqual({ token: 'static-token' });
  });
});

describe('oauth2 client credentials', () => {
  it('fetches one token and reuses it across calls (one token request for two steps)', async () => {
    const http = httpExecutor({ circuitBreaker: false });
    const before = idp.seen('/token').length;
    const a = (await steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ scope: 'orders.read' }) })) as { body: { token: string } };
    const b = (await steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ scope: 'orders.read' }) })) as { body: { token: string } };
    expect(a.body.token).toBe(b.body.token);
    expect(idp.seen('/token').length - before).toBe(1);
    const tokenReq = idp.seen('/token').at(-1)!;
    expect(tokenReq.method).toBe('POST');
    expect(tokenReq.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(tokenReq.body).get('scope')).toBe('orders.read');
    // RFC 6749 §2.3.1: id and secret are form-encoded, then Basic-encoded; the secret never goes in the body.
    expect(tokenReq.body).not.toContain('client_secret');
    expect(Buffer.from(tokenReq.headers.authorization!.slice(6), 'base64').toString()).toBe('vecron+app:s3cr%3Aet%26');
    // A different scope is a different cache entry.
    await steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ scope: 'orders.write' }) });
    expect(idp.seen('/token').length - before).toBe(2);
    await http.close?.();
  });

  it('supports client authentication in the request body and sends audience', async () => {
    const http = httpExecutor({ circuitBreaker: false });
    await steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ client_auth: 'body', audience: 'https://api.example' }) });
    const form = new URLSearchParams(idp.seen('/token').at(-1)!.body);
    expect(form.get('client_id')).toBe('vecron app');
    expect(form.get('client_secret')).toBe('s3cr:et&');
    expect(form.get('audience')).toBe('https://api.example');
    expect(idp.seen('/token').at(-1)!.headers.authorization).toBeUndefined();
    await http.close?.();
  });

  it('shares one in-flight token request among concurrent steps', async () => {
    const http = httpExecutor({ circuitBreaker: false });
    tokenDelayMs = 150;
    const before = idp.seen('/token').length;
    const outs = (await Promise.all(
      Array.from({ length: 5 }, () => steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ scope: 'concurrent' }) })),
    )) as Array<{ body: { token: string } }>;
    expect(new Set(outs.map((o) => o.body.token)).size).toBe(1);
    expect(idp.seen('/token').length - before).toBe(1);
    await http.close?.();
  });

  it('on a 401 refreshes the token exactly once and retries once', async () => {
    const http = httpExecutor({ circuitBreaker: false });
    const first = (await steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ scope: 'refresh' }) })) as { body: { token: string } };
    revoked.add(first.body.token);
    const tokensBefore = idp.seen('/token').length;
    const apiBefore = api.seen('/bearer').length;
    const second = (await steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ scope: 'refresh' }) })) as { body: { token: string } };
    expect(second.body.token).not.toBe(first.body.token);
    expect(idp.seen('/token').length - tokensBefore).toBe(1);
    expect(api.seen('/bearer').length - apiBefore).toBe(2);
    await http.close?.();
  });

  it('fails permanently when the target still answers 401 after the refresh', async () => {
    const http = httpExecutor({ circuitBreaker: false });
    const tokensBefore = idp.seen('/token').length;
    const err = await rejectionOf(steps.run(http, { url: `${api.origin}/always-401`, auth: oauth({ scope: 'x' }) }));
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('HTTP_CLIENT_ERROR');
    expect(idp.seen('/token').length - tokensBefore).toBe(2);
    expect(api.seen('/always-401').length).toBe(2);
    await http.close?.();
  });

  it('fails permanently when the token endpoint rejects the client, transiently when it is down', async () => {
    const http = httpExecutor({ circuitBreaker: false });
    const rejected = await rejectionOf(steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ client_secret: 'wrong' }) }));
    expect(rejected.code).toBe('OAUTH2_TOKEN_REJECTED');
    expect(rejected.retryable).toBe(false);
    expect(rejected.message).toContain('invalid_client');
    expect(rejected.message).not.toContain('wrong');
    const down = await rejectionOf(steps.run(http, { url: `${api.origin}/bearer`, auth: oauth({ token_url: `${idp.origin}/token-broken` }) }));
    expect(down.code).toBe('OAUTH2_TOKEN_UNAVAILABLE');
    expect(down.retryable).toBe(true);
    await http.close?.();
  });
});
