import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpExecutor, type HostResolver } from '../src/index.js';
import { createStepRunner, rejectionOf, type StepRunner } from './helpers/run.js';
import { json, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let steps: StepRunner;

beforeAll(async () => {
  steps = await createStepRunner();
  server = await startServer({
    '/ok': json(200, { reached: true }),
    '/to-loopback-literal': (_q, res) => res.writeHead(302, { location: `http://127.0.0.1:${server.port}/ok` }).end(),
    '/to-localhost': (_q, res) => res.writeHead(302, { location: `http://localhost:${server.port}/ok` }).end(),
    '/to-decimal': (_q, res) => res.writeHead(307, { location: `http://2130706433:${server.port}/ok` }).end(),
    '/to-rebound': (_q, res) => res.writeHead(302, { location: `http://rebound.test:${server.port}/ok` }).end(),
  });
});

afterAll(async () => {
  await server.close();
  await steps.cleanup();
});

/**
 * The test machine has no public address to call, so "a public host" is simulated: `resolve`
 * maps `partner.test` and `rebound.test` to 127.0.0.1, and `allowHosts` exempts `partner.test`
 * only. The policy still checks what the resolver returns, so `rebound.test` is refused like any
 * name that resolves to loopback — which is what a DNS-rebinding attack looks like.
 */
const fakeDns: HostResolver = async (hostname) => {
  if (hostname === 'partner.test' || hostname === 'rebound.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

describe('blockPrivateAddresses: false (default)', () => {
  it('reaches loopback', async () => {
    const http = httpExecutor();
    expect(((await steps.run(http, { url: `${server.origin}/ok` })) as { status: number }).status).toBe(200);
    await http.close?.();
  });
});

describe('blockPrivateAddresses: true', () => {
  const http = httpExecutor({ blockPrivateAddresses: true, allowHosts: ['partner.test'], resolve: fakeDns, circuitBreaker: { failureThreshold: 1 } });
  afterAll(() => http.close?.());

  const refused = async (url: string): Promise<void> => {
    const before = server.requests.length;
    const err = await rejectionOf(steps.run(http, { url }));
    expect(err.code, url).toBe('ADDRESS_BLOCKED');
    expect(err.retryable).toBe(false);
    expect(server.requests.length, `${url} reached the server`).toBe(before);
  };

  it.each([
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/ok`],
    ['IPv4-mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/ok`],
    ['decimal', (p: number) => `http://2130706433:${p}/ok`],
    ['octal', (p: number) => `http://0177.0.0.1:${p}/ok`],
    ['hex', (p: number) => `http://0x7f.1:${p}/ok`],
    ['localhost', (p: number) => `http://localhost:${p}/ok`],
    ['::1', (p: number) => `http://[::1]:${p}/ok`],
    ['a name that resolves to loopback', (p: number) => `http://rebound.test:${p}/ok`],
  ])('refuses %s before sending anything', async (_name, url) => {
    await refused(url(server.port));
  });

  it('refuses private and link-local literals too (no connection attempted)', async () => {
    for (const u of ['http://10.0.0.1/', 'http://192.168.0.1/', 'http://172.16.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0/', 'http://[fd00::1]/', 'http://[fe80::1]/']) {
      const err = await rejectionOf(steps.run(http, { url: u, timeout_seconds: 2 }));
      expect(err.code, u).toBe('ADDRESS_BLOCKED');
    }
  });

  it('lets an allowHosts entry through (here: a name resolving to 127.0.0.1)', async () => {
    const out = (await steps.run(http, { url: `http://partner.test:${server.port}/ok` })) as { body: unknown };
    expect(out.body).toEqual({ reached: true });
  });

  it.each(['/to-loopback-literal', '/to-localhost', '/to-decimal', '/to-rebound'])(
    'checks every redirect hop: allowed first hop %s → loopback is refused',
    async (path) => {
      const okBefore = server.seen('/ok').length;
      const err = await rejectionOf(steps.run(http, { url: `http://partner.test:${server.port}${path}` }));
      expect(err.code).toBe('ADDRESS_BLOCKED');
      expect(server.seen(path).length).toBeGreaterThan(0);
      expect(server.seen('/ok').length).toBe(okBefore);
    },
  );

  it('guards the OAuth2 token endpoint as well', async () => {
    const err = await rejectionOf(steps.run(http, {
      url: `http://partner.test:${server.port}/ok`,
      auth: { type: 'oauth2', client_id: 'c', client_secret: 's', token_url: `http://127.0.0.1:${server.port}/token` },
    }));
    expect(err.code).toBe('ADDRESS_BLOCKED');
  });

  it('does not count refusals against the circuit breaker (threshold 1 here)', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await rejectionOf(steps.run(http, { url: `http://partner.test:${server.port}/to-localhost` }))).code).toBe('ADDRESS_BLOCKED');
    }
    expect(((await steps.run(http, { url: `http://partner.test:${server.port}/ok` })) as { status: number }).status).toBe(200);
  });
});
