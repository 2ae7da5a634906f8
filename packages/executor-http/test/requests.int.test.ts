import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpExecutor } from '../src/index.js';
import { createStepRunner, rejectionOf, type StepRunner } from './helpers/run.js';
import { json, startServer, text, type TestServer } from './helpers/server.js';

let server: TestServer;
let other: TestServer;
let steps: StepRunner;
const http = httpExecutor({ circuitBreaker: false, headers: { 'x-default': 'd', 'x-override': 'from-default' } });

beforeAll(async () => {
  steps = await createStepRunner();
  other = await startServer({
    '/landing': (req, res, body) => json(200, { method: req.method, body, authorization: req.headers.authorization ?? null })(req, res, body),
  });
  server = await startServer({
    '/echo': (req, res, body) =>
      json(200, { method: req.method, url: req.url, headers: req.headers, body })(req, res, body),
    '/text': text(200, 'plain words'),
    '/json-vendor': (_q, res) => res.writeHead(200, { 'content-type': 'application/vnd.api+json' }).end('{"data":[1]}'),
    '/json-empty': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(),
    '/json-broken': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{nope'),
    '/latin1': (_q, res) => res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' }).end(Buffer.from([0x63, 0x61, 0x66, 0xe9])),
    '/multi': (_q, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(200, { 'content-type': 'text/plain', 'x-one': 'v' }).end('ok');
    },
    '/created': json(201, { id: 7 }),
    '/see-other': (_q, res) => res.writeHead(303, { location: '/echo?after=303' }).end('moved'),
    '/found': (_q, res) => res.writeHead(302, { location: '/echo' }).end(),
    '/temporary': (_q, res) => res.writeHead(307, { location: '/echo' }).end(),
    '/permanent': (_q, res) => res.writeHead(308, { location: '/echo' }).end(),
    '/cross-origin': (_q, res) => res.writeHead(307, { location: `${other.origin}/landing` }).end(),
    '/loop': (_q, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/chain': (req, res) => {
      const n = Number(new URL(req.url ?? '', 'http://x').searchParams.get('n') ?? 0);
      if (n > 0) res.writeHead(302, { location: `/chain?n=${n - 1}` }).end();
      else json(200, { done: true })(req, res, '');
    },
    '/big': (_q, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(2048) }).end('x'.repeat(2048)),
    '/big-chunked': (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 8; i++) res.write('y'.repeat(512));
      res.end();
    },
  });
});

afterAll(async () => {
  await http.close?.();
  await server.close();
  await other.close();
  await steps.cleanup();
});

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };
const echo = async (config: Record<string, unknown>, ctx = {}): Promise<Echo> =>
  ((await steps.run(http, { url: `${server.origin}/echo`, ...config }, ctx)) as { body: Echo }).body;

