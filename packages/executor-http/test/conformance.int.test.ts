import { describeExecutor } from '@vecron/sdk/testing';
import { afterAll, beforeAll } from 'vitest';
import { httpExecutor } from '../src/index.js';
import { json, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    '/ok': json(200, { ok: true }),
    // Answers after 3 s, so an abort at 200 ms lands mid-flight.
    '/slow': (req, res, body) => setTimeout(() => json(200, { late: true })(req, res, body), 3_000).unref(),
  });
});

afterAll(() => server.close());

describeExecutor('http (against a real node:http server on 127.0.0.1)', {
  type: 'http',
  create: () => httpExecutor(),
  validConfig: () => ({ method: 'POST', url: `${server.origin}/ok`, body: { hello: 'world' }, query: { page: 1 } }),
  slowConfig: () => ({ url: `${server.origin}/slow`, timeout_seconds: 30 }),
  invalidConfigs: [
    { config: {}, mentions: 'url' },
    { config: { url: 'ftp://example.com/file' }, mentions: 'url' },
    { config: { url: 'https://example.com/', method: 'NOT A METHOD' }, mentions: 'method' },
    { config: { url: 'https://example.com/', auth: { type: 'bearer' } }, mentions: 'auth' },
    { config: { url: 'https://example.com/', auth: { type: 'oauth2', client_id: 'x', client_secret: 'y' } }, mentions: 'token_url' },
    { config: { url: 'https://example.com/', timeout_seconds: -1 }, mentions: 'timeout_seconds' },
    { config: { url: 'https://example.com/', expected_status: 'okay' }, mentions: 'expected_status' },
    { config: { url: 'https://example.com/', body_type: 'xml' }, mentions: 'body_type' },
    { config: { url: 'https://example.com/', tls: { key: 'PEM' } }, mentions: 'cert' },
  ],
});
