import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpExecutor } from '../src/index.js';
import { makeCerts, type TestCerts } from './helpers/certs.js';
import { createStepRunner, rejectionOf, type StepRunner } from './helpers/run.js';
import { json, startServer, type TestServer } from './helpers/server.js';

let certs: TestCerts;
let https: TestServer;
let mtls: TestServer;
let steps: StepRunner;
const http = httpExecutor({ circuitBreaker: false, timeoutSeconds: 10 });

beforeAll(async () => {
  certs = makeCerts();
  steps = await createStepRunner();
  https = await startServer({ '/hello': json(200, { secure: true }) }, { key: certs.serverKey, cert: certs.serverCert });
  mtls = await startServer(
    {
      '/whoami': (req, res, body) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        json(200, { cn: peer.subject?.CN ?? null })(req, res, body);
      },
    },
    { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
  );
});

afterAll(async () => {
  await http.close?.();
  await https.close();
  await mtls.close();
  await steps.cleanup();
});

describe('TLS', () => {
  it('trusts a server through tls.ca', async () => {
    const out = (await steps.run(http, { url: `${https.origin}/hello`, tls: { ca: certs.ca } })) as { status: number; body: unknown };
    expect(out).toMatchObject({ status: 200, body: { secure: true } });
  });

  it('refuses an untrusted certificate permanently (default trust store, or the wrong CA)', async () => {
    for (const tls of [undefined, { ca: certs.otherCa }]) {
      const err = await rejectionOf(steps.run(http, { url: `${https.origin}/hello`, ...(tls ? { tls } : {}) }));
      expect(err.code).toBe('HTTP_TLS_FAILED');
      expect(err.retryable).toBe(false);
    }
  });

  it('connects without verification only when reject_unauthorized is false', async () => {
    const out = (await steps.run(http, { url: `${https.origin}/hello`, tls: { reject_unauthorized: false } })) as { status: number };
    expect(out.status).toBe(200);
  });
});

describe('mTLS', () => {
  it('presents the client certificate: 200 and the server sees its subject', async () => {
    const out = (await steps.run(http, {
      url: `${mtls.origin}/whoami`, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
    })) as { status: number; body: unknown };
    expect(out).toMatchObject({ status: 200, body: { cn: 'vecron test client' } });
  });

  it('fails without a client certificate (the server ends the handshake)', async () => {
    const err = await rejectionOf(steps.run(http, { url: `${mtls.origin}/whoami`, tls: { ca: certs.ca } }));
    // With TLS 1.3 the client learns of the refusal only as a closed socket or a certificate-required alert.
    expect(['HTTP_NETWORK', 'HTTP_TLS_FAILED']).toContain(err.code);
    expect(mtls.seen('/whoami').length).toBe(1);
  });
});