describe('requests', () => {
  it('GETs by default and returns {status, headers, body} as plain JSON', async () => {
    const out = (await steps.run(http, { url: `${server.origin}/echo` })) as { status: number; headers: Record<string, string>; body: Echo };
    expect(out.status).toBe(200);
    expect(out.headers['content-type']).toBe('application/json');
    expect(out.body.method).toBe('GET');
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'])('sends method %s', async (method) => {
    expect((await echo({ method, body: 'x' })).method).toBe(method);
  });

  it('sends HEAD and returns an empty body', async () => {
    const out = (await steps.run(http, { url: `${server.origin}/text`, method: 'head' })) as { status: number; body: unknown };
    expect(out).toMatchObject({ status: 200, body: '' });
    expect(server.seen('/text').at(-1)?.method).toBe('HEAD');
  });

  it('appends query parameters to the URL', async () => {
    const e = await echo({ url: `${server.origin}/echo?keep=1`, query: { q: 'a b&c', n: 5, ok: true, tag: ['x', 'y'] } });
    expect(e.url).toBe('/echo?keep=1&q=a+b%26c&n=5&ok=true&tag=x&tag=y');
  });

  it('merges default, user-agent and step headers (step wins)', async () => {
    const e = await echo({ headers: { 'X-Override': 'from-step', 'X-Num': 3 } });
    expect(e.headers['x-default']).toBe('d');
    expect(e.headers['x-override']).toBe('from-step');
    expect(e.headers['x-num']).toBe('3');
    expect(e.headers['user-agent']).toMatch(/^vecron-http/);
  });

  it('sends Idempotency-Key = ctx.idempotencyKey on every request, unless the step sets one', async () => {
    const e = await echo({}, { executionId: 'exec-42', stepId: 'pay', idempotencyKey: 'exec-42:pay' });
    expect(e.headers['idempotency-key']).toBe('exec-42:pay');
    const custom = await echo({ headers: { 'Idempotency-Key': 'mine' } }, { idempotencyKey: 'exec-42:pay' });
    expect(custom.headers['idempotency-key']).toBe('mine');
  });

  it('encodes bodies: json (default for objects), form, text (default for strings), raw', async () => {
    const j = await echo({ method: 'POST', body: { a: 1, b: ['x'] } });
    expect(j.headers['content-type']).toBe('application/json');
    expect(JSON.parse(j.body)).toEqual({ a: 1, b: ['x'] });

    const f = await echo({ method: 'POST', body: { user: 'an nguyen', n: 2 }, body_type: 'form' });
    expect(f.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(f.body).toBe('user=an+nguyen&n=2');

    const t = await echo({ method: 'POST', body: 'xin chào' });
    expect(t.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(t.body).toBe('xin chào');

    const r = await echo({ method: 'POST', body: '<a/>', body_type: 'raw', headers: { 'content-type': 'application/xml' } });
    expect(r.headers['content-type']).toBe('application/xml');
    expect(r.body).toBe('<a/>');

    const preSerialised = await echo({ method: 'POST', body: '{"k":1}', headers: { 'Content-Type': 'application/json' } });
    expect(preSerialised.headers['content-type']).toBe('application/json');
    expect(preSerialised.body).toBe('{"k":1}');
  });

  it('parses JSON bodies (incl. +json), keeps text as text, decodes the charset', async () => {
    expect(((await steps.run(http, { url: `${server.origin}/text` })) as { body: unknown }).body).toBe('plain words');
    expect(((await steps.run(http, { url: `${server.origin}/json-vendor` })) as { body: unknown }).body).toEqual({ data: [1] });
    expect(((await steps.run(http, { url: `${server.origin}/json-empty` })) as { body: unknown }).body).toBeNull();
    expect(((await steps.run(http, { url: `${server.origin}/json-broken` })) as { body: unknown }).body).toBe('{nope');
    expect(((await steps.run(http, { url: `${server.origin}/latin1` })) as { body: unknown }).body).toBe('café');
  });

  it('flattens repeated response headers into one string', async () => {
    const out = (await steps.run(http, { url: `${server.origin}/multi` })) as { headers: Record<string, string> };
    expect(out.headers['set-cookie']).toBe('a=1, b=2');
    expect(out.headers['x-one']).toBe('v');
  });

  it('honours expected_status', async () => {
    expect(((await steps.run(http, { url: `${server.origin}/created`, expected_status: 201 })) as { status: number }).status).toBe(201);
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/created`, expected_status: [200, 204] }));
    expect(err.code).toBe('HTTP_UNEXPECTED_STATUS');
    expect(err.retryable).toBe(false);
    const missing = (await steps.run(http, { url: `${server.origin}/nothing-here`, expected_status: ['2xx', 404] })) as { status: number; body: unknown };
    expect(missing).toMatchObject({ status: 404, body: 'no route /nothing-here' });
  });
});

describe('redirects', () => {
  it('follows POST → 303 → GET, dropping the body', async () => {
    const out = (await steps.run(http, { url: `${server.origin}/see-other`, method: 'POST', body: { a: 1 } })) as { body: Echo };
    expect(out.body).toMatchObject({ method: 'GET', url: '/echo?after=303', body: '' });
    expect(out.body.headers['content-type']).toBeUndefined();
    expect(server.seen('/see-other').at(-1)?.method).toBe('POST');
  });

  it('turns POST into GET on 302, keeps method and body on 307/308', async () => {
    expect(((await steps.run(http, { url: `${server.origin}/found`, method: 'POST', body: 'x' })) as { body: Echo }).body.method).toBe('GET');
    for (const path of ['/temporary', '/permanent']) {
      const b = ((await steps.run(http, { url: `${server.origin}${path}`, method: 'POST', body: { k: 'v' } })) as { body: Echo }).body;
      expect(b.method).toBe('POST');
      expect(JSON.parse(b.body)).toEqual({ k: 'v' });
    }
  });

  it('drops Authorization when a redirect leaves the origin', async () => {
    const out = (await steps.run(http, {
      url: `${server.origin}/cross-origin`, method: 'POST', body: 'b', auth: { type: 'bearer', token: 'secret-token' },
    })) as { body: { method: string; body: string; authorization: string | null } };
    expect(server.seen('/cross-origin').at(-1)?.headers.authorization).toBe('Bearer secret-token');
    expect(out.body).toEqual({ method: 'POST', body: 'b', authorization: null });
  });

  it('follows at most 5 hops, then fails permanently', async () => {
    expect(((await steps.run(http, { url: `${server.origin}/chain?n=5` })) as { body: unknown }).body).toEqual({ done: true });
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/chain?n=6` }));
    expect(err.code).toBe('HTTP_REDIRECT_FAILED');
    expect(err.retryable).toBe(false);
    expect((await rejectionOf(steps.run(http, { url: `${server.origin}/loop` }))).code).toBe('HTTP_REDIRECT_FAILED');
  });

  it('returns the redirect itself with follow_redirects: false', async () => {
    const out = (await steps.run(http, { url: `${server.origin}/found`, follow_redirects: false, expected_status: 302 })) as { status: number; headers: Record<string, string> };
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('/echo');
  });
});

describe('response size limit', () => {
  const small = httpExecutor({ maxResponseBytes: 1024, circuitBreaker: false });
  afterAll(() => small.close?.());

  it('refuses a body over maxResponseBytes (declared or streamed), naming the limit', async () => {
    for (const path of ['/big', '/big-chunked']) {
      const err = await rejectionOf(steps.run(small, { url: `${server.origin}${path}` }));
      expect(err.code, path).toBe('HTTP_RESPONSE_TOO_LARGE');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('1024');
    }
    expect(((await steps.run(small, { url: `${server.origin}/text` })) as { body: unknown }).body).toBe('plain words');
  });
});
