import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { readyHandler } from './health.js';

async function ready(handler: ReturnType<typeof readyHandler>): Promise<{ status: number; body: { status: string } }> {
  let status = 0;
  let body: { status: string } = { status: '' };
  const res = {
    status(code: number) {
      status = code;
      return this;
    },
    json(b: { status: string }) {
      body = b;
      return this;
    },
  } as unknown as Response;
  await handler({} as Request, res);
  return { status, body };
}

describe('readyHandler', () => {
  it('is 503 "starting" until the process has started, even when every dependency answers', async () => {
    let started = false;
    const handler = readyHandler({ db: async () => undefined }, () => false, () => started);
    expect(await ready(handler)).toEqual({ status: 503, body: expect.objectContaining({ status: 'starting' }) });
    started = true;
    expect(await ready(handler)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready' }) });
  });

  it('is 503 when a dependency fails, and "shutting_down" once stopping', async () => {
    let stopping = false;
    const handler = readyHandler({ db: async () => { throw new Error('down'); } }, () => stopping);
    expect(await ready(handler)).toEqual({ status: 503, body: expect.objectContaining({ status: 'not_ready' }) });
    stopping = true;
    expect((await ready(handler)).body.status).toBe('shutting_down');
  });

  it('is 200 "degraded" when only an optional dependency (Redis) is down, 503 when a required one is', async () => {
    let dbUp = true;
    const handler = readyHandler({ storage: async () => { if (!dbUp) throw new Error('db down'); }, redis: async () => { throw new Error('ECONNREFUSED'); } }, () => false);
    const r = await ready(handler);
    expect(r).toEqual({ status: 200, body: expect.objectContaining({ status: 'degraded' }) });
    expect((r.body as unknown as { checks: Record<string, unknown> }).checks.redis).toMatchObject({ ok: false, required: false, error: 'ECONNREFUSED' });
    dbUp = false;
    expect(await ready(handler)).toEqual({ status: 503, body: expect.objectContaining({ status: 'not_ready' }) });
  });
});
