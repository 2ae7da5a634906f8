import { CircuitOpenError, NonRetryableError, RetryAfterError, TransientError, isRetryable } from '@vecron/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpExecutor } from '../src/index.js';
import { createStepRunner, rejectionOf, type StepRunner } from './helpers/run.js';
import { closedPort, hang, json, startServer, text, type TestServer } from './helpers/server.js';

let server: TestServer;
let steps: StepRunner;
const http = httpExecutor({ circuitBreaker: false });

beforeAll(async () => {
  steps = await createStepRunner();
  const routes: Record<string, ReturnType<typeof json>> = {
    '/hang': hang,
    '/ok': json(200, { ok: true }),
    '/reset': (req) => req.socket.destroy(),
    '/429-seconds': json(429, { error: 'slow down' }, { 'retry-after': '7' }),
    '/429-date': (req, res, body) => json(429, {}, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() })(req, res, body),
    '/429-bare': json(429, {}),
    '/503-retry-after': text(503, 'maintenance', { 'retry-after': '2' }),
  };
  for (const s of [500, 502, 503, 504, 400, 401, 403, 404, 422]) routes[`/status/${s}`] = text(s, `status ${s} body ${'z'.repeat(400)}`);
  server = await startServer(routes);
});

afterAll(async () => {
  await http.close?.();
  await server.close();
  await steps.cleanup();
});

describe('classification', () => {
  it.each([500, 502, 503, 504])('HTTP %i is retryable (TransientError)', async (s) => {
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/status/${s}` }));
    expect(err).toBeInstanceOf(TransientError);
    expect(isRetryable(err)).toBe(true);
    expect(err.details?.status).toBe(s);
  });

  it.each([400, 401, 403, 404, 422])('HTTP %i is permanent (NonRetryableError with status and a short excerpt)', async (s) => {
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/status/${s}` }));
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(isRetryable(err)).toBe(false);
    expect(err.message).toContain(`HTTP ${s}`);
    expect(err.message).toContain(`status ${s} body`);
    expect(err.message.length).toBeLessThan(320);
  });

  it('429 with Retry-After in seconds → RetryAfterError with that wait', async () => {
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/429-seconds` }));
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).retryAfterMs).toBe(7_000);
    expect(err.retryable).toBe(true);
  });

  it('429 with Retry-After as an HTTP date → RetryAfterError with about that wait', async () => {
    const err = (await rejectionOf(steps.run(http, { url: `${server.origin}/429-date` }))) as RetryAfterError;
    expect(err).toBeInstanceOf(RetryAfterError);
    // The date has one-second resolution and the request takes a moment.
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('429 without Retry-After is still retryable; 503 with Retry-After is a RetryAfterError', async () => {
    const bare = await rejectionOf(steps.run(http, { url: `${server.origin}/429-bare` }));
    expect(bare.retryable).toBe(true);
    expect(bare.code).toBe('HTTP_TOO_MANY_REQUESTS');
    const maint = (await rejectionOf(steps.run(http, { url: `${server.origin}/503-retry-after` }))) as RetryAfterError;
    expect(maint).toBeInstanceOf(RetryAfterError);
    expect(maint.retryAfterMs).toBe(2_000);
  });

  it('connection refused is a retryable network error', async () => {
    const port = await closedPort();
    const err = await rejectionOf(steps.run(http, { url: `http://127.0.0.1:${port}/` }));
    expect(err.code).toBe('HTTP_NETWORK');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a connection reset mid-request is a retryable network error', async () => {
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/reset` }));
    expect(err.code).toBe('HTTP_NETWORK');
    expect(err.retryable).toBe(true);
  });
});

describe('timeouts and cancellation', () => {
  it('timeout_seconds aborts a request the server never answers (retryable HTTP_TIMEOUT)', async () => {
    const started = Date.now();
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/hang`, timeout_seconds: 0.3 }));
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('ctx.signal aborts it too, rethrowing the vecron reason as is', async () => {
    const ac = new AbortController();
    const reason = new TransientError('step timed out upstream', { code: 'STEP_TIMEOUT' });
    setTimeout(() => ac.abort(reason), 150).unref();
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/hang`, timeout_seconds: 60 }, { signal: ac.signal }));
    expect(err).toBe(reason);
  });

  it('a non-vecron abort reason becomes a retryable HTTP_ABORTED error', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutting down')), 100).unref();
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/hang` }, { signal: ac.signal }));
    expect(err.code).toBe('HTTP_ABORTED');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('shutting down');
  });

  it('refuses to start with an already-aborted signal, sending nothing', async () => {
    const before = server.seen('/ok').length;
    const err = await rejectionOf(steps.run(http, { url: `${server.origin}/ok` }, { signal: AbortSignal.abort(new Error('pre')) }));
    expect(err.message).toContain('pre');
    expect(server.seen('/ok').length).toBe(before);
  });
});

describe('circuit breaker per host', () => {
  it('opens after N retryable failures and then fails fast without calling the host', async () => {
    let now = 1_000_000;
    const guarded = httpExecutor({ circuitBreaker: { failureThreshold: 3, resetAfterMs: 10_000, now: () => now } });
    const failing = `${server.origin}/status/503`;
    for (let i = 0; i < 3; i++) expect((await rejectionOf(steps.run(guarded, { url: failing }))).code).toBe('HTTP_SERVER_ERROR');
    const calls = server.seen('/status/503').length;
    const okCalls = server.seen('/ok').length;
    const open = await rejectionOf(steps.run(guarded, { url: `${server.origin}/ok` }));
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(open.retryable).toBe(true);
    expect(server.seen('/status/503').length).toBe(calls);
    expect(server.seen('/ok').length).toBe(okCalls);
    // After resetAfterMs one trial goes through; success closes the circuit.
    now += 10_000;
    expect(((await steps.run(guarded, { url: `${server.origin}/ok` })) as { status: number }).status).toBe(200);
    expect(((await steps.run(guarded, { url: `${server.origin}/ok` })) as { status: number }).status).toBe(200);
    await guarded.close?.();
  });

  it('does not count permanent failures (4xx)', async () => {
    const guarded = httpExecutor({ circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 4; i++) expect((await rejectionOf(steps.run(guarded, { url: `${server.origin}/status/404` }))).code).toBe('HTTP_CLIENT_ERROR');
    expect(((await steps.run(guarded, { url: `${server.origin}/ok` })) as { status: number }).status).toBe(200);
    await guarded.close?.();
  });
});
